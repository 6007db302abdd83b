#!/usr/bin/env bash
# Builds fixtures/audio/browser-booking-en.wav: the booking-en.json caller's clips (8 kHz s16le) at
# 16 kHz, each followed by a pause long enough for the agent's reply. Chromium plays it as a fake
# microphone in the browser test (--use-file-for-fake-audio-capture), so the simulated Deepgram
# hears six speech segments and transcribes them as the script's six lines.
# Needs sox (apt-get install -y sox).
set -euo pipefail
cd "$(dirname "$0")/.."
out=fixtures/audio/browser-booking-en.wav
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# clip name : seconds of silence after it (the agent's reply to that line must fit in the pause)
lines=(
  "hi-the-pipe-under-my-kitchen-sink-is-leaking:11"
  "sorry-what-will-the-whole-job-cost:11"
  "yes-please-go-ahead:6"
  "it-s-nn15-6qp:10"
  "12-acacia-avenue:5"
  "priya-shah:20"
)
parts=()
# The greeting plays first: the caller waits for it.
sox -n -r 16000 -b 16 -c 1 -e signed "$tmp/lead.wav" trim 0 4
parts+=("$tmp/lead.wav")
for entry in "${lines[@]}"; do
  clip=${entry%%:*}
  pause=${entry##*:}
  sox -t raw -r 8000 -e signed -b 16 -c 1 "fixtures/audio/$clip.s16le" -r 16000 "$tmp/$clip.wav" pad 0 "$pause"
  parts+=("$tmp/$clip.wav")
done
sox "${parts[@]}" -b 16 -e signed "$out"
soxi -D "$out"

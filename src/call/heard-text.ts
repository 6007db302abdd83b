/**
 * What the caller actually heard of an interrupted reply, so the history keeps only that.
 * Word timestamps from the TTS are exact; without them, characters are spread evenly over the audio.
 */
export interface ReplyAudioLedger {
  text: string; // all text pushed to the TTS so far
  audioMs: number; // all audio received so far
  words?: { words: string[]; end: number[] }; // seconds from the start of the reply audio
}

export function heardText(ledger: ReplyAudioLedger, playedMs: number): string {
  if (playedMs <= 0 || !ledger.text) return '';
  if (ledger.words?.words.length) {
    const heard: string[] = [];
    ledger.words.words.forEach((w, i) => {
      if ((ledger.words?.end[i] ?? Number.POSITIVE_INFINITY) * 1000 <= playedMs) heard.push(w);
    });
    return heard.join(' ');
  }
  if (ledger.audioMs <= 0) return '';
  const fraction = Math.min(1, playedMs / ledger.audioMs);
  const cut = Math.floor(ledger.text.length * fraction);
  // Whole words only: a half-heard word was not heard.
  const prefix = ledger.text.slice(0, cut);
  return fraction >= 1 ? ledger.text.trim() : prefix.replace(/\S*$/, '').trim();
}

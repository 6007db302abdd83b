/** Pre-recorded transcription: one whole recording in, its transcript out (no socket, no VAD). */
export interface PrerecordedOptions {
  model: string; // nova-3
  language: string; // en-GB, es, multi
  smartFormat: boolean;
  keyterms: string[];
}

export interface PrerecordedTranscript {
  text: string;
  /** Length of the audio as the service measured it. */
  audioSec: number;
  requestId: string;
}

export interface PrerecordedStt {
  readonly name: string;
  /** `audio` is a whole file in a container the service detects itself (WAV here). */
  transcribe(
    audio: Buffer,
    options: PrerecordedOptions,
    signal?: AbortSignal,
  ): Promise<PrerecordedTranscript>;
}

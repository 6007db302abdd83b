import { DeepgramClient } from '@deepgram/sdk';
import type { PrerecordedOptions, PrerecordedStt, PrerecordedTranscript } from './prerecorded.js';

export interface DeepgramPrerecordedConfig {
  apiKey: string;
  /**
   * The same DEEPGRAM_BASE_URL as the live adapter (wss://api.deepgram.com by default, ws:// for a
   * simulator): the REST call goes to the same host over http(s).
   */
  baseUrl?: string;
  timeoutMs?: number;
}

/** wss://host → https://host, ws://host → http://host; anything else is kept. */
export function restBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/^ws(s?):\/\//i, (_m, s: string) => `http${s}://`);
}

/** Deepgram pre-recorded STT (`POST /v1/listen`) through the SDK's `listen.v1.media.transcribeFile`. */
export class DeepgramPrerecordedStt implements PrerecordedStt {
  readonly name = 'deepgram';
  private readonly client: DeepgramClient;

  constructor(private readonly config: DeepgramPrerecordedConfig) {
    this.client = new DeepgramClient({
      apiKey: config.apiKey,
      baseUrl: restBaseUrl(config.baseUrl ?? 'wss://api.deepgram.com'),
    });
  }

  async transcribe(
    audio: Buffer,
    options: PrerecordedOptions,
    signal?: AbortSignal,
  ): Promise<PrerecordedTranscript> {
    if (this.config.apiKey.trim() === '') throw new Error('Deepgram API key is empty (DEEPGRAM_API_KEY)');
    const keyterms = options.keyterms.map((k) => k.trim()).filter((k) => k !== '');
    const res = await this.client.listen.v1.media.transcribeFile(
      audio,
      {
        model: options.model as never, // the SDK's model union lags new model names
        language: options.language,
        smart_format: options.smartFormat,
        punctuate: options.smartFormat,
        ...(keyterms.length ? { keyterm: keyterms } : {}),
      },
      {
        timeoutInSeconds: (this.config.timeoutMs ?? 30_000) / 1000,
        maxRetries: 0, // a one-shot reply is interactive: fail fast rather than retry silently
        ...(signal ? { abortSignal: signal } : {}),
      },
    );
    if (!('results' in res))
      throw new Error('Deepgram accepted the request for a callback; expected a transcript');
    const alt = res.results.channels[0]?.alternatives?.[0];
    return {
      text: (alt?.transcript ?? '').trim(),
      audioSec: res.metadata.duration,
      requestId: res.metadata.request_id,
    };
  }
}

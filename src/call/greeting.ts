import { LRUCache } from 'lru-cache';
import type { CallFacts, Language } from '../../machines/call.types.js';

/** Part of the day in the tenant's time zone: the greeting says "good morning" where the caller is. */
export function timeOfDay(timeZone: string, at: Date = new Date()): CallFacts['timeOfDay'] {
  let hour: number;
  try {
    hour = Number(
      new Intl.DateTimeFormat('en-GB', { hour: 'numeric', hourCycle: 'h23', timeZone }).format(at),
    );
  } catch {
    hour = at.getUTCHours(); // unknown zone: fall back to UTC rather than fail the call
  }
  return hour < 12 ? 'morning' : hour < 18 ? 'afternoon' : 'evening';
}

export interface GreetingKey {
  tenantId: string;
  /** The words say the company's name: a context service may give one tenant several names. */
  companyName: string;
  language: Language;
  timeOfDay: string;
  /** Encoding, rate and voice: the same words in another format are another clip. */
  format: string;
}

/** Default byte budget: about 400 five-second greetings of 8 kHz 16-bit audio. */
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/**
 * Greeting audio per tenant, language, time of day and audio format. The first call of a kind
 * streams its greeting from the TTS (first audio in one TTS round trip) and stores the whole clip;
 * every later call plays it the moment the line opens. Bounded by bytes, least recently used first
 * out; a clip larger than the whole budget is simply not kept.
 */
export class GreetingCache {
  private readonly entries: LRUCache<string, Buffer>;

  constructor(maxBytes = DEFAULT_MAX_BYTES) {
    this.entries = new LRUCache<string, Buffer>({
      maxSize: maxBytes,
      sizeCalculation: (audio) => Math.max(1, audio.length),
    });
  }

  get(key: GreetingKey): Buffer | undefined {
    return this.entries.get(keyOf(key));
  }

  set(key: GreetingKey, audio: Buffer): void {
    this.entries.set(keyOf(key), audio);
  }

  /** Bytes of audio held. */
  get bytes(): number {
    return this.entries.calculatedSize;
  }
}

/** JSON, not a joined string: no company name can forge another tenant's key with a "|". */
const keyOf = (k: GreetingKey) =>
  JSON.stringify([k.tenantId, k.companyName, k.language, k.timeOfDay, k.format]);

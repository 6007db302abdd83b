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

/**
 * Greeting audio per tenant, language, time of day and audio format, synthesised once and reused, so
 * the greeting plays the moment the line opens. Failures are not cached.
 */
export class GreetingCache {
  private readonly entries = new Map<string, Promise<Buffer>>();

  constructor(private readonly maxEntries = 500) {}

  get(
    key: { tenantId: string; language: Language; timeOfDay: string; format: string },
    synthesize: () => Promise<Buffer>,
  ): Promise<Buffer> {
    const k = `${key.tenantId}|${key.language}|${key.timeOfDay}|${key.format}`;
    const hit = this.entries.get(k);
    if (hit) return hit;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    const p = synthesize();
    this.entries.set(k, p);
    p.catch(() => this.entries.delete(k));
    return p;
  }

  has(key: { tenantId: string; language: Language; timeOfDay: string; format: string }): boolean {
    return this.entries.has(`${key.tenantId}|${key.language}|${key.timeOfDay}|${key.format}`);
  }
}

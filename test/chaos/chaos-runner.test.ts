import { describe, expect, it } from 'vitest';
import { runChaos } from '../../chaos/run-chaos.js';

/**
 * `npm run chaos` end to end on two of its cheaper rows: for each, real simulator and server processes
 * (the server in its own process group), a real call over FastAGI and AudioSocket with the fault injected
 * mid-call, and a fresh call afterwards. Only the outcome is asserted, never a timing: the silence
 * figures belong to docs/reliability.md, measured on a quiet machine.
 */
describe('the fault matrix runner', () => {
  it('keeps the process alive and the call recovered when Groq fails mid-call and the context API is down', async () => {
    const report = await runChaos({ only: ['groq-5xx', 'context-api-refused'], concurrency: 2 });
    expect(report.rows.map((r) => r.id)).toEqual(['groq-5xx', 'context-api-refused']);
    for (const row of report.rows) {
      expect(row.error, `${row.id} ran`).toBeUndefined();
      expect(row.processAlive, `${row.id}: process alive`).toBe(true);
      expect(row.recovered, `${row.id}: recovered (${row.outcome})`).toBe(true);
    }
  }, 300_000);
});

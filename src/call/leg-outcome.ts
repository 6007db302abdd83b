import type { CallLegOutcome } from '../agi/call-outcome-registry.js';
import type { CallLine } from './call-line.js';

/** Where a call's leg outcome goes (AudioSocket: the FastAGI `outcome` script's registry). */
export type ReportLegOutcome = (callId: string, outcome: CallLegOutcome) => void;

/**
 * Tells the telephony side, once, how the agent's leg ended and where a transfer goes. The `audio`
 * child reports it just before it hangs up (so the dialplan, which continues the moment the socket
 * closes, finds it); the summary reports the final outcome of a call that ended any other way.
 */
export class LegOutcome {
  private reported = false;

  constructor(
    private readonly line: CallLine,
    private readonly report: ReportLegOutcome | undefined,
  ) {}

  settle(outcome: string): void {
    if (this.reported || !this.report) return;
    this.reported = true;
    const transferTo = outcome === 'transferred' ? this.line.caller.tenant.transferNumber : undefined;
    if (outcome === 'transferred' && !transferTo)
      this.line.log.warn('call handed to a person, but the tenant has no transfer number');
    try {
      this.report(this.line.callId, { outcome, ...(transferTo ? { transferTo } : {}) });
    } catch (err) {
      this.line.log.error({ err }, 'could not report the call outcome');
    }
  }
}

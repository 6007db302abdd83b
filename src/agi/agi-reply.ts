/**
 * Replies from Asterisk to one AGI command (docs/protocols/agi.md §3.2), plus the unsolicited HANGUP line
 * (§4).
 */
export type AgiReply =
  | { kind: 'success'; result: number; data?: string; line: string }
  | { kind: 'failure'; code: number; text: string; usage: string[] }
  | { kind: 'hangup' };

export class AgiReplyError extends Error {
  override name = 'AgiReplyError';
}

const SUCCESS = /^200 result=(-?\d+)(.*)$/;
/**
 * The longest `520-` usage text Asterisk prints is a few dozen lines (`agi show commands`); a peer
 * that keeps a usage block open is flooding, not explaining.
 */
export const AGI_MAX_USAGE_LINES = 100;
const STATUS = /^(\d{3})([ -])(.*)$/;

/**
 * Line-at-a-time parser (hand-written, like the rest of FastAGI: the protocol is a few line rules,
 * docs/protocols/agi.md §3, smaller than adapting an AGI framework's own session model). `push` returns a reply once one is complete, `undefined` while inside a
 * multi-line `520-` usage block, and throws AgiReplyError for a line no Asterisk would send.
 */
export class AgiReplyParser {
  private usage: string[] | undefined;

  push(line: string): AgiReply | undefined {
    if (this.usage) {
      // Inside "520-…": usage text until the line that starts with "520 ".
      if (line.startsWith('520 ')) {
        const usage = this.usage;
        this.usage = undefined;
        return { kind: 'failure', code: 520, text: line.slice(4), usage };
      }
      if (this.usage.length >= AGI_MAX_USAGE_LINES) {
        throw new AgiReplyError(`520 usage block longer than ${AGI_MAX_USAGE_LINES} lines`);
      }
      this.usage.push(line);
      return undefined;
    }
    if (line === 'HANGUP') return { kind: 'hangup' };
    const ok = SUCCESS.exec(line);
    if (ok) {
      const rest = ok[2] ?? '';
      // Data is not escaped and may hold parentheses: first "(" after result=, last ")" on the line.
      const open = rest.indexOf('(');
      const close = rest.lastIndexOf(')');
      const data = open !== -1 && close > open ? rest.slice(open + 1, close) : undefined;
      return { kind: 'success', result: Number(ok[1]), line, ...(data !== undefined ? { data } : {}) };
    }
    const status = STATUS.exec(line);
    if (status && status[1] !== '200') {
      const code = Number(status[1]);
      if (code === 520 && status[2] === '-') {
        this.usage = [];
        return undefined;
      }
      return { kind: 'failure', code, text: status[3] ?? '', usage: [] };
    }
    throw new AgiReplyError(`not an AGI reply: ${JSON.stringify(line.slice(0, 80))}`);
  }
}

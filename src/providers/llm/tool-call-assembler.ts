import { LlmError, type ToolCall } from './types.js';

/**
 * Joins streamed tool-call pieces into whole calls. OpenAI-compatible streams send the id and name on a
 * call's first piece and argument text on any piece with the same `index` (docs/protocols/groq-chat.md §3c);
 * Anthropic sends `partial_json` per content block (§B3).
 */
export class ToolCallAssembler {
  private readonly calls = new Map<number, { id: string; name: string; args: string }>();

  constructor(private readonly provider: string) {}

  add(index: number, piece: { id?: string | null; name?: string | null; arguments?: string | null }): void {
    const call = this.calls.get(index) ?? { id: '', name: '', args: '' };
    if (piece.id) call.id = piece.id;
    // Some servers repeat the name on every piece; it is whole on the first one.
    if (piece.name && !call.name) call.name = piece.name;
    if (piece.arguments) call.args += piece.arguments;
    this.calls.set(index, call);
  }

  get size(): number {
    return this.calls.size;
  }

  /** The calls in index order, arguments parsed; a call whose JSON does not parse is a malformed reply. */
  finish(): ToolCall[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => {
        if (!call.name) throw new LlmError(`tool call ${index} has no name`, this.provider, 'malformed');
        return {
          id: call.id || `${this.provider}_call_${index}`,
          name: call.name,
          arguments: parseArguments(call.args, call.name, this.provider),
          rawArguments: call.args,
        };
      });
  }
}

/** Empty arguments mean "no arguments" (Anthropic may send none for an empty input). */
function parseArguments(raw: string, name: string, provider: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new LlmError(
      `tool call ${name} has arguments that are not JSON: ${raw.slice(0, 200)}`,
      provider,
      'malformed',
    );
  }
}

import type { HistoryEntry, ReplyInput, Step } from '../../machines/call.types.js';
import { nextStep, SPEAK_AHEAD_STEPS } from '../../machines/intents.js';
import { suggestedReply } from '../../machines/phrases.js';
import type { ChatMessage } from '../providers/llm/types.js';

const GOALS: Record<Step, string> = {
  greet: 'let the caller say why they are calling.',
  understand: 'understand the problem. Ask one short follow-up only if it is unclear.',
  quote: 'give the callout quote and wait for them to agree.',
  postcode: "get the caller's postcode.",
  address: 'get the house number and street.',
  name: "get the caller's name.",
  book: 'the booking is being made; keep them on the line.',
  confirm: 'confirm the booking and say goodbye.',
  bookingFailed: 'apologise: the booking could not be confirmed; someone will call back.',
  declined: 'they declined; thank them and say goodbye.',
  abusive: 'end the call politely.',
  transfer: 'hand over to a person.',
  goodbye: 'say goodbye; the caller has gone quiet.',
};

const show = (v: unknown) => (v === undefined ? '-' : typeof v === 'boolean' ? (v ? 'yes' : 'no') : `"${v}"`);

/**
 * The system prompt for one reply: short on purpose (every token costs time to first token).
 * Labelled lines ("Step:", "Language:", "Suggested reply:") keep it readable for a model and parseable
 * for the simulator's scripted brain.
 */
export function systemPrompt(input: ReplyInput): string {
  const f = input.facts;
  const s = input.slots;
  const lang =
    input.language === 'es'
      ? 'Reply in Spanish, formal "usted".'
      : 'Casual British English ("no worries", "lovely"), never American.';
  return [
    `You answer the phone for ${f.companyName}, a UK ${f.trade} company. ${lang}`,
    'Speak one or two short sentences. No lists, markdown or emojis. Never say you are an AI or name any system. Never ask for their phone number. Never quote labour, only the callout fee.',
    `Facts: trade=${f.tradeLabel}; callout fee=${f.calloutFee} pounds; area=${f.area}; repeat caller=${f.isRepeatCaller ? 'yes' : 'no'}.`,
    `Known: problem=${show(s.problem)}; agreed=${show(s.agreed)}; postcode=${show(s.postcode)}; address=${show(s.address)}; name=${show(s.name)}.`,
    `Step: ${input.step}`,
    `Goal: ${GOALS[input.step]}`,
    `Language: ${input.language}`,
    'Record every new detail the caller gives with record_details (details under Known are already recorded) and flag requests with flag_request. In the same reply, first say the line below for what the caller did; with nothing to record or flag, say the suggested reply.',
    ...afterLines(input),
    `Suggested reply: ${suggestedReply(input.step, input.notice, f, s, input.language)}`,
  ].join('\n');
}

/**
 * What to say after each kind of tool call, so one streamed response carries both the words and the
 * tool call: the caller hears the next step's question without a second LLM round. The chart still
 * moves only on the validated values, and speaks again if they led elsewhere.
 */
function afterLines(input: ReplyInput): string[] {
  const { facts: f, slots: s, language: l, step } = input;
  const next = nextStep(step);
  const lines: Array<[string, string]> = [];
  if (next && SPEAK_AHEAD_STEPS.includes(step))
    lines.push(['details', suggestedReply(next, undefined, f, s, l)]);
  if (next) {
    lines.push(['total_price', suggestedReply(step, 'total_price', f, s, l)]);
    lines.push(['are_you_local', suggestedReply(step, 'are_you_local', f, s, l)]);
    lines.push(['too_expensive', suggestedReply('declined', undefined, f, s, l)]);
  }
  lines.push(['human', suggestedReply('transfer', undefined, f, s, l)]);
  lines.push(['abusive', suggestedReply('abusive', undefined, f, s, l)]);
  return lines.map(([kind, line]) => `After ${kind}: ${line}`);
}

function historyMessages(history: HistoryEntry[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const h of history) {
    if (h.role === 'caller') out.push({ role: 'user', content: h.text });
    else if (h.role === 'agent') out.push({ role: 'assistant', content: h.text });
    else {
      const toolCalls = h.calls.map((c) => ({
        id: c.id,
        name: c.name,
        rawArguments: c.arguments,
        arguments: safeJson(c.arguments),
      }));
      out.push({ role: 'assistant', content: '', toolCalls });
      for (const c of h.calls) out.push({ role: 'tool', toolCallId: c.id, name: c.name, content: h.result });
    }
  }
  return out;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return {};
  }
}

/** Only the recent turns: older ones add tokens, not sense, once their slots are in "Known:". */
const MAX_HISTORY = 12;

export function chatMessages(input: ReplyInput): ChatMessage[] {
  let recent = input.history.slice(-MAX_HISTORY);
  // Never start inside a tool exchange: its assistant tool_calls message would be cut off.
  while (recent[0]?.role === 'tools') recent = recent.slice(1);
  return [{ role: 'system', content: systemPrompt(input) }, ...historyMessages(recent)];
}

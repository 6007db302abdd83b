import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BrainReply, type BrainRequest, think } from '../../sim/llm/brain.js';
import { readPrompt } from '../../sim/llm/brain-prompt.js';
import { systemPrompt } from './helpers.js';

const TOOLS = ['record_details', 'flag_request'];
const SUGGESTED = 'Lovely. And what is the postcode there?';

function ask(step: string, callerSaid: string, language = 'en', tools = TOOLS): BrainReply {
  return think({
    system: systemPrompt(step, SUGGESTED, language),
    messages: [{ role: 'user', content: callerSaid }],
    tools,
  });
}

function recorded(reply: BrainReply): Record<string, unknown> | undefined {
  return reply.toolCalls?.find((c) => c.name === 'record_details')?.arguments;
}

function flags(reply: BrainReply): unknown[] {
  return (reply.toolCalls ?? []).filter((c) => c.name === 'flag_request').map((c) => c.arguments);
}

describe('reading the prompt', () => {
  it('finds the labelled lines among prose, bullets and odd case', () => {
    const facts = readPrompt(
      'Be kind.\n - step: Quote\nLANGUAGE: es\n* Suggested reply: "Son 80 libras, ¿le parece bien?"\nThanks',
    );
    expect(facts).toEqual({
      step: 'quote',
      language: 'es',
      suggestedReply: 'Son 80 libras, ¿le parece bien?',
    });
  });

  it('ignores an unknown step and defaults the language to English', () => {
    expect(readPrompt('Step: dance\nSuggested reply: Hi')).toEqual({ language: 'en', suggestedReply: 'Hi' });
  });
});

describe('when to speak', () => {
  it('speaks the suggested reply verbatim after a tool result', () => {
    const reply = think({
      system: systemPrompt('address', 'Thanks. What is the first line of the address?'),
      messages: [
        { role: 'user', content: 'NN15 6QP' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ name: 'record_details', arguments: { postcode: 'NN15 6QP' } }],
        },
        { role: 'tool', content: '{"ok":true}', toolName: 'record_details' },
      ],
      tools: TOOLS,
    });
    expect(reply).toEqual({ text: 'Thanks. What is the first line of the address?' });
  });

  it('speaks the suggested reply when no tools are offered', () => {
    expect(ask('postcode', "It's NN15 6QP", 'en', [])).toEqual({ text: SUGGESTED });
  });

  it('speaks the suggested reply when the caller gave nothing to record', () => {
    expect(ask('book', 'Thanks very much')).toEqual({ text: SUGGESTED });
  });

  it('falls back to a polite repeat request when the prompt has no suggested reply', () => {
    const reply = think({ system: 'Step: book\nLanguage: es', messages: [], tools: TOOLS });
    expect(reply.text).toMatch(/repetir/);
  });

  it('emits tool calls without text when it records something', () => {
    const reply = ask('postcode', 'NN15 6QP');
    expect(reply.text).toBeUndefined();
    expect(reply.toolCalls).toHaveLength(1);
  });
});

describe('slots per step', () => {
  it('understand: records the problem without greetings and fillers', () => {
    expect(recorded(ask('understand', 'Hi there, um, my kitchen tap is leaking everywhere.'))).toEqual({
      problem: 'my kitchen tap is leaking everywhere',
    });
  });

  it('understand: also records agreement when the caller already says yes', () => {
    expect(recorded(ask('understand', 'Yes, the boiler has no pressure, go ahead and send someone'))).toEqual(
      {
        problem: 'the boiler has no pressure, go ahead and send someone',
        agreed: true,
      },
    );
  });

  it.each([
    ['yeah go ahead', true],
    ['Yes please', true],
    ['that is fine', true],
    ['OK', true],
    ['no problem', true],
    ['No, not today', false],
    ['nope', false],
  ])('quote: %j → agreed %s', (said, agreed) => {
    expect(recorded(ask('quote', said))).toEqual({ agreed });
  });

  it('quote: hesitation is neither yes nor no', () => {
    expect(ask('quote', "I'm not sure, let me think")).toEqual({ text: SUGGESTED });
  });

  it('quote: Spanish agreement during a Spanish call', () => {
    expect(ask('quote', 'Sí, vale', 'es')).toEqual({
      toolCalls: [{ name: 'record_details', arguments: { agreed: true } }],
    });
  });

  it.each([
    ["It's NN15 6QP.", 'NN15 6QP'],
    ['my postcode is sw1a 1aa', 'sw1a 1aa'],
    ['nn156qp', 'nn156qp'],
    ['banana', 'banana'],
    ["It's banana", 'banana'],
  ])('postcode: %j → %j (raw; the machine validates)', (said, postcode) => {
    expect(recorded(ask('postcode', said))).toEqual({ postcode });
  });

  it('postcode: a question back is not a postcode', () => {
    expect(ask('postcode', 'Why do you need that?')).toEqual({ text: SUGGESTED });
  });

  it('address: strips the lead-in and splits off the postcode', () => {
    expect(recorded(ask('address', 'The address is 12 High Street, Kettering NN15 6QP'))).toEqual({
      address: '12 High Street, Kettering',
      postcode: 'NN15 6QP',
    });
  });

  it('address: a postcode said with fillers around it is no address', () => {
    expect(recorded(ask('address', "It's, um, NN15 6QP."))).toEqual({ postcode: 'NN15 6QP' });
  });

  it('address: takes an address without a house number as said', () => {
    expect(recorded(ask('address', "It's Rose Cottage, Mill Lane"))).toEqual({
      address: 'Rose Cottage, Mill Lane',
    });
  });

  it.each([
    ['My name is Priya Shah, thanks', 'Priya Shah'],
    ["I'm Tom O'Neill", "Tom O'Neill"],
    ["It's John", 'John'],
    ['Priya Shah', 'Priya Shah'],
  ])('name: %j → %j', (said, name) => {
    expect(recorded(ask('name', said))).toEqual({ name });
  });

  it('name: Spanish lead-in during a Spanish call', () => {
    expect(recorded(ask('name', 'Me llamo José García', 'es'))).toEqual({ name: 'José García' });
  });

  it('picks up every detail a caller gives at once, whatever the step', () => {
    expect(
      recorded(
        ask('understand', 'My name is Priya Shah, I live at 12 High Street NN15 6QP and my sink is blocked'),
      ),
    ).toEqual({
      problem: 'My name is Priya Shah, I live at 12 High Street NN15 6QP and my sink is blocked',
      postcode: 'NN15 6QP',
      address: '12 High Street',
      name: 'Priya Shah',
    });
    expect(recorded(ask('quote', 'Yes fine, the postcode is NN15 6QP'))).toEqual({
      agreed: true,
      postcode: 'NN15 6QP',
    });
  });
});

describe("the call runtime's own prompt shape", () => {
  const runtimePrompt = (step: string, reply: string) =>
    [
      'You answer the phone for Acme Plumbing, a UK plumbing company. Casual British English ("no worries", "lovely"), never American.',
      'Speak one or two short sentences. No lists, markdown or emojis.',
      'Facts: trade=plumber; callout fee=80 pounds; area=Kettering; repeat caller=no.',
      'Known: problem="leaking tap"; agreed=-; postcode=-; address=-; name=-.',
      `Step: ${step}`,
      'Goal: give the callout quote and wait for them to agree.',
      'Language: en',
      'When the caller gives any detail, call record_details with every detail they gave and say nothing else. When they want a total price, say it is too expensive, ask if you are local, are abusive, ask for a person or speak another language, call flag_request.',
      `Suggested reply: ${reply}`,
    ].join('\n');
  const said = (step: string, text: string) =>
    think({
      system: runtimePrompt(step, 'The callout is 80 pounds. Shall I book that?'),
      messages: [{ role: 'user', content: text }],
      tools: TOOLS,
    });

  it('reads the step and records agreement despite the tool names in the instructions', () => {
    expect(said('quote', 'yeah go on then, go ahead')).toEqual({
      toolCalls: [{ name: 'record_details', arguments: { agreed: true } }],
    });
  });

  it('declined: a caller who changes their mind is recorded; confirm: a goodbye is just answered', () => {
    expect(recorded(said('declined', 'Actually, fine, go ahead'))).toEqual({ agreed: true });
    expect(said('confirm', 'Lovely, thanks, bye')).toEqual({
      text: 'The callout is 80 pounds. Shall I book that?',
    });
  });

  it('keeps free text within the runtime limits and does not record talk as a postcode', () => {
    const long = `My ${'very '.repeat(100)}old boiler keeps cutting out`;
    const problem = recorded(said('understand', long))?.problem as string;
    expect(problem.length).toBeLessThanOrEqual(300);
    expect(said('postcode', "I'm not sure what it is, it's on a letter somewhere")).toEqual({
      text: 'The callout is 80 pounds. Shall I book that?',
    });
  });
});

describe('requests and objections, in any step', () => {
  it.each([
    ['Can I speak to a real person please?', 'human'],
    ['Put me through to the manager', 'human'],
    ['I want to talk to someone', 'human'],
    ['Are you local?', 'are_you_local'],
    ['Is there anyone nearby?', 'are_you_local'],
    ['How much will the whole job cost?', 'total_price'],
    ['Can you give me a fixed price?', 'total_price'],
    ["That's too expensive", 'too_expensive'],
    ['No thanks', 'too_expensive'],
    ["I can't afford that", 'too_expensive'],
    ['This is fucking ridiculous', 'abusive'],
    ["You're useless", 'abusive'],
  ])('%j → flag_request %s', (said, kind) => {
    for (const step of ['greet', 'understand', 'quote', 'postcode', 'name']) {
      expect(flags(ask(step, said))).toEqual([{ kind }]);
    }
  });

  it('does not take a question or an objection as the answer to the step', () => {
    expect(ask('understand', 'Are you local?')).toEqual({
      toolCalls: [{ name: 'flag_request', arguments: { kind: 'are_you_local' } }],
    });
    expect(ask('name', 'Can I talk to a real person')).toEqual({
      toolCalls: [{ name: 'flag_request', arguments: { kind: 'human' } }],
    });
  });

  it('still records a postcode given alongside a request', () => {
    const reply = ask('postcode', 'NN15 6QP, and are you local?');
    expect(flags(reply)).toEqual([{ kind: 'are_you_local' }]);
    expect(recorded(reply)).toEqual({ postcode: 'NN15 6QP' });
  });

  it('does not mistake ordinary words for a person request or abuse', () => {
    expect(
      flags(ask('understand', 'Someone left the outside tap running and now the pipe is useless')),
    ).toEqual([]);
  });
});

describe('language', () => {
  it('flags Spanish during an English call and still records the problem', () => {
    expect(ask('understand', 'Hola, tengo una fuga en la cocina')).toEqual({
      toolCalls: [
        { name: 'flag_request', arguments: { kind: 'switch_language', language: 'es' } },
        { name: 'record_details', arguments: { problem: 'tengo una fuga en la cocina' } },
      ],
    });
  });

  it('flags English during a Spanish call', () => {
    expect(flags(ask('quote', 'Yes please, go ahead', 'es'))).toEqual([
      { kind: 'switch_language', language: 'en' },
    ]);
  });

  it('does not switch on a Spanish-looking name or a bare "ok"', () => {
    expect(flags(ask('name', 'José María Del Río'))).toEqual([]);
    expect(flags(ask('quote', 'ok', 'es'))).toEqual([]);
  });
});

describe('tools offered', () => {
  it('only calls tools that were offered', () => {
    expect(ask('postcode', 'Are you local? NN15 6QP', 'en', ['record_details'])).toEqual({
      toolCalls: [{ name: 'record_details', arguments: { postcode: 'NN15 6QP' } }],
    });
    expect(ask('postcode', 'Are you local?', 'en', ['flag_request'])).toEqual({
      toolCalls: [{ name: 'flag_request', arguments: { kind: 'are_you_local' } }],
    });
  });
});

describe('properties', () => {
  const role = fc.constantFrom('user', 'assistant', 'tool') as fc.Arbitrary<'user' | 'assistant' | 'tool'>;
  const request: fc.Arbitrary<BrainRequest> = fc.record({
    system: fc.oneof(
      fc.string(),
      fc
        .tuple(fc.string(), fc.string(), fc.string())
        .map(([a, b, c]) => `Step: ${a}\nLanguage: ${b}\nSuggested reply: ${c}`),
    ),
    messages: fc.array(fc.record({ role, content: fc.string({ unit: 'binary' }) }), { maxLength: 4 }),
    tools: fc.subarray(TOOLS),
  });

  it('never throws and always answers with text or at least one tool call', () => {
    fc.assert(
      fc.property(request, (req) => {
        const reply = think(req);
        const hasText = typeof reply.text === 'string' && reply.text.length > 0;
        const hasCalls = (reply.toolCalls?.length ?? 0) > 0;
        expect(hasText || hasCalls).toBe(true);
        for (const call of reply.toolCalls ?? []) expect(req.tools).toContain(call.name);
      }),
      { numRuns: 500 },
    );
  });

  it('is deterministic: the same request gives the same reply', () => {
    fc.assert(
      fc.property(request, (req) => {
        expect(think(req)).toEqual(think(structuredClone(req)));
      }),
      { numRuns: 200 },
    );
  });
});

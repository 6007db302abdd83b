import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STEPS } from '../../machines/call.types.js';
import { localIntents } from '../../machines/local-intents.js';
import { validateDetails } from '../../machines/slots.js';

const details = (text: string, step: Parameters<typeof localIntents>[1]) => {
  const [intent] = localIntents(text, step);
  return intent?.type === 'CALLER.GAVE_DETAILS' ? intent.details : undefined;
};

describe('local intents: what a caller plainly gives for the step it answers', () => {
  it.each([
    ["It's NN15 6QP.", 'postcode', { postcode: 'NN15 6QP' }],
    ['my postcode is sw1a 1aa', 'postcode', { postcode: 'SW1A 1AA' }],
    ['Es NN15 6QP.', 'postcode', { postcode: 'NN15 6QP' }],
    ['12 Acacia Avenue.', 'address', { address: '12 Acacia Avenue' }],
    ["It's 4 High Street", 'address', { address: '4 High Street' }],
    ['Calle Mayor 12.', 'address', { address: 'Calle Mayor 12' }],
    ['Priya Shah.', 'name', { name: 'Priya Shah' }],
    ['My name is Sam Jones', 'name', { name: 'Sam Jones' }],
    ['Lucía García.', 'name', { name: 'Lucía García' }],
    ['Yes please, go ahead.', 'quote', { agreed: true }],
    ['Sí, adelante.', 'quote', { agreed: true }],
  ] as const)('%s at %s', (text, step, expected) => {
    expect(details(text, step)).toEqual(expected);
  });

  it.each([
    ['Sorry, what will the whole job cost?', 'quote'],
    ['Yes, but how much in total?', 'quote'],
    ['No thanks.', 'quote'],
    ['Is that NN15 6QP?', 'postcode'],
    ['banana', 'postcode'],
    ['Acacia Avenue', 'address'],
    ['12 Acacia Avenue NN15 6QP', 'address'],
    ['yes', 'name'],
    ['it is number 12 on the left by the 3 trees and the pond', 'name'],
    ['Hi, the pipe under my kitchen sink is leaking.', 'understand'],
    ['Priya Shah', 'postcode'],
  ] as const)('leaves %s at %s to the model', (text, step) => {
    expect(localIntents(text, step)).toEqual([]);
  });

  it('never produces a detail the chart would reject, whatever the text and step', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.constantFrom(...STEPS), (text, step) => {
        for (const intent of localIntents(text, step)) {
          if (intent.type !== 'CALLER.GAVE_DETAILS') continue;
          expect(validateDetails(intent.details).issues).toEqual([]);
        }
      }),
    );
  });
});

// Deliberately bad (a lint fixture, never built or imported): a machine file importing a simulator.
// `npm run lint` requires Biome's noRestrictedImports to reject it (scripts/check-import-rule.mjs).
import { knob } from '../../sim/knobs.js';

export const reachedOutside = knob;

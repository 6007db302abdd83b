// Deliberately bad (a lint fixture, never built or imported): product code reaching into a simulator,
// the bench and the tests. `npm run lint` requires Biome's noRestrictedImports to reject every import
// here (scripts/check-import-rule.mjs); its folder's `.ignore` keeps it out of the ordinary check.
import { percentiles } from '../../bench/stats.js';
import { knob } from '../../sim/knobs.js';
import { BYTES_PER_SEC_S16 } from '../../test/stt/helpers.js';

export const reachedOutside = [percentiles, knob, BYTES_PER_SEC_S16];

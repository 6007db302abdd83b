export type { CartesiaFault } from './faults.js';
export type { CartesiaSimKnobs, CartesiaSimOptions } from './options.js';
export { type CartesiaSim, startCartesiaSim } from './server.js';
export type { CartesiaSimStats } from './stats.js';

export { type DetectedSegment, detectSegments, type EndpointerConfig } from './endpointer.js';
export type { DeepgramSimFaults, DeepgramSimOptions } from './options.js';
export { type ListenQuery, parseListenQuery } from './query.js';
export { type DeepgramSim, startDeepgramSim } from './server.js';
export type { DeepgramSimStats } from './session.js';

/** The LLM simulators: one HTTP server per vendor, all driven by the scripted brain. */
export { startAnthropicSim } from './anthropic-sim.js';
export { type BrainReply, type BrainRequest, think } from './brain.js';
export { startCerebrasSim } from './cerebras-sim.js';
export type { LlmSim, SimKnobs, SimRequestRecord, SimStats } from './completion-sim.js';
export type { Fault } from './faults.js';
export { startGroqSim } from './groq-sim.js';
export type { LlmSimOptions } from './sim-options.js';

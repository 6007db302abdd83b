/**
 * The floor server as a child process of the bench (so its CPU and RSS are sampled from /proc exactly
 * like callchart's). Settings come from FLOOR_* variables; prints `FLOOR_PORT=<port>` once listening.
 */
import { startFloorServer } from './floor-server.js';

const num = (name: string): number => {
  const v = Number(process.env[name]);
  if (!Number.isFinite(v))
    throw new Error(`${name} must be a number, got ${JSON.stringify(process.env[name])}`);
  return v;
};

const floor = await startFloorServer({
  endpointingMs: num('FLOOR_ENDPOINTING_MS'),
  replyDelayMs: num('FLOOR_REPLY_DELAY_MS'),
  greetingMs: num('FLOOR_GREETING_MS'),
  replyMs: num('FLOOR_REPLY_MS'),
  linesPerCall: num('FLOOR_LINES_PER_CALL'),
});
console.log(`FLOOR_PORT=${floor.port}`);
// Nothing to flush: the floor keeps no state worth a graceful close.
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));

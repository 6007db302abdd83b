import { runFakeAgiCall } from '../sim/asterisk/fake-asterisk-agi.js';
import { AsteriskPeer } from '../sim/asterisk/peer.js';
import { rmsS16le, VOICED_RMS } from '../src/audio/energy.js';

/** How long a fresh call may take to be greeted before the server counts as not taking calls. */
const GREETING_WITHIN_MS = 20_000;

/**
 * A fresh call, as Asterisk places it (FastAGI, then AudioSocket): true once the agent's greeting is
 * heard. The caller hangs up at once after that.
 */
export async function freshCallGreeted(
  agiPort: number,
  audioSocketPort: number,
  did: string,
  callerId: string,
): Promise<boolean> {
  const agi = await runFakeAgiCall({ host: '127.0.0.1', port: agiPort, args: [did, callerId] }).catch(
    () => null,
  );
  const uuid = agi?.variables.VA_UUID;
  if (!uuid) return false;
  let heard: (v: boolean) => void = () => {};
  const greeted = new Promise<boolean>((r) => {
    heard = r;
  });
  const peer = await AsteriskPeer.connect({
    port: audioSocketPort,
    uuid,
    onServerFrame: (frame) => {
      if (frame.kind === 'audio' && rmsS16le(frame.payload) > VOICED_RMS) heard(true);
    },
  }).catch(() => null);
  if (!peer) return false;
  const timer = setTimeout(() => heard(false), GREETING_WITHIN_MS);
  void peer.ended.then(() => heard(false));
  const ok = await greeted;
  clearTimeout(timer);
  peer.hangup();
  await peer.ended;
  return ok;
}

import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../audiosocket/harness.js';
import { script, startRig } from '../e2e/rig.js';

type Rig = Awaited<ReturnType<typeof startRig>>;
const rigs: Rig[] = [];
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.close()));
});

async function get(rig: Rig, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${rig.app.httpPort}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A port nothing listens on: bound, then closed. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('/healthz and /readyz over HTTP', () => {
  it('is ready when the database answers and every provider was reached; draining is not ready', async () => {
    const rig = await startRig({ script: script('booking-en') });
    rigs.push(rig);
    expect((await get(rig, '/healthz')).status).toBe(200);
    let ready = { status: 0, body: {} as Record<string, unknown> };
    const poll = async () => {
      ready = await get(rig, '/readyz');
    };
    await poll();
    for (let i = 0; i < 50 && ready.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await poll();
    }
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ ready: true, draining: false, database: 'ok' });
    const names = (ready.body.providers as Array<{ name: string; fresh: boolean }>).map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['stt', 'tts', 'llm:groq']));

    const stopping = rig.app.shutdown({ drainMs: 60_000 });
    await waitFor(() => rig.app.draining, 'the app to start draining');
    // No live calls: the drain finishes at once, and the HTTP listener closes with it.
    await stopping;
    await expect(fetch(`http://127.0.0.1:${rig.app.httpPort}/readyz`)).rejects.toThrow();
  }, 60_000);

  it('is alive but not ready when a provider cannot be reached', async () => {
    const rig = await startRig({
      script: script('booking-en'),
      env: { DEEPGRAM_BASE_URL: `ws://127.0.0.1:${await deadPort()}` },
    });
    rigs.push(rig);
    // Give the first probe round time to finish (it is bounded by a 3 s timeout per endpoint).
    let ready = await get(rig, '/readyz');
    for (let i = 0; i < 50; i++) {
      const tts = (ready.body.providers as Array<{ name: string; fresh: boolean }>).find(
        (p) => p.name === 'tts',
      );
      if (tts?.fresh) break;
      await new Promise((r) => setTimeout(r, 100));
      ready = await get(rig, '/readyz');
    }
    expect((await get(rig, '/healthz')).status).toBe(200);
    expect(ready.status).toBe(503);
    const stt = (
      ready.body.providers as Array<{ name: string; fresh: boolean; lastReachableAgoMs: unknown }>
    ).find((p) => p.name === 'stt');
    expect(stt).toMatchObject({ fresh: false, lastReachableAgoMs: null });
  }, 60_000);
});

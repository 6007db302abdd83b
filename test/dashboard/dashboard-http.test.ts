import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callMachine } from '../../machines/call.machine.js';
import { dashboardAuth, isLoopbackHost } from '../../src/dashboard/auth.js';
import { bookingsCsv, csvCell, HistoryQueries, percentile } from '../../src/dashboard/history.js';
import { LiveCalls } from '../../src/dashboard/live-calls.js';
import { mountDashboard } from '../../src/dashboard/routes.js';
import { type HttpServer, startHttpServer } from '../../src/http/http-server.js';
import { silentLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { SqliteCallStore } from '../../src/store/sqlite-call-store.js';
import { bookingInput, callEnd, callRecord, turn } from '../store/fixtures.js';
import { makeTempDir } from '../store/temp-dir.js';

const TOKEN = 'dash-token-123';
const NOW = Date.now();

describe('dashboard over HTTP', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: SqliteCallStore;
  let history: HistoryQueries;
  let http: HttpServer;
  let base: string;
  const bearer = { authorization: `Bearer ${TOKEN}` };

  beforeEach(async () => {
    tmp = makeTempDir('callchart-dash-');
    const path = join(tmp.dir, 'callchart.db');
    store = new SqliteCallStore({ path });
    await store.startCall(callRecord('call-a', { startedAt: NOW - 3_600_000 }));
    await store.endCall(callEnd('call-a', { outcome: 'booked' }));
    await store.addTurn(turn('call-a', 0, { at: NOW - 3_500_000, mouthToEarMs: null }));
    await store.addTurn(turn('call-a', 1, { at: NOW - 3_500_000, mouthToEarMs: 400 }));
    await store.addTurn(turn('call-a', 2, { at: NOW - 3_500_000, mouthToEarMs: 600 }));
    await store.startCall(callRecord('call-b', { startedAt: NOW - 60_000, tenantId: 'spark-electrical' }));
    await store.endCall(callEnd('call-b', { outcome: 'transferred' }));
    await store.createBooking(
      bookingInput('call-a', { customerName: '=HYPERLINK("x")', address: '1 High St, "Top"' }),
    );
    await store.turnsForCall('call-a'); // flushes the write-behind queue
    history = new HistoryQueries(path);
    http = await startHttpServer({ port: 0, metrics: new Metrics(), log: silentLogger });
    mountDashboard(http, {
      auth: dashboardAuth(TOKEN, '127.0.0.1'),
      live: new LiveCalls(),
      history,
      recordings: null,
      machine: callMachine,
      log: silentLogger,
    });
    base = `http://127.0.0.1:${http.port}`;
  });
  afterEach(async () => {
    await http.close();
    history.close();
    await store.close();
    tmp.cleanup();
  });

  it('answers 401 without the token: a login form for the page, JSON for the API', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('<form method="post" action="/login">');
    const api = await fetch(`${base}/api/calls`, { headers: { authorization: 'Bearer wrong' } });
    expect(api.status).toBe(401);
    expect(api.headers.get('www-authenticate')).toBe('Bearer');
    expect((await fetch(`${base}/api/live`)).status).toBe(401);
    // The assets hold no data and the login page needs its stylesheet.
    expect((await fetch(`${base}/assets/style.css`)).status).toBe(200);
  });

  it('signs in with the form: a wrong token is refused, the right one sets an HttpOnly cookie', async () => {
    const wrong = await fetch(`${base}/login`, { method: 'POST', body: 'token=nope', redirect: 'manual' });
    expect(wrong.status).toBe(401);
    const res = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${TOKEN}`,
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);
    const page = await fetch(`${base}/`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Call the agent');
    const huge = await fetch(`${base}/login`, { method: 'POST', body: `token=${'x'.repeat(5000)}` });
    expect(huge.status).toBe(413);
  });

  it('serves uPlot from node_modules and no page refers to another host', async () => {
    const js = await fetch(`${base}/assets/uplot.js`);
    expect(js.status).toBe(200);
    expect(await js.text()).toContain('uPlot');
    const html = await (await fetch(`${base}/`, { headers: bearer })).text();
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('lists calls with filters, their turns, bookings as CSV and the last day', async () => {
    const all = await (await fetch(`${base}/api/calls`, { headers: bearer })).json();
    expect(all.map((c: { callId: string }) => c.callId)).toEqual(['call-b', 'call-a']);
    const booked = await (await fetch(`${base}/api/calls?outcome=booked`, { headers: bearer })).json();
    expect(booked.map((c: { callId: string }) => c.callId)).toEqual(['call-a']);
    expect(booked[0]).toMatchObject({ fallbacks: 1, providerErrors: 0, booked: true });
    const spark = await (
      await fetch(`${base}/api/calls?tenant=spark-electrical`, { headers: bearer })
    ).json();
    expect(spark).toHaveLength(1);
    const future = new Date(NOW + 2 * 86_400_000).toISOString().slice(0, 10);
    expect(await (await fetch(`${base}/api/calls?from=${future}`, { headers: bearer })).json()).toEqual([]);
    expect((await fetch(`${base}/api/calls?from=yesterday`, { headers: bearer })).status).toBe(400);
    expect((await fetch(`${base}/api/turns?callId=../../x`, { headers: bearer })).status).toBe(400);

    const turns = await (await fetch(`${base}/api/turns?callId=call-a`, { headers: bearer })).json();
    expect(turns.map((t: { index: number }) => t.index)).toEqual([0, 1, 2]);

    const csv = await fetch(`${base}/api/bookings.csv`, { headers: bearer });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toBe(
      'id,createdAt,tenantId,customerName,postcode,address,problem,callerMasked,callId',
    );
    expect(text).toContain(`"'=HYPERLINK(""x"")"`); // a formula is defused and quoted
    expect(text).toContain('"1 High St, ""Top"""');

    const stats = await (await fetch(`${base}/api/stats`, { headers: bearer })).json();
    expect(stats.length).toBeGreaterThanOrEqual(24);
    const calls = stats.reduce((n: number, p: { calls: number }) => n + p.calls, 0);
    expect(calls).toBe(2);
    const withM2e = stats.find((p: { p50: number | null }) => p.p50 !== null);
    expect(withM2e).toMatchObject({ p50: 400, p90: 600 });
  });

  it('draws the chart from the machine definition', async () => {
    const chart = await (await fetch(`${base}/api/chart`, { headers: bearer })).json();
    const ids: string[] = [];
    const walk = (n: { id: string; children: unknown[] }) => {
      ids.push(n.id);
      for (const c of n.children) walk(c as typeof n);
    };
    walk(chart);
    for (const step of ['postcode', 'address', 'name', 'book', 'confirm']) {
      expect(ids).toContain(`call.active.workflow.${step}`);
    }
    expect(ids).toContain('call.active.turn.replying.speaking');
    const text = JSON.stringify(chart);
    expect(text).toContain('"event":"done saveBooking","targets":["call.active.workflow.confirm"]');
    expect(text).toContain(
      '"event":"always","targets":["call.active.workflow.address"],"guard":"hasPostcode"',
    );
  });

  it('streams live calls over SSE', async () => {
    const live = new LiveCalls();
    await http.close();
    http = await startHttpServer({ port: 0, metrics: new Metrics(), log: silentLogger });
    mountDashboard(http, {
      auth: dashboardAuth('', '127.0.0.1'), // open: no token on loopback
      live,
      history: null,
      recordings: null,
      machine: callMachine,
      log: silentLogger,
    });
    const ctrl = new AbortController();
    const res = await fetch(`http://127.0.0.1:${http.port}/api/live`, { signal: ctrl.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil('"type":"hello"');
    live.started('c-1', 'browser');
    live.turn({ ...turn('c-1', 1), callId: 'c-1' });
    live.ended({ callId: 'c-1', outcome: 'booked' });
    await readUntil('"type":"ended"');
    expect(text).toContain('"transport":"browser"');
    expect(text).toContain('"mouthToEarMs":430');
    ctrl.abort();
    expect((await fetch(`http://127.0.0.1:${http.port}/api/calls`)).status).toBe(503); // no SQLite store
  });
});

describe('dashboard pieces', () => {
  it('is open only on loopback without a token', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(dashboardAuth('', '127.0.0.1').open).toBe(true);
    const closed = dashboardAuth('', '0.0.0.0');
    expect(closed.open).toBe(false);
    expect(closed.allowed({ headers: { authorization: 'Bearer ' } } as never)).toBe(false);
    expect(dashboardAuth('t', '127.0.0.1').open).toBe(false);
  });

  it('percentiles and CSV cells', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([7], 90)).toBe(7);
    expect(csvCell('+44 123')).toBe("'+44 123");
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(null)).toBe('');
    expect(bookingsCsv([]).split('\r\n')).toHaveLength(2);
  });

  it('a CSV row reads back as the values written (formula-looking ones defused with a quote mark)', () => {
    // A minimal RFC 4180 reader for one line of cells.
    const readRow = (line: string): string[] => {
      const cells: string[] = [];
      let i = 0;
      while (i <= line.length) {
        let cell = '';
        if (line[i] === '"') {
          i++;
          while (i < line.length) {
            if (line[i] === '"' && line[i + 1] === '"') {
              cell += '"';
              i += 2;
            } else if (line[i] === '"') {
              i++;
              break;
            } else cell += line[i++];
          }
        } else {
          while (i < line.length && line[i] !== ',') cell += line[i++];
        }
        cells.push(cell);
        i++; // the comma
      }
      return cells;
    };
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ unit: 'grapheme' }),
            fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', ' ', '=', '+', '-', '@', '\t') }),
          ),
          { minLength: 1, maxLength: 5 },
        ),
        (values) => {
          const line = values.map(csvCell).join(',');
          const expected = values.map((v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v));
          expect(readRow(line)).toEqual(expected);
        },
      ),
    );
  });

  it('the live registry keeps a bounded window and the root actor only', () => {
    const live = new LiveCalls();
    for (let i = 0; i < 300; i++) {
      live.started(`c${i}`, 'audiosocket');
      if (i < 290) live.ended({ callId: `c${i}`, outcome: 'booked' });
    }
    expect(live.list().length).toBeLessThanOrEqual(220);
    expect(live.get('c299')).toBeDefined();
    const inspect = live.inspector('c299');
    inspect({
      type: '@xstate.snapshot',
      rootId: 'root',
      actorRef: { sessionId: 'child' },
      snapshot: { value: 'x' },
    } as never);
    expect(live.get('c299')?.state).toBeUndefined();
    inspect({
      type: '@xstate.snapshot',
      rootId: 'root',
      actorRef: { sessionId: 'root' },
      snapshot: {
        value: { active: { workflow: 'postcode' } },
        context: {
          step: 'postcode',
          turn: 3,
          history: [{ role: 'agent', text: 'hi', interrupted: true }, { role: 'tools' }],
        },
      },
    } as never);
    expect(live.get('c299')).toMatchObject({
      step: 'postcode',
      turn: 3,
      transcript: [{ role: 'agent', text: 'hi', interrupted: true }],
    });
  });
});

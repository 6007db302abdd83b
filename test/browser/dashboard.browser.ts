import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type GroupChild, spawnGroup, waitFor } from './process-group.js';

// The dashboard in a real browser: Debian's chromium, headless, driven by playwright-core. The fake
// microphone plays fixtures/audio/browser-booking-en.wav (scripts/make-browser-caller-wav.sh), the
// booking script's clips, so the simulated Deepgram hears the booking call's six lines.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MIC_WAV = join(ROOT, 'fixtures/audio/browser-booking-en.wav');
const SHOTS = join(ROOT, 'traces/browser');
const TOKEN = 'browser-test-token';
const BOOKING_STEPS = ['postcode', 'address', 'name', 'book', 'confirm'];

describe('dashboard in a real browser', () => {
  let server: GroupChild;
  let caller: GroupChild | undefined;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let base: string;
  let ports: { audio: number; agi: number; http: number };
  const work = mkdtempSync(join(tmpdir(), 'callchart-browser-'));

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ports = { audio: await freePort(), agi: await freePort(), http: await freePort() };
    base = `http://127.0.0.1:${ports.http}`;
    server = spawnGroup(
      'npm',
      ['run', 'serve:sim'],
      {
        ...process.env,
        AUDIOSOCKET_PORT: String(ports.audio),
        AGI_PORT: String(ports.agi),
        HTTP_PORT: String(ports.http),
        CALLCHART_DB: join(work, 'callchart.db'),
        RECORDINGS_DIR: join(work, 'recordings'),
        DASHBOARD_TOKEN: TOKEN,
        LOG_LEVEL: 'info',
        LOG_PRETTY: '0',
      },
      join(work, 'serve-sim.log'),
    );
    await waitFor(
      'serve:sim to answer /healthz',
      async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined),
      60_000,
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${MIC_WAV}`,
        '--autoplay-policy=no-user-gesture-required',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-default-apps',
        '--disable-sync',
        '--no-first-run',
        '--metrics-recording-only',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await caller?.stop(2000);
    await server?.stop();
  });

  it('answers 401 to a request without the token', async () => {
    for (const path of ['/', '/api/calls', '/api/live', '/api/bookings.csv']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(401);
    }
    const wrong = await fetch(`${base}/api/calls`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${base}/api/calls`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
  });

  it('places a browser call that books, lit on the statechart, with an AudioSocket call live beside it', {
    timeout: 240_000,
  }, async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} (apt-get install -y chromium)`).toBe(true);
    const first = await page.goto(base);
    expect(first?.status()).toBe(401); // the login form
    await page.fill('input[name=token]', TOKEN);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
    expect(await page.locator('[data-state="call.active.workflow.postcode"]').count()).toBe(1);

    await page.selectOption('#tenant-picker', '02012345678'); // Quick Fix Plumbing
    await page.click('#call-button');
    const card = page.locator('.call-card[data-transport="browser"]');
    await card.first().waitFor({ timeout: 30_000 });
    const browserCallId = await card.first().getAttribute('data-call');
    expect(browserCallId).toBeTruthy();
    await page.waitForFunction(
      () => document.querySelector('#call-title')?.textContent?.includes('Quick Fix'),
      null,
      {
        timeout: 30_000,
      },
    );

    // A phone call (fake Asterisk over FastAGI + AudioSocket) while the browser call is up.
    caller = spawnGroup(
      'npm',
      ['run', 'caller', '--', '--port', String(ports.audio), '--agi-port', String(ports.agi)],
      process.env,
      join(work, 'caller.log'),
    );
    await page.locator('.call-card[data-transport="audiosocket"]').first().waitFor({ timeout: 30_000 });

    await page.waitForSelector('#step-trail li[data-step="address"]', { timeout: 120_000 });
    await page.screenshot({ path: join(SHOTS, 'live-view.png') });

    await page.waitForSelector('#step-trail li[data-step="confirm"]', { timeout: 120_000 });
    const trail = await page.$$eval('#step-trail li', (lis) => lis.map((li) => li.getAttribute('data-step')));
    const booking = trail.filter((s) => BOOKING_STEPS.includes(s ?? ''));
    expect(booking).toEqual(BOOKING_STEPS);
    const transcript = await page.locator('#transcript').innerText();
    expect(transcript).toContain('Priya Shah');

    // The call ends by itself after the confirmation; its booking is in the list.
    await page.waitForSelector(`.call-card.ended[data-call="${browserCallId}"]`, { timeout: 60_000 });
    await page.click('nav button[data-tab="bookings"]');
    const booked = await waitFor(
      "the browser call's booking",
      async () => {
        const rows = (await page.evaluate(() => fetch('/api/bookings').then((r) => r.json()))) as {
          id: string;
          callId: string;
        }[];
        return rows.find((b) => b.callId === browserCallId);
      },
      30_000,
    );
    await page.locator(`#bookings-body tr[data-booking="${booked.id}"]`).waitFor({ timeout: 30_000 });
    expect(await page.locator(`#bookings-body tr[data-booking="${booked.id}"]`).innerText()).toContain(
      'NN15 6QP',
    );

    // The finished call in the history, with its waterfall and its recording.
    await page.click('nav button[data-tab="history"]');
    await page.locator(`#calls-body tr[data-call="${browserCallId}"]`).click();
    await page.waitForSelector('#history-detail .wf-row', { timeout: 30_000 });
    expect(await page.locator('#history-detail .wf-row').count()).toBeGreaterThanOrEqual(5);
    await page.locator('#history-detail').screenshot({ path: join(SHOTS, 'waterfall.png') });
    const wav = await page.evaluate(
      (id) =>
        fetch(`/api/recording?callId=${id}`).then(async (r) => [
          r.status,
          (await r.arrayBuffer()).byteLength,
        ]),
      browserCallId,
    );
    expect(wav[0]).toBe(200);
    expect(wav[1]).toBeGreaterThan(44);

    // The last day's charts, drawn by uPlot as served from node_modules.
    await page.click('nav button[data-tab="charts"]');
    await page.locator('#chart-m2e .uplot canvas').waitFor({ timeout: 30_000 });
    await page.locator('#chart-calls .uplot canvas').waitFor({ timeout: 30_000 });
    expect(pageErrors).toEqual([]);
  });
});

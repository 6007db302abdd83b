/**
 * Regenerates fixtures/audio from fixtures/scripts with espeak-ng and SoX (Debian packages).
 * Output: 8 kHz, 16-bit little-endian, mono raw PCM, 300 ms of silence trimmed at the edges
 * by espeak itself. `sox -D` turns dithering off so the bytes are reproducible.
 * A line said in parts gets one clip per part (the caller puts the pause between them).
 * Tests and the demo read the committed clips; nothing needs these tools at run time.
 *   apt-get install -y espeak-ng sox && npx tsx scripts/make-fixtures.ts
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CLIP_DIR, clipName, loadCallerScript, recognitionUnits, SCRIPT_DIR } from '../sim/caller/script.js';

const scriptDir = fileURLToPath(SCRIPT_DIR);
const clipDir = fileURLToPath(CLIP_DIR);
/** Clips a test splices itself (test/e2e/turn-taking.test.ts: a sentence resumed after a short pause). */
const EXTRA_LINES = [{ text: "And there's water on the floor." }];
let made = 0;
const scripted = readdirSync(scriptDir)
  .filter((f) => f.endsWith('.json'))
  .flatMap((file) => recognitionUnits(loadCallerScript(`${scriptDir}/${file}`)));
for (const line of [...scripted, ...EXTRA_LINES] as Array<(typeof scripted)[number]>) {
  const out = `${clipDir}/${clipName(line)}`;
  if (existsSync(out) && !process.argv.includes('--force')) continue;
  const voice = line.lang === 'es' ? 'es' : 'en-gb';
  const wav = execFileSync('espeak-ng', ['-v', voice, '-s', '165', '--stdout', line.speak ?? line.text]);
  const raw = execFileSync(
    'sox',
    [
      '-D',
      '-t',
      'wav',
      '-',
      '-t',
      'raw',
      '-r',
      '8000',
      '-c',
      '1',
      '-b',
      '16',
      '-e',
      'signed-integer',
      '-L',
      '-',
      'gain',
      '-n',
      '-3',
    ],
    { input: wav },
  );
  writeFileSync(out, raw);
  made++;
  console.log(`${clipName(line)}  ${(raw.length / 16000).toFixed(2)} s`);
}
console.log(`${made} clip(s) written to fixtures/audio`);

// One WAV for `npm run respond` and its tests: the first booking line with a little silence around
// it, as a voicemail recording would have.
const WAV_FIXTURE = 'hi-the-pipe-under-my-kitchen-sink-is-leaking';
const wavOut = `${clipDir}/${WAV_FIXTURE}.wav`;
if (!existsSync(wavOut) || process.argv.includes('--force')) {
  const rawIn = ['-t', 'raw', '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-L'];
  execFileSync('sox', ['-D', ...rawIn, `${clipDir}/${WAV_FIXTURE}.s16le`, wavOut, 'pad', '0.3', '0.5']);
  console.log(`${WAV_FIXTURE}.wav written`);
}

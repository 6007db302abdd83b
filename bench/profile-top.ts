/**
 * `npx tsx bench/profile-top.ts <file.cpuprofile> [--top N] [--from S] [--to S]`
 * Where a V8 CPU profile (`npm run bench -- --cpu-prof`) spent its busy time, optionally only between
 * S seconds after the process started (to leave out startup and the warm-up call):
 *   - by our code: each sample goes to the deepest frame in src/ or machines/ on its stack (the
 *     product function that caused it, SDK and syscall time included), else to the package it ran in;
 *   - by function: self time of the leaf frame.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
});
const file = positionals[0];
if (!file) {
  console.error('usage: npx tsx bench/profile-top.ts <file.cpuprofile> [--top N] [--from S] [--to S]');
  process.exit(2);
}
const top = Number(values.top ?? 30);
const fromUs = Number(values.from ?? 0) * 1e6;
const toUs = Number(values.to ?? Number.POSITIVE_INFINITY) * 1e6;

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);

const OURS = /\/(src|machines)\/(.*)$/;
const PACKAGE = /node_modules\/((?:@[^/]+\/)?[^/]+)/;
const name = (f: CallFrame) => f.functionName || '(anonymous)';

const byOurCode = new Map<string, number>();
const byFunction = new Map<string, number>();
const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
let busyUs = 0;
let t = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  t += dt;
  const leaf = byId.get(id)?.callFrame;
  if (!leaf || t < fromUs || t > toUs || leaf.functionName === '(idle)') return;
  busyUs += dt;
  add(
    byFunction,
    `${name(leaf)}  ${leaf.url.replace(/^.*\/(node_modules|src|machines)\//, '$1/') || '(native)'}`,
    dt,
  );
  let ours: string | null = null;
  let outermostPackage: string | null = null;
  for (let n: number | undefined = id; n !== undefined; n = parentOf.get(n)) {
    const f = byId.get(n)?.callFrame;
    if (!f) break;
    const m = OURS.exec(f.url);
    if (m && !ours) ours = `${name(f)}  ${m[1]}/${m[2]}`;
    outermostPackage = PACKAGE.exec(f.url)?.[1] ?? outermostPackage;
  }
  add(byOurCode, ours ?? `[outside our code] ${outermostPackage ?? name(leaf)}`, dt);
});

const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * us) / busyUs).toFixed(1).padStart(5)}%  ${k}`);
  }
};
console.log(`busy (not idle) ${(busyUs / 1e6).toFixed(2)} s of main-thread time`);
print('by our code (deepest src/ or machines/ frame; SDK and syscall time included)', byOurCode);
print('by function (self time)', byFunction);

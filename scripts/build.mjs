#!/usr/bin/env node
/**
 * `npm run build`: compiles the server (src/ and machines/) to dist/ with tsc and tsconfig.build.json,
 * starting from an empty dist/ so no output of a deleted source survives.
 * The dashboard's static files (src/dashboard/public) are copied beside the compiled code.
 * `--if-stale` (used by `npm start`): builds only when dist/src/main.js is missing or older than any
 * source file or build setting. Plain node, so it runs without tsx.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const output = join(root, 'dist', 'src', 'main.js');
const INPUTS = ['src', 'machines', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];

/** Newest modification time under `path` (a file or a folder, walked recursively). */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs; // a deleted file shows up as a newer folder
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function isStale() {
  if (!existsSync(output)) return true;
  const built = statSync(output).mtimeMs;
  return INPUTS.some((input) => newest(join(root, input)) > built);
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);

rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = join(root, 'node_modules', '.bin', 'tsc');
const run = spawnSync(tsc, ['-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (run.error) {
  console.error(`cannot run tsc (${run.error.message}): install the dev tools with npm ci, then build`);
  process.exit(1);
}
if (run.status !== 0) {
  console.error(`build failed (tsc exited ${run.status ?? run.signal})`);
  process.exit(1);
}
// The dashboard's page is served as written (plain HTML, ES modules, CSS): copied, not compiled.
cpSync(join(root, 'src', 'dashboard', 'public'), join(root, 'dist', 'src', 'dashboard', 'public'), {
  recursive: true,
});
console.error('built dist/');

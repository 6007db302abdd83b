#!/usr/bin/env node
/**
 * Proves the product/simulator boundary rule works: lints the deliberately bad fixtures in
 * src/lint-fixtures/ and machines/lint-fixtures/ (which the ordinary `biome check` skips through
 * their `.ignore` files) and fails unless Biome's noRestrictedImports rejects every import in them.
 * Run by `npm run lint` and .ci/run after the ordinary check.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const RULE = 'lint/style/noRestrictedImports';
const FIXTURE_DIRS = ['src/lint-fixtures', 'machines/lint-fixtures'];

/** Every `import` line of every fixture, as "path:line". */
const expected = new Set();
for (const dir of FIXTURE_DIRS) {
  for (const name of readdirSync(join(root, dir)).filter((n) => n.endsWith('.ts'))) {
    const path = `${dir}/${name}`;
    readFileSync(join(root, path), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.startsWith('import ')) expected.add(`${path}:${i + 1}`);
      });
  }
}
if (expected.size === 0) {
  console.error('check-import-rule: no fixture imports found; the rule would be untested');
  process.exit(1);
}

const biome = join(root, 'node_modules', '.bin', 'biome');
const run = spawnSync(biome, ['lint', '--vcs-use-ignore-file=false', '--reporter=json', ...FIXTURE_DIRS], {
  cwd: root,
  encoding: 'utf8',
});
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.error(`check-import-rule: biome gave no JSON report (exit ${run.status})\n${run.stderr}`);
  process.exit(1);
}

const flagged = new Set(
  report.diagnostics
    .filter((d) => d.category === RULE)
    .map((d) => `${d.location.path.replaceAll('\\', '/')}:${d.location.start.line}`),
);
const missed = [...expected].filter((at) => !flagged.has(at));
if (run.status === 0 || missed.length > 0) {
  console.error(`check-import-rule: ${RULE} did not reject these fixture imports:\n  ${missed.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-import-rule: ${RULE} rejected all ${expected.size} forbidden imports in the fixtures.`);

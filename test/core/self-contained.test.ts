import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The repository stands on its own: nothing may point at notes outside it, and every
 * `docs/protocols/<file>.md §N` reference must name a file and a section heading that exist.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));

// Built from pieces so this file does not match itself.
const OUTSIDE = ['..', 'shared'].join('/');
const OUTSIDE_ABSOLUTE = ['', 'work', 'shared'].join('/');

function trackedTextFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  return out
    .split('\0')
    .filter((f) => f !== '' && !f.startsWith('.ci/') && existsSync(root + f))
    .filter((f) => !/\.(raw|wav|db|png|ico)$/.test(f));
}

const files = trackedTextFiles();
const read = (f: string) => readFileSync(root + f, 'utf8');

describe('a repository that stands on its own', () => {
  it('lists the tracked files', () => {
    expect(files).toContain('package.json');
  });

  it(`no tracked file refers to ${OUTSIDE} or ${OUTSIDE_ABSOLUTE}`, () => {
    const offenders = files.filter((f) => {
      const text = read(f);
      return text.includes(OUTSIDE) || text.includes(OUTSIDE_ABSOLUTE);
    });
    expect(offenders).toEqual([]);
  });

  it('every docs/protocols reference names an existing file and section', () => {
    const ref = /docs\/protocols\/([a-z0-9-]+\.md)(?:\s+§([0-9]+(?:\.[0-9]+)?[a-z]?|[A-C][0-9]*))?/g;
    const broken: string[] = [];
    let seen = 0;
    for (const f of files) {
      for (const m of read(f).matchAll(ref)) {
        seen++;
        const [, doc, section] = m;
        const path = `${root}docs/protocols/${doc}`;
        if (!existsSync(path)) {
          broken.push(`${f}: ${m[0]}`);
          continue;
        }
        if (section === undefined) continue;
        const heading = new RegExp(`^#+ ${section.replace('.', '\\.')}[. ]`, 'm');
        if (!heading.test(readFileSync(path, 'utf8'))) broken.push(`${f}: ${m[0]}`);
      }
    }
    expect(seen).toBeGreaterThan(50);
    expect(broken).toEqual([]);
  });
});

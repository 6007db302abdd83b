import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  body: Buffer;
  contentType: string;
}

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** The page's own files: a fixed list, so no request path ever reaches the file system. */
const OWN: Record<string, [string, string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/assets/style.css': ['style.css', CSS],
  '/assets/app.js': ['app.js', JS],
  '/assets/dom.js': ['dom.js', JS],
  '/assets/statechart.js': ['statechart.js', JS],
  '/assets/waterfall.js': ['waterfall.js', JS],
  '/assets/history.js': ['history.js', JS],
  '/assets/browser-call.js': ['browser-call.js', JS],
  '/assets/audio-worklet.js': ['audio-worklet.js', JS],
};

/**
 * Every file the dashboard serves, read once at start-up. uPlot (charts) comes from node_modules:
 * nothing is fetched from the internet by the page.
 */
export function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [path, [file, contentType]] of Object.entries(OWN)) {
    assets.set(path, { body: readFileSync(join(PUBLIC_DIR, file)), contentType });
  }
  const require = createRequire(import.meta.url);
  const uplotDir = join(dirname(require.resolve('uplot/package.json')), 'dist');
  assets.set('/assets/uplot.js', {
    body: readFileSync(join(uplotDir, 'uPlot.iife.min.js')),
    contentType: JS,
  });
  assets.set('/assets/uplot.css', { body: readFileSync(join(uplotDir, 'uPlot.min.css')), contentType: CSS });
  return assets;
}

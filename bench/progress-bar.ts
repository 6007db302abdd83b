import type { LoadProgress } from './load-generator.js';

const WIDTH = 30;

/**
 * A one-line progress bar on stderr (stdout stays clean for --json). On a terminal it redraws in
 * place; into a file or pipe it prints a plain line every few seconds instead of hundreds of redraws.
 */
export function progressBar(label: string, totalSeconds: number, calls: number, stream = process.stderr) {
  const tty = stream.isTTY === true;
  let lastLineAt = -Infinity;
  let drawn = false;
  return {
    update(p: LoadProgress): void {
      const elapsed = p.elapsedMs / 1000;
      const filled = Math.min(WIDTH, Math.round((elapsed / totalSeconds) * WIDTH));
      const ramp = Math.round((p.slotsStarted / calls) * 100);
      const text =
        `${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${elapsed.toFixed(0)} s (window ${totalSeconds} s) ` +
        `${p.phase}${p.phase === 'ramp' ? ` ${ramp}%` : ''} active ${p.active}/${calls} ended ${p.finished} failed ${p.failed}`;
      if (tty) {
        stream.write(`\r${text}\x1b[K`);
        drawn = true;
      } else if (p.elapsedMs - lastLineAt >= 5000) {
        stream.write(`${text}\n`);
        lastLineAt = p.elapsedMs;
      }
    },
    done(): void {
      if (tty && drawn) stream.write('\n');
    },
  };
}

/**
 * Preloaded into the bench's server children (with --expose-gc): SIGUSR2 runs a full garbage
 * collection. The "after the calls" memory sample then shows what the server retains, not garbage
 * that would go at the next allocation-triggered GC of a now idle process. Only the bench sends it,
 * before and after the load. Under --trace-gc-nvp (bench --trace-gc) each forced GC is bracketed by
 * marker lines on stdout, so gc-trace.ts can tell the load's GCs from the forced ones.
 */
const tracing = process.execArgv.includes('--trace-gc-nvp');

process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  // Pipes are written synchronously on Linux, and V8 flushes each trace line: the order holds.
  if (tracing) process.stdout.write(`gc-on-signal: full gc begin pid=${process.pid}\n`);
  gc();
  if (tracing) process.stdout.write(`gc-on-signal: full gc end pid=${process.pid}\n`);
});

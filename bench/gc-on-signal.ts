/**
 * Preloaded into the bench's server children (with --expose-gc): SIGUSR2 runs a full garbage
 * collection. The "after the calls" memory sample then shows what the server retains, not garbage
 * that would go at the next allocation-triggered GC of a now idle process. Only the bench sends it,
 * after the load.
 */
process.on('SIGUSR2', () => {
  (globalThis as { gc?: () => void }).gc?.();
});

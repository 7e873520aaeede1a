/**
 * Runs `fn` (which returns the operations it did) repeatedly for about `ms` after a warm-up of
 * `warmMs` (default `ms / 4`); returns operations per second of CPU time (user + system of this process: on a shared
 * machine wall time also counts other processes; garbage collection on helper threads does count),
 * and the system (kernel) CPU ns per operation.
 */
export function cpuRate(ms: number, fn: () => number, warmMs = ms / 4): { rate: number; sysNsPerOp: number } {
  const warmEnd = performance.now() + warmMs;
  while (performance.now() < warmEnd) fn();
  let ops = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < ms) ops += fn();
  const cpu = process.cpuUsage(cpu0);
  return { rate: (ops * 1e6) / (cpu.user + cpu.system), sysNsPerOp: (cpu.system * 1e3) / ops };
}

/**
 * Runs `fn` until V8 runs it optimised: at least `minMs` and `minCalls` calls (V8 tiers a path up
 * after enough runs of it, not after a time: the first few thousand frames of a traced path take
 * ~50 µs each in the interpreter), then until two windows of at least 100 ms and 5 calls agree
 * within 10% on the CPU-time rate, at most `maxMs`. Returns the calls made.
 */
export function warmUp(fn: () => number, minMs = 500, minCalls = 50, maxMs = 10_000): number {
  const start = performance.now();
  let calls = 0;
  let prev = 0;
  for (;;) {
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    let ops = 0;
    let n = 0;
    while (n < 5 || performance.now() - w0 < 100) {
      ops += fn();
      n++;
    }
    calls += n;
    const cpu = process.cpuUsage(cpu0);
    const rate = ops / (cpu.user + cpu.system + 1);
    const took = performance.now() - start;
    if (took >= maxMs || (took >= minMs && calls >= minCalls && prev > 0 && Math.abs(rate - prev) <= 0.1 * prev)) return calls;
    prev = rate;
  }
}

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

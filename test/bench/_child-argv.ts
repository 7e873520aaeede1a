/**
 * Benchmarks measure each scenario in a fresh Node process (so one scenario's JIT state does not
 * slow another's). The child needs this process's node flags (the tsx loader), without an
 * --eval/--print script.
 */
export function childExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--eval' || a === '-e' || a === '--print' || a === '-p') i++;
    else if (!a.startsWith('--eval=') && !a.startsWith('--print=')) out.push(a);
  }
  return out;
}

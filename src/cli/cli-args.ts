/**
 * Option parsing and input errors shared by the commands that run a lab (send, explain, ping,
 * test): node:util parseArgs with its errors turned into one clear line (exit 2), never a stack
 * trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { type Lab, LabError, nearNames } from '../engine/index.js';
import { FrameInputError } from '../wire/index.js';

/** Bad command-line input: the command prints the message (and its usage) and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A command that is over before its work: `--help` (exit 0, usage on stdout) or a topology
 * argument that does not load (exit 2, the validate lines on stderr). withInputErrors prints it.
 */
export class CommandExit extends Error {
  constructor(
    readonly code: number,
    readonly lines: readonly string[],
  ) {
    super(lines.join('\n'));
    this.name = 'CommandExit';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** What parseCommandArgs returns for options `O` (named, so that declarations can be emitted: npm run build). */
export type ParsedCommandArgs<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/**
 * parseArgs, strict, positionals allowed; throws UsageError with node's message made plain.
 * With `usage`, `--help` (an option named help) prints it and ends the command with exit 0.
 */
export function parseCommandArgs<const O extends Options>(args: string[], options: O, usage?: string): ParsedCommandArgs<O> {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // node's messages end with a hint about \`--\`; keep the useful part
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, '').replace(/^Option '([^']+)'/, 'option $1').replace(/^Unknown option '([^']+)'/, 'unknown option $1'));
  }
  if (usage !== undefined && (parsed.values as { help?: unknown }).help === true) throw new CommandExit(0, [usage]);
  return parsed;
}

/** A whole number in [lo, hi] from option text (decimal, or 0x.. hex when `hex`). */
export function intOption(text: string, option: string, lo: number, hi: number, hex = false): number {
  const t = text.trim();
  const ok = /^\d+$/.test(t) || (hex && /^0x[0-9a-f]+$/i.test(t));
  const n = ok ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n < lo || n > hi) {
    throw new UsageError(`${option}: "${text}" is not a whole number in ${lo}..${hi}${hex ? ' (decimal or 0x hex)' : ''}`);
  }
  return n;
}

/**
 * Runs a command body, turning bad input into a message and exit 2: UsageError (options),
 * FrameInputError (a frame that cannot be built), LabError (an unknown interface, a bad
 * address). Anything else is a bug and goes to cli.ts's internal-error handler.
 */
export async function withInputErrors(command: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof CommandExit) {
      (err.code === 0 ? console.log : console.error)(err.lines.join('\n'));
      return err.code;
    }
    if (err instanceof UsageError) {
      console.error(`vswitch-lab ${command}: ${err.message}\n(run 'vswitch-lab ${command} --help' for the options)`);
      return 2;
    }
    if (err instanceof FrameInputError) {
      console.error(`vswitch-lab ${command}: bad frame: ${err.message}`);
      return 2;
    }
    if (err instanceof LabError) {
      console.error(`vswitch-lab ${command}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

/** Throws LabError (with near names) unless `iface` is an interface of the lab. */
export function checkInterface(lab: Lab, iface: string, what = 'interface'): void {
  const ids = lab.interfaces().map((i) => i.id);
  if (ids.includes(iface)) return;
  const near = nearNames(iface, ids);
  throw new LabError(`unknown ${what} "${iface}"${near.length ? `; did you mean ${near.join(', ')}?` : ''} (interfaces are written node:interface)`, near);
}

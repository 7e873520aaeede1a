/**
 * vswitch-lab command line. Thin: each command lives in src/cli/<command>.ts and exports
 * `run(args) => Promise<exit code>`. Exit codes: 0 ok, 1 the thing checked failed (invalid
 * topology, failing test, no ping reply), 2 bad input (unreadable file, bad option, bad frame).
 * No command prints a stack trace for bad input.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Command {
  run(args: string[]): Promise<number>;
}

type Loader = () => Promise<{ command: Command }>;

/** Commands and what each does, loaded lazily so `validate` does not pay for the server's imports. */
export const commands: Record<string, { summary: string; load: Loader }> = {
  validate: { summary: 'check topology files and summarise them', load: () => import('./cli/validate.js') },
  serve: { summary: 'serve the web UI and the API on a topology', load: () => import('./cli/serve.js') },
  send: { summary: 'inject one frame and print its deliveries and drops', load: () => import('./cli/send.js') },
  ping: { summary: 'ping (vmkping from a vmk) from an endpoint of the lab', load: () => import('./cli/ping.js') },
  explain: { summary: 'show the decisions the lab takes for one frame, with rule IDs (dry run)', load: () => import('./cli/explain.js') },
  test: { summary: 'run a topology\'s tests block and its timed scenarios (or one scenario file)', load: () => import('./cli/test.js') },
  run: { summary: 'run timed scenarios (failover, vMotion, shaping) and print the timeline', load: () => import('./cli/run.js') },
  replay: { summary: 'inject the frames of a pcap/pcapng file at an interface and summarise their fate', load: () => import('./cli/replay.js') },
  plan: { summary: 'split a lab into partitions that run as separate processes (VXLAN between them)', load: () => import('./cli/plan.js') },
  export: { summary: 'write Kubernetes manifests or a containerlab lab that run a partitioned lab', load: () => import('./cli/export.js') },
};

/** The package's version (package.json), or "unknown" when it cannot be read. */
export function cliVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function usage(): string {
  return [
    'usage: vswitch-lab <command> [options]',
    '',
    'commands:',
    ...Object.entries(commands).map(([c, { summary }]) => `  ${c.padEnd(10)}${summary}`),
    '',
    'run \'vswitch-lab <command> --help\' for a command\'s options; \'vswitch-lab --version\' prints the version',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    console.log(`vswitch-lab ${cliVersion()}`);
    return 0;
  }
  const load = commands[name]?.load;
  if (!load) {
    console.error(`vswitch-lab: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const { command } = await load();
  try {
    return await command.run(rest);
  } catch (err) {
    // Bad input is reported by each command; reaching here is a bug. Say so plainly, once.
    console.error(`vswitch-lab ${name}: internal error: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.VSWITCH_LAB_DEBUG) console.error(err);
    return 70;
  }
}

const invokedDirectly = (() => {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();
const viaBin = process.argv[1] !== undefined && /vswitch-lab(\.js)?$/.test(process.argv[1]);

if (invokedDirectly || viaBin) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(`vswitch-lab: internal error: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 70;
    },
  );
}

/**
 * `vswitch-lab serve [topology] [--port N] [--host ADDR] [--token SECRET] [--insecure] [--clock MODE]`
 * Serves the UI and the API on a topology (default topologies/default.json) and prints the URL.
 * Runs until SIGINT/SIGTERM. Exit 2: bad option, a topology that does not load (the validate
 * lines), or cannot listen.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '../cli.js';
import { validateFile } from '../server/engine-binding.js';
import { CommandExit, UsageError, parseCommandArgs, withInputErrors } from './cli-args.js';
import { exampleNames, issueLine } from './topology-arg.js';
import { AttachError } from '../attach/index.js';
import { REALTIME_ONLY, openServedAttachments, partitionOf, partitionStatus, type ServedAttachments } from './serve-attachments.js';
import { DEFAULT_EXAMPLES_DIR, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_STATIC_DIR, ServeError, startServer } from '../server/server.js';

const HELP = `usage: vswitch-lab serve [topology] [options]

Serves the web UI and the HTTP API on a topology (default: topologies/default.json).
The topology may be a file or the name of an example (topologies/<name>.json).

options:
  --port N          port (default ${DEFAULT_PORT}; 0 = any free port)
  --host ADDR       address to bind (default ${DEFAULT_HOST})
  --token SECRET    bearer token required on the API and socket.io; needed when --host is
                    not a loopback address. Prefer VSWITCH_LAB_TOKEN=SECRET in the
                    environment: a command line is visible to other users in ps
  --insecure        bind a non-loopback address without a token (prints a warning); on
                    loopback it changes nothing (the Host and Origin checks stay on)
  --clock MODE      realtime (default), paused or step (a topology with attachments runs in
                    real time only: docs/attachments.md)
  --plan FILE       with --partition NAME: run one partition of a partitioned lab (vswitch-lab plan)
  -h, --help        this help`;

function topologyPath(arg: string | undefined): string {
  if (arg === undefined) return path.join(DEFAULT_EXAMPLES_DIR, 'default.json');
  if (existsSync(arg)) return arg;
  const example = path.join(DEFAULT_EXAMPLES_DIR, `${arg}.json`);
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(arg) && existsSync(example) ? example : arg;
}

/** The package version, for GET /api/health. */
function packageVersion(): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  token: { type: 'string' },
  insecure: { type: 'boolean' },
  clock: { type: 'string' },
  plan: { type: 'string' },
  partition: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const command: Command = {
  run: (args) =>
    withInputErrors('serve', async () => {
      const { values, positionals } = parseCommandArgs(args, OPTIONS, HELP);
      if (positionals.length > 1) throw new UsageError(`one topology at most (got ${positionals.length})`);
      let port = DEFAULT_PORT;
      if (values.port !== undefined) {
        port = Number(values.port);
        if (!/^\d+$/.test(values.port) || port > 65535) throw new UsageError(`--port must be 0..65535 (got "${values.port}")`);
      }
      const clock = values.clock ?? 'realtime';
      if (clock !== 'realtime' && clock !== 'paused' && clock !== 'step') throw new UsageError(`--clock must be realtime, paused or step (got "${clock}")`);
      const file = topologyPath(positionals[0]);
      const result = await validateFile(file);
      if (!result.ok) {
        const lines = result.errors.map((i) => issueLine(file, i));
        if (!existsSync(file) && positionals[0] !== undefined && !/[\\/]/.test(positionals[0])) lines.push(`${positionals[0]}: not a file, nor an example (${exampleNames().join(', ')})`);
        else lines.push(`${file}: not a usable topology; run 'vswitch-lab validate ${file}' for details`);
        throw new CommandExit(2, lines);
      }
      for (const w of result.warnings) console.error(issueLine(file, w));
      // a partition of a partitioned lab (docs/attachments.md): its part of the topology, its cut cables attached
      if ((values.plan === undefined) !== (values.partition === undefined)) throw new UsageError('--plan and --partition go together');
      let partition;
      if (values.plan !== undefined) {
        const part = await partitionOf(result.topology, values.plan, values.partition!);
        result.topology = part.topology;
        partition = part.run;
      }

      // attachments (docs/attachments.md): sockets open before the server, in real time only
      if ((result.topology.attachments ?? []).length > 0 && clock !== 'realtime') throw new CommandExit(2, [`${file}: --clock ${clock} refused: ${REALTIME_ONLY}`]);
      let served: ServedAttachments | null = null;
      try {
        served = await openServedAttachments(result.topology, partition);
      } catch (err) {
        if (err instanceof AttachError) throw new CommandExit(2, [`${file}: attachments.${err.attachment ?? ''}: ${err.message}`]);
        throw err;
      }

      let server: Awaited<ReturnType<typeof startServer>> | undefined;
      const partitionApi = served ? partitionStatus(served, () => server?.session) : undefined;
      try {
        server = await startServer({
          ...(partitionApi ? { partition: partitionApi, capture: { frameIdsAsPacketIds: true } } : {}),
          host: values.host ?? DEFAULT_HOST,
          port,
          token: values.token ?? process.env.VSWITCH_LAB_TOKEN,
          insecure: values.insecure ?? false,
          clockMode: clock,
          initial: { result: served ? { ...result, topology: served.topology } : result, source: file },
          ...(served ? { createLab: served.createLab } : {}),
          ...(packageVersion() !== undefined ? { version: packageVersion()! } : {}),
        });
      } catch (err) {
        await served?.attachments.close();
        if (err instanceof ServeError) {
          console.error(`vswitch-lab serve: ${err.message}`);
          return err.exitCode;
        }
        throw err;
      }
      if (server.warning) console.error(server.warning);
      if (!existsSync(path.join(DEFAULT_STATIC_DIR, 'index.html'))) {
        console.error('vswitch-lab serve: the web UI is not built, so only the API is served; run \'npm run build:web\' (npm start does it)');
      }
      const bound = values.host ?? DEFAULT_HOST;
      const where = server.url.includes(`//${bound}:`) || bound === DEFAULT_HOST ? `at ${server.url}` : `on ${bound} (open ${server.url})`;
      // arrivals go to the session (a partition's hellos leave) before the URL is printed: whoever
      // waits for the URL finds the attachments connected
      served?.useSession(server.session);
      console.log(`vswitch-lab: serving ${file} ${where}`);
      if (served) {
        for (const a of served.attachments.status().attachments) {
          console.log(`vswitch-lab: attachment ${a.name}: ${a.interface} <-> ${a.type} ${a.local} -> ${a.remote}${a.vni !== undefined ? ` VNI ${a.vni}` : ''}`);
        }
      }
      const att = served;
      const s = server;
      return await new Promise<number>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void Promise.all([s.close(), att?.attachments.close()]).then(() => resolve(0));
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    }),
};

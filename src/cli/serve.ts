/**
 * `vswitch-lab serve [topology] [--port N] [--host ADDR] [--token SECRET] [--insecure] [--clock MODE]`
 * Serves the UI and the API on a topology (default topologies/default.json) and prints the URL.
 * Runs until SIGINT/SIGTERM. Exit 1: the topology is invalid; 2: bad option or cannot listen.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../cli.js';
import type { ClockMode } from '../server/api-types.js';
import { validateFile } from '../server/engine-binding.js';
import { DEFAULT_EXAMPLES_DIR, DEFAULT_HOST, DEFAULT_PORT, ServeError, startServer } from '../server/server.js';

const HELP = `usage: vswitch-lab serve [topology] [options]

Serves the web UI and the HTTP API on a topology (default: topologies/default.json).
The topology may be a file or the name of an example (topologies/<name>.json).

options:
  --port N          port (default ${DEFAULT_PORT}; 0 = any free port)
  --host ADDR       address to bind (default ${DEFAULT_HOST})
  --token SECRET    bearer token required on the API and socket.io (or VSWITCH_LAB_TOKEN);
                    needed when --host is not a loopback address
  --insecure        bind a non-loopback address without a token (prints a warning)
  --clock MODE      realtime (default), paused or step
  -h, --help        this help`;

function topologyPath(arg: string | undefined): string {
  if (arg === undefined) return path.join(DEFAULT_EXAMPLES_DIR, 'default.json');
  if (existsSync(arg)) return arg;
  const example = path.join(DEFAULT_EXAMPLES_DIR, `${arg}.json`);
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(arg) && existsSync(example) ? example : arg;
}

export const command: Command = {
  summary: 'serve the web UI and the API on a topology',
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: {
          port: { type: 'string' },
          host: { type: 'string' },
          token: { type: 'string' },
          insecure: { type: 'boolean' },
          clock: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (err) {
      console.error(`vswitch-lab serve: ${err instanceof Error ? err.message : String(err)}\n\n${HELP}`);
      return 2;
    }
    const { values, positionals } = parsed;
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length > 1) {
      console.error(`vswitch-lab serve: one topology at most (got ${positionals.length})`);
      return 2;
    }
    let port = DEFAULT_PORT;
    if (values.port !== undefined) {
      port = Number(values.port);
      if (!/^\d+$/.test(values.port) || port > 65535) {
        console.error(`vswitch-lab serve: --port must be 0..65535 (got "${values.port}")`);
        return 2;
      }
    }
    const clock = values.clock ?? 'realtime';
    if (clock !== 'realtime' && clock !== 'paused' && clock !== 'step') {
      console.error(`vswitch-lab serve: --clock must be realtime, paused or step (got "${clock}")`);
      return 2;
    }
    const file = topologyPath(positionals[0]);
    const result = await validateFile(file);
    if (!result.ok) {
      console.error(`vswitch-lab serve: ${file} is not a usable topology:`);
      for (const i of result.errors) console.error(`  ${i.line !== undefined ? `${i.line}:${i.column ?? 1} ` : ''}${i.path || '(document)'}: ${i.message}`);
      return 1;
    }
    for (const w of result.warnings) console.error(`warning: ${w.path}: ${w.message}`);

    let server;
    try {
      server = await startServer({
        host: values.host ?? DEFAULT_HOST,
        port,
        token: values.token ?? process.env.VSWITCH_LAB_TOKEN,
        insecure: values.insecure ?? false,
        clockMode: clock as ClockMode,
        initial: { result, source: file },
      });
    } catch (err) {
      if (err instanceof ServeError) {
        console.error(`vswitch-lab serve: ${err.message}`);
        return err.exitCode;
      }
      throw err;
    }
    if (server.warning) console.error(server.warning);
    console.log(`vswitch-lab: serving ${file} at ${server.url}`);
    const s = server;
    return await new Promise<number>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void s.close().then(() => resolve(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  },
};

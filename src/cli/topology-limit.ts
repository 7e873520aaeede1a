/**
 * How large a topology file the command line loads: CLI_MAX_TOPOLOGY_BYTES (64 MB, room for 100k
 * interfaces) unless VSWITCH_LAB_MAX_TOPOLOGY_MB or `validate --max-topology-mb N` says otherwise.
 * The server's uploads have their own, lower limit (serve's topology body limit, 5 MB).
 */
import { CLI_MAX_TOPOLOGY_BYTES, type LoadOptions } from '../topology/load.js';

export const MAX_TOPOLOGY_ENV = 'VSWITCH_LAB_MAX_TOPOLOGY_MB';

const HINT = `raise it with ${MAX_TOPOLOGY_ENV}=N (megabytes) or, for validate, --max-topology-mb N`;

/** Megabytes as given (a positive number) -> bytes, or a message saying what is wrong with it. */
export function parseTopologyMb(value: string, what: string): { bytes: number } | { error: string } {
  const mb = Number(value);
  if (value.trim() === '' || !Number.isFinite(mb) || mb <= 0 || mb > 4096) return { error: `${what} must be a number of megabytes between 0 and 4096, got "${value}"` };
  return { bytes: Math.floor(mb * 1024 * 1024) };
}

/** The load options of the command line: its limit (environment, or `mb` from a flag) and how to raise it. */
export function cliTopologyLimit(mb?: string, env: NodeJS.ProcessEnv = process.env): LoadOptions | { error: string } {
  const given = mb ?? env[MAX_TOPOLOGY_ENV];
  if (given === undefined) return { maxBytes: CLI_MAX_TOPOLOGY_BYTES, raiseHint: HINT };
  const r = parseTopologyMb(given, mb !== undefined ? '--max-topology-mb' : MAX_TOPOLOGY_ENV);
  return 'error' in r ? r : { maxBytes: r.bytes, raiseHint: HINT };
}

/**
 * The `<topology>` argument of the commands that run a lab (send, explain, ping, test): a file,
 * or the name of an example (`default` -> topologies/default.json). A topology that does not
 * load prints the same lines as `vswitch-lab validate` (file:line:column  path  message) and
 * the command exits 2.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { countIssues, type Issue } from '../topology/issue.js';
import { loadTopologyFile } from '../files/topology-file.js';
import type { TopologyDoc } from '../topology/schema.js';
import { CommandExit } from './cli-args.js';
import { cliTopologyLimit } from './topology-limit.js';

/** The examples shipped with vswitch-lab. */
export const EXAMPLES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../topologies');

/** The names of the example topologies (`default`, `vlans`, ...). */
export function exampleNames(): string[] {
  try {
    return readdirSync(EXAMPLES_DIR)
      .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
  } catch {
    return [];
  }
}

/** A file path, or an example's name when no such file exists. */
export function topologyPath(arg: string): string {
  if (existsSync(arg)) return arg;
  const example = path.join(EXAMPLES_DIR, `${arg}.json`);
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(arg) && existsSync(example) ? example : arg;
}

function where(file: string, i: Issue): string {
  return i.line !== undefined ? `${file}:${i.line}:${i.column ?? 1}` : file;
}

/** An issue as `vswitch-lab validate` prints it. */
export function issueLine(file: string, i: Issue): string {
  const label = i.severity === 'warning' ? 'warning: ' : '';
  return i.path === '' ? `${where(file, i)}  ${label}${i.message}` : `${where(file, i)}  ${i.path}  ${label}${i.message}`;
}

export type TopologyArg = { ok: true; topology: TopologyDoc; file: string } | { ok: false; lines: string[] };

/** Loads the topology argument; on failure, the lines to print (errors, then a closing line). */
export async function loadTopologyArg(arg: string): Promise<TopologyArg> {
  const file = topologyPath(arg);
  const limit = cliTopologyLimit();
  if ('error' in limit) return { ok: false, lines: [limit.error] };
  const r = await loadTopologyFile(file, limit);
  if (r.ok) return { ok: true, topology: r.topology, file };
  const what = r.kind === 'invalid' ? `invalid (${countIssues(r.errors)} error${countIssues(r.errors) === 1 ? '' : 's'})` : r.kind === 'syntax' ? 'not valid JSON' : 'unreadable';
  if (r.kind === 'io' && !existsSync(file) && !/[\\/]/.test(arg)) {
    // a name that is neither a file nor an example: say which examples there are
    return { ok: false, lines: [...r.errors.map((i) => issueLine(file, i)), `${arg}: not a file, nor an example (${exampleNames().join(', ')})`] };
  }
  return { ok: false, lines: [...r.errors.map((i) => issueLine(file, i)), `${file}: ${what}; run 'vswitch-lab validate ${file}' for details`] };
}

/** Loads the topology argument; when it does not load, ends the command (exit 2) with the validate lines. */
export async function openTopologyArg(arg: string): Promise<{ topology: TopologyDoc; file: string }> {
  const t = await loadTopologyArg(arg);
  if (!t.ok) throw new CommandExit(2, t.lines);
  return t;
}

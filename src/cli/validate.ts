/**
 * `vswitch-lab validate <file...> [--json] [--max-topology-mb N]`: checks topology files.
 * Exit codes: 0 every file valid (warnings allowed), 1 some file invalid, 2 some file unreadable
 * or not JSON, or bad options. The worst code wins. Never a stack trace.
 */
import path from 'node:path';
import type { Command } from '../cli.js';
import { countIssues, type Issue } from '../topology/issue.js';
import { type LoadResult } from '../topology/load.js';
import { loadTopologyFile } from '../files/topology-file.js';
import { summarizeTopology } from '../topology/summary.js';
import { cliTopologyLimit, MAX_TOPOLOGY_ENV } from './topology-limit.js';

const USAGE = `usage: vswitch-lab validate <file...> [--json] [--max-topology-mb N]

Checks topology files: JSON syntax, the format (fields, ranges, addresses) and references between
objects (port groups, uplinks, links, names, MACs), and prints warnings for setups that work but
probably do not do what was meant. Files named *.schema.json are skipped.

  --json      print one JSON document with every result instead of text
  --max-topology-mb N
              refuse files larger than N MB (default 64, or $${MAX_TOPOLOGY_ENV})
  -h, --help  show this help

exit codes: 0 all valid (warnings allowed), 1 some file invalid, 2 some file unreadable or not JSON
format reference: docs/topology-format.md`;

const EXIT: Record<LoadResult['kind'], number> = { valid: 0, invalid: 1, syntax: 2, io: 2 };

function where(file: string, i: Issue): string {
  return i.line !== undefined ? `${file}:${i.line}:${i.column ?? 1}` : file;
}

function issueLine(file: string, i: Issue): string {
  const label = i.severity === 'warning' ? 'warning: ' : '';
  return i.path === '' ? `${where(file, i)}  ${label}${i.message}` : `${where(file, i)}  ${i.path}  ${label}${i.message}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function textReport(file: string, r: LoadResult): string {
  const lines: string[] = [];
  if (r.ok) {
    const warnings = countIssues(r.warnings);
    lines.push(`${file}: valid${warnings ? ` (${plural(warnings, 'warning')})` : ''}`);
    for (const l of summarizeTopology(r.topology).split('\n')) lines.push(`  ${l}`);
  } else if (r.kind === 'invalid') {
    // at most MAX_REPORTED_ISSUES lines each, then "and N more" (issue.ts); the counts are whole
    for (const i of r.errors) lines.push(issueLine(file, i));
    const warnings = countIssues(r.warnings);
    lines.push(`${file}: invalid (${plural(countIssues(r.errors), 'error')}${warnings ? `, ${plural(warnings, 'warning')}` : ''})`);
  } else {
    for (const i of r.errors) lines.push(issueLine(file, i));
    lines.push(`${file}: ${r.kind === 'syntax' ? 'not valid JSON' : 'unreadable'}`);
  }
  for (const i of r.warnings) lines.push(issueLine(file, i));
  return lines.join('\n');
}

export const command: Command = {
  async run(args: string[]): Promise<number> {
    let json = false;
    let maxMb: string | undefined;
    const files: string[] = [];
    let optionsDone = false;
    for (let k = 0; k < args.length; k++) {
      const a = args[k]!;
      if (!optionsDone && a === '--') optionsDone = true;
      else if (!optionsDone && (a === '--max-topology-mb' || a.startsWith('--max-topology-mb='))) {
        maxMb = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++k];
        if (maxMb === undefined) {
          console.error(`vswitch-lab validate: --max-topology-mb needs a number of megabytes\n\n${USAGE}`);
          return 2;
        }
      } else if (!optionsDone && (a === '-h' || a === '--help')) {
        console.log(USAGE);
        return 0;
      } else if (!optionsDone && a === '--json') json = true;
      else if (!optionsDone && a.startsWith('-') && a !== '-') {
        console.error(`vswitch-lab validate: unknown option ${a}\n\n${USAGE}`);
        return 2;
      } else files.push(a);
    }
    if (files.length === 0) {
      console.error(`vswitch-lab validate: no file given\n\n${USAGE}`);
      return 2;
    }

    const limit = cliTopologyLimit(maxMb);
    if ('error' in limit) {
      console.error(`vswitch-lab validate: ${limit.error}`);
      return 2;
    }
    let exit = 0;
    const results: unknown[] = [];
    const texts: string[] = [];
    for (const file of files) {
      if (path.basename(file).endsWith('.schema.json')) {
        if (json) results.push({ file, kind: 'skipped', reason: 'a JSON Schema file, not a topology' });
        else texts.push(`${file}: skipped (a JSON Schema file, not a topology)`);
        continue;
      }
      const r = await loadTopologyFile(file, limit);
      exit = Math.max(exit, EXIT[r.kind]);
      if (json) {
        results.push(
          r.ok
            ? { file, kind: r.kind, ok: true, errors: [], warnings: r.warnings, summary: summarizeTopology(r.topology) }
            : { file, kind: r.kind, ok: false, errors: r.errors, warnings: r.warnings },
        );
      } else texts.push(textReport(file, r));
    }
    if (json) console.log(JSON.stringify(results, null, 2));
    else console.log(texts.join('\n\n'));
    return exit;
  },
};

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, example } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(path.join(tmpdir(), 'vswitch-lab-cli-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/vswitch-lab.js', 'validate', ...args], { cwd: root, encoding: 'utf8', timeout: 20_000 });
  const all = r.stdout + r.stderr;
  // never a stack trace
  expect(all).not.toMatch(/\n\s+at .+:\d+:\d+/);
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function write(name: string, text: string): string {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
}

describe('vswitch-lab validate', () => {
  it('exit 0 and a summary for every example (the schema file is skipped)', () => {
    const files = [...EXAMPLES.map((n) => `topologies/${n}.json`), 'topologies/topology.schema.json'];
    const r = cli(...files);
    expect(r.code).toBe(0);
    expect(r.out).toContain('topologies/default.json: valid');
    expect(r.out).toContain('topologies/jumbo.json: valid (1 warning)');
    expect(r.out).toMatch(/topologies\/jumbo\.json:\d+:\d+ {2}hosts\[0\]\.vmkernel\[1\]\.mtu {2}warning: esxi-01:vmk1 has MTU 9000/);
    expect(r.out).toContain('topologies/topology.schema.json: skipped');
  });

  it('exit 1 with file:line:column  path  message for an invalid topology', () => {
    const d = example();
    d.vms[1].nics[0].portGroup = 'No Such PG';
    const text = JSON.stringify(d, null, 2);
    const p = write('invalid.json', text);
    const before = text.slice(0, text.indexOf('"No Such PG"'));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    const r = cli(p);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${p}:${line}:${column}  vms[1].nics[0].portGroup  port group "No Such PG" does not exist on esxi-01`);
    expect(r.out).toContain(`${p}: invalid (1 error)`);
  });

  it('exit 2 with line:column for a file that is not JSON', () => {
    const p = write('syntax.json', '{\n  "version": 1,\n  "name": "x",\n}\n');
    const r = cli(p);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`${p}:4:1  invalid JSON`);
  });

  it('exit 2 for a missing file; the worst exit code wins', () => {
    const missing = path.join(tmp, 'missing.json');
    const r = cli('topologies/default.json', missing);
    expect(r.code).toBe(2);
    expect(r.out).toContain('no such file');
    const bad = example();
    bad.version = 3;
    expect(cli('topologies/default.json', write('v3.json', JSON.stringify(bad))).code).toBe(1);
  });

  it('--json prints one parseable document', () => {
    const r = cli('--json', 'topologies/jumbo.json', write('s.json', '{'));
    expect(r.code).toBe(2);
    const results = JSON.parse(r.out) as { file: string; kind: string; warnings: { code: string }[]; errors: { line?: number }[] }[];
    expect(results.map((x) => x.kind)).toEqual(['valid', 'syntax']);
    expect(results[0]!.warnings[0]!.code).toBe('vmk-mtu-above-vswitch');
    expect(results[1]!.errors[0]!.line).toBe(1);
  });

  it('--help, no file, unknown option', () => {
    const h = cli('--help');
    expect(h.code).toBe(0);
    expect(h.out).toContain('usage: vswitch-lab validate <file...> [--json]');
    expect(cli().code).toBe(2);
    const u = cli('--bogus', 'topologies/default.json');
    expect(u.code).toBe(2);
    expect(u.err).toContain('unknown option --bogus');
  });
});

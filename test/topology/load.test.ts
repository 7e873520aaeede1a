import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopologyText, MAX_TOPOLOGY_BYTES, validateTopology } from '../../src/topology/load.js';
import { loadTopologyFile, loadTopologyFileSync } from '../../src/files/topology-file.js';
import { EXAMPLES, example, TOPOLOGIES } from './helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'vswitch-lab-topology-'));
function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
}

describe('example topologies', () => {
  for (const name of EXAMPLES) {
    it(`${name}.json loads with no errors`, async () => {
      const r = await loadTopologyFile(`${TOPOLOGIES}${name}.json`);
      expect(r.ok ? [] : r.errors).toEqual([]);
      expect(r.kind).toBe('valid');
      // warnings only where they are the lesson
      expect(r.warnings.map((w) => w.code)).toEqual(name === 'jumbo' ? ['vmk-mtu-above-vswitch'] : []);
    });
  }

  it('every example starts with "$schema": "./topology.schema.json" and has a description', () => {
    for (const name of EXAMPLES) {
      const d = example(name);
      expect(Object.keys(d)[0], name).toBe('$schema');
      expect(d.$schema).toBe('./topology.schema.json');
      expect(typeof d.description).toBe('string');
      expect(d.description.length).toBeGreaterThan(40);
    }
  });

  it('defaults are applied in the parsed topology', () => {
    const r = loadTopologyText(JSON.stringify(example('security')));
    if (!r.ok) throw new Error('invalid');
    expect(r.topology.hosts[0]!.vswitches[0]!.mtu).toBe(1500);
    expect(r.topology.hosts[0]!.vmkernel[0]!.netstack).toBe('default');
    expect(r.topology.vms[0]!.nics[0]!.connected).toBe(true);
    expect(r.topology.links[0]!.up).toBe(true);
  });
});

describe('JSON syntax errors give line:column', () => {
  it('trailing comma', () => {
    const r = loadTopologyText('{\n  "version": 1,\n  "name": "x",\n}\n', 't.json');
    expect(r.kind).toBe('syntax');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 4, column: 1, code: 'json-syntax', severity: 'error', path: '' });
    expect(r.errors[0]!.message).toContain('no comma after the last item');
  });

  it('missing comma', () => {
    const r = loadTopologyText('{\n  "version": 1\n  "name": "x"\n}');
    expect(r.kind).toBe('syntax');
    expect(r.errors[0]).toMatchObject({ line: 3, column: 3 });
    expect(r.errors[0]!.message).toContain('expected ","');
  });

  it('comments are not JSON', () => {
    const r = loadTopologyText('{\n  // lab\n  "version": 1\n}');
    expect(r.kind).toBe('syntax');
    expect(r.errors[0]).toMatchObject({ line: 2, column: 3 });
    expect(r.errors[0]!.message).toContain('comments are not allowed');
  });

  it('unclosed string and unclosed object', () => {
    expect(loadTopologyText('{"name": "abc').errors[0]!.message).toContain('string not closed');
    const r = loadTopologyText('{\n"version": 1');
    expect(r.kind).toBe('syntax');
    expect(r.errors[0]!.message).toContain('expected "}"');
  });

  it('empty file', () => {
    const r = loadTopologyText('  \n');
    expect(r.kind).toBe('syntax');
    expect(r.errors[0]).toMatchObject({ line: 1, column: 1 });
    expect(r.errors[0]!.message).toContain('empty');
  });

  it('single quotes', () => {
    const r = loadTopologyText('{\'version\': 1}');
    expect(r.kind).toBe('syntax');
    expect(r.errors[0]).toMatchObject({ line: 1, column: 2 });
  });

  it('absurd nesting is refused without recursion', () => {
    const r = loadTopologyText('['.repeat(100_000) + ']'.repeat(100_000));
    expect(r.kind).toBe('syntax');
    expect(r.errors[0]!.message).toContain('nested more than');
  });

  it('a byte-order mark is accepted', () => {
    const r = loadTopologyText(`\ufeff${JSON.stringify(example())}`);
    expect(r.ok).toBe(true);
  });

  it('CRLF line ends count as one', () => {
    const r = loadTopologyText('{\r\n  "version": 1,\r\n  "name": 5\r\n}');
    expect(r.kind).toBe('invalid');
    expect(r.errors[0]).toMatchObject({ path: 'name', line: 3, column: 11 });
  });
});

describe('JSON that is not a topology', () => {
  it('an array at the top', () => {
    const r = loadTopologyText('[1, 2]');
    expect(r.kind).toBe('invalid');
    expect(r.errors[0]).toMatchObject({ path: '', code: 'wrong-type', line: 1, column: 1 });
    expect(r.errors[0]!.message).toContain('expected an object');
  });

  it('duplicate keys are errors (JSON.parse would silently keep the last)', () => {
    const r = loadTopologyText('{\n  "version": 1,\n  "name": "a",\n  "name": "b"\n}');
    expect(r.kind).toBe('invalid');
    expect(r.errors).toEqual([expect.objectContaining({ code: 'duplicate-key', path: 'name', line: 4, column: 3 })]);
  });

  it('a property named __proto__ is just an unknown field', () => {
    const r = loadTopologyText('{"version": 1, "name": "x", "__proto__": {"polluted": true}}');
    expect(r.kind).toBe('invalid');
    expect(r.errors.map((e) => e.path)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('files', () => {
  it('missing file -> io', async () => {
    const r = await loadTopologyFile(path.join(tmp, 'nope.json'));
    expect(r.kind).toBe('io');
    expect(r.errors[0]!.message).toContain('no such file');
  });

  it('a directory -> io', () => {
    const r = loadTopologyFileSync(tmp);
    expect(r.kind).toBe('io');
    expect(r.errors[0]!.message).toContain('is a directory');
  });

  it('files over 10 MB are refused before reading', async () => {
    const big = file('big.json', `{"version": 1, "name": "${'x'.repeat(MAX_TOPOLOGY_BYTES)}"}`);
    const r = await loadTopologyFile(big);
    expect(r.kind).toBe('io');
    expect(r.errors[0]!.message).toMatch(/is 10\.0 MB; topology files are limited to 10 MB/);
    expect(loadTopologyText('x'.repeat(MAX_TOPOLOGY_BYTES + 1)).kind).toBe('io');
  });

  it('file loading reports line:column and echoes the file', async () => {
    const p = file('bad.json', '{\n  "version": 1,\n  "name": "x",\n  "hosts": [{ "name": "h", "nics": 3 }]\n}\n');
    const r = await loadTopologyFile(p);
    expect(r.kind).toBe('invalid');
    expect(r.file).toBe(p);
    expect(r.errors[0]).toMatchObject({ path: 'hosts[0].nics', line: 4, column: 36 });
  });
});

describe('validateTopology (a parsed value, no text)', () => {
  it('valid value', () => {
    const r = validateTopology(example('vlans'));
    expect(r.ok).toBe(true);
  });

  it('invalid value: paths, no positions', () => {
    const d = example();
    d.vms[0].host = 'nowhere';
    const r = validateTopology(d);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([expect.objectContaining({ path: 'vms[0].host', code: 'unknown-host' })]);
    expect(r.errors[0]!.line).toBeUndefined();
  });

  it('odd values do not throw', () => {
    for (const v of [undefined, null, 0, 'x', [], {}, { hosts: null }, { hosts: [null, 1, 'x'] }, { vms: [{ nics: [null] }] }, { links: [{ a: 5 }] }]) {
      expect(validateTopology(v).ok).toBe(false);
    }
  });
});

/**
 * The size limit of a topology (issue 15): the command line loads files of 100k interfaces (its
 * limit is 64 MB), the library and the server's text uploads keep 10 MB, and every limit is
 * configurable; a refusal is exit 2 with a message that names the limit and how to raise it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_MAX_TOPOLOGY_BYTES, loadTopologyText, MAX_TOPOLOGY_BYTES } from '../../src/topology/load.js';
import { cliTopologyLimit } from '../../src/cli/topology-limit.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(path.join(tmpdir(), 'vswitch-lab-limit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['bin/vswitch-lab.js', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // never a stack trace
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const hex = (n: number) => n.toString(16).padStart(2, '0');
const mac = (prefix: string, n: number) => `${prefix}:${hex((n >> 16) & 0xff)}:${hex((n >> 8) & 0xff)}:${hex(n & 0xff)}`;

/** `hosts` hosts of 2 vmnics each and `vmsPerHost` one-NIC VMs: hosts * (2 + vmsPerHost) interfaces. */
function bigTopology(hosts: number, vmsPerHost: number): string {
  const doc = {
    version: 1,
    name: `limit-${hosts}x${vmsPerHost}`,
    hosts: Array.from({ length: hosts }, (_, h) => ({
      name: `esxi-${h}`,
      nics: [0, 1].map((n) => ({ name: `vmnic${n}`, mac: mac('00:1b:21', h * 2 + n) })),
      vswitches: [{ name: 'vSwitch0', uplinks: ['vmnic0', 'vmnic1'], portGroups: [{ name: 'VM Network', vlan: 10 }] }],
    })),
    vms: Array.from({ length: hosts * vmsPerHost }, (_, i) => ({
      name: `vm-${i}`,
      host: `esxi-${Math.floor(i / vmsPerHost)}`,
      nics: [{ name: 'eth0', portGroup: 'VM Network', mac: mac('00:50:56', i + 1) }],
    })),
  };
  return JSON.stringify(doc, null, 2);
}

describe('the command line loads large topologies', () => {
  it('a file of 100k interfaces (over the old 10 MB cap) validates with the default limit', () => {
    const text = bigTopology(1000, 98);
    expect(text.length).toBeGreaterThan(MAX_TOPOLOGY_BYTES);
    const file = path.join(tmp, 'big.json');
    writeFileSync(file, text);
    const r = cli(['validate', file]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${file}: valid`);
    expect(r.out).toContain('1000 hosts');
  }, 300_000);

  it('over the limit: exit 2, the limit named and how to raise it (environment or flag)', () => {
    const file = path.join(tmp, 'two-mb.json');
    writeFileSync(file, bigTopology(100, 98));
    const viaEnv = cli(['validate', file], { VSWITCH_LAB_MAX_TOPOLOGY_MB: '1' });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.out).toMatch(/is \d\.\d MB; topology files are limited to 1 MB; raise it with VSWITCH_LAB_MAX_TOPOLOGY_MB=N \(megabytes\) or, for validate, --max-topology-mb N/);
    const viaFlag = cli(['validate', '--max-topology-mb', '0.5', file]);
    expect(viaFlag.code).toBe(2);
    expect(viaFlag.out).toContain('topology files are limited to 0.5 MB');
    // the flag wins over the environment, and raises the limit as well as it lowers it
    expect(cli(['validate', '--max-topology-mb=8', file], { VSWITCH_LAB_MAX_TOPOLOGY_MB: '1' }).code).toBe(0);
    // a command that runs a lab reads the same limit
    const send = cli(['explain', file, '--from', 'vm-0:eth0', '--rarp'], { VSWITCH_LAB_MAX_TOPOLOGY_MB: '1' });
    expect(send.code).toBe(2);
    expect(send.out + send.err).toContain('topology files are limited to 1 MB; raise it with VSWITCH_LAB_MAX_TOPOLOGY_MB');
  }, 120_000);

  it('a limit that is not a number of megabytes is a bad option (exit 2), not a silent default', () => {
    const r = cli(['validate', '--max-topology-mb', 'lots', 'topologies/default.json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--max-topology-mb must be a number of megabytes between 0 and 4096, got "lots"');
    const e = cli(['validate', 'topologies/default.json'], { VSWITCH_LAB_MAX_TOPOLOGY_MB: '-3' });
    expect(e.code).toBe(2);
    expect(e.err).toContain('VSWITCH_LAB_MAX_TOPOLOGY_MB must be a number of megabytes');
  }, 60_000);
});

describe('the library keeps its default; a caller sets its own', () => {
  it('10 MB unless told otherwise; the command line defaults higher', () => {
    expect(CLI_MAX_TOPOLOGY_BYTES).toBeGreaterThan(MAX_TOPOLOGY_BYTES);
    expect(cliTopologyLimit(undefined, {})).toMatchObject({ maxBytes: CLI_MAX_TOPOLOGY_BYTES });
    const text = `{"version": 1, "name": "${'x'.repeat(2000)}"}`;
    const small = loadTopologyText(text, undefined, { maxBytes: 1000, raiseHint: 'raise it with --example' });
    expect(small.kind).toBe('io');
    expect(small.errors[0]).toMatchObject({ code: 'too-large' });
    expect(small.errors[0]!.message).toBe('the topology is larger than the limit of 0.0 MB; raise it with --example');
    expect(loadTopologyText(text).kind).not.toBe('io');
  });
});

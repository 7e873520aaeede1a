/** Details a newcomer meets first: the version, send's columns, point names, paths in JSON. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runMain } from './run-cli.js';

describe('newcomer details (CLI)', () => {
  it('--version prints the package version, exit 0; the help mentions it', async () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await runMain([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`vswitch-lab ${pkg.version}\n`);
    }
    expect((await runMain(['--help'])).stdout).toContain('--version');
  });

  it('send prints a delivery\'s VLAN once (the column), not again in the summary', async () => {
    const r = await runMain(['send', 'vlans', '--from', 'web-10:eth0', '--arp-request', '10.0.10.50']);
    expect(r.code).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.includes('delivered  sniffer:eth0'))!;
    expect(line).toMatch(/\[F5\] {2}VLAN 10 {2}ARP Who has 10\.0\.10\.50\? Tell 10\.0\.10\.21$/);
    expect(r.stdout).not.toMatch(/VLAN 10 {2}VLAN 10/);
  });

  it('--point with a known interface and a wrong point name says the point is wrong, not the interface', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'vswitch-lab-point-')), 'x.pcapng');
    const r = await runMain(['send', 'vlans', '--from', 'web-10:eth0', '--arp-request', '10.0.10.50', '--pcap', file, '--point', 'web-10:eth0:Foo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"Foo" is not a capture point of web-10:eth0: its points are PortInput, PortOutput');
    expect(r.stderr).not.toContain('unknown interface');
    const near = await runMain(['send', 'vlans', '--from', 'web-10:eth0', '--arp-request', '10.0.10.50', '--pcap', file, '--point', 'web-10:eth0:PortInptu']);
    expect(near.stderr).toContain('did you mean PortInput');
  });

  it('run --json names files as the text output does: relative to the working directory', async () => {
    const r = await runMain(['run', 'teaming', 'topologies/scenarios/teaming-failover.json', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { topology: string; scenarios: { file: string }[] };
    expect(process.cwd()).toBe(ROOT);
    expect(out.topology).toBe(path.join('topologies', 'teaming.json'));
    expect(out.scenarios.map((s) => s.file)).toEqual([path.join('topologies', 'scenarios', 'teaming-failover.json')]);
  });
});

/**
 * The commands that run a lab — send, explain, ping, test — driven as a user does: exit codes,
 * the JSON of `send --json`, and bad input (exit 2, a clear message, never a stack trace). Most
 * run in-process through src/cli.ts `main` (a process per call costs a second); the last block
 * spawns `node bin/vswitch-lab.js` for what only a real process shows (exit status, stderr).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, runMain } from './run-cli.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'vswitch-lab-cli-'));
const file = (name: string, text: string) => {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
};

describe('vswitch-lab send', () => {
  it('--json: deliveries of a broadcast ARP, exactly the documented fields', async () => {
    const r = await runMain(['send', 'topologies/default.json', '--from', 'web-01:eth0', '--arp-request', '10.0.0.22', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { deliveries: Record<string, unknown>[]; drops: Record<string, unknown>[]; sent: Record<string, unknown> };
    expect(Object.keys(out).sort()).toEqual(['deliveries', 'drops', 'sent']);
    expect(out.deliveries.map((d) => d.to).sort()).toEqual(['esxi-01:vmk0', 'laptop:eth0', 'web-02:eth0']);
    for (const d of out.deliveries) {
      expect(Object.keys(d)).toEqual(['to', 'frame', 'summary', 'vlan', 'rule']);
      expect(d.frame).toMatch(/^ffffffffffff005056a10001 ?0806/);
      expect(d.summary).toBe('ARP Who has 10.0.0.22? Tell 10.0.0.21');
      expect(d.vlan).toBe('untagged');
    }
    expect(out.drops).toEqual([]);
    expect(out.sent).toMatchObject({ from: 'web-01:eth0', summary: 'ARP Who has 10.0.0.22? Tell 10.0.0.21', count: 1 });
  });

  it('--json: a forged frame under Reject is a drop with reason and rule (S3)', async () => {
    const r = await runMain(['send', 'security', '--from', 'nested-esxi-locked:eth0', '--src', '00:50:56:b2:00:01', '--arp-request', '10.0.0.50', '--sender-ip', '10.0.0.62', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { deliveries: unknown[]; drops: { at: string; reason: string; rule: string; detail: string }[] };
    expect(out.deliveries).toEqual([]);
    expect(out.drops).toHaveLength(1);
    expect(out.drops[0]).toMatchObject({ at: 'nested-esxi-locked:eth0', reason: 'FORGED_TRANSMIT', rule: 'S3' });
    expect(Object.keys(out.drops[0]!)).toEqual(['at', 'reason', 'rule', 'detail']);
  });

  it('text: one line per delivery with its rule, tags as received (V3 sniffer)', async () => {
    const r = await runMain(['send', 'vlans', '--from', 'web-10:eth0', '--icmp-echo', '10.0.10.50']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/delivered\s+sniffer:eth0\s+\[S1\]\s+VLAN 10\s+ICMP Echo/); // the VLAN once: its column
    expect(r.stdout).toMatch(/delivered\s+pc-10:eth0\s+\[E1\]\s+untagged/);
    expect(r.stdout).toMatch(/2 delivered, 0 dropped/);
  });

  it('--hex sends the bytes as given', async () => {
    const r = await runMain(['send', 'default', '--from', 'web-01:eth0', '--hex', 'ffffffffffff 005056a10001 88b5 0000', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { deliveries: { to: string; frame: string }[] };
    expect(out.deliveries.find((d) => d.to === 'web-02:eth0')?.frame.slice(0, 28)).toBe('ffffffffffff005056a1000188b5');
  });

  it('bad frame option -> exit 2, the option named, no stack trace', async () => {
    const mac = await runMain(['send', 'default', '--from', 'web-01:eth0', '--dst', 'not-a-mac', '--rarp']);
    const hex = await runMain(['send', 'default', '--from', 'web-01:eth0', '--hex', 'zz']);
    const none = await runMain(['send', 'default', '--from', 'web-01:eth0']);
    for (const r of [mac, hex, none]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^vswitch-lab send: /);
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(r.stdout).toBe('');
    }
    expect(mac.stderr).toContain('--dst: "not-a-mac" is not a MAC address');
    expect(hex.stderr).toContain('bad frame: "z" at position 1 is not a hex digit');
    expect(none.stderr).toContain('say what to send');
  });

  it('unknown interface -> exit 2 listing near names', async () => {
    const r = await runMain(['send', 'default', '--from', 'web-1:eth0', '--rarp']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown interface "web-1:eth0"; did you mean web-01:eth0');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('send and explain answer the same bad input the same way (one prologue): exit 2, the message, nothing printed', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--from', 'web-01:eth0', '--rarp'], /: no topology given\n/],
      [['default', 'vlans', '--from', 'web-01:eth0', '--rarp'], /: one topology, got 2 arguments: default vlans\n/],
      [['default', '--rarp'], /: --from <node:iface> is required\n/],
      [['default', '--from', 'web-1:eth0', '--rarp'], /: unknown interface "web-1:eth0"; did you mean web-01:eth0/],
      [['default', '--from', 'web-01:eth0', '--arp-request', '10.0.0.999'], /: --arp-request: "10.0.0.999" is not an IPv4 address/],
    ];
    for (const [args, message] of cases) {
      for (const command of ['send', 'explain']) {
        const r = await runMain([command, ...args]);
        expect([command, args.join(' '), r.code]).toEqual([command, args.join(' '), 2]);
        expect(r.stderr).toMatch(new RegExp(`^vswitch-lab ${command}${message.source}`));
        expect(r.stdout).toBe('');
      }
    }
  });

  it('a topology name that is neither a file nor an example -> exit 2 listing the examples', async () => {
    const r = await runMain(['send', 'vlan', '--from', 'web-10:eth0', '--rarp']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/vlan: not a file, nor an example \(.*\bvlans\b.*\)/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('bad topology -> the validate errors, exit 2', async () => {
    const bad = file('bad.json', '{"version":1,"name":"x","hosts":[{"name":"h","vswitches":[{"name":"v","mtu":99}]}]}');
    const r = await runMain(['send', bad, '--from', 'h:vmk0', '--rarp']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:1:`);
    expect(r.stderr).toContain('hosts[0].vswitches[0].mtu  vSwitch MTU must be 1280..9000');
    const syntax = await runMain(['ping', file('syntax.json', '{"version":1,'), 'a:eth0', '10.0.0.1']);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/syntax\.json:1:\d+ .*invalid JSON/);
  });
});

describe('vswitch-lab ping', () => {
  it('exit 0 with replies; vmkping wording from a vmk', async () => {
    const r = await runMain(['ping', 'jumbo', 'esxi-01:vmk1', '10.0.40.50', '-c', '2', '-s', '1472', '-d']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PING 10.0.40.50 (10.0.40.50) from esxi-01:vmk1: 1472 data bytes');
    expect(r.stdout).toMatch(/1480 bytes from 10\.0\.40\.50: icmp_seq=1 ttl=64 time=\d+\.\d{3} ms/);
    expect(r.stdout).toContain('2 packets transmitted, 2 packets received, 0% packet loss');
  });

  it('exit 1 without replies: E2 Message too long, -I like vmkping', async () => {
    const r = await runMain(['ping', 'jumbo', '-I', 'esxi-01:vmk0', '-d', '-s', '8972', '10.0.0.12']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('sendto() failed (Message too long)');
  });

  it('--json from a VM', async () => {
    const r = await runMain(['ping', 'default', 'laptop:eth0', '10.0.0.21', '-c', '1', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ from: 'laptop:eth0', to: '10.0.0.21', transmitted: 1, received: 1, errors: [] });
  });

  it('bad count -> exit 2', async () => {
    const r = await runMain(['ping', 'default', 'web-01:eth0', '10.0.0.22', '-c', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('-c: "x" is not a whole number');
  });
});

describe('vswitch-lab explain', () => {
  it('prints the numbered decisions with rule IDs and the fate of each copy', async () => {
    const r = await runMain(['explain', 'teaming', '--from', 'app-01:eth0', '--icmp-echo', '10.0.0.50']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\d+\. esxi-01:vSwitch0 {2}lookup {2}\[F3\]/);
    expect(r.stdout).toMatch(/esxi-01:vmnic1 {2}drop {2}\[F8\] dropped REFLECTION/);
    expect(r.stdout).toContain('result: 1 delivered (client:eth0 untagged), 1 dropped (esxi-01:vmnic1 REFLECTION F8)');
  });

  it('--json: steps and copies', async () => {
    const r = await runMain(['explain', 'default', '--from', 'web-01:eth0', '--icmp-echo', '10.0.0.22', '--json']);
    const out = JSON.parse(r.stdout) as {
      sent: { frame: string };
      steps: { action: string; rule?: string; point?: string; frameHex?: string; frameLength?: number }[];
      copies: { at: string; delivered: boolean }[];
    };
    expect(out.copies).toEqual([{ at: 'web-02:eth0', vlanStack: [], delivered: true, rule: 'F2' }]);
    expect(out.steps.some((s) => s.action === 'lookup' && s.rule === 'F2')).toBe(true);
    // the bytes of a step as POST /api/explain and live events give them: frameHex and frameLength
    const ingress = out.steps.find((s) => s.action === 'ingress' && s.point !== undefined);
    expect(ingress).toMatchObject({ frameHex: out.sent.frame, frameLength: out.sent.frame.length / 2 });
  });
});

describe('vswitch-lab test', () => {
  it('runs the topology\'s tests block: exit 0, a PASS line per test', async () => {
    const r = await runMain(['test', 'topologies/security.json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS {2}S3: under Reject the nested VM's forged frame is dropped FORGED_TRANSMIT$/m);
    expect(r.stdout).toMatch(/\d+ passed, 0 failed/);
  });

  it('a failing scenario: exit 1, FAIL line, the unmet expectation and the explain trace', async () => {
    const scenario = file(
      'wrong.json',
      JSON.stringify({
        tests: [
          { name: 'right', send: { from: 'web-01:eth0', frame: { kind: 'icmp-echo', dstIp: '10.0.0.22' } }, expect: { deliveredTo: ['web-02:eth0'] } },
          { name: 'wrong', send: { from: 'web-01:eth0', frame: { kind: 'icmp-echo', dstIp: '10.0.0.22' } }, expect: { deliveredTo: ['laptop:eth0'] } },
        ],
      }),
    );
    const r = await runMain(['test', 'default', scenario]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^PASS {2}right$/m);
    expect(r.stdout).toMatch(/^FAIL {2}wrong$/m);
    expect(r.stdout).toContain('deliveredTo: expected exactly [laptop:eth0], got [web-02:eth0]; missing laptop:eth0; unexpected web-02:eth0');
    expect(r.stdout).toMatch(/explain: the sent frame from web-01:eth0\n\s+1\. web-01:eth0 {2}ingress/);
    expect(r.stdout).toContain('1 passed, 1 failed');
  });

  it('--json returns the structured results', async () => {
    const r = await runMain(['test', 'jumbo', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { passed: number; failed: number; results: { name: string; passed: boolean }[] };
    expect(out.failed).toBe(0);
    expect(out.passed).toBe(out.results.length);
  });

  it('bad scenario or unknown interface in it -> exit 2', async () => {
    const shape = await runMain(['test', 'default', file('shape.json', '{"tests":[{"name":"x","expect":{"drop":{"reason":"lower"}}}]}')]);
    expect(shape.code).toBe(2);
    expect(shape.stderr).toMatch(/shape\.json:1:\d+ {2}tests\[0\]\.expect\.drop\.reason/);
    const iface = await runMain([
      'test',
      'default',
      file('iface.json', JSON.stringify({ tests: [{ name: 'x', ping: { from: 'web-01:eth9', to: '10.0.0.22' }, expect: { pingSucceeds: true } }] })),
    ]);
    expect(iface.code).toBe(2);
    expect(iface.stderr).toContain('"web-01:eth9"; did you mean web-01:eth0');
    expect(hasStackTrace(shape.stderr + iface.stderr)).toBe(false);
  });

  it('a topology without tests -> exit 2 with a hint', async () => {
    const t = file('no-tests.json', '{"version":1,"name":"empty"}');
    const r = await runMain(['test', t]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('has no "tests" block');
  });
});

describe.concurrent('through node bin/vswitch-lab.js (real processes)', () => {
  it('send --json: stdout is exactly one JSON document, exit 0', async ({ expect }) => {
    const r = await runCli(['send', 'topologies/default.json', '--from', 'web-01:eth0', '--arp-request', '10.0.0.22', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { deliveries: { to: string }[]; drops: unknown[] };
    expect(out.deliveries.map((d) => d.to).sort()).toEqual(['esxi-01:vmk0', 'laptop:eth0', 'web-02:eth0']);
  });

  it('bad frame option: exit 2, message, no stack trace', async ({ expect }) => {
    const r = await runCli(['send', 'default', '--from', 'web-01:eth0', '--vlan', '5000', '--rarp']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('vswitch-lab send: --vlan: "5000" is not a whole number in 0..4095');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('unknown interface: exit 2 with near names', async ({ expect }) => {
    const r = await runCli(['explain', 'default', '--from', 'web-01:eht0', '--rarp']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean web-01:eth0');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('bad topology: validate-style errors, exit 2', async ({ expect }) => {
    const bad = file('bad-spawn.json', '{"version":1,"name":"x","vms":[{"name":"v","host":"nowhere","nics":[]}]}');
    const r = await runCli(['ping', bad, 'v:eth0', '10.0.0.1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-spawn\.json:1:\d+ {2}vms\[0\]/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('ping without reply: exit 1', async ({ expect }) => {
    const r = await runCli(['ping', 'jumbo', '-I', 'esxi-01:vmk1', '-d', '-s', '8972', '-c', '1', '10.0.40.50']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('1 packets transmitted, 0 packets received, 100% packet loss');
  });

  it('test: exit 0 on the example, exit 1 on a failing scenario', async ({ expect }) => {
    const wrong = file('wrong-spawn.json', JSON.stringify({ tests: [{ name: 'w', ping: { from: 'web-01:eth0', to: '10.0.0.22' }, expect: { pingSucceeds: false } }] }));
    const [ok, fail] = await Promise.all([runCli(['test', 'vlans']), runCli(['test', 'default', wrong])]);
    expect(ok.code).toBe(0);
    expect(fail.code).toBe(1);
    expect(fail.stdout).toContain('pingSucceeds: expected failure, got 1 of 1 replies');
  });
});

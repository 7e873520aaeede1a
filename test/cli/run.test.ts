import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { hasStackTrace, runCli, runMain } from './run-cli.js';

describe('vswitch-lab run', () => {
  it('runs every scenario a topology lists and prints the timeline (teaming: failover and failback)', async () => {
    const r = await runMain(['run', 'teaming']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2\.000s\s+change\s+change: link esxi-01:vmnic0 <-> tor-1:eth1 down/);
    expect(r.stdout).toMatch(/2\.000s\s+notify\s+notify switches: RARP for 00:50:56:a1:30:01 \(app-01:eth0\) out of vmnic1/);
    expect(r.stdout).toMatch(/PASS\s+teaming: failback off keeps the traffic on the standby/);
    expect(r.stdout).toMatch(/2 passed, 0 failed/);
  });

  it('--json gives the timeline, pings and checks of a scenario file', async () => {
    const r = await runMain(['run', 'multi-host', 'topologies/scenarios/vmotion.json', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { passed: boolean; scenarios: { pings: { lost: number }[]; timeline: { kind: string; time: number }[]; checks: { ok: boolean }[] }[] };
    expect(out.passed).toBe(true);
    expect(out.scenarios[0]!.pings[0]!.lost).toBeLessThanOrEqual(1);
    expect(out.scenarios[0]!.timeline.some((e) => e.kind === 'change' && e.time === 3e9)).toBe(true);
  });

  it('a failing expectation exits 1; a bad scenario or topology exits 2 without a stack trace', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vsl-run-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const failing = path.join(dir, 'failing.json');
    writeFileSync(failing, JSON.stringify({ name: 'x', duration: '1s', steps: [{ at: '0.5s', change: { kind: 'migrate', vm: 'app-01', toHost: 'nowhere' } }] }));
    const f = await runMain(['run', 'multi-host', failing]);
    expect(f.code).toBe(1);
    expect(f.stdout).toMatch(/FAIL.*refused: there is no ESXi host named "nowhere"/);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'x', duration: 'soon' }));
    const b = await runCli(['run', 'teaming', bad]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/bad\.json:1:\d+ {2}duration {2}a time is milliseconds/);
    expect(b.stderr).toMatch(/bad\.json: invalid timed scenario \(1 error\)/);
    expect(hasStackTrace(b.stderr)).toBe(false);
    const none = await runMain(['run', 'default']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/lists no scenarios/);
  });
});

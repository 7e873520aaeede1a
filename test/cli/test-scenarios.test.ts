/**
 * `vswitch-lab test` and timed scenarios: the topology's listed scenarios run after its tests
 * block, one PASS/FAIL line per check, the timeline a failed check looked at, exit codes; a
 * scenario file of either kind given on the command line; a file that is neither.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../capture/capture-tools.js';
import { ROOT, hasStackTrace, runMain } from './run-cli.js';

const tmp = tempDir();
afterAll(() => tmp.remove());
const file = (name: string, value: unknown) => {
  const p = tmp.file(name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return p;
};

/** teaming-failover with expectations that do not hold: two RARPs, 3 lost probes, the MAC on eth2 at the end. */
const wrongFailover = {
  name: 'wrong expectations about a failover',
  duration: '8s',
  pings: [{ name: 'client', from: 'client:eth0', to: '10.0.0.21', intervalMs: 100 }],
  steps: [
    { at: '2s', change: { kind: 'link', iface: 'esxi-01:vmnic0', up: false } },
    { at: '5s', change: { kind: 'link', iface: 'esxi-01:vmnic0', up: true } },
  ],
  expect: {
    pings: [{ ping: 'client', maxLost: 1 }],
    frames: [{ at: 'esxi-01:vmnic1', point: 'UplinkSnd', kind: 'rarp', src: 'app-01:eth0', after: '1.9s', before: '2.5s', min: 6 }],
    macTable: [{ switch: 'tor-1', mac: 'app-01:eth0', port: 'tor-1:eth2' }],
  },
};

describe('vswitch-lab test <topology>: the tests block, then the scenarios the topology lists', () => {
  it('teaming: its tests, then both scenarios, a PASS line per check', async () => {
    const r = await runMain(['test', 'teaming']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const header = (s: string) => lines.findIndex((l) => l.startsWith(s));
    const failover = header('topologies/scenarios/teaming-failover.json: timed scenario "teaming: pull the active uplink');
    const noFailback = header('topologies/scenarios/teaming-no-failback.json: timed scenario');
    // tests first, then the scenarios in the order the topology lists them
    expect(header('PASS  T1/T2')).toBeGreaterThan(0);
    expect(failover).toBeGreaterThan(header('PASS  T1/T2'));
    expect(noFailback).toBeGreaterThan(failover);
    const checks = lines.slice(failover + 1, noFailback).filter((l) => /^ {2}(PASS|FAIL) {2}/.test(l));
    expect(checks.length).toBe(9);
    expect(checks.every((l) => l.startsWith('  PASS  '))).toBe(true);
    expect(checks).toContain('  PASS  rarp frames at esxi-01:vmnic1 (UplinkSnd) after 2.000s before 2.001s: 5 seen, expected 5');
    expect(checks.some((l) => /^ {2}PASS {2}at 4\.000s: MAC table tor-1: 00:50:56:a1:30:01: on tor-1:eth2/.test(l))).toBe(true);
    expect(lines).toContain('PASS  teaming: pull the active uplink under a continuous ping (T2, T6, T7, T8)  (9/9 checks)');
    const tests = lines.filter((l) => /^(PASS|FAIL) {2}/.test(l)).length;
    expect(r.stdout).toMatch(new RegExp(`^${tests} passed, 0 failed$`, 'm'));
  });

  it('a failing check: FAIL, the timeline it looked at, exit 1; passing tests stay PASS', async () => {
    const scenario = file('wrong-failover.json', wrongFailover);
    const teaming = JSON.parse(readFileSync(`${ROOT}/topologies/teaming.json`, 'utf8')) as Record<string, unknown>;
    const topo = file('teaming-wrong.json', { ...teaming, $schema: undefined, scenarios: ['wrong-failover.json'] });
    const r = await runMain(['test', topo]);
    expect(r.code).toBe(1);
    const out = r.stdout;
    expect(out).toMatch(/^PASS {2}T1\/T2/m);
    expect(out).toContain(`${scenario}: timed scenario "wrong expectations about a failover", 8.000s on teaming`);
    // the RARP check: five RARPs for app-01 went out (T7), not six; the excerpt is its 1.9s..2.5s
    const rarp = out.indexOf('  FAIL  rarp frames at esxi-01:vmnic1 (UplinkSnd) after 1.900s before 2.500s: 5 seen, expected >= 6');
    expect(rarp).toBeGreaterThan(0);
    const excerpt = out.slice(rarp).split('\n').slice(1);
    expect(excerpt[0]).toBe('        timeline 1.900s..2.500s:');
    const shown = excerpt.slice(1, excerpt.findIndex((l, i) => i > 0 && !l.startsWith('          ')));
    expect(shown.some((l) => /2\.000s {2}change {4}change: link esxi-01:vmnic0 <-> tor-1:eth1 down/.test(l))).toBe(true);
    expect(shown.some((l) => /2\.000s {2}notify {4}notify switches: RARP for 00:50:56:a1:30:01 \(app-01:eth0\) out of vmnic1/.test(l))).toBe(true);
    expect(shown.every((l) => !/ [5-9]\.\d{3}s /.test(l))).toBe(true); // nothing from outside its stretch
    // the MAC table check at the end: the MAC is back on eth1 after failback
    expect(out).toMatch(/^ {2}FAIL {2}MAC table tor-1: 00:50:56:a1:30:01: on tor-1:eth1 \(VLAN 1\); expected tor-1:eth2$/m);
    expect(out).toMatch(/^ {2}PASS {2}ping client loss: /m);
    expect(out).toMatch(/^FAIL {2}wrong expectations about a failover {2}\(1\/3 checks\)$/m);
    expect(out).toMatch(/^3 passed, 1 failed$/m);
  });

  it('--json: tests in results, scenarios as run --json gives them, counts over both', async () => {
    const r = await runMain(['test', 'multi-host', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      file: string;
      passed: number;
      failed: number;
      results: { name: string; passed: boolean }[];
      scenarios: {
        file: string;
        name: string;
        passed: boolean;
        durationNs: number;
        timeline: { time: number; kind: string; text: string }[];
        pings: { lost: number }[];
        checks: { what: string; ok: boolean; from: number; to: number; time: number }[];
      }[];
    };
    expect(out.file).toMatch(/topologies\/multi-host\.json$/);
    expect(out.scenarios).toHaveLength(1);
    const s = out.scenarios[0]!;
    expect(s.file).toMatch(/topologies\/scenarios\/vmotion\.json$/);
    expect(s).toMatchObject({ passed: true, durationNs: 6e9 });
    expect(s.timeline.some((e) => e.kind === 'change' && e.time === 3e9)).toBe(true);
    for (const c of s.checks) {
      expect(c.ok).toBe(true);
      expect(c.from).toBeLessThanOrEqual(c.to);
      expect(c.to).toBeLessThanOrEqual(c.time);
    }
    expect(out.passed).toBe(out.results.length + 1);
    expect(out.failed).toBe(0);
  });
});

describe('vswitch-lab test <topology> <scenario.json>', () => {
  it('a timed scenario file runs as run runs it (and only it, not the tests block)', async () => {
    const r = await runMain(['test', 'teaming', 'topologies/scenarios/teaming-no-failback.json']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toMatch(/^PASS {2}T1\/T2/m);
    expect(r.stdout).toMatch(/^PASS {2}teaming: failback off keeps the traffic on the standby \(T8\) {2}\(7\/7 checks\)$/m);
    expect(r.stdout).toMatch(/^1 passed, 0 failed$/m);
    // the same checks, with the same outcome, as `run`
    const run = await runMain(['run', 'teaming', 'topologies/scenarios/teaming-no-failback.json', '--json']);
    const test = await runMain(['test', 'teaming', 'topologies/scenarios/teaming-no-failback.json', '--json']);
    const checks = (o: string, key: 'scenarios') => (JSON.parse(o) as Record<typeof key, { checks: unknown[] }[]>)[key][0]!.checks;
    expect(checks(test.stdout, 'scenarios')).toEqual(checks(run.stdout, 'scenarios'));
  });

  it('a failing timed scenario file: exit 1', async () => {
    const r = await runMain(['test', 'teaming', file('wrong.json', wrongFailover), '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { passed: number; failed: number; results: unknown[]; scenarios: { passed: boolean; checks: { ok: boolean }[] }[] };
    expect(out).toMatchObject({ passed: 0, failed: 1, results: [] });
    expect(out.scenarios[0]!.checks.map((c) => c.ok)).toEqual([true, false, false]);
  });

  it('a list of tests, also as a bare array', async () => {
    const test = { name: 'web-01 reaches web-02 (F2)', send: { from: 'web-01:eth0', frame: { kind: 'icmp-echo', dstIp: '10.0.0.22' } }, expect: { deliveredTo: ['web-02:eth0'] } };
    for (const doc of [{ $schema: '../scenario.schema.json', tests: [test] }, [test]]) {
      const r = await runMain(['test', 'default', file('list.json', doc)]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^PASS {2}web-01 reaches web-02 \(F2\)$/m);
      expect(r.stdout).toMatch(/^1 passed, 0 failed$/m);
    }
  });

  it('neither kind, or an invalid one: exit 2 naming the JSON path (and line:column) of each problem', async () => {
    const neither = file('neither.json', { name: 'x', pigns: [] });
    const a = await runMain(['test', 'teaming', neither]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain(
      `${neither}:1:1  neither a timed scenario (an object with "duration", and "pings", "steps", "expect") nor a list of tests ({ "tests": [ ... ] }); got an object with "name", "pigns"`,
    );
    expect(a.stderr).toContain(`${neither}: not a scenario file; see docs/scenarios.md`);

    const badTimed = file('bad-timed.json', { name: 'x', duration: '1s', steps: [{ at: '0.5s', change: { kind: 'link', iface: 'esxi-01:vmnic0', up: 'no' } }] });
    const b = await runMain(['test', 'teaming', badTimed]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/bad-timed\.json:\d+:\d+ {2}steps\[0\]\.change\.up {2}expected true or false/);
    expect(b.stderr).toContain('invalid timed scenario (1 error)');

    const badTests = file('bad-tests.json', { tests: [{ name: 'x', send: { from: 'web-01:eth0', frame: { kind: 'rarp' } }, expect: { deliveredto: [] } }] });
    const c = await runMain(['test', 'default', badTests]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/bad-tests\.json:\d+:\d+ {2}tests\[0\]\.expect\.deliveredto {2}unknown field "deliveredto"; did you mean "deliveredTo"\?/);

    // a drop reason that does not exist is bad input, not a failing check
    const typoTimed = file('typo-timed.json', { name: 'x', duration: '1s', expect: { drops: [{ reason: 'SHAPING_QUEUE', min: 0 }] } });
    const d = await runMain(['test', 'shaping', typoTimed]);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain(`${typoTimed}  expect.drops[0].reason  "SHAPING_QUEUE" is not a drop reason; did you mean SHAPING_QUEUE_FULL?`);
    const typoTests = file('typo-tests.json', { tests: [{ name: 'x', send: { from: 'web-01:eth0', frame: { kind: 'rarp' } }, expect: { drop: { reason: 'FORGED_TRANSMITS' } } }] });
    const e = await runMain(['test', 'default', typoTests]);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('tests[0].expect.drop.reason  "FORGED_TRANSMITS" is not a drop reason; did you mean FORGED_TRANSMIT?');

    const typoIface = file('typo-iface.json', { name: 'x', duration: '1s', pings: [{ name: 'p', from: 'client:eth9', to: '10.0.0.21' }] });
    const f = await runMain(['run', 'teaming', typoIface]);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain('ping from client:eth9: not an endpoint of this topology (a vNIC, vmk or physical host NIC); did you mean client:eth0?');

    const syntax = await runMain(['test', 'default', file('syntax.json', '{ "tests": [ }')]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/syntax\.json:1:\d+ {2}invalid JSON: expected a value \(found "}"\); JSON allows no comma after the last item|syntax\.json:1:\d+ {2}invalid JSON: expected a value/);

    const missing = await runMain(['test', 'default', tmp.file('nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: cannot read: no such file/);
    for (const r of [a, b, c, d, e, f, syntax, missing]) {
      expect(r.stdout).toBe('');
      expect(hasStackTrace(r.stderr)).toBe(false);
    }
  });

  it('run refuses a list of tests, pointing at test', async () => {
    const r = await runMain(['run', 'default', file('tests-for-run.json', { tests: [{ name: 'x', ping: { from: 'web-01:eth0', to: '10.0.0.22' }, expect: { pingSucceeds: true } }] })]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a list of tests, not a timed scenario: run it with 'vswitch-lab test default .*tests-for-run\.json'/);
  });

  it('a topology with neither tests nor scenarios: exit 2', async () => {
    const r = await runMain(['test', file('empty.json', { version: 1, name: 'empty' })]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('has no "tests" block, lists no "scenarios" and has no "activity"');
  });

  it('a topology listing a scenario file that is broken: exit 2 before anything runs', async () => {
    file('broken-scenario.json', { name: 'b', duration: 'soon' });
    const topo = file('lists-broken.json', { version: 1, name: 'x', scenarios: ['broken-scenario.json'] });
    const r = await runMain(['test', topo]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/broken-scenario\.json:\d+:\d+ {2}duration {2}a time is milliseconds/);
  });
});

/**
 * P5 storms on the command line: a loop between physical switches is an outcome (exit 1, a
 * "storm" line or JSON field), never "bad input" (exit 2), for send, explain and test.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { writeRing } from '../helpers/storm-ring.js';
import { runMain } from './run-cli.js';

const ARP = ['--from', 'pc-1:eth0', '--arp-request', '10.9.0.3'];

describe('storms on the command line (P5)', () => {
  const file = writeRing();

  it('send: exit 1 with the storm line; the output stays small', async () => {
    const r = await runMain(['send', file, ...ARP]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^storm \(P5\): frame 1's copies crossed cables \d+ times \(at .+\); \d+ copies were cut \(STORM_CUT\)$/m);
    expect(r.stdout).toMatch(/dropped .*\[P5\]\s+STORM_CUT/);
    expect(r.stdout.length).toBeLessThan(200_000);
  });

  it('send --json: a storm field, exit 1', async () => {
    const r = await runMain(['send', file, ...ARP, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { storm?: { frameId: number; at: string; threshold: number; cut: number }; drops: { reason: string }[] };
    expect(j.storm).toMatchObject({ frameId: 1, threshold: 88 });
    expect(j.storm!.cut).toBeGreaterThan(0);
    expect(j.drops.some((d) => d.reason === 'STORM_CUT')).toBe(true);
  });

  it('explain: exit 1 with the storm line, bounded output', async () => {
    const r = await runMain(['explain', file, ...ARP]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^storm \(P5\): frame \d+'s copies crossed cables 88 times/m);
    expect(r.stdout.length).toBeLessThan(500_000);
    const j = await runMain(['explain', file, ...ARP, '--json']);
    expect(j.code).toBe(1);
    expect((JSON.parse(j.stdout) as { storm?: unknown }).storm).toMatchObject({ threshold: 88 });
  });

  it('test: a test whose frame storms fails (exit 1) with the storm line, even when its expectations hold', async () => {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    doc.tests = [{ name: 'arp reaches pc-3', send: { from: 'pc-1:eth0', frame: { kind: 'arp-request', targetIp: '10.9.0.3' } }, expect: { alsoDeliveredTo: ['pc-3:eth0'] } }];
    const withTests = file.replace(/\.json$/, '-tests.json');
    writeFileSync(withTests, JSON.stringify(doc));
    const r = await runMain(['test', withTests]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/storm \(P5\)/);
  });
});

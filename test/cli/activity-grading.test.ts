/**
 * `vswitch-lab test` grades a topology's activity headlessly, as an instructor grading submitted
 * files in a script would: exit 1 while a task fails (the file as shipped, faults seeded), exit 0
 * once the fixes are in the file; the score in the text and in --json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../capture/capture-tools.js';
import { ROOT, hasStackTrace, runCli } from './run-cli.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const shipped = `${ROOT}/topologies/vmotion-activity.json`;

function fixedCopy(fixes: { vlan?: boolean; link?: boolean; mtu?: boolean }): string {
  const d = JSON.parse(readFileSync(shipped, 'utf8')) as { hosts: Array<{ vswitches: Array<{ mtu?: number; portGroups: Array<{ vlan: number }> }> }>; links: Array<{ up?: boolean }> };
  if (fixes.vlan) d.hosts[1]!.vswitches[0]!.portGroups[1]!.vlan = 50;
  if (fixes.link) d.links[1]!.up = true;
  if (fixes.mtu) d.hosts[1]!.vswitches[0]!.mtu = 9000;
  const file = tmp.file(`submitted-${Object.keys(fixes).join('-')}.json`);
  writeFileSync(file, JSON.stringify(d));
  return file;
}

describe('vswitch-lab test grades an activity', () => {
  it('the shipped file (faults seeded): exit 1, every task FAIL with what its check found, 0/4 points', async () => {
    const r = await runCli(['test', 'vmotion-activity']);
    expect(r.code).toBe(1);
    expect(hasStackTrace(r.stdout + r.stderr)).toBe(false);
    expect(r.stdout).toContain('FAIL  task 1: Put esxi-02\'s vMotion port group on VLAN 50  (1 point)');
    expect(r.stdout).toContain('esxi-02/vMotion vlan is 51, expected 50');
    expect(r.stdout).toContain('activity "Make vMotion and jumbo frames work": 0/4 points');
  });

  it('partly fixed: exit 1 and the score of the tasks done (--json)', async () => {
    const r = await runCli(['test', fixedCopy({ vlan: true, link: true }), '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { activity: { score: number; total: number; passed: boolean; tasks: Array<{ passed: boolean; failures: string[] }> } };
    expect(j.activity).toMatchObject({ score: 2, total: 4, passed: false });
    expect(j.activity.tasks.map((t) => t.passed)).toEqual([true, true, false]);
    expect(j.activity.tasks[2]!.failures).toContain('esxi-02/vSwitch0 mtu is 1500, expected 9000');
  });

  it('every fault fixed in the file: exit 0, 4/4 points', async () => {
    const r = await runCli(['test', fixedCopy({ vlan: true, link: true, mtu: true })]);
    expect(r.stdout).toContain('activity "Make vMotion and jumbo frames work": 4/4 points, every task done');
    expect(r.code).toBe(0);
  });
});

/**
 * O2 explain as a tree (trace-text.ts), like Open vSwitch's ofproto/trace: the steps grouped by
 * copy under the copy they came from, each line citing its rule once.
 */
import { describe, expect, it } from 'vitest';
import { createLab } from '../../src/engine/lab.js';
import { branchMark, copyTree, copyTreeRows } from '../../src/engine/copy-tree.js';
import { explainLines, explainTree, withoutCitedRule } from '../../src/engine/trace-text.js';
import { buildEthernet } from '../../src/wire/index.js';
import { load } from './workload.js';

describe('explain tree (O2)', () => {
  it('groups every step under its copy, children under their parent copy, all steps once', () => {
    const lab = createLab(load('default.json'));
    const r = lab.explain('web-01:eth0', buildEthernet({ src: '00:50:56:a1:00:01', dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload: new Uint8Array(46) }));
    const tree = explainTree(r);
    expect(tree).toHaveLength(1);
    const seen: number[] = [];
    const walk = (n: (typeof tree)[number], parent: number): void => {
      expect(n.parentCopyId === parent || parent === 0).toBe(true);
      for (const i of n.steps) {
        expect(r.steps[i]!.copyId).toBe(n.copyId);
        seen.push(i);
      }
      for (const c of n.children) walk(c, n.copyId);
    };
    walk(tree[0]!, 0);
    expect([...seen].sort((a, b) => a - b)).toEqual(r.steps.map((_, i) => i));
    // the broadcast's copies: web-02, the vmk and the uplink's copy, whose child reaches the laptop
    const root = tree[0]!;
    expect(root.children.map((c) => c.at).sort()).toEqual(['esxi-01:vmk0', 'esxi-01:vmnic0', 'web-02:eth0']);
    const up = root.children.find((c) => c.at === 'esxi-01:vmnic0')!;
    expect(up.children.map((c) => c.at)).toEqual(['tor-1:eth2']);

    const text = explainLines(r).join('\n');
    expect(text).toMatch(/\n {5}└─ copy \d+ → esxi-01:vmnic0 \(untagged\)\n/);
    expect(text).toMatch(/\n\s+\d+\. {7}laptop:eth0 {2}deliver {2}\[E1\]/);
    // each rule once per line: no "[F5] ... (F5)"
    for (const line of text.split('\n')) {
      const m = /\[([A-Z]\d+[a-z]?)\]/.exec(line);
      if (m) expect(line.split(m[1]!).length - 1).toBe(1);
    }
  });

  it('drops the cited rule from the sentence and keeps the others', () => {
    expect(withoutCitedRule('is web-02:eth0 in port group "VM Network" (F1, F2)', 'F2')).toBe('is web-02:eth0 in port group "VM Network" (F1)');
    expect(withoutCitedRule('would learn it (P1; dry run, table unchanged)', 'P1')).toBe('would learn it (dry run, table unchanged)');
    expect(withoutCitedRule('is VLAN ID 0 (EST) (V1)', 'V1')).toBe('is VLAN ID 0 (EST)');
    expect(withoutCitedRule('untagged out eth2 (access, P2)', 'P3')).toBe('untagged out eth2 (access, P2)');
  });
});

describe('one copy tree for the CLI and the web (copy-tree.ts)', () => {
  it('explainLines draws copyTreeRows\' rows: a numbered line per step row, a branch line per copy row, in the same order', () => {
    const lab = createLab(load('default.json'));
    const r = lab.explain('web-01:eth0', buildEthernet({ src: '00:50:56:a1:00:01', dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload: new Uint8Array(46) }));
    const rows = copyTreeRows(copyTree(r.steps));
    const lines = explainLines(r).slice(0, rows.length);
    expect(lines).toHaveLength(rows.length);
    rows.forEach((row, k) => {
      const line = lines[k]!;
      if (row.kind === 'copy') expect(line).toMatch(new RegExp(`^ {5}${' {3}'.repeat(row.depth - 1)}${branchMark(row)} copy ${row.node.copyId} → `));
      else expect(line).toMatch(new RegExp(`^ *\\d+\\. ${' {3}'.repeat(row.depth)}${r.steps[row.index]!.port.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}  ${r.steps[row.index]!.action}`));
    });
  });

  it('a copy whose parent is unknown (or itself) is a root; events without copy ids form one copy', () => {
    expect(copyTree([{ copyId: 5, parentCopyId: 9 }, { copyId: 6, parentCopyId: 5 }, { copyId: 7, parentCopyId: 7 }])).toEqual([
      { copyId: 5, parentCopyId: 9, steps: [0], children: [{ copyId: 6, parentCopyId: 5, steps: [1], children: [] }] },
      { copyId: 7, parentCopyId: 7, steps: [2], children: [] },
    ]);
    expect(copyTreeRows(copyTree([{}, {}])).map((row) => row.kind)).toEqual(['step', 'step']);
  });
});

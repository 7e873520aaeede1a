/**
 * Texts the UI shows, without a browser: the title of a drop (a VLAN_MISMATCH on a VLAN 10 port
 * group, as the engine drops it, is not titled "VLAN 0: untagged port group"), and the safe
 * Markdown subset of activity instructions (web/src/markdown.ts: parsed to a tree, never HTML).
 */
import { describe, expect, it } from 'vitest';
import { createLab, resolveFrameSpec, type TraceEvent } from '../../src/engine/index.js';
import { loadTopologyFileSync } from '../../src/files/topology-file.js';
import { parseInline, parseMarkdown } from '../../web/src/markdown.js';
import { ruleTitle } from '../../src/engine/index.js';
import { eventIface, frameRef } from '../../web/src/event-words.js';
import { ROOT } from './lab-server.js';

describe('drop titles', () => {
  it('V1/V2: a guest-tagged frame on a VLAN 10 port group is dropped VLAN_MISMATCH and titled by that drop, not by V1 (VLAN 0)', () => {
    const r = loadTopologyFileSync(`${ROOT}/topologies/vlans.json`);
    if (!r.ok) throw new Error('invalid');
    const lab = createLab(r.topology);
    const from = 'web-10:eth0';
    const e = lab.explain(from, resolveFrameSpec(lab, from, { kind: 'icmp-echo', dstIp: '10.0.10.50', vlan: 10 }));
    const drop = e.steps.find((s) => s.action === 'drop')!;
    expect([drop.reason, drop.rule]).toEqual(['VLAN_MISMATCH', 'V1']);
    expect(r.topology.hosts[0]!.vswitches.flatMap((v) => v.portGroups).find((g) => g.name === 'VLAN10-Web')!.vlan).toBe(10);
    expect(ruleTitle(drop.rule, drop.reason)).not.toContain('untagged port group');
    expect(ruleTitle(drop.rule, drop.reason)).toContain('only on VLAN 4095 port groups');
    // other steps keep their rule's title
    expect(ruleTitle('V1')).toBe('VLAN 0: untagged port group (EST)');
    expect(ruleTitle('S3', 'FORGED_TRANSMIT')).toBe('Forged transmits');
  });
});

describe('activity Markdown', () => {
  it('paragraphs, numbered and bulleted lists, bold, italic, code; HTML stays text', () => {
    expect(parseMarkdown('Fix **it**.\n\n1. select `vMotion`\n2. set *50*\n\n- one\n- two')).toEqual([
      { t: 'p', inline: [{ t: 'text', text: 'Fix ' }, { t: 'strong', text: 'it' }, { t: 'text', text: '.' }] },
      { t: 'ol', items: [[{ t: 'text', text: 'select ' }, { t: 'code', text: 'vMotion' }], [{ t: 'text', text: 'set ' }, { t: 'em', text: '50' }]] },
      { t: 'ul', items: [[{ t: 'text', text: 'one' }], [{ t: 'text', text: 'two' }]] },
    ]);
    expect(parseInline('<img src=x onerror=alert(1)> [a](javascript:x)')).toEqual([{ t: 'text', text: '<img src=x onerror=alert(1)> [a](javascript:x)' }]);
  });
});

describe('event wording', () => {
  it('At: a physical switch\'s lookup reads tor-1, not tor-1:tor-1; a change event has no \'frame 0 copy 0\'', () => {
    const r = loadTopologyFileSync(`${ROOT}/topologies/default.json`);
    if (!r.ok) throw new Error('invalid');
    const lab = createLab(r.topology);
    const seen: TraceEvent[] = [];
    const off = lab.trace.subscribe((e) => void seen.push(e));
    lab.inject('laptop:eth0', resolveFrameSpec(lab, 'laptop:eth0', { kind: 'arp-request', targetIp: '10.0.0.21' }));
    lab.run();
    lab.setLinkState('esxi-01:vmnic0', false);
    off();
    const lookup = seen.find((e) => e.action === 'lookup' && e.node === 'tor-1')!;
    expect(eventIface({ node: lookup.node, port: lookup.port })).toBe('tor-1');
    expect(eventIface({ node: 'laptop', port: 'laptop:eth0' })).toBe('laptop:eth0');
    const change = seen.find((e) => e.action === 'change')!;
    expect(change.frameId).toBe(0);
    expect(frameRef(change)).toBe('');
    expect(frameRef({ frameId: 7, copyId: 2 })).toBe(' · frame 7 copy 2');
  });
});

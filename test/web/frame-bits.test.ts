import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventStore } from '../../web/src/event-store.js';
import type { TraceEventJson } from '../../web/src/model.js';
import { traceToJson } from '../../src/server/trace-json.js';
import { resolvePortGroupPolicy } from '../../src/topology/policy.js';
import { policyRows, SOURCE_LABEL } from '../../web/src/policy-view.js';
import { frameProtocol, frameType as wireFrameType, hexToBytes, tagLabel as wireTagLabel } from '../../src/wire/index.js';

// the web UI reads frame bits through src/wire (frame-summary.ts) from the hex it is sent
const tagLabel = (hex: string) => wireTagLabel(hexToBytes(hex));
const frameType = (hex: string) => wireFrameType(hexToBytes(hex));
const protocolOf = (hex: string) => frameProtocol(hexToBytes(hex));

const ARP_REQ = 'ffffffffffff005056a1000108060001080006040001005056a100010a000015000000000000' + '0a000016' + '00'.repeat(18);
const tag = (vid: number, pcp = 0, tpid = '8100') => tpid + ((pcp << 13) | vid).toString(16).padStart(4, '0');
const withTags = (hex: string, ...tags: string[]) => hex.slice(0, 24) + tags.join('') + hex.slice(24);

describe('frame bits (what the event list shows from the bytes)', () => {
  it('labels tag stacks: untagged, VLAN, PCP, QinQ, priority-tagged', () => {
    expect(tagLabel(ARP_REQ)).toBe('untagged');
    expect(tagLabel(withTags(ARP_REQ, tag(10)))).toBe('VLAN 10');
    expect(tagLabel(withTags(ARP_REQ, tag(10, 5)))).toBe('VLAN 10 PCP 5');
    expect(tagLabel(withTags(ARP_REQ, tag(100, 0, '88a8'), tag(10)))).toBe('QinQ 100/10');
    expect(tagLabel(withTags(ARP_REQ, tag(0, 3)))).toBe('priority-tagged PCP 3');
    expect(tagLabel('0011')).toBeNull();
  });

  it('types ARP request and reply, ICMP echo request and reply, through tags', () => {
    expect(frameType(ARP_REQ)).toBe('ARP request 10.0.0.22?');
    expect(frameType(withTags(ARP_REQ, tag(20)))).toBe('ARP request 10.0.0.22?');
    const reply = ARP_REQ.slice(0, 40) + '0002' + ARP_REQ.slice(44);
    expect(frameType(reply)).toBe('ARP reply 10.0.0.21');
    // IPv4 ICMP echo request/reply, checked against tshark's own reading of the same bytes
    const ip = '4500001c0001000040010000' + '0a000015' + '0a000016';
    for (const [type, want, ws] of [['08', 'ICMP echo request', 'Echo (ping) request'], ['00', 'ICMP echo reply', 'Echo (ping) reply']] as const) {
      const hex = '005056a10002005056a100010800' + ip + type + '00' + '0000' + '00010001';
      expect(frameType(hex)).toBe(want);
      expect(protocolOf(hex)).toBe('ICMP');
      const dir = mkdtempSync(path.join(tmpdir(), 'frame-bits-'));
      const file = path.join(dir, 'one.pcap');
      writeFileSync(file, pcap(hex));
      const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', '_ws.col.Info'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      rmSync(dir, { recursive: true, force: true });
      expect(out).toContain(ws);
    }
  });
});

/** A one-packet pcap file of `hex` (for tshark as the oracle). */
function pcap(hex: string): Buffer {
  const data = Buffer.from(hex, 'hex');
  const g = Buffer.alloc(24);
  g.writeUInt32LE(0xa1b2c3d4, 0);
  g.writeUInt16LE(2, 4);
  g.writeUInt16LE(4, 6);
  g.writeUInt32LE(65535, 16);
  g.writeUInt32LE(1, 20);
  const r = Buffer.alloc(16);
  r.writeUInt32LE(data.length, 8);
  r.writeUInt32LE(data.length, 12);
  return Buffer.concat([g, r, data]);
}

describe('event store', () => {
  const e = (seq: number, extra: Partial<TraceEventJson> = {}): TraceEventJson => ({
    ...traceToJson({ seq, time: seq, frameId: 1, copyId: 1, parentCopyId: 0, node: 'x', port: 'x:eth0', action: 'ingress', detail: '' }),
    ...extra,
  });

  it('merges an event seen twice (socket.io without bytes, HTTP with) and keeps stream order', () => {
    const s = new EventStore();
    expect(s.add([e(1), e(3)]).length).toBe(2);
    expect(s.add([e(2, { frameHex: ARP_REQ }), e(3, { frameHex: ARP_REQ })]).map((x) => x.seq)).toEqual([2]);
    expect([0, 1, 2].map((i) => s.at(i)!.seq)).toEqual([1, 2, 3]);
    expect(s.at(2)!.frameHex).toBe(ARP_REQ);
    expect(s.frameTypeOf(s.at(0)!)).toBe('ARP request 10.0.0.22?');
    expect(s.indexOfSeq(3)).toBe(2);
    expect(s.indexAfterSeq(1)).toBe(1);
  });

  it('forgets the oldest events past its limit and counts them', () => {
    const s = new EventStore(100);
    s.add(Array.from({ length: 150 }, (_, i) => e(i + 1)));
    expect(s.length).toBeLessThanOrEqual(100);
    expect(s.omitted + s.length).toBe(150);
    expect(s.at(s.length - 1)!.seq).toBe(150);
  });
});

describe('effective policy view', () => {
  it('writes the resolved policy (what GET /api/policy answers) as rows: value as vSphere writes it, and where it comes from', () => {
    // the server's resolver, as the route calls it
    const policy = resolvePortGroupPolicy(
      { security: { macChanges: 'accept' } },
      ['vmnic0', 'vmnic1'],
      { security: { forgedTransmits: 'accept' }, teaming: { standby: ['vmnic1'] } },
      { security: { forgedTransmits: 'reject', promiscuous: 'accept' } },
    );
    const rows = policyRows(JSON.parse(JSON.stringify(policy)) as typeof policy);
    const row = (f: string) => rows.find((r) => r.field.startsWith(f))!;
    expect(row('Promiscuous')).toMatchObject({ key: 'promiscuous', value: 'Accept', source: 'portgroup' });
    expect(row('Forged')).toMatchObject({ value: 'Reject', source: 'portgroup' });
    expect(row('MAC address')).toMatchObject({ value: 'Accept', source: 'topology-defaults' });
    expect(row('Load balancing')).toMatchObject({ value: 'srcid', source: 'default' });
    expect(row('Failover order')).toMatchObject({ value: 'active vmnic0; standby vmnic1; unused —', source: 'vswitch' });
    expect(row('Average bandwidth')).toMatchObject({ value: '100000 Kbit/s', source: 'default' });
    expect(rows.map((r) => SOURCE_LABEL[r.source])).toEqual(expect.arrayContaining(['port group', 'topology defaults', 'built-in default', 'vSwitch']));
    // every value of the policy has its row, grouped security, teaming, shaping
    expect(rows.map((r) => r.group)).toEqual([...Array(3).fill('security'), ...Array(5).fill('teaming'), ...Array(4).fill('shaping')]);
  });
});

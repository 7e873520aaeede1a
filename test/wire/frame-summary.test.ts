import { describe, expect, it } from 'vitest';
import {
  buildCdp,
  buildGratuitousArp,
  buildIcmpEcho,
  buildLldp,
  buildNeighborSolicitation,
  buildUdp,
  frameProtocol,
  frameType,
  hexToBytes,
  pushTag,
  tagLabel,
  tagStack,
  toHex,
} from '../../src/wire/index.js';

const v4 = { srcMac: '00:50:56:aa:00:21', dstMac: '00:50:56:aa:00:22', srcIp: '10.0.0.21', dstIp: '10.0.0.22' };

describe('frame summary (the event list row, read through the wire accessors)', () => {
  it('reads every VLAN TPID as a tag, outer first, and stops at four', () => {
    const f = pushTag(pushTag(buildUdp({ ...v4, dstPort: 53 }), 10, 0, 0x8100), 100, 0, 0x9100);
    expect(tagLabel(f)).toBe('QinQ 100/10');
    expect(tagStack(f)!.tags.map((t) => t.tpid)).toEqual([0x9100, 0x8100]);
    let deep = buildUdp({ ...v4, dstPort: 53 });
    for (let i = 1; i <= 5; i++) deep = pushTag(deep, i);
    expect(tagStack(deep)!.tags).toHaveLength(4);
    expect(tagLabel(new Uint8Array(13))).toBeNull();
  });

  it('names protocols and short types: UDP port, gratuitous ARP, ICMPv6, LLDP, CDP', () => {
    const udp = buildUdp({ ...v4, dstPort: 5353, vlan: 20 });
    expect([frameProtocol(udp), frameType(udp)]).toEqual(['UDP', 'UDP → 5353']);
    expect(frameType(buildGratuitousArp({ srcMac: v4.srcMac, ip: '10.0.0.5' }))).toBe('ARP gratuitous 10.0.0.5');
    expect(frameType(buildIcmpEcho({ ...v4, type: 'reply' }))).toBe('ICMP echo reply');
    expect(frameProtocol(buildNeighborSolicitation({ srcMac: v4.srcMac, srcIp: '2001:db8::21', targetIp: '2001:db8::22' }))).toBe('ICMPv6');
    expect(frameProtocol(buildLldp({ srcMac: v4.srcMac, portId: 'vmnic0' }))).toBe('LLDP');
    expect(frameProtocol(buildCdp({ srcMac: v4.srcMac, deviceId: 'esx-01', portId: 'vmnic0' }))).toBe('CDP');
  });

  it('reads the hex the server sends (hexToBytes skips separators, ignores an odd digit)', () => {
    const f = buildIcmpEcho({ ...v4, type: 'request' });
    expect(hexToBytes(toHex(f))).toEqual(f);
    expect(hexToBytes('00:50 5')).toEqual(Uint8Array.from([0x00, 0x50]));
  });
});

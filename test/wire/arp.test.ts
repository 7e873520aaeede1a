import { describe, it, expect } from 'vitest';
import { buildArp, buildGratuitousArp, buildRarp, fromHex, parseArpPacket, toHex, FrameInputError } from '../../src/wire/index.js';

const PAD18 = '00'.repeat(18);

describe('ARP', () => {
  it('builds a request byte for byte (RFC 826 layout, broadcast, target MAC zero)', () => {
    const f = buildArp({ op: 'request', srcMac: '00:50:56:aa:00:01', senderIp: '10.0.10.11', targetIp: '10.0.10.12' });
    const expected = 'ffffffffffff' + '005056aa0001' + '0806' + // Ethernet
      '0001' + '0800' + '06' + '04' + '0001' + // htype Ethernet, ptype IPv4, hlen 6, plen 4, op request
      '005056aa0001' + '0a000a0b' + // sender 10.0.10.11
      '000000000000' + '0a000a0c' + // target 10.0.10.12
      PAD18;
    expect(toHex(f)).toBe(expected);
  });

  it('builds a reply to the asker, target MAC defaulting to dstMac', () => {
    const f = buildArp({ op: 'reply', srcMac: '0050.56aa.0002', dstMac: '00-50-56-AA-00-01', senderIp: '10.0.10.12', targetIp: 0x0a000a0b });
    expect(toHex(f)).toBe('005056aa0001005056aa00020806' + '000108000604' + '0002' + '005056aa00020a000a0c' + '005056aa00010a000a0b' + PAD18);
  });

  it('builds a tagged request (VLAN 10 -> TCI 0x000a) still padded to 60', () => {
    const f = buildArp({ op: 'request', srcMac: '00:50:56:aa:00:01', senderIp: '10.0.10.11', targetIp: '10.0.10.12', vlan: 10 });
    expect(f.length).toBe(60);
    expect(toHex(f.subarray(12, 20))).toBe('8100000a08060001');
  });

  it('parses what it builds, after any tags', () => {
    const f = buildArp({ op: 'request', srcMac: '00:50:56:aa:00:01', senderIp: '10.0.10.11', targetIp: '10.0.10.12', vlan: [100, 10] });
    const a = parseArpPacket(f)!;
    expect(a.ethertype).toBe(0x0806);
    expect(a.op).toBe(1);
    expect(toHex(a.senderMac)).toBe('005056aa0001');
    expect(a.senderIp).toBe(0x0a000a0b);
    expect(toHex(a.targetMac)).toBe('000000000000');
    expect(a.targetIp).toBe(0x0a000a0c);
  });

  it('gratuitous ARP: request, sender IP = target IP, broadcast', () => {
    const f = buildGratuitousArp({ srcMac: '00:50:56:aa:00:01', ip: '10.0.0.5' });
    const a = parseArpPacket(f)!;
    expect(toHex(f.subarray(0, 6))).toBe('ffffffffffff');
    expect(a.op).toBe(1);
    expect(a.senderIp).toBe(a.targetIp);
    expect(a.senderIp).toBe(0x0a000005);
  });

  it('returns null for non-ARP, truncated or non-Ethernet/IPv4 ARP', () => {
    expect(parseArpPacket(fromHex('ffffffffffff005056aa00010800' + '00'.repeat(46)))).toBeNull();
    expect(parseArpPacket(fromHex('ffffffffffff005056aa00010806 0001 0800 0604 0001'))).toBeNull();
    // htype 6 (IEEE 802) is not ours
    expect(parseArpPacket(fromHex('ffffffffffff005056aa00010806 0006 0800 0604 0001' + '00'.repeat(20)))).toBeNull();
  });

  it('rejects bad input naming the field', () => {
    expect(() => buildArp({ op: 'request', srcMac: '00:50:56:zz:00:01', senderIp: '10.0.0.1', targetIp: '10.0.0.2' })).toThrow(/srcMac: "00:50:56:zz:00:01" is not a MAC/);
    expect(() => buildArp({ op: 'request', srcMac: '00:50:56:aa:00:01', senderIp: '10.0.0.300', targetIp: '10.0.0.2' })).toThrow(FrameInputError);
    expect(() => buildArp({ op: 'reply', srcMac: '00:50:56:aa:00:01', senderIp: '10.0.0.1', targetIp: '10.0.0.2' })).toThrow(/dstMac/);
    expect(() => buildArp({ op: 'ask' as 'request', srcMac: '00:50:56:aa:00:01', senderIp: '10.0.0.1', targetIp: '10.0.0.2' })).toThrow(/op/);
    expect(() => buildArp({ op: 'request', srcMac: new Uint8Array(5), senderIp: '10.0.0.1', targetIp: '10.0.0.2' })).toThrow(/6 bytes/);
    try {
      buildArp({ op: 'request', srcMac: '00:50:56:aa:00:01', senderIp: -1, targetIp: '10.0.0.2' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FrameInputError);
      expect((e as FrameInputError).field).toBe('senderIp');
    }
  });
});

describe('RARP (T7 notify switches)', () => {
  it('T7: builds ESXi\'s notify frame — 0x8035, op 3, broadcast, both hardware addresses the vNIC MAC, IPs 0.0.0.0', () => {
    const f = buildRarp({ srcMac: '00:50:56:aa:00:01' });
    expect(toHex(f)).toBe(
      'ffffffffffff005056aa0001' + '8035' + '000108000604' + '0003' + '005056aa0001' + '00000000' + '005056aa0001' + '00000000' + PAD18,
    );
    const a = parseArpPacket(f)!;
    expect(a.ethertype).toBe(0x8035);
    expect(a.op).toBe(3);
  });

  it('carries a VLAN tag when asked', () => {
    const f = buildRarp({ srcMac: '00:50:56:aa:00:01', vlan: 20 });
    expect(toHex(f.subarray(12, 18))).toBe('810000148035');
    expect(parseArpPacket(f)!.op).toBe(3);
  });
});

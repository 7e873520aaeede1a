/** Capture filters (pktcap-uw style): each condition alone, their combination, and the text form. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CaptureFilter, CaptureFilterError, DIR_INBOUND, DIR_NONE, DIR_OUTBOUND, parseCaptureFilter } from '../../src/capture/capture-filter.js';
import { buildArp, buildEthernet, buildIcmpEcho, buildIcmpv6Echo, buildUdp, pushTag } from '../../src/wire/index.js';

const A = '00:50:56:aa:00:01';
const B = '00:50:56:aa:00:02';

const m = (f: CaptureFilter, frame: Uint8Array, dir = DIR_NONE, vlan = -1, untagged = -1): boolean => f.matches(frame, dir, vlan, untagged);

describe('capture filters', () => {
  const plain = buildEthernet({ src: A, dst: B, ethertype: 0x88b5, payload: new Uint8Array(46) });

  it('an empty filter passes everything', () => {
    const f = new CaptureFilter();
    expect(f.empty).toBe(true);
    expect(m(f, plain)).toBe(true);
    expect(m(f, new Uint8Array(3))).toBe(true);
  });

  it('MAC: either, source, destination', () => {
    expect(m(new CaptureFilter({ mac: A }), plain)).toBe(true);
    expect(m(new CaptureFilter({ mac: B }), plain)).toBe(true);
    expect(m(new CaptureFilter({ mac: '00:50:56:aa:00:03' }), plain)).toBe(false);
    expect(m(new CaptureFilter({ srcMac: A }), plain)).toBe(true);
    expect(m(new CaptureFilter({ srcMac: B }), plain)).toBe(false);
    expect(m(new CaptureFilter({ dstMac: '0050.56aa.0002' }), plain)).toBe(true);
  });

  it('VLAN: the tag when tagged, else the VLAN the engine classified, else the point\'s untagged VLAN', () => {
    const f = new CaptureFilter({ vlan: 10 });
    const t10 = pushTag(plain, 10);
    expect(m(f, t10)).toBe(true);
    expect(m(f, pushTag(plain, 20), DIR_NONE, 10)).toBe(false); // the tag wins
    expect(m(f, plain, DIR_NONE, 10)).toBe(true);
    expect(m(f, plain, DIR_NONE, -1, 10)).toBe(true);
    expect(m(f, plain, DIR_NONE, -1, 0)).toBe(false);
    expect(m(new CaptureFilter({ vlan: 0 }), plain, DIR_NONE, -1, 0)).toBe(true);
    expect(m(f, pushTag(plain, 0), DIR_NONE, -1, 10)).toBe(true); // a priority tag is not a VLAN
  });

  it('EtherType after the tags, by number or name', () => {
    const arp = buildArp({ op: 'request', srcMac: A, senderIp: '10.0.10.1', targetIp: '10.0.10.2' });
    expect(m(new CaptureFilter({ ethertype: 'arp' }), arp)).toBe(true);
    expect(m(new CaptureFilter({ ethertype: 0x0806 }), pushTag(arp, 10))).toBe(true);
    expect(m(new CaptureFilter({ ethertype: 'ipv4' }), arp)).toBe(false);
    expect(m(new CaptureFilter({ ethertype: '0x88b5' }), plain)).toBe(true);
  });

  it('IP: address or prefix, source/destination/either, IPv4, IPv6, and ARP addresses', () => {
    const echo = buildIcmpEcho({ type: 'request', srcMac: A, dstMac: B, srcIp: '10.0.10.1', dstIp: '10.0.10.2' });
    expect(m(new CaptureFilter({ ip: '10.0.10.2' }), echo)).toBe(true);
    expect(m(new CaptureFilter({ ip: '10.0.10.3' }), echo)).toBe(false);
    expect(m(new CaptureFilter({ srcIp: '10.0.10.1' }), echo)).toBe(true);
    expect(m(new CaptureFilter({ srcIp: '10.0.10.2' }), echo)).toBe(false);
    expect(m(new CaptureFilter({ dstIp: '10.0.10.0/24' }), pushTag(echo, 10))).toBe(true);
    expect(m(new CaptureFilter({ dstIp: '10.0.20.0/24' }), echo)).toBe(false);
    expect(m(new CaptureFilter({ ip: '0.0.0.0/0' }), echo)).toBe(true);
    expect(m(new CaptureFilter({ ip: '2001:db8::1' }), echo)).toBe(false);
    const arp = buildArp({ op: 'request', srcMac: A, senderIp: '10.0.10.1', targetIp: '10.0.10.2' });
    expect(m(new CaptureFilter({ ip: '10.0.10.2' }), arp)).toBe(true);
    expect(m(new CaptureFilter({ dstIp: '10.0.10.1' }), arp)).toBe(false);
    expect(m(new CaptureFilter({ ip: '10.0.10.2' }), plain)).toBe(false);
    const v6 = buildIcmpv6Echo({ type: 'request', srcMac: A, dstMac: B, srcIp: '2001:db8::1', dstIp: '2001:db8::2' });
    expect(m(new CaptureFilter({ srcIp: '2001:db8::1' }), v6)).toBe(true);
    expect(m(new CaptureFilter({ ip: '2001:db8::/32', ipProto: 'icmpv6' }), v6)).toBe(true);
    expect(m(new CaptureFilter({ dstIp: '2001:db8::1' }), v6)).toBe(false);
    expect(m(new CaptureFilter({ ip: '10.0.10.1' }), v6)).toBe(false);
  });

  it('IP protocol by name or number', () => {
    const echo = buildIcmpEcho({ type: 'request', srcMac: A, dstMac: B, srcIp: '10.0.10.1', dstIp: '10.0.10.2' });
    const udp = buildUdp({ srcMac: A, dstMac: B, srcIp: '10.0.10.1', dstIp: '10.0.10.2', srcPort: 1000, dstPort: 53, payload: new Uint8Array(4) });
    expect(m(new CaptureFilter({ ipProto: 'icmp' }), echo)).toBe(true);
    expect(m(new CaptureFilter({ ipProto: 17 }), echo)).toBe(false);
    expect(m(new CaptureFilter({ ipProto: 'udp' }), udp)).toBe(true);
    expect(m(new CaptureFilter({ ipProto: 'icmp' }), plain)).toBe(false);
  });

  it('direction: only where the point has one (Drop records pass)', () => {
    const f = new CaptureFilter({ direction: 'inbound' });
    expect(m(f, plain, DIR_INBOUND)).toBe(true);
    expect(m(f, plain, DIR_OUTBOUND)).toBe(false);
    expect(m(f, plain, DIR_NONE)).toBe(true);
  });

  it('all conditions must hold', () => {
    const echo = buildIcmpEcho({ type: 'request', srcMac: A, dstMac: B, srcIp: '10.0.10.1', dstIp: '10.0.10.2' });
    const f = new CaptureFilter({ srcMac: A, vlan: 10, ipProto: 'icmp', direction: 'outbound' });
    expect(m(f, pushTag(echo, 10), DIR_OUTBOUND)).toBe(true);
    expect(m(f, pushTag(echo, 10), DIR_INBOUND)).toBe(false);
    expect(m(f, pushTag(echo, 20), DIR_OUTBOUND)).toBe(false);
  });

  it('text form: pktcap-uw words; round trip through toString', () => {
    const spec = parseCaptureFilter('vlan=10,srcmac=00:50:56:AA:00:01 proto=icmp,dir=in,ip=10.0.0.0/8,ethtype=0x0800');
    expect(spec).toEqual({ vlan: 10, srcMac: '00:50:56:AA:00:01', ipProto: 'icmp', direction: 'inbound', ip: '10.0.0.0/8', ethertype: '0x0800' });
    const f = new CaptureFilter(spec);
    expect(parseCaptureFilter(f.toString())).toEqual(spec);
  });

  it('bad filters say what is wrong', () => {
    expect(() => parseCaptureFilter('colour=red')).toThrow(/unknown filter "colour"; use mac=, srcmac=/);
    expect(() => parseCaptureFilter('vlan=4096')).toThrow(/vlan: 4096 is not a VLAN ID in 0..4095/);
    expect(() => parseCaptureFilter('vlan=ten')).toThrow(CaptureFilterError);
    expect(() => parseCaptureFilter('mac=00:50')).toThrow(/mac: "00:50" is not a MAC address/);
    expect(() => parseCaptureFilter('ip=10.0.0.300')).toThrow(/ip: "10.0.0.300" is not an IPv4 or IPv6 address/);
    expect(() => parseCaptureFilter('proto=carrier-pigeon')).toThrow(/proto: "carrier-pigeon" is not icmp/);
    expect(() => parseCaptureFilter('dir=sideways')).toThrow(/dir: "sideways" is not in or out/);
    expect(() => parseCaptureFilter('vlan=1,vlan=2')).toThrow(/vlan is given twice/);
    expect(() => parseCaptureFilter('vlan=')).toThrow(/vlan= needs a value/);
  });

  it('property: a MAC filter agrees with comparing the address bytes, tagged or not', () => {
    const macArb = fc.uint8Array({ minLength: 6, maxLength: 6 });
    fc.assert(
      fc.property(macArb, macArb, macArb, fc.option(fc.integer({ min: 1, max: 4094 }), { nil: undefined }), (src, dst, want, vlan) => {
        const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
        let f = buildEthernet({ src: hex(src), dst: hex(dst), ethertype: 0x88b5, payload: new Uint8Array(46) });
        if (vlan !== undefined) f = pushTag(f, vlan);
        const w = hex(want);
        const eq = (a: Uint8Array) => Buffer.from(a).equals(Buffer.from(want));
        expect(m(new CaptureFilter({ mac: w }), f)).toBe(eq(src) || eq(dst));
        expect(m(new CaptureFilter({ srcMac: w }), f)).toBe(eq(src));
        expect(m(new CaptureFilter({ dstMac: w }), f)).toBe(eq(dst));
      }),
      { numRuns: 300 },
    );
  });
});

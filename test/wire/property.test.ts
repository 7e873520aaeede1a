import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { decodeFrame, describe as describeFrame, emitPacket, innerEthertype, l3Offset, outerVid, parsePacket, popTag, pushTag, readTags, tagCount, toHex } from '../../src/wire/index.js';
import { packetRepr } from './arbitraries.js';

const RUNS = 400;

describe('codec properties', () => {
  it('emit(parse(f)) == f for generated valid frames (0-2 tags, ARP/RARP, IPv4 ICMP/UDP/fragments, other types)', () => {
    fc.assert(
      fc.property(packetRepr, (repr) => {
        const f = emitPacket(repr);
        const parsed = parsePacket(f);
        expect(parsed).not.toBeNull();
        expect(toHex(emitPacket(parsed!))).toBe(toHex(f));
      }),
      { numRuns: RUNS },
    );
  });

  it('the in-place accessors agree with the parsed tag stack', () => {
    fc.assert(
      fc.property(packetRepr, (repr) => {
        const f = emitPacket(repr);
        expect(tagCount(f)).toBe(repr.ethernet.tags.length);
        expect(readTags(f)).toEqual(repr.ethernet.tags);
        expect(outerVid(f)).toBe(repr.ethernet.tags[0]?.vid ?? -1);
        expect(innerEthertype(f)).toBe(repr.ethernet.ethertype);
        expect(l3Offset(f)).toBe(14 + 4 * repr.ethernet.tags.length);
      }),
      { numRuns: RUNS },
    );
  });

  it('popTag(pushTag(f)) == f for frames of at least 60 bytes; push never changes its input', () => {
    fc.assert(
      fc.property(packetRepr, fc.integer({ min: 0, max: 4095 }), fc.integer({ min: 0, max: 7 }), (repr, vid, pcp) => {
        const f = emitPacket(repr);
        const before = toHex(f);
        const t = pushTag(f, vid, pcp);
        expect(toHex(f)).toBe(before);
        expect(outerVid(t)).toBe(vid);
        const back = popTag(t);
        if (f.length >= 60) expect(toHex(back)).toBe(before);
        else expect(toHex(back.subarray(0, f.length))).toBe(before);
      }),
      { numRuns: RUNS },
    );
  });

  it('valid frames decode without a malformed note', () => {
    fc.assert(
      fc.property(packetRepr, (repr) => {
        const d = decodeFrame(emitPacket(repr));
        expect(d.malformed).toBeUndefined();
        expect(d.layers[0]!.name).toBe('Ethernet II');
      }),
      { numRuns: RUNS },
    );
  });

  it('truncated valid frames report malformed in the layer that was cut', () => {
    fc.assert(
      fc.property(packetRepr, fc.nat(), (repr, cutSeed) => {
        const f = emitPacket(repr);
        const n = cutSeed % f.length;
        const d = decodeFrame(f.subarray(0, n));
        const k = repr.ethernet.tags.length;
        const net = repr.network;
        const l3 = net.kind === 'arp' ? 28 : net.kind === 'ipv4' ? 20 + (net.ip.options?.length ?? 0) + (net.transport.kind === 'raw' ? net.transport.bytes.length : 8 + net.transport.data.length) : 0;
        let expected: string | undefined;
        if (n < 14) expected = 'Ethernet II';
        else if (n < 14 + 4 * k) {
          const i = Math.floor((n - 14) / 4);
          expected = repr.ethernet.tags[i]!.tpid === 0x88a8 ? '802.1ad' : '802.1Q';
        } else if (net.kind !== 'raw' && n < 14 + 4 * k + l3) expected = net.kind === 'arp' ? (net.arp.ethertype === 0x8035 ? 'RARP' : 'ARP') : 'IPv4';
        expect(d.malformed?.layer).toBe(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('random bytes never make decodeFrame or describe throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const d = decodeFrame(bytes);
        expect(d.malformed?.message ?? '').not.toMatch(/decoder error/);
        expect(typeof d.summary).toBe('string');
        expect(typeof describeFrame(bytes)).toBe('string');
        for (const l of d.layers) expect(l.offset + l.length).toBeLessThanOrEqual(Math.max(bytes.length, 14));
      }),
      { numRuns: 2000 },
    );
  });

  it('random bytes behind a real header (tags, ARP, IPv4, IPv6, LLDP, 802.3) never throw', () => {
    const head = fc.constantFrom('0800', '0806', '8035', '86dd', '88cc', '8100000a0800', '88a800648100000a86dd', '0030', '0026aaaa03', '002642420300');
    fc.assert(
      fc.property(head, fc.uint8Array({ maxLength: 120 }), (h, body) => {
        const f = new Uint8Array(12 + h.length / 2 + body.length);
        f.set(Uint8Array.from(h.match(/../g)!.map((x) => parseInt(x, 16))), 12);
        f.set(body, 12 + h.length / 2);
        // the decoder's own safety net must not be what kept it from throwing
        expect(decodeFrame(f).malformed?.message ?? '').not.toMatch(/decoder error/);
        expect(() => describeFrame(f)).not.toThrow();
      }),
      { numRuns: 3000 },
    );
  });
});

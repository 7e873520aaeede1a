/** fast-check generators of valid frames as reprs (shared by the property tests). */
import fc from 'fast-check';
import type { PacketRepr, TransportRepr, VlanTag } from '../../src/wire/index.js';

export const mac = fc.uint8Array({ minLength: 6, maxLength: 6 });
export const ipv4 = fc.integer({ min: 0, max: 0xffff_ffff });

export const tag: fc.Arbitrary<VlanTag> = fc.record({
  tpid: fc.constantFrom(0x8100, 0x88a8),
  pcp: fc.integer({ min: 0, max: 7 }),
  dei: fc.boolean(),
  vid: fc.integer({ min: 0, max: 4095 }),
});
export const tags = fc.array(tag, { maxLength: 2 });

const KNOWN = new Set([0x0800, 0x0806, 0x8035, 0x8100, 0x88a8, 0x9100, 0x86dd, 0x88cc]);
const rawEthertype = fc.integer({ min: 0x0600, max: 0xffff }).filter((t) => !KNOWN.has(t));

const arp = fc.record({
  ethertype: fc.constantFrom(0x0806 as const, 0x8035 as const),
  op: fc.integer({ min: 1, max: 4 }),
  senderMac: mac,
  senderIp: ipv4,
  targetMac: mac,
  targetIp: ipv4,
});

const data = (max: number) => fc.uint8Array({ maxLength: max });

const icmp: fc.Arbitrary<TransportRepr> = fc.record({
  kind: fc.constant('icmp' as const),
  type: fc.constantFrom(0, 3, 8, 11),
  code: fc.integer({ min: 0, max: 15 }),
  rest: fc.integer({ min: 0, max: 0xffff_ffff }),
  data: data(200),
});
const udp: fc.Arbitrary<TransportRepr> = fc.record(
  { kind: fc.constant('udp' as const), srcPort: fc.integer({ min: 0, max: 0xffff }), dstPort: fc.integer({ min: 0, max: 0xffff }), data: data(200), noChecksum: fc.boolean() },
  { requiredKeys: ['kind', 'srcPort', 'dstPort', 'data'] },
);
const raw: fc.Arbitrary<TransportRepr> = fc.record({ kind: fc.constant('raw' as const), bytes: data(200) });

const ipBase = {
  src: ipv4,
  dst: ipv4,
  ttl: fc.integer({ min: 0, max: 255 }),
  identification: fc.integer({ min: 0, max: 0xffff }),
  df: fc.boolean(),
  tos: fc.integer({ min: 0, max: 255 }),
  options: fc.integer({ min: 0, max: 10 }).chain((n) => fc.uint8Array({ minLength: 4 * n, maxLength: 4 * n })),
};

/** A whole IPv4 packet carrying ICMP or UDP, or a fragment / other protocol as raw bytes. */
const ipv4Network = fc.oneof(
  fc.record({ ...ipBase, mf: fc.constant(false), fragmentOffset: fc.constant(0), transport: fc.oneof(icmp, udp) }).map((r) => {
    const { transport, ...ip } = r;
    return { kind: 'ipv4' as const, ip: { ...ip, protocol: transport.kind === 'icmp' ? 1 : 17 }, transport };
  }),
  fc
    .record({
      ...ipBase,
      mf: fc.boolean(),
      fragmentOffset: fc.integer({ min: 0, max: 0x1fff }).map((u) => u * 8),
      protocol: fc.constantFrom(1, 2, 17, 47, 50, 89, 112),
      transport: raw,
    })
    .filter((r) => r.protocol !== 1 && r.protocol !== 17 ? true : r.mf || r.fragmentOffset !== 0)
    .map((r) => {
      const { transport, ...ip } = r;
      return { kind: 'ipv4' as const, ip, transport };
    }),
);

/** Valid frames: Ethernet with 0-2 tags over ARP/RARP, IPv4 (ICMP, UDP, fragments) or an unknown EtherType. */
export const packetRepr: fc.Arbitrary<PacketRepr> = fc
  .record({
    dst: mac,
    src: mac,
    tags,
    body: fc.oneof(
      arp.map((a) => ({ ethertype: a.ethertype, network: { kind: 'arp' as const, arp: a } })),
      ipv4Network.map((n) => ({ ethertype: 0x0800, network: n })),
      fc.record({ t: rawEthertype, bytes: data(100) }).map(({ t, bytes }) => ({ ethertype: t, network: { kind: 'raw' as const, bytes } })),
    ),
    trailer: fc.oneof(fc.constant('pad' as const), data(20)),
  })
  .map(({ dst, src, tags: t, body, trailer }) => {
    const repr: PacketRepr = { ethernet: { dst, src, tags: t, ethertype: body.ethertype }, network: body.network, trailer: new Uint8Array(0) };
    if (body.network.kind === 'raw') return repr; // raw payload runs to the end of the frame: no trailer
    if (trailer === 'pad') {
      const l3 = body.network.kind === 'arp'
        ? 28
        : 20 + (body.network.ip.options?.length ?? 0) + (body.network.transport.kind === 'raw' ? body.network.transport.bytes.length : 8 + body.network.transport.data.length);
      repr.trailer = new Uint8Array(Math.max(0, 60 - 14 - 4 * t.length - l3));
    } else repr.trailer = trailer;
    return repr;
  });

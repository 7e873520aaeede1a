/**
 * Topology file format v1: the zod schema. Field names use vSphere's vocabulary. This file holds
 * the *shape* of a topology (types, ranges, formats); references between objects (a vNIC's port
 * group, a link's endpoints, ...) are checked in cross-references.ts, and policy inheritance
 * (vSwitch -> port group) is resolved in policy.ts.
 *
 * Interfaces are named `node:interface` everywhere: `web-01:eth0`, `esxi-01:vmk0`,
 * `esxi-01:vmnic1`, `tor-1:eth3`, `laptop:eth0`.
 */
import { z } from 'zod';
import { macError, parseMac } from '../wire/mac.js';
import { ipv4Error, ipv6Error } from '../wire/ip.js';

// ---------------------------------------------------------------------------------------------
// Scalars

/** Object names as vSphere limits them (vSwitch, port group): at most 32 characters. */
const VSPHERE_NAME_MAX = 32;

export const NodeName = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must start with a letter or digit and use only letters, digits, ".", "_" and "-"')
  .describe('Name of a node (host, VM, physical switch, physical host); unique across the topology.');

export const InterfaceName = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9./_-]*$/, 'must start with a letter or digit and use only letters, digits, ".", "/", "_" and "-"')
  .describe('Name of an interface on its node, e.g. eth0, vmnic1, vmk0, Gi1/0/1.');

export const VSphereName = z
  .string()
  .min(1, 'must not be empty')
  .max(VSPHERE_NAME_MAX, `must be at most ${VSPHERE_NAME_MAX} characters (vSphere's limit)`);

/** `node:interface` */
export const InterfaceRef = z
  .string()
  .regex(/^[^:\s]+:[^:\s]+$/, 'must be "node:interface", e.g. "esxi-01:vmnic0"')
  .describe('An interface, written "node:interface".');

/** For editors (JSON Schema `pattern`); the check itself is wire/mac.ts's parser. */
const MAC_PATTERN = '^\\s*(?:[0-9A-Fa-f]{1,2}(?::[0-9A-Fa-f]{1,2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}(?:\\.[0-9A-Fa-f]{4}){2}|[0-9A-Fa-f]{12})\\s*$';
const IPV4_OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_PATTERN = `^\\s*${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}\\s*$`;
const IPV4_CIDR_PATTERN = `^\\s*${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}/(?:3[0-2]|[12]?\\d)\\s*$`;

export const Mac = z
  .string()
  .superRefine((s, ctx) => {
    const e = macError(s);
    if (e) ctx.addIssue({ code: 'custom', message: e });
  })
  .meta({ pattern: MAC_PATTERN })
  .describe('MAC address: 00:50:56:aa:00:01, 00-50-56-aa-00-01 or 0050.56aa.0001.');

/** A multicast group MAC (first octet odd), not broadcast: an entry of a port's multicast filter (M1). */
export const MulticastMac = z
  .string()
  .superRefine((s, ctx) => {
    const e = macError(s);
    if (e) ctx.addIssue({ code: 'custom', message: e });
    else if ((parseMac(s)![0]! & 1) === 0) ctx.addIssue({ code: 'custom', message: 'not a multicast MAC (its first octet is even)' });
    else if (parseMac(s)!.every((x) => x === 0xff)) ctx.addIssue({ code: 'custom', message: 'ff:ff:ff:ff:ff:ff is broadcast, which every port receives; it is never in a multicast filter' });
  })
  .meta({ pattern: MAC_PATTERN })
  .describe('A multicast group MAC, e.g. 01:00:5e:01:02:03 (IPv4 group 239.1.2.3) or 33:33:00:00:00:01 (IPv6 all-nodes).');

export const Ipv4Cidr = z
  .string()
  .superRefine((s, ctx) => {
    const e = ipv4Error(s, true);
    if (e) ctx.addIssue({ code: 'custom', message: e });
  })
  .meta({ pattern: IPV4_CIDR_PATTERN })
  .describe('IPv4 address with prefix length, e.g. 10.0.0.11/24.');

export const Ipv4Address = z
  .string()
  .superRefine((s, ctx) => {
    const e = ipv4Error(s, false);
    if (e) ctx.addIssue({ code: 'custom', message: e });
  })
  .meta({ pattern: IPV4_PATTERN })
  .describe('IPv4 address, e.g. 10.0.0.1.');

/** A ping target (E4): an IPv4 or an IPv6 address, no prefix. */
export const IpAddress = z
  .string()
  .superRefine((s, ctx) => {
    if (s.includes('/') || (ipv4Error(s, false) !== null && (!s.includes(':') || ipv6Error(s, false) !== null))) {
      ctx.addIssue({ code: 'custom', message: `"${s}" is not an IPv4 address (like 10.0.0.21) or an IPv6 address (like fe80::1)` });
    }
  })
  .describe('IPv4 or IPv6 address, e.g. 10.0.0.1 or fe80::1.');

export const Ipv6Cidr = z
  .string()
  .superRefine((s, ctx) => {
    const e = ipv6Error(s, true);
    if (e) ctx.addIssue({ code: 'custom', message: e });
  })
  .describe('IPv6 address with prefix length, e.g. 2001:db8:10::11/64.');

export const VlanId = z
  .number()
  .int('must be a whole number')
  .min(0, 'VLAN ID must be 0..4095')
  .max(4095, 'VLAN ID must be 0..4095')
  .describe('Port group VLAN ID: 0 = untagged (EST), 1..4094 = the vSwitch tags (VST), 4095 = the guest tags (VGT, trunk).');

/** VLAN that can appear on a wire (1..4094). */
export const WireVlan = z
  .number()
  .int('must be a whole number')
  .min(1, 'VLAN must be 1..4094')
  .max(4094, 'VLAN must be 1..4094');

export const Pcp = z.number().int('must be a whole number').min(0, 'PCP must be 0..7').max(7, 'PCP must be 0..7');

// ---------------------------------------------------------------------------------------------
// Policies (vss-behaviour §3 S*, §4 T*, §5 Q1)

export const AcceptReject = z.enum(['accept', 'reject']);

export const SecurityPolicy = z
  .object({
    promiscuous: AcceptReject.describe('S1 Promiscuous mode.'),
    macChanges: AcceptReject.describe('S2 MAC address changes.'),
    forgedTransmits: AcceptReject.describe('S3 Forged transmits.'),
  })
  .strict();

export const LoadBalancing = z
  .enum(['srcid', 'srcmac', 'iphash', 'failover'])
  .describe('T2 route based on originating virtual port (srcid), T3 source MAC hash (srcmac), T4 IP hash (iphash), T5 explicit failover order (failover).');

export const TeamingPolicy = z
  .object({
    loadBalancing: LoadBalancing,
    failureDetection: z.enum(['link', 'beacon']).describe('T6 network failure detection: link status only, or beacon probing.'),
    notifySwitches: z.boolean().describe('T7 notify switches (RARP after a move).'),
    failback: z.boolean().describe('T8 failback.'),
    active: z.array(InterfaceName).describe('T1 active uplinks (vmnic names), in order.'),
    standby: z.array(InterfaceName).describe('T1 standby uplinks, in order.'),
    unused: z.array(InterfaceName).describe('T1 unused uplinks.'),
  })
  .strict();

export const ShapingPolicy = z
  .object({
    enabled: z.boolean(),
    averageBps: z.number().int().positive().describe('Average bandwidth, bits per second.'),
    peakBps: z.number().int().positive().describe('Peak bandwidth, bits per second (>= average).'),
    burstBytes: z.number().int().positive().describe('Burst size, bytes.'),
  })
  .strict();

/** Policies as a vSwitch states them: every group optional, every field optional (defaults fill in). */
export const PolicySettings = z
  .object({
    security: SecurityPolicy.partial().optional(),
    teaming: TeamingPolicy.partial().optional(),
    shaping: ShapingPolicy.partial().optional(),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// ESXi host

export const PhysicalNic = z
  .object({
    name: InterfaceName.describe('vmnic name, e.g. vmnic0.'),
    mac: Mac,
    speedMbps: z.number().int().positive().optional().describe('Link speed; informational.'),
  })
  .strict();

export const PortGroup = z
  .object({
    name: VSphereName.describe('Port group name, unique per host.'),
    vlan: VlanId,
    policy: PolicySettings.optional().describe('Overrides of the vSwitch policy; an unset field inherits.'),
  })
  .strict();

export const VSwitch = z
  .object({
    name: VSphereName.describe('vSwitch name, unique per host, e.g. vSwitch0.'),
    mtu: z.number().int('must be a whole number').min(1280, 'vSwitch MTU must be 1280..9000').max(9000, 'vSwitch MTU must be 1280..9000').default(1500),
    uplinks: z.array(InterfaceName).default([]).describe('vmnics of this host; a vmnic belongs to at most one vSwitch.'),
    policy: PolicySettings.optional(),
    cdp: z.enum(['down', 'listen', 'advertise', 'both']).optional(),
    portGroups: z.array(PortGroup).default([]),
  })
  .strict();

export const VmkService = z.enum([
  'management',
  'vmotion',
  'provisioning',
  'faultToleranceLogging',
  'vSphereReplication',
  'vSphereReplicationNFC',
  'vsan',
  'vsanWitness',
  'vSphereBackupNFC',
]);

export const VmkernelAdapter = z
  .object({
    name: InterfaceName.regex(/^vmk\d+$/, 'VMkernel adapters are named vmk0, vmk1, ...'),
    portGroup: VSphereName.describe('Port group it sits in (alone: a vmk on a vSS has its port group to itself).'),
    mac: Mac,
    ipv4: Ipv4Cidr.optional(),
    ipv6: z.array(Ipv6Cidr).optional(),
    gateway: Ipv4Address.optional(),
    mtu: z.number().int().min(1280, 'vmk MTU must be 1280..9000').max(9000, 'vmk MTU must be 1280..9000').default(1500),
    netstack: z.enum(['default', 'vmotion', 'provisioning']).default('default').describe('TCP/IP stack.'),
    services: z.array(VmkService).default([]),
  })
  .strict();

export const HostSettings = z
  .object({
    reversePathFwdCheckPromisc: z
      .boolean()
      .default(false)
      .describe('F8: apply the reverse-path check to promiscuous ports too (ESXi default off).'),
  })
  .strict();

export const Host = z
  .object({
    name: NodeName,
    nics: z.array(PhysicalNic).default([]),
    vswitches: z.array(VSwitch).default([]),
    vmkernel: z.array(VmkernelAdapter).default([]),
    settings: HostSettings.optional(),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Virtual machines

export const GuestVlanInterface = z
  .object({
    vlan: WireVlan,
    ipv4: Ipv4Cidr.optional(),
    ipv6: z.array(Ipv6Cidr).optional(),
  })
  .strict()
  .describe('A guest VLAN sub-interface (eth0.10), for vNICs on a VLAN 4095 port group.');

export const VNic = z
  .object({
    name: InterfaceName.describe('Guest interface name, e.g. eth0.'),
    portGroup: VSphereName.describe('Port group on the VM\'s host.'),
    mac: Mac.describe('Initial MAC (the configured one). The effective MAC starts equal to it.'),
    connected: z.boolean().default(true),
    ipv4: Ipv4Cidr.optional(),
    ipv6: z.array(Ipv6Cidr).optional(),
    gateway: Ipv4Address.optional(),
    mtu: z.number().int().min(68).max(9000).default(1500).describe('Guest interface MTU.'),
    vlans: z.array(GuestVlanInterface).optional(),
    multicast: z.array(MulticastMac).max(1024).optional()
      .describe('M1: multicast group MACs the guest registered on this vNIC (basic multicast filtering); the vSwitch delivers a multicast frame only to ports that registered its MAC.'),
  })
  .strict();

export const Vm = z
  .object({
    name: NodeName,
    host: NodeName.describe('The ESXi host it runs on.'),
    nics: z.array(VNic).min(1, 'a VM needs at least one vNIC'),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Physical network

export const VlanList = z
  .union([
    z.literal('all'),
    z.array(z.union([WireVlan, z.string().regex(/^\d{1,4}-\d{1,4}$/, 'a range is written "100-199"')])),
  ])
  .describe('"all", or a list of VLANs and ranges like [10, 20, "100-199"].');

export const SwitchPort = z.discriminatedUnion('mode', [
  z
    .object({
      name: InterfaceName,
      mode: z.literal('access'),
      vlan: WireVlan.default(1),
      channelGroup: z.number().int().positive().optional(),
      description: z.string().optional(),
    })
    .strict(),
  z
    .object({
      name: InterfaceName,
      mode: z.literal('trunk'),
      allowedVlans: VlanList.default('all'),
      nativeVlan: WireVlan.nullable().default(1).describe('VLAN of untagged frames, or null for none (untagged ingress dropped).'),
      nativeTagged: z.boolean().default(false).describe('Send the native VLAN tagged too.'),
      channelGroup: z.number().int().positive().optional(),
      description: z.string().optional(),
    })
    .strict(),
]);

export const PhysicalSwitch = z
  .object({
    name: NodeName,
    macAgingSeconds: z.number().int().min(0).default(300).describe('P1 MAC aging time (0 = never age).'),
    macTableSize: z.number().int().min(1).max(1_000_000).default(8192).describe('P1 MAC table size; the oldest entry is evicted first.'),
    ports: z.array(SwitchPort),
    channelGroups: z
      .array(z.object({ id: z.number().int().positive(), mode: z.literal('on').default('on') }).strict())
      .optional()
      .describe('P4 static EtherChannel groups; ports join with channelGroup.'),
  })
  .strict();

export const PhysicalHostNic = z
  .object({
    name: InterfaceName,
    mac: Mac,
    ipv4: Ipv4Cidr.optional(),
    ipv6: z.array(Ipv6Cidr).optional(),
    gateway: Ipv4Address.optional(),
    mtu: z.number().int().min(68).max(9216).default(1500),
    vlan: WireVlan.optional().describe('Send and expect frames tagged with this VLAN.'),
  })
  .strict();

export const PhysicalHost = z
  .object({
    name: NodeName,
    nics: z.array(PhysicalHostNic).min(1, 'a physical host needs at least one NIC'),
  })
  .strict();

export const LinkImpairments = z
  .object({
    lossPercent: z.number().min(0).max(100).default(0).describe('L1: share of frames lost on the cable, per direction, percent.'),
    delayMs: z.number().min(0).max(60_000).default(0).describe('L2: fixed delay added to every frame, ms (virtual clock).'),
    jitterMs: z.number().min(0).max(60_000).default(0).describe('L2: random extra delay of -jitter..+jitter ms (never below 0 in total); frames may be reordered, as with netem.'),
    duplicatePercent: z.number().min(0).max(100).default(0).describe('L3: share of frames delivered twice, percent.'),
    bandwidthKbps: z.number().int().min(1).max(100_000_000).optional().describe('L4: line rate per direction, kbit/s; frames wait their turn to be sent.'),
    queueFrames: z.number().int().min(1).max(100_000).default(1000).describe('L4: frames that may wait for the line; a frame beyond is dropped LINK_QUEUE_FULL.'),
    seed: z.number().int().min(0).max(0xffff_ffff).default(1).describe('Seed of the random draws (L1-L3): the same seed gives the same losses, jitter and duplicates.'),
  })
  .strict()
  .describe('Link impairments (rules L*): loss, delay and jitter, duplication and a bandwidth limit, applied in each direction of the cable on the virtual clock.');

export const Link = z
  .object({
    a: InterfaceRef,
    b: InterfaceRef,
    up: z.boolean().default(true),
    impairments: LinkImpairments.optional(),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Attachments: real hosts join the lab (docs/attachments.md)

const UdpPortNumber = z.number().int('must be a whole number').min(1, 'a UDP/TCP port is 1..65535').max(65535, 'a UDP/TCP port is 1..65535');

const AttachmentCommon = {
  name: NodeName.describe('Name of the attachment (status, errors).'),
  interface: InterfaceRef.describe(
    'The physical host NIC that stands for the outside host (frames delivered to it leave on the socket, frames from the socket are sent by it), or a switch port or vmnic without a cable (a stand-in physical host is added and cabled to it).',
  ),
  acceptAllMacs: z.boolean().optional()
    .describe('The real peer is a bridge or a switch: the NIC takes frames for every MAC (no E1 filter). Default false for a physical host NIC; always true on a switch port or vmnic.'),
  silenceSeconds: z.number().min(0.1).max(86_400).optional()
    .describe('Show the cable of `interface` down after this long without a frame from the peer, up again when frames return. Default: never.'),
};

export const VxlanAttachment = z
  .object({
    ...AttachmentCommon,
    type: z.literal('vxlan'),
    local: z.object({ address: Ipv4Address.describe('Address to bind (never 0.0.0.0 unless written).'), port: UdpPortNumber.default(4789) }).strict(),
    remote: z.object({
      address: Ipv4Address.describe('The only address frames are accepted from and sent to.'),
      port: UdpPortNumber.default(4789).describe('Always sent to this port (Linux defaults to 8472, containerlab to 14789).'),
    }).strict(),
    vni: z.number().int('must be a whole number').min(0, 'a VNI is 0..16777215').max(0xffffff, 'a VNI is 0..16777215').describe('24-bit VXLAN network identifier (RFC 7348).'),
  })
  .strict();

export const UdpAttachment = z
  .object({
    ...AttachmentCommon,
    type: z.literal('udp'),
    local: z.object({ address: Ipv4Address, port: UdpPortNumber }).strict(),
    remote: z.object({ address: Ipv4Address, port: UdpPortNumber }).strict(),
  })
  .strict()
  .describe('One raw Ethernet frame per UDP datagram (GNS3/uBridge UDP NIO, QEMU -netdev dgram, VirtualBox UDPTunnel).');

export const StreamAttachment = z
  .object({
    ...AttachmentCommon,
    type: z.literal('stream'),
    role: z.enum(['server', 'client']).describe('server: listen and accept the peer; client: connect to the peer (and reconnect).'),
    tcp: z.object({ address: Ipv4Address, port: UdpPortNumber }).strict().optional().describe('TCP address to listen on (server) or connect to (client).'),
    unix: z.string().min(1).max(107).optional().describe('UNIX stream socket path to listen on (server) or connect to (client).'),
    peer: Ipv4Address.optional().describe('TCP server: the only address a connection is accepted from.'),
    reconnectMs: z.number().int().min(10).max(600_000).default(1000).describe('Client: wait this long before connecting again.'),
  })
  .strict()
  .describe('QEMU -netdev stream framing: a 4-byte big-endian length, then the frame.');

export const Attachment = z.discriminatedUnion('type', [VxlanAttachment, UdpAttachment, StreamAttachment]);

// ---------------------------------------------------------------------------------------------
// Test frames and expectations (run by the engine: `vswitch-lab test`)

const FrameCommon = {
  dst: Mac.optional().describe('Destination MAC; default depends on the kind.'),
  src: Mac.optional().describe('Source MAC; default: the sending interface\'s effective MAC.'),
  vlan: z.union([z.number().int().min(0).max(4095), z.array(z.number().int().min(0).max(4095)).min(1).max(2)]).optional()
    .describe('802.1Q tag to add (or [outer, inner] for QinQ).'),
  pcp: Pcp.optional(),
};

/** IPv4 header fields a test frame may set (icmp-echo, udp). */
const IpCommon = {
  ttl: z.number().int().min(0).max(255).optional().describe('IPv4 TTL (default 64).'),
  dscp: z.number().int().min(0).max(63).optional().describe('IPv4 DSCP (default 0; 46 is EF).'),
};

/** A payload of this many bytes filled with a counting pattern (00 01 02 ...), instead of payloadHex. */
const PayloadLength = z.number().int().min(0).max(9000).optional().describe('Payload bytes filled with a counting pattern (00 01 02 ...), instead of payloadHex.');

export const FrameSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hex'), hex: z.string().min(1) }).strict(),
  z.object({ kind: z.literal('ethernet'), ...FrameCommon, ethertype: z.number().int().min(0).max(0xffff), payloadHex: z.string().optional(), payloadLength: PayloadLength }).strict(),
  z.object({ kind: z.literal('arp-request'), ...FrameCommon, targetIp: Ipv4Address, senderIp: Ipv4Address.optional() }).strict(),
  z.object({ kind: z.literal('arp-reply'), ...FrameCommon, targetIp: Ipv4Address, senderIp: Ipv4Address.optional(), targetMac: Mac.optional() }).strict(),
  z.object({ kind: z.literal('gratuitous-arp'), ...FrameCommon, ip: Ipv4Address.optional() }).strict(),
  z.object({ kind: z.literal('rarp'), ...FrameCommon }).strict(),
  z.object({
    kind: z.literal('icmp-echo'),
    ...FrameCommon,
    dstIp: Ipv4Address,
    srcIp: Ipv4Address.optional(),
    id: z.number().int().min(0).max(0xffff).optional(),
    seq: z.number().int().min(0).max(0xffff).optional(),
    size: z.number().int().min(0).max(9000).optional().describe('ICMP data bytes (like ping -s).'),
    df: z.boolean().optional(),
    ...IpCommon,
  }).strict(),
  z.object({
    kind: z.literal('udp'),
    ...FrameCommon,
    dstIp: Ipv4Address,
    srcIp: Ipv4Address.optional(),
    srcPort: z.number().int().min(0).max(0xffff).optional(),
    dstPort: z.number().int().min(0).max(0xffff),
    payloadHex: z.string().optional(),
    payloadLength: PayloadLength,
    df: z.boolean().optional(),
    ...IpCommon,
  }).strict(),
]);

export const TestExpect = z
  .object({
    deliveredTo: z.array(InterfaceRef).optional().describe('Exactly these endpoint interfaces receive a copy.'),
    alsoDeliveredTo: z.array(InterfaceRef).optional().describe('At least these receive a copy.'),
    notDeliveredTo: z.array(InterfaceRef).optional(),
    drop: z.object({ reason: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'a drop reason code, e.g. FORGED_TRANSMIT'), at: z.string().optional() }).strict().optional(),
    noDrops: z.boolean().optional(),
    pingSucceeds: z.boolean().optional(),
    pingMessage: z.string().optional().describe('Text the ping output must contain, e.g. "Message too long".'),
    deliveredVlan: z.record(z.string(), z.union([z.number().int(), z.literal('untagged')])).optional()
      .describe('Per receiving interface: the VLAN tag its copy carried, or "untagged".'),
  })
  .strict();

export const TestCase = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    send: z.object({ from: InterfaceRef, frame: FrameSpec, count: z.number().int().min(1).max(1000).optional() }).strict().optional(),
    ping: z
      .object({
        from: InterfaceRef,
        to: IpAddress,
        count: z.number().int().min(1).max(1000).default(1),
        size: z.number().int().min(0).max(65507).default(56),
        df: z.boolean().default(false),
      })
      .strict()
      .optional(),
    expect: TestExpect,
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Activities (graded exercises: `vswitch-lab test` and the UI's Lessons tab, src/engine/activity.ts)

export const ActivityCheck = z
  .object({
    send: TestCase.shape.send,
    ping: TestCase.shape.ping,
    expect: TestExpect.optional().describe('What the send and/or ping must show (the vocabulary of `tests`).'),
    macTable: z
      .array(
        z.object({
          switch: NodeName,
          mac: z.string().min(1).describe('A MAC, or the node:interface whose effective MAC it is.'),
          port: InterfaceRef.nullable().describe('Where it must be learned; null: absent.'),
          vlan: z.number().int().min(0).max(4095).optional(),
        }).strict(),
      )
      .optional()
      .describe('MAC address table entries of physical switches after the send/ping.'),
    setting: z
      .array(
        z
          .object({
            host: NodeName,
            vswitch: VSphereName.optional(),
            portGroup: VSphereName.optional(),
            value: z.string().min(1).describe(
              '"vlan" (port group), "mtu" (vSwitch), or an effective policy value: "security.forgedTransmits", "teaming.loadBalancing", "teaming.active", "shaping.enabled", ...',
            ),
            equals: z.unknown().describe('The value it must have.'),
          })
          .strict(),
      )
      .optional()
      .describe('Configuration values of the running lab (a VLAN ID, an MTU, an effective policy value).'),
  })
  .strict()
  .refine((c) => c.expect !== undefined || c.macTable !== undefined || c.setting !== undefined, 'a check needs expect, macTable or setting')
  .refine((c) => c.expect === undefined || c.send !== undefined || c.ping !== undefined, 'expect needs a send or a ping');

export const ActivityTask = z
  .object({
    title: z.string().min(1).max(200),
    instructions: z.string().default('').describe('Markdown shown to the learner (rendered safely: no HTML).'),
    points: z.number().int().min(0).max(100).default(1),
    check: ActivityCheck.describe('Holds when the task is done, on a fresh lab built from the topology as it is (runtime changes included).'),
  })
  .strict();

export const Activity = z
  .object({
    title: z.string().min(1).max(200),
    goal: z.string().optional().describe('Markdown: what the learner must achieve.'),
    tasks: z.array(ActivityTask).min(1, 'an activity needs at least one task'),
  })
  .strict()
  .describe('A graded activity: ordered tasks, each with instructions and a check; `vswitch-lab test` grades it (exit 0 only when every task passes).');

// ---------------------------------------------------------------------------------------------
// Top level

export const Defaults = z
  .object({
    security: SecurityPolicy.partial().optional().describe('S4: security defaults for every vSwitch that does not say (Reject/Reject/Reject when silent).'),
    teaming: TeamingPolicy.partial().optional(),
    shaping: ShapingPolicy.partial().optional(),
    arpCacheTimeoutSeconds: z.number().int().min(1).default(1200).describe('Endpoint ARP cache entry lifetime.'),
  })
  .strict();

export const Layout = z
  .object({
    positions: z.record(z.string(), z.object({ x: z.number(), y: z.number() }).strict()).default({}),
  })
  .strict()
  .describe('Where the UI draws nodes; no effect on behaviour.');

export const Topology = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(1).describe('Topology format version.'),
    name: z.string().min(1).max(100),
    description: z.string().optional(),
    defaults: Defaults.optional(),
    hosts: z.array(Host).default([]),
    vms: z.array(Vm).default([]),
    physicalSwitches: z.array(PhysicalSwitch).default([]),
    physicalHosts: z.array(PhysicalHost).default([]),
    links: z.array(Link).default([]),
    attachments: z.array(Attachment).optional().describe('Real transports (VXLAN, UDP, QEMU stream) that connect real hosts to NICs of the lab; off unless listed (docs/attachments.md).'),
    layout: Layout.optional(),
    tests: z.array(TestCase).optional(),
    scenarios: z
      .array(z.string().min(1).regex(/\.json$/, 'a scenario file ends in .json'))
      .optional()
      .describe('Timed scenario files that belong to this topology (paths relative to this file), run by `vswitch-lab run` and `vswitch-lab test`.'),
    activity: Activity.optional(),
  })
  .strict();

/** A topology as written in a file (defaults not yet applied). */
export type TopologyInput = z.input<typeof Topology>;
/** A topology after parsing: defaults applied, shapes checked (references not yet). */
export type TopologyDoc = z.output<typeof Topology>;
export type HostDoc = z.output<typeof Host>;
export type VSwitchDoc = z.output<typeof VSwitch>;
export type PortGroupDoc = z.output<typeof PortGroup>;
export type VmkernelDoc = z.output<typeof VmkernelAdapter>;
export type VmDoc = z.output<typeof Vm>;
export type VNicDoc = z.output<typeof VNic>;
export type PhysicalSwitchDoc = z.output<typeof PhysicalSwitch>;
export type SwitchPortDoc = z.output<typeof SwitchPort>;
export type PhysicalHostDoc = z.output<typeof PhysicalHost>;
export type PhysicalHostNicDoc = z.output<typeof PhysicalHostNic>;
export type LinkDoc = z.output<typeof Link>;
export type AttachmentDoc = z.output<typeof Attachment>;
export type LinkImpairmentsDoc = z.output<typeof LinkImpairments>;
export type PolicySettingsDoc = z.output<typeof PolicySettings>;
export type SecurityPolicyDoc = z.output<typeof SecurityPolicy>;
export type TeamingPolicyDoc = z.output<typeof TeamingPolicy>;
export type ShapingPolicyDoc = z.output<typeof ShapingPolicy>;
export type FrameSpecDoc = z.output<typeof FrameSpec>;
export type TestCaseDoc = z.output<typeof TestCase>;
export type TestExpectDoc = z.output<typeof TestExpect>;
export type ActivityDoc = z.output<typeof Activity>;
export type ActivityTaskDoc = z.output<typeof ActivityTask>;
export type ActivityCheckDoc = z.output<typeof ActivityCheck>;

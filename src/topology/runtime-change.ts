/**
 * Runtime changes of a running lab, as data (API bodies, timed scenario steps): one
 * discriminated union on `kind`. The engine applies them atomically (src/engine/runtime-changes.ts).
 *
 * Policy edits are patches: a field given sets that override, `null` removes it (the level then
 * inherits, vss-behaviour §0), an absent field stays as it is. The failover order
 * (active/standby/unused) is one unit (T1): giving any of the three states the order at that level.
 */
import { z } from 'zod';
import { AcceptReject, InterfaceName, InterfaceRef, LinkImpairments, LoadBalancing, Mac, MulticastMac, NodeName, VSphereName, VlanId } from './schema.js';

const opt = <T extends z.ZodType>(t: T) => t.nullable().optional();

export const PolicyPatch = z
  .object({
    security: z
      .object({ promiscuous: opt(AcceptReject), macChanges: opt(AcceptReject), forgedTransmits: opt(AcceptReject) })
      .strict()
      .nullable()
      .optional(),
    teaming: z
      .object({
        loadBalancing: opt(LoadBalancing),
        failureDetection: opt(z.enum(['link', 'beacon'])),
        notifySwitches: opt(z.boolean()),
        failback: opt(z.boolean()),
        active: opt(z.array(InterfaceName)),
        standby: opt(z.array(InterfaceName)),
        unused: opt(z.array(InterfaceName)),
      })
      .strict()
      .nullable()
      .optional(),
    shaping: z
      .object({
        enabled: opt(z.boolean()),
        averageBps: opt(z.number().int().positive()),
        peakBps: opt(z.number().int().positive()),
        burstBytes: opt(z.number().int().positive()),
      })
      .strict()
      .nullable()
      .optional(),
  })
  .strict()
  .describe('Policy overrides to set (a value), remove (null) or keep (absent).');

export const RuntimeChange = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('link'), iface: InterfaceRef.describe('Either end of a cable: uplink, switch port or physical NIC.'), up: z.boolean() }).strict()
    .describe('A cable goes up or down (both ends).'),
  z.object({
    kind: z.literal('link-impairments'),
    iface: InterfaceRef.describe('Either end of a cable: uplink, switch port or physical NIC.'),
    impairments: LinkImpairments.nullable().describe('The cable\'s impairments (replacing any it had), or null for a perfect cable.'),
  }).strict()
    .describe('Set or remove the loss, delay, jitter, duplication and bandwidth limit of a cable (rules L*).'),
  z.object({ kind: z.literal('vnic-connect'), iface: InterfaceRef, connected: z.boolean() }).strict()
    .describe('A VM vNIC is connected or disconnected (T7 notifies on connect).'),
  z.object({ kind: z.literal('effective-mac'), iface: InterfaceRef, mac: Mac }).strict()
    .describe('The guest sets its vNIC\'s effective MAC (S2).'),
  z.object({ kind: z.literal('multicast'), iface: InterfaceRef, groups: z.array(MulticastMac).max(1024) }).strict()
    .describe('The guest sets its vNIC\'s multicast filter (M1): the group MACs it joined, replacing the list it had ([] leaves every group).'),
  z.object({ kind: z.literal('portgroup'), host: NodeName, portGroup: VSphereName, vlan: VlanId.optional(), policy: PolicyPatch.optional() }).strict()
    .describe('Edit a port group\'s VLAN ID and/or policy overrides.'),
  z.object({ kind: z.literal('vswitch-policy'), host: NodeName, vswitch: VSphereName, policy: PolicyPatch }).strict()
    .describe('Edit a vSwitch\'s policy.'),
  z.object({ kind: z.literal('uplink-add'), host: NodeName, vswitch: VSphereName, uplink: InterfaceName }).strict()
    .describe('Add a vmnic of the host to a vSwitch as an uplink.'),
  z.object({ kind: z.literal('uplink-remove'), host: NodeName, vswitch: VSphereName, uplink: InterfaceName }).strict()
    .describe('Remove an uplink from a vSwitch (and from its failover orders).'),
  z.object({ kind: z.literal('migrate'), vm: NodeName, toHost: NodeName }).strict()
    .describe('vMotion (E3): move a VM to another host; its vNICs join port groups of the same names there.'),
]);

export type RuntimeChangeDoc = z.output<typeof RuntimeChange>;
export type PolicyPatchDoc = z.output<typeof PolicyPatch>;

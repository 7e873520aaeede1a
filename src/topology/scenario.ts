/**
 * Timed scenarios (`vswitch-lab run`): the file format. A scenario runs a lab on the virtual
 * clock for `duration`, with continuous pings, runtime changes and frames at given times, and
 * expectations checked at given times (`check` steps) and at the end (`expect`).
 *
 * Times are milliseconds (a number) or text: "2s", "2.5s", "100ms". A scenario file holds one
 * scenario; a topology lists the scenario files that belong to it in `scenarios` (paths relative
 * to the topology file).
 */
import { z } from 'zod';
import { FrameSpec, InterfaceRef, Ipv4Address, Mac, NodeName } from './schema.js';
import { RuntimeChange } from './runtime-change.js';

export const TimeText = z
  .union([
    z.number().min(0, 'a time must be >= 0 ms'),
    z.string().regex(/^\s*\d+(\.\d+)?\s*(ms|s)\s*$/, 'a time is milliseconds (a number) or text like "2s", "2.5s", "100ms"'),
  ])
  .describe('Virtual time: milliseconds, or "2s" / "100ms".');

/** Virtual ns of a time value (already schema-checked). */
export function timeNs(t: z.output<typeof TimeText>): number {
  if (typeof t === 'number') return Math.round(t * 1e6);
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/.exec(t)!;
  return Math.round(Number(m[1]) * (m[2] === 's' ? 1e9 : 1e6));
}

/** An address: a MAC, or an interface whose effective MAC is meant. */
const MacOrIface = z.union([Mac, InterfaceRef]).describe('A MAC address, or "node:interface" for the effective MAC of that interface.');

export const ContinuousPing = z
  .object({
    name: z.string().min(1).describe('Name to refer to it in expectations; default "from->to".').optional(),
    from: InterfaceRef.describe('Endpoint that pings (vNIC, vmk, physical host NIC).'),
    to: Ipv4Address,
    intervalMs: z.number().positive().default(100),
    start: TimeText.default(0),
    count: z.number().int().min(1).max(100_000).optional().describe('Probes; default: as many as fit until `until` (or the scenario end).'),
    until: TimeText.optional().describe('Last probe no later than this; default the scenario duration minus the timeout.'),
    timeoutMs: z.number().positive().default(1000),
    size: z.number().int().min(0).max(65507).default(56),
  })
  .strict();

export const FrameKind = z.enum(['any', 'rarp', 'beacon', 'arp', 'ipv4', 'icmp-echo-request', 'icmp-echo-reply']);

export const FrameExpect = z
  .object({
    at: InterfaceRef.describe('Where the frame is seen: an uplink (esxi-01:vmnic1), switch port, vNIC, ...'),
    point: z.enum(['PortInput', 'PortOutput', 'UplinkRcv', 'UplinkSnd', 'PhysRx', 'PhysTx', 'HostRx', 'HostTx']).optional()
      .describe('Capture point (O1); default any at that interface.'),
    kind: FrameKind.default('any'),
    ping: z.string().optional().describe("Only this continuous ping's echo requests/replies."),
    src: MacOrIface.optional(),
    dst: MacOrIface.optional(),
    vlan: z.number().int().min(0).max(4094).optional().describe('VLAN the frame is in at that point (0 = untagged).'),
    after: TimeText.optional(),
    before: TimeText.optional(),
    min: z.number().int().min(0).default(1),
    max: z.number().int().min(0).optional(),
  })
  .strict()
  .describe('Frames seen at an interface: which uplink carried a flow, whether a RARP went out, ...');

export const PingExpect = z
  .object({
    ping: z.string().describe('Name of a continuous ping.'),
    maxLost: z.number().int().min(0).optional(),
    minLost: z.number().int().min(0).optional(),
    minReceived: z.number().int().min(0).optional(),
  })
  .strict();

export const MacTableExpect = z
  .object({
    switch: NodeName,
    mac: MacOrIface,
    vlan: z.number().int().min(1).max(4094).optional(),
    port: z.string().nullable().describe('"tor-1:eth2" (or "tor-1:Po1" for an EtherChannel), or null: not in the table.'),
  })
  .strict();

export const DropExpect = z
  .object({
    reason: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'a drop reason code, e.g. SHAPING_QUEUE_FULL'),
    at: InterfaceRef.optional(),
    after: TimeText.optional(),
    before: TimeText.optional(),
    min: z.number().int().min(0).default(1),
    max: z.number().int().min(0).optional(),
  })
  .strict();

export const RateExpect = z
  .object({
    at: InterfaceRef.describe('Where to measure (e.g. the uplink or switch port the shaped traffic crosses).'),
    point: z.enum(['PortInput', 'PortOutput', 'UplinkRcv', 'UplinkSnd', 'PhysRx', 'PhysTx', 'HostRx', 'HostTx']).optional(),
    src: MacOrIface.optional(),
    after: TimeText,
    before: TimeText,
    bps: z.number().positive().describe('Expected rate in bits per second (frame bytes x 8).'),
    tolerance: z.number().min(0).max(1).default(0.01).describe('Allowed relative difference, default 1%.'),
  })
  .strict();

export const ScenarioExpect = z
  .object({
    pings: z.array(PingExpect).optional(),
    frames: z.array(FrameExpect).optional(),
    macTable: z.array(MacTableExpect).optional(),
    drops: z.array(DropExpect).optional(),
    rates: z.array(RateExpect).optional(),
  })
  .strict();

const SendStep = z
  .object({
    from: InterfaceRef,
    frame: FrameSpec,
    count: z.number().int().min(1).max(100_000).default(1),
    intervalMs: z.number().min(0).default(0).describe('Between frames when count > 1 (0 = all at once).'),
  })
  .strict();

export const ScenarioStep = z
  .object({
    at: TimeText,
    note: z.string().optional(),
    change: RuntimeChange.optional(),
    refused: z.boolean().optional().describe('The change is expected to be refused (the scenario fails if it is applied).'),
    send: SendStep.optional(),
    check: ScenarioExpect.optional().describe('Expectations checked at this moment.'),
  })
  .strict()
  .refine((s) => [s.change, s.send, s.check].filter((x) => x !== undefined).length === 1, { message: 'a step has exactly one of change, send, check' });

export const Scenario = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1),
    description: z.string().optional(),
    duration: TimeText.describe('How long the scenario runs (virtual time).'),
    pings: z.array(ContinuousPing).default([]),
    steps: z.array(ScenarioStep).default([]),
    expect: ScenarioExpect.optional().describe('Checked at the end.'),
  })
  .strict();

export type ScenarioDoc = z.output<typeof Scenario>;
export type ScenarioExpectDoc = z.output<typeof ScenarioExpect>;
export type ContinuousPingDoc = z.output<typeof ContinuousPing>;

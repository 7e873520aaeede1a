/**
 * `serve` with attachments (docs/attachments.md): opens the sockets the topology declares before
 * the server starts (a port that does not bind is exit 2, not a half-started lab), builds every
 * lab with the attached NICs relaying to them, and injects arrivals through the server's session
 * at the present of its real-time clock. The attachments are those of the topology `serve` was
 * started with: a topology loaded later through the API must declare the same ones (sockets are
 * never opened by the API).
 */
import { readFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { isDeepStrictEqual } from 'node:util';
import { PlanError, checkPlan, partitionRun, partitionTopology, type PartitionRun } from '../attach/partition-plan.js';
import { validateTopology } from '../topology/load.js';
import { CommandExit } from './cli-args.js';
import { Attachments, type AttachTarget } from '../attach/index.js';
import { createLab } from '../engine/index.js';
import type { TopologyDoc } from '../topology/schema.js';
import { withAttachmentStandIns } from '../topology/attachments.js';
import type { LabFactory } from '../server/engine-binding.js';
import type { LabSession } from '../server/lab-session.js';

/** Said when pausing or stepping is refused, and by `serve --clock paused|step`. */
export const REALTIME_ONLY = 'this lab has live attachments (real hosts send frames when they like, and they do not pause): its clock runs in real time; ' +
  'remove the attachments from the topology to pause or step it (docs/attachments.md)';

/** The session as an attachment target: the clock is brought to the present, then the frame queued and run. */
export function sessionTarget(session: LabSession): AttachTarget {
  return {
    inject(iface, frame, frameId) {
      const clock = session.clock;
      clock.sync();
      session.lab.inject(iface, frame, frameId);
      clock.kick();
    },
    setLinkState(iface, up) {
      const r = session.applyChange({ kind: 'link', iface, up });
      if (!r.ok) throw new Error(r.reason);
    },
  };
}

export interface ServedAttachments {
  attachments: Attachments;
  /** the topology to serve: attachments on switch ports and vmnics have their stand-in physical hosts */
  topology: TopologyDoc;
  /** for startServer's createLab */
  createLab: LabFactory;
  /** once the server runs: arrivals go to its session, pausing is refused */
  useSession(session: LabSession): void;
  /** a partition of a partitioned lab: its place in the plan (GET /api/partition) */
  partition?: PartitionRun;
}

/**
 * A partition's lab: frame ids from the partition's base; vMotion to a host of another partition
 * refused with the reason; a link change on a cut cable told to the peer partition (both ends of
 * a cable go down together, as in one process).
 */
function partitionLab(lab: ReturnType<typeof createLab>, run: PartitionRun, attachments: Attachments): ReturnType<typeof createLab> {
  const apply = lab.apply.bind(lab);
  lab.apply = (change: unknown) => {
    const c = change as { kind?: unknown; vm?: unknown; toHost?: unknown; iface?: unknown; up?: unknown };
    if (c.kind === 'migrate' && typeof c.toHost === 'string' && typeof c.vm === 'string') {
      const there = run.partitionOf.get(c.toHost);
      if (there !== undefined && there !== run.name) {
        return {
          ok: false,
          reason: `${c.toHost} runs in partition ${there}, another process: vMotion across partitions is not supported ` +
            `(the VM's state is not handed over). Plan ${c.vm}'s host and ${c.toHost} into one partition (vswitch-lab plan --group) to move it`,
        };
      }
    }
    if (c.kind === 'link' && typeof c.iface === 'string' && typeof c.up === 'boolean' && !attachments.settingLinkState) {
      // a user pulls (or plugs) a cut cable on this side: the peer partition is told, and the
      // cable here stays down while the peer's end is down
      const shown = attachments.cutCableChanged(c.iface, c.up);
      if (shown !== null) return apply({ ...c, up: shown });
    }
    return apply(change);
  };
  return lab;
}

/**
 * Opens the attachments of `topology` (AttachError when a socket does not bind); null when it
 * declares none. `partition`: the topology is that partition of a partitioned lab (partitionOf).
 */
export async function openServedAttachments(given: TopologyDoc, partition?: PartitionRun): Promise<ServedAttachments | null> {
  if ((given.attachments ?? []).length === 0) return null;
  const topology = withAttachmentStandIns(given);
  const docs = topology.attachments ?? [];
  const attachments = new Attachments(docs, partition ? { cuts: partition.cuts } : {});
  await attachments.open();
  const stackFactory = attachments.stackFactory();
  // a partition's frame ids go on across topology loads (its captures' packet ids are its frame ids)
  let last: ReturnType<typeof createLab> | null = null;
  return {
    attachments,
    topology,
    ...(partition ? { partition } : {}),
    createLab: (given) => {
      const t = withAttachmentStandIns(given);
      if (!isDeepStrictEqual(t.attachments ?? [], docs)) {
        throw new Error('this topology\'s attachments differ from those the server opened at start; restart \'vswitch-lab serve\' with it (sockets are opened only from the command line)');
      }
      if (!partition) return createLab(t, { stackFactory });
      const lab = createLab(t, { stackFactory, firstFrameId: Math.max(partition.firstFrameId, last?.lastFrameId ?? 0) });
      last = lab;
      return partitionLab(lab, partition, attachments);
    },
    useSession(session) {
      session.realtimeOnly = REALTIME_ONLY;
      attachments.connect(sessionTarget(session));
      session.onReplaced(function again() {
        attachments.connect(sessionTarget(session));
        session.onReplaced(again);
      });
    },
  };
}

/**
 * `serve --plan plan.json --partition NAME`: the topology partition NAME runs, from the plan file
 * (checked against the topology: the same allocation everywhere). CommandExit(2) with the reason
 * when the plan cannot be read, does not match, or has no such partition.
 */
export async function partitionOf(topology: TopologyDoc, planFile: string, name: string): Promise<{ topology: TopologyDoc; run: PartitionRun }> {
  let text: string;
  try {
    text = readFileSync(planFile, 'utf8');
  } catch (err) {
    throw new CommandExit(2, [`${planFile}: cannot read the plan: ${err instanceof Error ? err.message : String(err)}`]);
  }
  let part: TopologyDoc;
  let run: PartitionRun;
  try {
    const plan = checkPlan(topology, JSON.parse(text));
    // partition addresses may be DNS names (pods of a StatefulSet): sockets need addresses
    const resolved = await Promise.all(
      plan.partitions.map(async (p) => {
        if (/^\d+\.\d+\.\d+\.\d+$/.test(p.address)) return p;
        try {
          return { ...p, address: (await lookup(p.address, { family: 4 })).address };
        } catch {
          throw new PlanError(`partition ${p.name}: cannot resolve "${p.address}" to an IPv4 address`);
        }
      }),
    );
    part = partitionTopology(topology, { ...plan, partitions: resolved }, name);
    run = partitionRun(topology, { ...plan, partitions: resolved }, name);
  } catch (err) {
    if (err instanceof PlanError || err instanceof SyntaxError) throw new CommandExit(2, [`${planFile}: ${err.message}`]);
    throw err;
  }
  const v = validateTopology(part);
  if (!v.ok) throw new CommandExit(2, [...v.errors.map((e) => `${planFile}: partition ${name}: ${e.path}  ${e.message}`)]);
  return { topology: v.topology, run };
}

/**
 * GET /api/partition of a partition's server: its name and place in the plan, its frame ids'
 * base, its cut cables (the peer partition, the state at each end, frames each way) and, for the
 * frame ids asked about, whether nothing of them is left to happen here.
 */
export function partitionStatus(served: ServedAttachments, session: () => LabSession | undefined): ((settled: number[]) => unknown) | undefined {
  const run = served.partition;
  if (!run) return undefined;
  return (settled) => {
    const lab = session()?.lab;
    return {
      name: run.name,
      index: run.index,
      partitions: run.partitions,
      firstFrameId: run.firstFrameId + 1,
      cuts: served.attachments
        .status()
        .attachments.filter((a) => a.cut)
        .map((a) => ({
          name: a.name,
          interface: a.interface,
          vni: a.vni,
          ...a.cut!,
          state: a.state,
          up: a.state === 'up' && a.cut!.localUp && a.cut!.peerUp,
          txFrames: a.txFrames,
          rxFrames: a.rxFrames,
          drops: a.drops,
        })),
      settled: lab ? settled.every((id) => lab.frameSettled(id)) : false,
      // nothing of a frame due here: the queue is empty or holds only timers further than 100 ms away (ARP ageing, say)
      idle: lab ? ((next) => next === null || next === undefined || next > lab.now + 100e6)(lab.nextEventTime()) : false,
    };
  };
}

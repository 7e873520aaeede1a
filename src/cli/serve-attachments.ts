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
import { PlanError, checkPlan, partitionTopology } from '../attach/partition-plan.js';
import { validateTopology } from '../topology/load.js';
import { CommandExit } from './cli-args.js';
import { Attachments, type AttachTarget } from '../attach/index.js';
import { createLab } from '../engine/index.js';
import type { TopologyDoc } from '../topology/schema.js';
import { withAttachmentStandIns } from '../topology/attachments.js';
import type { LabFactory } from '../server/lab-contract.js';
import type { LabSession } from '../server/lab-session.js';

/** Said when pausing or stepping is refused, and by `serve --clock paused|step`. */
export const REALTIME_ONLY =
  'this lab has live attachments (real hosts send frames when they like, and they do not pause): its clock runs in real time; ' +
  'remove the attachments from the topology to pause or step it (docs/attachments.md)';

/** The session as an attachment target: the clock is brought to the present, then the frame queued and run. */
export function sessionTarget(session: LabSession): AttachTarget {
  return {
    inject(iface, frame) {
      const clock = session.clock;
      clock.sync();
      session.lab.inject(iface, frame);
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
}

/** Opens the attachments of `topology` (AttachError when a socket does not bind); null when it declares none. */
export async function openServedAttachments(given: TopologyDoc): Promise<ServedAttachments | null> {
  if ((given.attachments ?? []).length === 0) return null;
  const topology = withAttachmentStandIns(given);
  const docs = topology.attachments ?? [];
  const attachments = new Attachments(docs);
  await attachments.open();
  const stackFactory = attachments.stackFactory();
  return {
    attachments,
    topology,
    createLab: (given) => {
      const t = withAttachmentStandIns(given);
      if (!isDeepStrictEqual(t.attachments ?? [], docs)) {
        throw new Error("this topology's attachments differ from those the server opened at start; restart 'vswitch-lab serve' with it (sockets are opened only from the command line)");
      }
      return createLab(t, { stackFactory });
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
export async function partitionOf(topology: TopologyDoc, planFile: string, name: string): Promise<TopologyDoc> {
  let text: string;
  try {
    text = readFileSync(planFile, 'utf8');
  } catch (err) {
    throw new CommandExit(2, [`${planFile}: cannot read the plan: ${err instanceof Error ? err.message : String(err)}`]);
  }
  let part: TopologyDoc;
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
  } catch (err) {
    if (err instanceof PlanError || err instanceof SyntaxError) throw new CommandExit(2, [`${planFile}: ${err.message}`]);
    throw err;
  }
  const v = validateTopology(part);
  if (!v.ok) throw new CommandExit(2, [...v.errors.map((e) => `${planFile}: partition ${name}: ${e.path}  ${e.message}`)]);
  return v.topology;
}

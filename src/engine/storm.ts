/**
 * P5 — storms. Physical switches here run no spanning tree (as a network with STP switched off),
 * so a loop between them makes a broadcast go round for ever, multiplying where the loop
 * branches: a broadcast storm. The lab shows it and stays usable: it counts, per frame, how many
 * times the frame's copies crossed a cable; a loop-free flood crosses each cable at most once,
 * so past a threshold of 64 + 2 × the interfaces that can hold a cable (uplinks, physical switch
 * ports, physical host NICs) the frame is a storm. The crossing that passes the threshold is
 * reported once (a `storm` trace event, and a report the lab keeps), and that copy and every
 * later copy of the frame that reaches a cable is dropped `STORM_CUT`. Frames sent in answer to
 * the storm (a target answering each copy of an ARP request) are frames of their own, each
 * bounded the same way.
 *
 * Counts are kept per frame id, first in a ring of slots (`fid & (SLOTS - 1)`, tagged with the
 * frame id): a frame takes its slot when the slot is empty or its frame is over (nothing of it
 * queued or held, as the fabric counts it), which is what almost every frame finds, so counting a
 * crossing is two typed-array reads and a write. A frame whose slot is held by a frame still in
 * flight is counted in a map instead, from its first crossing on (a frame never moves between the
 * two); when the map grows past its sweep size, the counts of its frames that are over are
 * forgotten. So a frame in flight is never forgotten (its count never starts again, however many
 * frames run beside it). SLOTS is not a multiple of the fabric's per-frame slots, so a frame and
 * the one that shares its ring slot never share the fabric's count.
 */

/** Storm reports a lab keeps (the first ones; `count` counts them all). */
export const MAX_STORM_REPORTS = 32;

/** Stated threshold: cable crossings one frame's copies may make before it is a storm. */
export function stormThreshold(cableEnds: number): number {
  return 64 + 2 * cableEnds;
}

export interface StormReport {
  /** the frame that stormed */
  frameId: number;
  /** virtual time (ns) it passed the threshold */
  time: number;
  /** `node:iface` where the copy that passed it was about to leave onto its cable */
  at: string;
  /** crossings allowed before the cut */
  threshold: number;
}

export interface StormSummary {
  /** frames detected as storms */
  count: number;
  /** copies dropped STORM_CUT */
  cut: number;
  /** the first MAX_STORM_REPORTS storms */
  reports: StormReport[];
}

/** 0: the copy may cross; 1: it is the first to pass the threshold (report the storm), then cut; 2: cut. */
export type StormVerdict = 0 | 1 | 2;

/** Map size that triggers the first sweep of finished frames. */
const FIRST_SWEEP = 4096;
/** Ring slots (a power of two, smaller than the fabric's FRAME_SLOTS so that they never alias). */
const SLOTS = 2048;

export class StormWatch {
  /** frame id counted in each ring slot (0: none) and its crossings */
  private readonly slotFid = new Float64Array(SLOTS);
  private readonly slotCount = new Int32Array(SLOTS);
  /** frames whose slot was taken by a frame in flight when they first crossed */
  private readonly counts = new Map<number, number>();
  /** the highest frame id ever put in the map: a later frame is not in it (no lookup) */
  private mapMax = -Infinity;
  private sweepAt = FIRST_SWEEP;
  readonly reports: StormReport[] = [];
  count = 0;
  cut = 0;

  constructor(
    readonly threshold: number,
    /** true while anything of frame `fid` is queued or held (an upper bound is fine) */
    private readonly inFlight: (fid: number) => boolean = () => true,
  ) {}

  /** Counts one cable crossing of frame `fid`. */
  cross(fid: number): StormVerdict {
    const s = fid & (SLOTS - 1);
    const held = this.slotFid[s]!;
    let n: number;
    if (held === fid) n = ++this.slotCount[s]!;
    else n = this.crossElsewhere(fid, s, held);
    if (n <= this.threshold) return 0;
    this.cut++;
    return n === this.threshold + 1 ? 1 : 2;
  }

  /** A crossing of a frame not counted in its slot: in the map, or the slot is taken now. */
  private crossElsewhere(fid: number, s: number, held: number): number {
    const counts = this.counts;
    const m = fid <= this.mapMax && counts.size > 0 ? counts.get(fid) : undefined;
    if (m === undefined && (held === 0 || !this.inFlight(held))) {
      this.slotFid[s] = fid;
      this.slotCount[s] = 1;
      return 1;
    }
    const n = (m ?? 0) + 1;
    counts.set(fid, n);
    if (fid > this.mapMax) this.mapMax = fid;
    if (counts.size > this.sweepAt) this.sweep(fid);
    return n;
  }

  /** Frames being counted (tests): the map's and the ring's. */
  get tracked(): number {
    let n = this.counts.size;
    for (let s = 0; s < SLOTS; s++) if (this.slotFid[s] !== 0) n++;
    return n;
  }

  /** Forgets the frames that are over (never `current`, whose copy is crossing now). */
  private sweep(current: number): void {
    for (const fid of this.counts.keys()) {
      if (fid !== current && !this.inFlight(fid)) this.counts.delete(fid);
    }
    this.sweepAt = Math.max(FIRST_SWEEP, 2 * this.counts.size);
  }

  report(r: StormReport): void {
    this.count++;
    if (this.reports.length < MAX_STORM_REPORTS) this.reports.push(r);
  }

  summary(): StormSummary {
    return { count: this.count, cut: this.cut, reports: this.reports.map((r) => ({ ...r })) };
  }
}

/** One line for a storm, as send, test and explain print it. */
export function stormLine(r: StormReport, cut?: number): string {
  return `storm (P5): frame ${r.frameId}'s copies crossed cables ${r.threshold} times (at ${r.at}, a loop between physical switches without STP?); ${
    cut === undefined ? 'its further copies were' : `${cut} copies were`
  } cut (STORM_CUT)`;
}

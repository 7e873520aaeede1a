/**
 * Plays the trace on the graph, Packet Tracer's simulation-mode style: a cursor walks the event
 * list; each step moves every copy that can move at once (a copy never moves twice in one step,
 * so one frame's path plays hop by hop and a broadcast's copies fan out together). Play follows
 * new events as they arrive; pause holds; step advances one step; speed scales the hop time.
 * When traffic outruns the animation, the cursor skips ahead (counted) instead of queueing.
 */
import type { EventStore } from './event-store.js';
import { tagLabel, tagStack } from '../../src/wire/frame-summary.js';
import { hexToBytes } from '../../src/wire/hex.js';
import type { TraceEventJson } from './model.js';
import type { TopologyView } from './topology-view.js';
import { vlanColour } from './vlan-colors.js';
import { eventIface } from './event-words.js';

const HOP_MS = 650;
/** more pending events than this while playing: skip ahead */
const SKIP_ABOVE = 1500;
const KEEP_AFTER_SKIP = 200;
/** at most this many moves animated per step (the rest still count, drawn at once) */
const MAX_MOVES_PER_STEP = 40;

export { eventIface };

export interface PlayerHooks {
  /** the event at the cursor changed (for the list highlight) */
  onCursor(seq: number | null): void;
  /** playing / paused, skipped counts changed */
  onState(): void;
  /** events of a step reached their place: deliveries and drops to announce */
  onOutcome(e: TraceEventJson): void;
  /** does this event pass the list's filter? */
  accepts(e: TraceEventJson): boolean;
}

export class Player {
  playing = true;
  speed = 1;
  skipped = 0;
  /** seq of the last event played */
  private cursor = -1;
  private busyUntil = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** last place of each copy: `frameId/copyId` -> graph node id */
  private readonly place = new Map<string, string>();

  constructor(
    private readonly store: EventStore,
    private readonly view: TopologyView,
    private readonly hooks: PlayerHooks,
  ) {
    store.onChange(() => this.kick());
  }

  get cursorSeq(): number {
    return this.cursor;
  }

  reset(): void {
    this.cursor = -1;
    this.place.clear();
    this.skipped = 0;
    this.busyUntil = 0;
    this.hooks.onCursor(null);
    this.hooks.onState();
  }

  /** Start from now on: what is in the list counts as played. */
  jumpToEnd(): void {
    const last = this.store.at(this.store.length - 1);
    this.cursor = last ? last.seq : -1;
    this.hooks.onCursor(last ? last.seq : null);
  }

  pending(): number {
    return this.store.length - this.store.indexAfterSeq(this.cursor);
  }

  play(): void {
    this.playing = true;
    this.hooks.onState();
    this.kick();
  }

  pause(): void {
    this.playing = false;
    this.hooks.onState();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  setSpeed(s: number): void {
    this.speed = s;
    this.hooks.onState();
  }

  /** One step now (paused or not). Returns false when there was nothing to play. */
  step(): boolean {
    return this.runStep(true);
  }

  /** Replays from the event with this seq (the user clicked it): the cursor goes just before it. */
  seek(seq: number): void {
    this.cursor = seq - 1;
    this.place.clear();
    this.hooks.onCursor(seq);
  }

  private kick(): void {
    if (!this.playing || this.timer !== undefined) return;
    const wait = Math.max(0, this.busyUntil - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.playing) return;
      if (this.runStep(false)) this.kick();
    }, wait);
  }

  private hopMs(): number {
    return HOP_MS / this.speed;
  }

  private locate(e: TraceEventJson): string | undefined {
    const idx = this.view.index;
    if (!idx) return undefined;
    const iface = eventIface(e);
    return idx.ifaceNode.get(iface) ?? idx.placeNode.get(iface) ?? (e.node !== undefined ? idx.placeNode.get(e.node) : undefined);
  }

  private path(fromNode: string, fromIface: string | undefined, toNode: string, toIface: string): string[] {
    const idx = this.view.index!;
    const out = [fromNode];
    const pgFrom = fromIface ? idx.ifacePortGroup.get(fromIface) : undefined;
    const pgTo = idx.ifacePortGroup.get(toIface);
    if (pgFrom && pgFrom !== toNode) out.push(pgFrom);
    if (pgTo && pgTo !== fromNode) out.push(pgTo);
    out.push(toNode);
    return out;
  }

  private runStep(manual: boolean): boolean {
    let start = this.store.indexAfterSeq(this.cursor);
    const total = this.store.length;
    if (start >= total) return false;
    if (!manual && total - start > SKIP_ABOVE) {
      const skipTo = total - KEEP_AFTER_SKIP;
      this.skipped += skipTo - start;
      this.cursor = this.store.at(skipTo - 1)!.seq;
      this.place.clear();
      start = skipTo;
      this.hooks.onState();
    }
    const moved = new Set<string>();
    const lastPlace = new Map<string, { node: string; iface: string }>();
    let moves = 0;
    let i = start;
    let lastSeq = this.cursor;
    let any = false;
    for (; i < total; i++) {
      const e = this.store.at(i)!;
      if (!this.hooks.accepts(e)) {
        lastSeq = e.seq;
        continue;
      }
      const key = `${e.frameId}/${e.copyId ?? 0}`;
      const parentKey = `${e.frameId}/${e.parentCopyId ?? 0}`;
      // a runtime change is no frame: nothing travels
      const here = e.action === 'change' ? undefined : this.locate(e);
      const prev = this.place.get(key) ?? (e.parentCopyId ? this.place.get(parentKey) : undefined);
      const moving = here !== undefined && prev !== undefined && prev !== here;
      if (moving && (moved.has(key) || moved.has(parentKey)) && any) break;
      any = true;
      lastSeq = e.seq;
      if (here !== undefined) {
        if (moving && moves < MAX_MOVES_PER_STEP) {
          const { label, vlan } = this.tokenLabel(e, i);
          if (vlan !== null) this.vlanOf.set(key, vlan);
          const colourVlan = vlan ?? this.vlanOf.get(key) ?? this.vlanOf.get(parentKey) ?? null;
          const fromIface = lastPlace.get(key)?.iface ?? lastPlace.get(parentKey)?.iface ?? this.ifaceAt.get(key) ?? this.ifaceAt.get(parentKey);
          const outcome = e.action === 'deliver' || e.action === 'drop' ? e : undefined;
          this.view.travel(this.path(prev, fromIface, here, eventIface(e)), label, vlanColour(colourVlan), this.hopMs() * 0.9, outcome ? () => this.hooks.onOutcome(outcome) : undefined);
          moves++;
        } else if (e.action === 'deliver' || e.action === 'drop') {
          this.hooks.onOutcome(e);
        }
        if (moving) {
          moved.add(key);
        }
        this.place.set(key, here);
        this.ifaceAt.set(key, eventIface(e));
        lastPlace.set(key, { node: here, iface: eventIface(e) });
      } else if (e.action === 'deliver' || e.action === 'drop') {
        this.hooks.onOutcome(e);
      }
    }
    this.cursor = lastSeq;
    if (this.place.size > 20_000) {
      this.place.clear();
      this.ifaceAt.clear();
      this.vlanOf.clear();
    }
    this.hooks.onCursor(lastSeq);
    this.busyUntil = performance.now() + (moves > 0 ? this.hopMs() : 0);
    return true;
  }

  /**
   * The tags a copy carries on its way here: from its bytes at this step, or at its next step
   * with bytes (a tag push/pop is followed by the copy's delivery or transmission); else the VLAN
   * it is classified in.
   */
  private tokenLabel(e: TraceEventJson, i: number): { label: string; vlan: number | null } {
    const fromHex = (hex: string): { label: string; vlan: number | null } => {
      const bytes = hexToBytes(hex);
      const inner = tagStack(bytes)?.tags.at(-1);
      return { label: tagLabel(bytes) ?? '', vlan: inner ? inner.vid : (e.vlan ?? null) };
    };
    if (e.frameHex) return fromHex(e.frameHex);
    const end = Math.min(this.store.length, i + 40);
    for (let j = i + 1; j < end; j++) {
      const x = this.store.at(j)!;
      if (x.frameId === e.frameId && x.copyId === e.copyId && x.frameHex) return fromHex(x.frameHex);
    }
    if (e.vlan === undefined || e.vlan === null) return { label: '', vlan: null };
    return { label: e.vlan === 0 ? 'untagged domain' : `in VLAN ${e.vlan}`, vlan: e.vlan };
  }

  /** VLAN each copy was last seen in (token colour) */
  private readonly vlanOf = new Map<string, number>();

  /** last interface of each copy (for the port group a copy leaves through) */
  private readonly ifaceAt = new Map<string, string>();
}

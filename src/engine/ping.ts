/**
 * Bookkeeping of one ping session (rules E1, E2): which probes were issued, sent, answered, lost
 * or failed locally, and the result handed to `onDone`. The IP stack (ip-stack.ts) drives it —
 * it owns the clock, ARP and the wire; this file owns only the counting, so the rules of what
 * makes a reply count live in one place:
 * - a reply counts once per sequence number (duplicates, e.g. through promiscuous ports, are not
 *   counted again), only while its probe is still outstanding (a reply after the probe timed out
 *   is late and ignored);
 * - RTT runs from the moment the probe was issued, so the first probe's RTT includes ARP
 *   resolution, as with Linux ping;
 * - local errors (Message too long, Network is unreachable, Host is down) are listed once each;
 * - a probe that was handed to the stack but never reached the wire because ARP got no answer
 *   counts as transmitted and as one error (`unreachable`), as iputils counts it (its sendmsg
 *   succeeded; the kernel reports "Destination Host Unreachable" per probe later) and as
 *   FreeBSD-derived vmkping counts a failed sendto;
 * - `pipe`: the most probes outstanding when a reply or an error came (iputils' `pipe N`).
 */
import type { EndpointPort, PingOptions, PingProbeError, PingReply, PingResult } from './endpoint.js';
import type { RuleId } from './rules.js';

/** First ICMP sequence number: Linux iputils ping starts at 1 (vmkping at 0). */
export const FIRST_SEQ = 1;
/** ICMP data bytes at most: 65535 - 20 (IP) - 8 (ICMP). */
export const MAX_PING_SIZE = 65507;
/** ICMP data bytes of a ping without `-s` (ping's and vmkping's default) */
export const DEFAULT_PING_SIZE = 56;

/** Probe states (a byte per probe). */
const ProbeState = { NotIssued: 0, WaitingArp: 1, Sent: 2, Answered: 3, Lost: 4 } as const;

export class PingSession {
  private readonly state: Uint8Array;
  private readonly issuedAt: Float64Array;
  private settled = 0;
  private transmitted = 0;
  private readonly replies: PingReply[] = [];
  private readonly errors: string[] = [];
  private readonly unreachable: PingProbeError[] = [];
  private issued = 0;
  private pipe = 0;
  private firstIssuedNs = -1;
  private lastIssuedNs = -1;
  /** the source address the stack used, set by the stack */
  source: string | undefined;
  /**
   * Do probe errors count towards `pipe`? iputils' IPv4 ping does; its ping -6 does not (the
   * real one prints no `pipe N` when every probe fails neighbour discovery, E4).
   */
  pipeOnErrors = true;
  finished = false;

  constructor(
    readonly id: number,
    readonly options: PingOptions,
    readonly onDone: (result: PingResult) => void,
  ) {
    this.state = new Uint8Array(options.count);
    this.issuedAt = new Float64Array(options.count);
  }

  get count(): number {
    return this.options.count;
  }

  /** ICMP sequence number of probe `index` (wrapping at 16 bits). */
  seqOf(index: number): number {
    return (FIRST_SEQ + index) & 0xffff;
  }

  /** Probe index of an ICMP sequence number, or -1 when no probe of this session has it. */
  indexOf(seq: number): number {
    const index = (seq - FIRST_SEQ) & 0xffff;
    return index < this.count ? index : -1;
  }

  /** The clock's base moved forward by `deltaNs` (Fabric.rebase): times kept are that much smaller (past ones may go below 0). */
  rebase(deltaNs: number): void {
    const a = this.issuedAt;
    for (let i = 0; i < a.length; i++) a[i] = a[i]! - deltaNs;
    this.firstIssuedNs -= deltaNs;
    this.lastIssuedNs -= deltaNs;
    for (const r of this.replies) if (r.atNs !== undefined) r.atNs -= deltaNs;
    for (const u of this.unreachable) u.atNs -= deltaNs;
  }

  issue(index: number, now: number): void {
    this.issuedAt[index] = now;
    this.state[index] = ProbeState.WaitingArp;
    this.issued++;
    if (this.issued === 1) this.firstIssuedNs = now;
    this.lastIssuedNs = now;
  }

  /** iputils' pipe: probes issued from this one on, when its answer or error comes. */
  private notePipe(index: number): void {
    const outstanding = this.issued - index;
    if (outstanding > this.pipe) this.pipe = outstanding;
  }

  /** The echo request left the stack (one probe, however many fragments). */
  sent(index: number): void {
    if (this.state[index] !== ProbeState.WaitingArp) return;
    this.state[index] = ProbeState.Sent;
    this.transmitted++;
  }

  isOutstanding(index: number): boolean {
    const s = this.state[index];
    return s === ProbeState.WaitingArp || s === ProbeState.Sent;
  }

  /** An echo reply for `seq`; true when it counted (first answer to an outstanding probe). */
  answer(seq: number, now: number, ttl: number, bytes: number): boolean {
    const index = this.indexOf(seq);
    if (index < 0 || this.state[index] !== ProbeState.Sent) return false;
    this.state[index] = ProbeState.Answered;
    this.notePipe(index);
    this.replies.push({ seq, rttNs: now - this.issuedAt[index]!, ttl, bytes, atNs: now });
    this.settled++;
    return true;
  }

  /** A reply without a wire (ping to one of the stack's own addresses). */
  loopback(index: number, bytes: number): void {
    this.state[index] = ProbeState.Sent;
    this.transmitted++;
    this.answer(this.seqOf(index), this.issuedAt[index]!, 64, bytes);
  }

  /** The probe timed out (only a sent, unanswered probe can). */
  timeout(index: number): void {
    if (this.state[index] !== ProbeState.Sent) return;
    this.state[index] = ProbeState.Lost;
    this.settled++;
  }

  /**
   * The probe never reached the wire (ARP got no answer): it counts as transmitted and as one
   * error (iputils' `From <ip> icmp_seq=N Destination Host Unreachable`, vmkping's failed sendto).
   */
  fail(index: number, error: string, now: number): void {
    this.addError(error);
    if (!this.isOutstanding(index)) return;
    if (this.state[index] === ProbeState.WaitingArp) this.transmitted++;
    this.state[index] = ProbeState.Lost;
    this.settled++;
    if (this.pipeOnErrors) this.notePipe(index);
    this.unreachable.push({ seq: this.seqOf(index), error, atNs: now });
  }

  /** Fails every probe at once (no route, Message too long): nothing is sent. */
  failAll(error: string): void {
    this.addError(error);
    for (let i = 0; i < this.count; i++) {
      if (this.state[i] === ProbeState.NotIssued || this.isOutstanding(i)) {
        this.state[i] = ProbeState.Lost;
        this.settled++;
      }
    }
  }

  addError(error: string): void {
    if (!this.errors.includes(error)) this.errors.push(error);
  }

  get complete(): boolean {
    return this.settled >= this.count;
  }

  result(): PingResult {
    return {
      transmitted: this.transmitted,
      received: this.replies.length,
      replies: this.replies.slice(),
      errors: this.errors.slice(),
      done: this.finished,
      unreachable: this.unreachable.slice(),
      pipe: this.pipe,
      elapsedNs: this.issued === 0 ? 0 : this.lastIssuedNs - this.firstIssuedNs,
      ...(this.source !== undefined ? { source: this.source } : {}),
    };
  }
}

/**
 * The echo identifiers of one stack's ping sessions, shared by the IPv4 and IPv6 stacks: from a
 * 16-bit start, each new session takes the next identifier no running session holds.
 */
export class EchoIds {
  constructor(private next: number) {}

  /** The next identifier not in `sessions` (wrapping at 16 bits). */
  take(sessions: ReadonlyMap<number, unknown>): number {
    let id = this.next;
    while (sessions.has(id)) id = (id + 1) & 0xffff;
    this.next = (id + 1) & 0xffff;
    return id;
  }
}

/** What ending a session or timing out a probe needs from the stack's port. */
type PingPort = Pick<EndpointPort, 'id' | 'tracing' | 'note' | 'setTimer'>;

/**
 * A probe's timeout, shared by the IPv4 and IPv6 stacks: when it fires with probe `index` still
 * outstanding, the probe counts as lost and `maybeFinish` may end the session.
 */
export function armProbeTimeout(port: PingPort, session: PingSession, index: number, maybeFinish: (s: PingSession) => void): void {
  port.setTimer(session.options.timeoutNs, () => {
    if (session.finished || !session.isOutstanding(index)) return;
    session.timeout(index);
    maybeFinish(session);
  });
}

/**
 * Ends `session` once, shared by the IPv4 and IPv6 stacks: forgets it in `sessions`, notes the
 * result under `rule` (naming `dst`) when tracing, and hands the result to onDone on the virtual
 * clock.
 */
export function finishPing(port: PingPort, sessions: Map<number, PingSession>, session: PingSession, rule: (result: PingResult) => RuleId, dst: string): void {
  if (session.finished) return;
  session.finished = true;
  if (sessions.get(session.id) === session) sessions.delete(session.id);
  const result = session.result();
  if (port.tracing) {
    const errors = result.errors.length ? `; ${result.errors.join('; ')}` : '';
    port.note('ping-result', rule(result), `${port.id}: ping ${dst}: ${result.transmitted} transmitted, ${result.received} received${errors}`);
  }
  port.setTimer(0, () => session.onDone(result));
}

/**
 * Text renderings shared by the command line, the test runner and the server: an explain trace
 * as numbered lines (O2, like ofproto/trace), and a ping result as `ping` / `vmkping` print it
 * (E1, E2).
 */
import { describe, readTags } from '../wire/index.js';
import type { PingResult } from './endpoint.js';
import type { ExplainResult } from './explain.js';
import type { TraceEvent } from './trace.js';
import { stormLine } from './storm.js';
import { branchMark, copyTree, copyTreeRows, withoutCitedRule, type CopyNode } from './copy-tree.js';

/** One trace event as a line: `  3. esxi-01:vSwitch0  lookup  [F2]  ...detail`. */
export function traceLine(e: TraceEvent, index?: number): string {
  const n = index === undefined ? '' : `${String(index).padStart(3)}. `;
  const rule = e.rule ? `[${e.rule}] ` : '';
  const summary = e.frame && (e.action === 'deliver' || e.action === 'ingress') ? `  — ${describe(e.frame)}` : '';
  return `${n}${e.port}  ${e.action}  ${rule}${e.detail}${summary}`;
}

export { withoutCitedRule };

/** One copy of the explained frame and the copies it made (parent -> children), like ofproto/trace's indentation. */
export interface ExplainTreeNode {
  copyId: number;
  parentCopyId: number;
  /** where its first step happened */
  at: string;
  /** VLAN IDs of its tags, outer first, from its first step with bytes; [] untagged */
  vlanStack: number[];
  /** its steps: indexes into `ExplainResult.steps`, in order */
  steps: number[];
  children: ExplainTreeNode[];
}

/** The explain steps grouped by copy, each copy under the copy it came from (copy-tree.ts), with where each starts and its tags. */
export function explainTree(result: Pick<ExplainResult, 'steps'>): ExplainTreeNode[] {
  const node = (n: CopyNode): ExplainTreeNode => {
    const withBytes = n.steps.find((i) => result.steps[i]!.frame !== undefined);
    return {
      copyId: n.copyId,
      parentCopyId: n.parentCopyId,
      at: result.steps[n.steps[0]!]!.port,
      vlanStack: withBytes === undefined ? [] : readTags(result.steps[withBytes]!.frame!).map((t) => t.vid),
      steps: n.steps,
      children: n.children.map(node),
    };
  };
  return copyTree(result.steps).map(node);
}

/**
 * The explain result as a tree of copies (parent copy -> child copies, indented like Open
 * vSwitch's ofproto/trace; the rows of copy-tree.ts, as the web draws them), each step numbered
 * and citing its rule once, then one line per copy's fate.
 */
export function explainLines(result: ExplainResult): string[] {
  const lines: string[] = [];
  const tags = (v: number[]): string => (v.length === 0 ? 'untagged' : v.length === 1 ? `VLAN ${v[0]}` : `tags ${v.join('/')}`);
  const byCopy = new Map<number, ExplainTreeNode>();
  const index = (n: ExplainTreeNode): void => {
    byCopy.set(n.copyId, n);
    n.children.forEach(index);
  };
  const roots = explainTree(result);
  roots.forEach(index);
  let n = 0;
  for (const row of copyTreeRows(roots)) {
    if (row.kind === 'copy') {
      const c = byCopy.get(row.node.copyId)!;
      lines.push(`     ${'   '.repeat(row.depth - 1)}${branchMark(row)} copy ${c.copyId} → ${c.at} (${tags(c.vlanStack)})`);
      continue;
    }
    const e = result.steps[row.index]!;
    const rule = e.rule ? `[${e.rule}] ` : '';
    const summary = e.frame && (e.action === 'deliver' || e.action === 'ingress') ? `  — ${describe(e.frame)}` : '';
    lines.push(`${String(++n).padStart(3)}. ${'   '.repeat(row.depth)}${e.port}  ${e.action}  ${rule}${withoutCitedRule(e.detail, e.rule)}${summary}`);
  }
  if (result.truncated) lines.push('  ... stopped: too many events (a forwarding loop between physical switches?)');
  if (result.storm) lines.push(stormLine(result.storm));
  const delivered = result.copies.filter((c) => c.delivered);
  const dropped = result.copies.filter((c) => !c.delivered);
  lines.push(
    `result: ${delivered.length} delivered${delivered.length ? ` (${delivered.map((c) => `${c.at} ${tags(c.vlanStack)}`).join(', ')})` : ''}, ` +
      `${dropped.length} dropped${dropped.length ? ` (${dropped.map((c) => `${c.at} ${c.reason ?? '?'}${c.rule ? ` ${c.rule}` : ''}`).join(', ')})` : ''}`,
  );
  return lines;
}

/** Options a ping was run with, for its printout. */
export interface PingPrintOptions {
  /** `node:interface` the ping ran from */
  from: string;
  dstIp: string;
  size: number;
  /** vmkping's wording (a vmk), else Linux iputils ping's */
  vmkping: boolean;
  /** an ICMPv6 ping (E4): iputils' `PING <dst>(<dst>) N data bytes` header */
  ipv6?: boolean;
}

/** Milliseconds with three decimals (vmkping's RTTs, iputils' rtt statistics). */
function ms(ns: number): string {
  return (ns / 1e6).toFixed(3);
}

/** An RTT as iputils prints it: 3 decimals under 1 ms, 2 under 10, 1 under 100, then whole ms. */
function iputilsTime(ns: number): string {
  const us = Math.round(ns / 1e3);
  if (us >= 100_000 - 50) return String(Math.round(us / 1000));
  if (us >= 10_000 - 5) return (us / 1000).toFixed(1);
  if (us >= 1000) return (us / 1000).toFixed(2);
  return (us / 1000).toFixed(3);
}

/** C's %g of a percentage (6 significant digits, no trailing zeros), as iputils prints the loss. */
function percentG(x: number): string {
  return String(Number(x.toPrecision(6)));
}

/** A VMkernel adapter (`esxi-01:vmk0`): its ping is vmkping. */
export function isVmkInterface(iface: string): boolean {
  return /:vmk\d+$/.test(iface);
}

/**
 * The ping printout, in the wording of the tool that runs there (E1, E2):
 * - iputils ping (VM guests, physical hosts), as typed in the guest without -I: `PING <dst> (<dst>)
 *   56(84) bytes of data.`, one line per reply and per probe ARP failed for (`From <src> icmp_seq=N
 *   Destination Host Unreachable`), in the order they happened, then `N packets transmitted, M
 *   received, +E errors, L% packet loss, time Tms`, `rtt min/avg/max/mdev = ... ms` and `pipe P`
 *   (when more than one probe was outstanding) — checked line by line against the real iputils
 *   in network namespaces (test/engine/ping-iputils.test.ts);
 * - ESXi vmkping (vmk): `sendto() failed (<error>)` per failed probe (FreeBSD-derived ping: a
 *   failed sendto still counts as transmitted), `packets received` and `round-trip min/avg/max`.
 * Errors that stop every probe before sending (Message too long, Network is unreachable) are one
 * line: `ping: sendmsg: <error>` / `sendto() failed (<error>)`.
 */
export function pingOutput(r: PingResult, o: PingPrintOptions): string[] {
  const lines: string[] = [];
  if (o.vmkping) lines.push(`PING ${o.dstIp} (${o.dstIp}) from ${o.from}: ${o.size} data bytes`);
  else if (o.ipv6) lines.push(`PING ${o.dstIp}(${o.dstIp}) ${o.size} data bytes`);
  else lines.push(`PING ${o.dstIp} (${o.dstIp}) ${o.size}(${o.size + 28}) bytes of data.`);
  const unreachable = r.unreachable ?? [];
  const perProbe = new Set(unreachable.map((u) => u.error));
  for (const e of r.errors) if (!perProbe.has(e)) lines.push(o.vmkping ? `sendto() failed (${e})` : `ping: sendmsg: ${e}`);
  type Line = { at: number; order: number; text: string };
  const body: Line[] = [];
  r.replies.forEach((p, i) => body.push({
    at: p.atNs ?? 0,
    order: i,
    text: `${p.bytes} bytes from ${o.dstIp}: icmp_seq=${p.seq} ttl=${p.ttl} time=${o.vmkping ? ms(p.rttNs) : iputilsTime(p.rttNs)} ms`,
  }));
  unreachable.forEach((u, i) => body.push({
    at: u.atNs,
    order: r.replies.length + i,
    text: o.vmkping ? `sendto() failed (${u.error})` : `From ${r.source ?? o.from} icmp_seq=${u.seq} ${u.error}`,
  }));
  body.sort((a, b) => a.at - b.at || a.order - b.order);
  for (const l of body) lines.push(l.text);
  lines.push('', `--- ${o.dstIp} ping statistics ---`);
  const lossPct = r.transmitted === 0 ? 100 : (100 * (r.transmitted - r.received)) / r.transmitted;
  if (o.vmkping) {
    lines.push(`${r.transmitted} packets transmitted, ${r.received} packets received, ${Math.round(lossPct)}% packet loss`);
    if (r.replies.length > 0) {
      const rtts = r.replies.map((p) => p.rttNs);
      const avg = rtts.reduce((a, b) => a + b, 0) / rtts.length;
      lines.push(`round-trip min/avg/max = ${ms(Math.min(...rtts))}/${ms(avg)}/${ms(Math.max(...rtts))} ms`);
    }
    return lines;
  }
  const nErr = unreachable.length > 0 ? unreachable.length : r.errors.length;
  const errs = nErr > 0 ? `, +${nErr} error${nErr === 1 ? '' : 's'}` : '';
  lines.push(`${r.transmitted} packets transmitted, ${r.received} received${errs}, ${percentG(lossPct)}% packet loss, time ${Math.round((r.elapsedNs ?? 0) / 1e6)}ms`);
  const tail: string[] = [];
  if (r.replies.length > 0) {
    const rtts = r.replies.map((p) => p.rttNs);
    const avg = rtts.reduce((a, b) => a + b, 0) / rtts.length;
    const mdev = Math.sqrt(Math.max(0, rtts.reduce((a, b) => a + b * b, 0) / rtts.length - avg * avg));
    tail.push(`rtt min/avg/max/mdev = ${ms(Math.min(...rtts))}/${ms(avg)}/${ms(Math.max(...rtts))}/${ms(mdev)} ms`);
  }
  if ((r.pipe ?? 0) > 1) tail.push(`pipe ${r.pipe}`);
  if (tail.length > 0) lines.push(tail.join(', '));
  return lines;
}

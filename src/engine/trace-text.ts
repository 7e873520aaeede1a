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

/** One trace event as a line: `  3. esxi-01:vSwitch0  lookup  [F2]  ...detail`. */
export function traceLine(e: TraceEvent, index?: number): string {
  const n = index === undefined ? '' : `${String(index).padStart(3)}. `;
  const rule = e.rule ? `[${e.rule}] ` : '';
  const summary = e.frame && (e.action === 'deliver' || e.action === 'ingress') ? `  — ${describe(e.frame)}` : '';
  return `${n}${e.port}  ${e.action}  ${rule}${e.detail}${summary}`;
}

/**
 * A detail sentence without the rule the line already cites in brackets: `(F1, F2)` with rule F2
 * becomes `(F1)`, `(V1)` with rule V1 goes (other parentheses stay).
 */
export function withoutCitedRule(detail: string, rule: string | undefined): string {
  if (!rule) return detail;
  return detail
    .replace(/\s*\(([^()]*)\)/g, (all, inner: string) => {
      const items = inner.split(/\s*[,;]\s*/);
      if (!items.includes(rule)) return all;
      // keep the other items with their separators: `P1; dry run` -> `dry run`, `F1, F2` -> `F1`
      const parts = inner.split(/(\s*[,;]\s*)/);
      const kept: string[] = [];
      for (let i = 0; i < parts.length; i += 2) {
        if (parts[i] === rule) continue;
        if (kept.length > 0) kept.push(parts[i - 1] ?? ', ');
        kept.push(parts[i]!);
      }
      return kept.length === 0 ? '' : ` (${kept.join('')})`;
    })
    .trimEnd();
}

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

/** The explain steps grouped by copy, each copy under the copy it came from. */
export function explainTree(result: Pick<ExplainResult, 'steps'>): ExplainTreeNode[] {
  const byCopy = new Map<number, ExplainTreeNode>();
  const roots: ExplainTreeNode[] = [];
  const withBytes = new Set<number>();
  result.steps.forEach((e, i) => {
    let node = byCopy.get(e.copyId);
    if (node === undefined) {
      node = { copyId: e.copyId, parentCopyId: e.parentCopyId, at: e.port, vlanStack: [], steps: [], children: [] };
      byCopy.set(e.copyId, node);
      const parent = e.parentCopyId !== 0 && e.parentCopyId !== e.copyId ? byCopy.get(e.parentCopyId) : undefined;
      if (parent) parent.children.push(node);
      else roots.push(node);
    }
    if (e.frame && !withBytes.has(e.copyId)) {
      withBytes.add(e.copyId);
      node.vlanStack = readTags(e.frame).map((t) => t.vid);
    }
    node.steps.push(i);
  });
  return roots;
}

/**
 * The explain result as a tree of copies (parent copy -> child copies, indented like Open
 * vSwitch's ofproto/trace), each step numbered and citing its rule once, then one line per
 * copy's fate.
 */
export function explainLines(result: ExplainResult): string[] {
  const lines: string[] = [];
  const tags = (v: number[]): string => (v.length === 0 ? 'untagged' : v.length === 1 ? `VLAN ${v[0]}` : `tags ${v.join('/')}`);
  let n = 0;
  const walk = (node: ExplainTreeNode, depth: number, last: boolean, root: boolean): void => {
    const pad = '   '.repeat(depth);
    if (!root) lines.push(`     ${'   '.repeat(depth - 1)}${last ? '└─' : '├─'} copy ${node.copyId} → ${node.at} (${tags(node.vlanStack)})`);
    for (const i of node.steps) {
      const e = result.steps[i]!;
      const rule = e.rule ? `[${e.rule}] ` : '';
      const summary = e.frame && (e.action === 'deliver' || e.action === 'ingress') ? `  — ${describe(e.frame)}` : '';
      lines.push(`${String(++n).padStart(3)}. ${pad}${e.port}  ${e.action}  ${rule}${withoutCitedRule(e.detail, e.rule)}${summary}`);
    }
    node.children.forEach((c, k) => walk(c, depth + 1, k === node.children.length - 1, false));
  };
  const roots = explainTree(result);
  roots.forEach((r) => walk(r, 0, true, true));
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
    at: p.atNs ?? 0, order: i,
    text: `${p.bytes} bytes from ${o.dstIp}: icmp_seq=${p.seq} ttl=${p.ttl} time=${o.vmkping ? ms(p.rttNs) : iputilsTime(p.rttNs)} ms`,
  }));
  unreachable.forEach((u, i) => body.push({
    at: u.atNs, order: r.replies.length + i,
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

/**
 * Text renderings shared by the command line, the test runner and the server: an explain trace
 * as numbered lines (O2, like ofproto/trace), and a ping result as `ping` / `vmkping` print it
 * (E1, E2).
 */
import { describe } from '../wire/index.js';
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

/** The explain result as numbered step lines, then one line per copy's fate. */
export function explainLines(result: ExplainResult): string[] {
  const lines = result.steps.map((e, i) => traceLine(e, i + 1));
  if (result.truncated) lines.push('  ... stopped: too many events (a forwarding loop between physical switches?)');
  if (result.storm) lines.push(stormLine(result.storm));
  const delivered = result.copies.filter((c) => c.delivered);
  const dropped = result.copies.filter((c) => !c.delivered);
  const tags = (v: number[]) => (v.length === 0 ? 'untagged' : v.length === 1 ? `VLAN ${v[0]}` : `tags ${v.join('/')}`);
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
}

/** Milliseconds with three decimals, as ping prints them. */
function ms(ns: number): string {
  return (ns / 1e6).toFixed(3);
}

/**
 * The ping printout: header, one line per reply, local errors, statistics. vmkping wording for a
 * vmk (`sendto() failed (Message too long)`), iputils ping's otherwise (`ping: sendmsg: Message
 * too long`). Both contain the error text the stack reported.
 */
/** A VMkernel adapter (`esxi-01:vmk0`): its ping is vmkping. */
export function isVmkInterface(iface: string): boolean {
  return /:vmk\d+$/.test(iface);
}

export function pingOutput(r: PingResult, o: PingPrintOptions): string[] {
  const lines: string[] = [];
  if (o.vmkping) lines.push(`PING ${o.dstIp} (${o.dstIp}) from ${o.from}: ${o.size} data bytes`);
  else lines.push(`PING ${o.dstIp} (${o.dstIp}) from ${o.from} ${o.size}(${o.size + 28}) bytes of data.`);
  for (const e of r.errors) lines.push(o.vmkping ? `sendto() failed (${e})` : `ping: sendmsg: ${e}`);
  for (const p of r.replies) lines.push(`${p.bytes} bytes from ${o.dstIp}: icmp_seq=${p.seq} ttl=${p.ttl} time=${ms(p.rttNs)} ms`);
  lines.push('', `--- ${o.dstIp} ping statistics ---`);
  const loss = r.transmitted === 0 ? 100 : Math.round((100 * (r.transmitted - r.received)) / r.transmitted);
  const errs = r.errors.length > 0 ? `, +${r.errors.length} error${r.errors.length === 1 ? '' : 's'}` : '';
  lines.push(
    o.vmkping
      ? `${r.transmitted} packets transmitted, ${r.received} packets received, ${loss}% packet loss`
      : `${r.transmitted} packets transmitted, ${r.received} received${errs}, ${loss}% packet loss`,
  );
  if (r.replies.length > 0) {
    const rtts = r.replies.map((p) => p.rttNs);
    const avg = rtts.reduce((a, b) => a + b, 0) / rtts.length;
    lines.push(`round-trip min/avg/max = ${ms(Math.min(...rtts))}/${ms(avg)}/${ms(Math.max(...rtts))} ms`);
  }
  return lines;
}

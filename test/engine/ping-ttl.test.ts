/**
 * Ping's TTL (`ping -t ttl`, `vmkping -t ttl`): the probes leave with the chosen IPv4 TTL (or
 * IPv6 hop limit), read back by decoding the frame on the wire, and the replies still come: the
 * lab has no routers, so nothing decrements it on the way. A TTL outside 1..255 is refused.
 */
import { describe, expect, it } from 'vitest';
import { createLab } from '../../src/engine/lab.js';
import { LabError } from '../../src/engine/lab-error.js';
import type { TraceEvent } from '../../src/engine/trace.js';
import { decodeFrame } from '../../src/wire/index.js';
import { load } from './workload.js';

/** The decoded field `name` of layer `layer` of each echo request the pinger put on its port. */
function requestsField(events: TraceEvent[], from: string, layer: string, name: string, kind: string): string[] {
  return events
    .filter((e) => e.port === from && e.point === 'PortInput' && e.frame !== undefined)
    .map((e) => decodeFrame(e.frame!))
    .filter((d) => d.layers.some((l) => l.fields.some((f) => f.name === 'Type' && f.value.startsWith(kind))))
    .map((d) => d.layers.find((l) => l.name === layer)!.fields.find((f) => f.name === name)!.value);
}

describe('ping -t ttl', () => {
  it('IPv4: every echo request carries the chosen TTL; the replies come back', () => {
    const lab = createLab(load('default.json'));
    const events: TraceEvent[] = [];
    lab.trace.subscribe((e) => events.push({ ...e, ...(e.frame ? { frame: e.frame.slice() } : {}) }));
    const r = lab.ping('web-01:eth0', '10.0.0.22', { count: 2, ttl: 3, intervalMs: 10 });
    expect(r.received).toBe(2);
    expect(requestsField(events, 'web-01:eth0', 'IPv4', 'Time to live', '8')).toEqual(['3', '3']);
    // the default stays 64
    events.length = 0;
    expect(lab.ping('web-01:eth0', '10.0.0.22', { count: 1 }).received).toBe(1);
    expect(requestsField(events, 'web-01:eth0', 'IPv4', 'Time to live', '8')).toEqual(['64']);
  });

  it('IPv6: the hop limit is the chosen one; the replies come back', () => {
    const lab = createLab(load('default.json'));
    const events: TraceEvent[] = [];
    lab.trace.subscribe((e) => events.push({ ...e, ...(e.frame ? { frame: e.frame.slice() } : {}) }));
    // web-01's global address, from another endpoint with IPv6 on the same segment
    const to = lab.ipv6Addresses('web-01:eth0').flatMap((x) => x.addresses).find((a) => a.startsWith('2001:db8::'))?.split('/')[0];
    expect(to).toBeDefined();
    const from = lab.interfaces().find((i) =>
      i.id !== 'web-01:eth0' && (i.kind === 'vnic' || i.kind === 'vmk' || i.kind === 'physical-nic') && lab.ipv6Addresses(i.id).some((x) => x.addresses.some((a) => a.startsWith('2001:db8::')))
    );
    expect(from).toBeDefined();
    const r = lab.ping(from!.id, to!, { count: 1, ttl: 9 });
    expect(r.received).toBe(1);
    expect(requestsField(events, from!.id, 'IPv6', 'Hop limit', '128')).toEqual(['9']);
  });

  it('a TTL outside 1..255 is refused before anything is sent', () => {
    const lab = createLab(load('default.json'));
    for (const ttl of [0, 256, 1.5]) expect(() => lab.ping('web-01:eth0', '10.0.0.22', { ttl })).toThrow(LabError);
    expect(lab.nextEventTime()).toBeNull();
  });
});

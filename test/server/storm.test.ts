/**
 * P5 storms through the server, over the real engine: a ring of physical switches and one ARP
 * broadcast. The storm is reported (in the send's answer and to live clients), its copies are
 * cut, the clock driver drains it in slices, and the API keeps answering. Assertions are about
 * events and state, never about how long anything took.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendFrameResponse } from '../../src/server/api-types.js';
import { ring } from '../helpers/storm-ring.js';
import { liveClient, startEngineServer, type EngineServer, type LiveClient } from './helpers.js';

let s: EngineServer;
let live: LiveClient;

beforeAll(async () => {
  s = await startEngineServer('default', { rateLimit: { burst: 1000, perSecond: 1000 } });
  const loaded = await s.post('/api/topology', { topology: ring() });
  expect(loaded.status).toBe(200);
  live = await liveClient(s.url);
});
afterAll(async () => {
  live?.close();
  await s?.close();
});

describe('a storm in the running server (P5)', () => {
  it('one ARP broadcast into a ring: the answer carries the storm event and STORM_CUT drops; the lab settles', async () => {
    const res = await s.post('/api/frames', { from: 'pc-1:eth0', frame: { kind: 'arp-request', targetIp: '10.9.0.3' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as SendFrameResponse;
    expect(body.complete).toBe(true);
    const storm = body.events.filter((e) => e.action === 'storm');
    expect(storm).toHaveLength(1);
    expect(storm[0]).toMatchObject({ rule: 'P5', frameId: body.frameIds[0] });
    expect(body.events.some((e) => e.action === 'drop' && e.reason === 'STORM_CUT')).toBe(true);
    expect(s.session.lab.nextEventTime()).toBeNull();
  });

  it('live clients are told (a storm event, or its count in the summary of a heavy batch)', async () => {
    const u = await live.waitFor((x) => (x.trace ?? []).some((e) => e.action === 'storm') || (x.summary?.byAction.storm ?? 0) > 0, 10_000);
    expect(u).toBeDefined();
  });

  it('the API keeps answering during and after storms: ten more broadcasts while reads go on', async () => {
    const sends = Array.from({ length: 10 }, () => s.post('/api/frames', { from: 'pc-2:eth0', frame: { kind: 'arp-request', targetIp: '10.9.0.1' } }));
    const reads = Array.from({ length: 10 }, () => s.api('/api/health'));
    const statuses = await Promise.all([...sends, ...reads].map(async (p) => (await p).status));
    expect(statuses.every((x) => x === 200)).toBe(true);
    const storms = (s.session.lab as unknown as { storms(): { count: number; cut: number } }).storms();
    expect(storms.count).toBe(11);
    expect(storms.cut).toBeGreaterThan(0);
    expect(s.session.lab.nextEventTime()).toBeNull();
  });
});

/**
 * E4 over the API (topologies/default.json: vmk0 2001:db8::11/64 and web-01 2001:db8::21/64):
 * POST /api/ping with an IPv6 `to` (ping -6 / vmkping -6) and GET /api/neighbours/:iface.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PingResponse } from '../../src/server/api-types.js';
import { jsonOf, startEngineServer, type EngineServer } from './helpers.js';

const servers: EngineServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

describe('IPv6 over the API (E4)', () => {
  it('POST /api/ping to an IPv6 address: iputils ping -6 wording; the neighbour cache shows the answer', async () => {
    const s = await startEngineServer('default', { rateLimit: { burst: 1000, perSecond: 1000 } });
    servers.push(s);
    const res = await s.post('/api/ping', { from: 'web-01:eth0', to: '2001:db8::11', count: 2, intervalMs: 10 });
    expect(res.status).toBe(200);
    const r = await jsonOf<PingResponse>(res);
    expect(r).toMatchObject({ transmitted: 2, received: 2, done: true, source: '2001:db8::21' });
    expect(r.output[0]).toBe('PING 2001:db8::11(2001:db8::11) 56 data bytes');
    expect(r.output[1]).toMatch(/^64 bytes from 2001:db8::11: icmp_seq=1 ttl=64 time=[0-9.]+ ms$/);
    expect(r.output).toContain('--- 2001:db8::11 ping statistics ---');
    const n = await s.get<Array<{ ip: string; mac: string; state: string }>>('/api/neighbours/web-01:eth0');
    expect(n).toEqual([expect.objectContaining({ ip: '2001:db8::11', mac: '00:1b:21:3a:4c:10', state: 'REACHABLE' })]);
    // the vmk learned web-01 from the solicitation's source link-layer option
    const back = await s.get<Array<{ ip: string; state: string }>>('/api/neighbours/esxi-01:vmk0');
    expect(back).toEqual([expect.objectContaining({ ip: '2001:db8::21', state: 'STALE' })]);
  });

  it('a bad ping target is a 400 naming both address families; nothing is sent', async () => {
    const s = await startEngineServer('default', { rateLimit: { burst: 1000, perSecond: 1000 } });
    servers.push(s);
    const res = await s.post('/api/ping', { from: 'web-01:eth0', to: '2001:db8::zz' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('is not an IPv4 address (like 10.0.0.21) or an IPv6 address (like fe80::1)');
    expect((await s.api('/api/neighbours/nobody:eth0')).status).toBe(404);
  });
});

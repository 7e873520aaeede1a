/**
 * X-Lab-Generation over the real server and engine: a request about one lab (the web page's
 * reads and changes carry the generation of the lab it shows) runs only while that lab does.
 * Once another client loaded a topology, a read answers 204 with nothing of the new lab, a change
 * or a send answers 409 and changes and sends nothing, and both name the lab that runs now.
 * Without the header a request is about whatever lab runs, as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TopologyState } from '../../src/server/api-types.js';
import { jsonOf, startTestServer, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

async function server(): Promise<{ s: TestServer; generation: number }> {
  const s = await startTestServer();
  servers.push(s);
  const state = await jsonOf<TopologyState>(await s.api('/api/topology'));
  return { s, generation: state.generation };
}

const about = (generation: number | string): Record<string, string> => ({ 'x-lab-generation': String(generation) });
const broadcast = { from: 'web-01:eth0', frame: { kind: 'ethernet', src: '00:50:56:a1:00:01', dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5 } };

describe('X-Lab-Generation: a request about a lab that was replaced', () => {
  it('reads of the lab shown answer as usual; after another client loads a topology they answer 204, empty, with the new generation', async () => {
    const { s, generation } = await server();
    for (const route of ['/api/counters/web-01:eth0', '/api/interfaces/web-01:eth0', '/api/arp/web-01:eth0', '/api/interfaces', '/api/mac-tables/tor-1']) {
      expect((await s.api(route, { headers: about(generation) })).status, route).toBe(200);
    }
    const loaded = await s.api('/api/topology', { method: 'POST', json: { example: 'vlans' } });
    expect(loaded.status).toBe(200);
    const next = (await jsonOf<TopologyState>(loaded)).generation;
    expect(next).toBeGreaterThan(generation);
    for (const route of ['/api/counters/web-01:eth0', '/api/interfaces/web-01:eth0', '/api/arp/web-01:eth0', '/api/interfaces', '/api/mac-tables/tor-1']) {
      const res = await s.api(route, { headers: about(generation) });
      expect(res.status, route).toBe(204);
      expect(res.headers.get('x-lab-generation')).toBe(String(next));
      expect(await res.text()).toBe('');
    }
    // the same read without the header is about the lab that runs: vlans has no web-01
    expect((await s.api('/api/counters/web-01:eth0')).status).toBe(404);
    // and with the new generation it runs as usual
    expect((await s.api('/api/interfaces', { headers: about(next) })).status).toBe(200);
  });

  it('a change or a send for the replaced lab answers 409 naming both generations and changes and injects nothing', async () => {
    const { s, generation } = await server();
    expect((await s.api('/api/topology', { method: 'POST', json: { example: 'default' } })).status).toBe(200);
    const before = await (await s.api('/api/topology')).text();
    const now = (JSON.parse(before) as TopologyState).generation;

    const change = await s.api('/api/changes', { method: 'POST', headers: about(generation), json: { kind: 'link', iface: 'esxi-01:vmnic0', up: false } });
    expect(change.status).toBe(409);
    const body = await jsonOf<{ error: string; details: { generation: number } }>(change);
    expect(body.error).toContain(`lab generation ${generation}`);
    expect(body.error).toContain(`generation ${now}`);
    expect(body.details.generation).toBe(now);
    // the same cable exists in the new lab (same example): it was left up
    expect(await (await s.api('/api/topology')).text()).toBe(before);

    const sent = await s.api('/api/frames', { method: 'POST', headers: about(generation), json: broadcast });
    expect(sent.status).toBe(409);
    expect(s.injected()).toBe(0);
    // the current generation goes through
    expect((await s.api('/api/frames', { method: 'POST', headers: about(now), json: broadcast })).status).toBe(200);
    expect(s.injected()).toBe(1);
  });

  it('a header that is not a generation is a 400 with what it must be', async () => {
    const { s } = await server();
    for (const bad of ['abc', '-1', '1.5', '']) {
      const res = await s.api('/api/interfaces', { headers: about(bad) });
      expect(res.status, bad).toBe(400);
      expect((await jsonOf<{ error: string }>(res)).error).toContain('X-Lab-Generation');
    }
  });
});

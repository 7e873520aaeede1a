/**
 * Simulation mode over HTTP (routes/simulation.ts) on the real engine: nothing moves until Step,
 * Back undoes a step (the MAC table with it), Reset and jumps go to recorded moments, a send
 * after going back discards the undone future, and back/reset/jump are refused in real time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulationState, SimulationStepResponse } from '../../src/server/simulation-types.js';
import { createLab } from '../../src/engine/index.js';
import { jsonOf, startEngineServer, type EngineServer } from './helpers.js';

let s: EngineServer;
beforeAll(async () => {
  s = await startEngineServer();
});
afterAll(async () => {
  await s?.close();
});

const post = async <T = SimulationState>(p: string, json: unknown = {}): Promise<{ status: number; body: T }> => {
  const res = await s.api(p, { method: 'POST', json });
  return { status: res.status, body: await jsonOf<T>(res) };
};
const macTable = async (): Promise<unknown[]> => s.get<unknown[]>('/api/mac-tables/tor-1');
const broadcastFromWeb01 = { from: 'web-01:eth0', frame: { kind: 'ethernet', src: '00:50:56:00:00:21', dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5 } };

describe('simulation mode', () => {
  it('refuses Back, Reset and jumps in real time', async () => {
    expect((await post('/api/simulation/back')).status).toBe(409);
    expect((await post('/api/simulation/reset')).status).toBe(409);
    expect((await post('/api/simulation/jump', { position: 0 })).status).toBe(409);
    expect((await post('/api/simulation/jump', { position: 0, traceSeq: 1 })).status).toBe(400);
  });

  it('steps, goes back, resets and jumps on the engine history', async () => {
    const on = await post('/api/simulation', { mode: 'simulation' });
    expect(on.body.mode).toBe('simulation');
    const start = on.body.history.position;
    const sent = await s.api('/api/frames', { method: 'POST', json: broadcastFromWeb01 });
    expect(sent.status).toBe(200);
    expect(await macTable()).toEqual([]);
    const steps: SimulationStepResponse[] = [];
    for (;;) {
      const r = await post<SimulationStepResponse>('/api/simulation/step');
      expect(r.status).toBe(200);
      if (r.body.stepped === 0) break;
      expect(r.body.events.length).toBeGreaterThan(0);
      steps.push(r.body);
    }
    expect(steps.length).toBeGreaterThan(2);
    const learned = await macTable();
    expect(learned.length).toBe(1);
    const end = steps[steps.length - 1]!.history.position;

    // Back one step: the last step's events are gone from the lab's trace numbering
    const back = await post('/api/simulation/back');
    expect(back.body.history.position).toBe(end - 1);
    expect(back.body.traceSeq).toBe(steps[steps.length - 2]!.traceSeq);

    // jump to right after the first step's first event: tor-1 has not learned yet
    const firstSeq = steps[0]!.events[0]!.seq;
    const jump = await post('/api/simulation/jump', { traceSeq: firstSeq });
    expect(jump.status).toBe(200);
    expect(await macTable()).toEqual([]);
    // Step again re-takes the recorded future, byte for byte
    const again = await post<SimulationStepResponse>('/api/simulation/step');
    expect(again.body.events).toEqual(steps[1]!.events);

    // Reset: the moment simulation started (before the send)
    const reset = await post('/api/simulation/reset');
    expect(reset.body.history.position).toBe(start);
    expect(reset.body.clock.next).toBeNull();
    expect(reset.body.history.end).toBe(end);

    // a different send now discards the undone future
    await s.api('/api/frames', { method: 'POST', json: { ...broadcastFromWeb01, from: 'web-02:eth0', frame: { ...broadcastFromWeb01.frame, src: '00:50:56:00:00:22' } } });
    const st = (await post('/api/simulation', { mode: 'simulation' })).body;
    expect(st.history.end).toBe(start + 1);
    expect((await post('/api/simulation/jump', { position: end })).status).toBe(409);

    const rt = await post('/api/simulation', { mode: 'realtime' });
    expect(rt.body.mode).toBe('realtime');
  });

  it('Play by virtual time: advance runs exactly the events due within ns, one step each, and leaves the clock at now + ns', async () => {
    await post('/api/simulation', { mode: 'simulation' });
    expect((await post('/api/simulation/advance', { ns: 0 })).status).toBe(400);
    const t0 = (await post('/api/simulation', { mode: 'simulation' })).body.clock.now;
    expect((await s.api('/api/frames', { method: 'POST', json: broadcastFromWeb01 })).status).toBe(200);
    // the broadcast's hops are 1 µs apart (link latency): 1.5 µs takes the first ones only
    const a = await post<SimulationStepResponse>('/api/simulation/advance', { ns: 1500 });
    expect(a.status).toBe(200);
    expect(a.body.clock.now).toBe(t0 + 1500);
    expect(a.body.stepped).toBeGreaterThan(0);
    expect(a.body.events.every((e) => e.time <= t0 + 1500)).toBe(true);
    expect(a.body.clock.next).not.toBeNull();
    expect(a.body.clock.next!).toBeGreaterThan(t0 + 1500);
    // a virtual second: the rest, then the clock stands at the target with nothing due
    const b = await post<SimulationStepResponse>('/api/simulation/advance', { ns: 1e9 });
    expect(b.body.clock.now).toBe(t0 + 1500 + 1e9);
    expect(b.body.clock.next).toBeNull();
    expect(b.body.events.every((e) => e.time > t0 + 1500)).toBe(true);
    // each event was its own step: Back undoes the clock move, then the last event
    const back = await post('/api/simulation/back', { count: 2 });
    expect(back.body.history.position).toBe(b.body.history.position - 2);
    expect(back.body.traceSeq).toBeLessThan(b.body.traceSeq);
    await post('/api/simulation/reset');
    expect((await post('/api/simulation', { mode: 'realtime' })).body.mode).toBe('realtime');
    expect((await post('/api/simulation/advance', { ns: 1000 })).status).toBe(409);
  });

  it('a small history drops its oldest moments first: the state says how far back it reaches, Back, Reset and jumps before it are refused with that reason', async () => {
    // the engine's lab with a 4 kB history (the server's is 64 MB): a few pings pass it
    const small = await startEngineServer('default', { createLab: (t) => createLab(t, { history: true, historyLimitBytes: 4_000 }) });
    try {
      const sp = async <T = SimulationState>(p: string, json: unknown = {}): Promise<{ status: number; body: T }> => {
        const res = await small.api(p, { method: 'POST', json });
        return { status: res.status, body: await jsonOf<T>(res) };
      };
      await sp('/api/simulation', { mode: 'simulation' });
      const ping = await small.api('/api/ping', { method: 'POST', json: { from: 'web-01:eth0', to: '10.0.0.22', count: 60, intervalMs: 1, timeoutMs: 2 } });
      expect(ping.status).toBe(202);
      let firstSeq = 0;
      let st: SimulationStepResponse | undefined;
      for (let k = 0; k < 200; k++) {
        const r = await sp<SimulationStepResponse>('/api/simulation/step', { count: 10 });
        expect(r.status).toBe(200);
        if (firstSeq === 0 && r.body.events.length > 0) firstSeq = r.body.events[0]!.seq;
        st = r.body;
        if (r.body.stepped === 0) break;
      }
      const h = st!.history;
      expect(h.dropped).toBeGreaterThan(0);
      expect(h.oldest).toBe(h.dropped);
      expect(h.bytes).toBeLessThanOrEqual(h.limitBytes);
      expect(h.oldestTime).toBeGreaterThan(0);
      expect(h.oldestTraceSeq).toBeGreaterThan(firstSeq);

      // inside the window: Back works
      const back = await sp('/api/simulation/back', { count: 5 });
      expect(back.status).toBe(200);
      expect(back.body.history.position).toBe(h.position - 5);
      // beyond it: refused, saying how far back it goes
      const far = await sp<{ error: string }>('/api/simulation/back', { count: 10_000 });
      expect(far.status).toBe(200); // Back goes as far as the window reaches, no further
      expect((far.body as unknown as SimulationState).history.position).toBe(h.oldest);
      const beyond = await sp<{ error: string }>('/api/simulation/back');
      expect(beyond.status).toBe(409);
      expect(beyond.body.error).toMatch(/reaches back only to position \d+ .*dropped, oldest first/);
      const jump = await sp<{ error: string }>('/api/simulation/jump', { traceSeq: firstSeq });
      expect(jump.status).toBe(409);
      expect(jump.body.error).toMatch(/reaches back only/);
      const reset = await sp<{ error: string }>('/api/simulation/reset');
      expect(reset.status).toBe(409);
      expect(reset.body.error).toMatch(/reaches back only/);
      // forward again to the end, on the base the server prepared
      const end = await sp('/api/simulation/jump', { position: h.end });
      expect(end.status).toBe(200);
      expect(end.body.traceSeq).toBe(st!.traceSeq);
    } finally {
      await small.close();
    }
  });
});

/**
 * The lessons of the loaded topology over HTTP (src/server/routes/lessons.ts), on a real server
 * over the real engine: its tests (and scenarios with on: fresh) run on fresh labs of the
 * topology as the lab runs it now; a scenario played on the lab happens on its clock (Step
 * drives it, Reset undoes it) and its progress reaches live clients; an activity is graded with
 * the learner's runtime changes; bad requests are 4xx and change nothing. Also: an empty topology
 * file says "the file is empty".
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveClient, ROOT, startEngineServer, type EngineServer } from './helpers.js';

let s: EngineServer;

beforeAll(async () => {
  s = await startEngineServer('default');
});
afterAll(async () => {
  await s?.close();
});

const load = async (example: string) => expect((await s.post('/api/topology', { example })).status).toBe(200);

describe('lessons over HTTP', () => {
  it('GET /api/lessons: an example lists its tests and its scenarios, read from the examples directory', async () => {
    await load('teaming');
    const l = await s.get<
      { name: string; tests: Array<{ index: number; name: string }>; scenarios: Array<{ file: string; available: boolean; name?: string; durationNs?: number }>; activity: unknown }
    >('/api/lessons');
    expect(l.name).toBe('teaming');
    expect(l.tests.length).toBeGreaterThanOrEqual(3);
    expect(l.scenarios.map((x) => [x.file, x.available])).toEqual([
      ['scenarios/teaming-failover.json', true],
      ['scenarios/teaming-no-failback.json', true],
    ]);
    expect(l.scenarios[0]!.durationNs).toBeGreaterThan(0);
    expect(l.activity).toBeNull();
  });

  it('POST /api/lessons/tests and /scenario: PASS as vswitch-lab test says; an unknown test or scenario is 404', async () => {
    await load('teaming');
    const t = await (await s.post('/api/lessons/tests', {})).json() as { passed: number; failed: number };
    expect(t.failed).toBe(0);
    expect(t.passed).toBeGreaterThanOrEqual(3);
    const one = await (await s.post('/api/lessons/tests', { index: 0 })).json() as { results: unknown[] };
    expect(one.results).toHaveLength(1);
    expect((await s.post('/api/lessons/tests', { index: 99 })).status).toBe(404);
    const r = await s.post('/api/lessons/scenario', { file: 'scenarios/teaming-failover.json', on: 'fresh' });
    expect(r.status).toBe(200);
    const sc = await r.json() as { passed: boolean; timeline: Array<{ kind: string }> };
    expect(sc.passed).toBe(true);
    expect(sc.timeline.some((e) => e.kind === 'failover')).toBe(true);
    expect((await s.post('/api/lessons/scenario', { file: '../../package.json' })).status).toBe(404);
    expect((await s.post('/api/lessons/scenario', { file: 'x', text: '{}' })).status).toBe(400);
  });

  it('a scenario opened from disk ({text}) runs; a broken one is 422 with its errors', async () => {
    await load('teaming');
    const text = readFileSync(path.join(ROOT, 'topologies', 'scenarios', 'teaming-no-failback.json'), 'utf8');
    const r = await s.post('/api/lessons/scenario', { text, fileName: 'mine.json', on: 'fresh' });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { file: string; passed: boolean }).file).toBe('mine.json');
    const bad = await s.post('/api/lessons/scenario', { text: '{"duration": "1s", "steps": [{"at": "x"}]}', fileName: 'bad.json' });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { details: { errors: unknown[] } }).details.errors.length).toBeGreaterThan(0);
  });

  it('a scenario played on the lab in simulation mode: nothing before Step, its change and checks as the clock reaches them, live progress, Reset undoes it', async () => {
    await load('teaming');
    expect((await s.post('/api/simulation', { mode: 'simulation' })).status).toBe(200);
    const live = await liveClient(s.base);
    type Progress = {
      file: string;
      id: number;
      done: boolean;
      passed: boolean;
      startNs: number;
      elapsedNs: number;
      timeline: Array<{ kind: string; time: number; ok?: boolean }>;
      checks: Array<{ ok: boolean }>;
    };
    const progress = async () => (await s.get<{ scenario: Progress | null }>('/api/lessons/scenario')).scenario;
    try {
      const r = await s.post('/api/lessons/scenario', { file: 'scenarios/teaming-failover.json' });
      expect(r.status).toBe(202);
      const p0 = (await r.json()) as Progress;
      expect(p0).toMatchObject({ file: 'scenarios/teaming-failover.json', done: false, elapsedNs: 0 });
      expect(p0.timeline.map((e) => e.kind)).toEqual(['start']);
      // one at a time
      const again = await s.post('/api/lessons/scenario', { file: 'scenarios/teaming-no-failback.json' });
      expect(again.status).toBe(409);
      expect(((await again.json()) as { error: string }).error).toMatch(/still playing/);
      // paused: nothing happens without a step
      expect((await progress())!.timeline).toHaveLength(1);
      const rev0 = (await s.get<{ revision: number }>('/api/topology')).revision;
      // Step until its link change (scenario time 2 s): the change is a live event of the step
      let changeAt = -1;
      for (let k = 0; k < 100 && changeAt < 0; k++) {
        const st = (await (await s.post('/api/simulation/step', { count: 100 })).json()) as { stepped: number; events: Array<{ action: string; time: number }> };
        expect(st.stepped).toBeGreaterThan(0);
        changeAt = st.events.find((e) => e.action === 'change')?.time ?? -1;
      }
      expect(changeAt).toBe(p0.startNs + 2e9);
      let p = (await progress())!;
      expect(p.timeline.filter((e) => e.kind === 'change')).toHaveLength(1);
      expect(p.checks).toEqual([]);
      // the lab's topology follows the scenario's change
      expect((await s.get<{ revision: number }>('/api/topology')).revision).toBeGreaterThan(rev0);
      // on to its check at 4 s: ok as the clock reaches it
      while (p.checks.length === 0) {
        await s.post('/api/simulation/step', { count: 20 });
        p = (await progress())!;
      }
      expect(p.checks.map((c) => c.ok)).toEqual([true, true]);
      expect(p.done).toBe(false);
      expect(p.elapsedNs).toBeGreaterThanOrEqual(4e9);
      expect(p.elapsedNs).toBeLessThan(5e9);
      // live clients got the same progress
      const pushed = await live.waitFor((u) => (u.state ?? []).some((e) => e.kind === 'scenario' && (e.scenario as Progress | null)?.checks.length === 2));
      expect(pushed).toBeDefined();
      // Reset: back to before the scenario started; it is gone, and its changes with it
      expect((await s.post('/api/simulation/reset', {})).status).toBe(200);
      expect(await progress()).toBeNull();
      await live.waitFor((u) => (u.state ?? []).some((e) => e.kind === 'scenario' && e.scenario === null));
      // Step re-takes the recorded future: the scenario starts again and plays to its end, PASS
      while (!p.done || p.id !== p0.id) {
        const st = (await (await s.post('/api/simulation/step', { count: 2000 })).json()) as { stepped: number };
        const now = await progress();
        if (now) p = now;
        if (st.stepped === 0) break;
      }
      expect(p).toMatchObject({ done: true, passed: true, elapsedNs: 8e9 });
      expect(p.timeline.at(-1)).toMatchObject({ kind: 'end' });
    } finally {
      live.close();
      await s.post('/api/simulation', { mode: 'realtime' });
    }
  });

  it('in real time a scenario plays as time passes: live clients get its progress to its verdict', async () => {
    await load('teaming');
    const live = await liveClient(s.base);
    type Progress = { done: boolean; passed: boolean; checks: Array<{ what: string; ok: boolean }>; timeline: Array<{ kind: string }> };
    try {
      const text = JSON.stringify({
        name: 'short failover',
        duration: '400ms',
        pings: [{ name: 'p', from: 'client:eth0', to: '10.0.0.21', intervalMs: 50 }],
        steps: [
          { at: '100ms', change: { kind: 'link', iface: 'esxi-01:vmnic0', up: false } },
          { at: '300ms', check: { macTable: [{ switch: 'tor-1', mac: 'app-01:eth0', port: 'tor-1:eth2' }] } },
        ],
        expect: { pings: [{ ping: 'p', maxLost: 1 }] },
      });
      const r = await s.post('/api/lessons/scenario', { text, fileName: 'short.json' });
      expect(r.status).toBe(202);
      const done = await live.waitFor((u) => (u.state ?? []).some((e) => e.kind === 'scenario' && (e.scenario as Progress | null)?.done === true));
      const p = (done.state ?? []).find((e) => e.kind === 'scenario' && (e.scenario as Progress | null)?.done === true)!.scenario as Progress;
      expect(p.passed).toBe(true);
      expect(p.checks.map((c) => c.ok)).toEqual([true, true]);
      expect(p.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['change', 'failover', 'check', 'end']));
      // the link it took down is down in the lab's topology now
      const links = (await s.get<{ topology: { links: Array<{ a: string; b: string; up?: boolean }> } }>('/api/topology')).topology.links;
      expect(links.find((l) => l.a === 'esxi-01:vmnic0' || l.b === 'esxi-01:vmnic0')?.up).toBe(false);
    } finally {
      live.close();
    }
  });

  it('a scenario that cannot start on the lab is 422 and starts nothing', async () => {
    await load('teaming');
    const r = await s.post('/api/lessons/scenario', { text: JSON.stringify({ name: 'x', duration: '1s', pings: [{ from: 'tor-1:eth1', to: '10.0.0.21' }] }), fileName: 'x.json' });
    expect(r.status).toBe(422);
    expect(((await r.json()) as { error: string }).error).toMatch(/not an endpoint/);
    expect(await s.get('/api/lessons/scenario')).toEqual({ scenario: null });
  });

  it('POST /api/lessons/activity grades the lab as the learner changed it; a topology without an activity is 404', async () => {
    await load('default');
    expect((await s.post('/api/lessons/activity', {})).status).toBe(404);
    await load('vmotion-activity');
    let g = await (await s.post('/api/lessons/activity', {})).json() as { score: number; total: number; tasks: Array<{ passed: boolean }> };
    expect([g.score, g.total]).toEqual([0, 4]);
    expect((await s.post('/api/changes', { kind: 'portgroup', host: 'esxi-02', portGroup: 'vMotion', vlan: 50 })).status).toBe(200);
    g = await (await s.post('/api/lessons/activity', {})).json() as typeof g;
    expect(g.tasks.map((t) => t.passed)).toEqual([true, false, false]);
    expect(g.score).toBe(1);
  });

  it('an empty topology file: 422 "the file is empty", not a schema message; the lab is unchanged', async () => {
    await load('default');
    for (const text of ['', '   \n']) {
      const r = await s.post('/api/topology', { text, fileName: 'empty.json' });
      expect(r.status).toBe(422);
      const b = (await r.json()) as { details: { errors: Array<{ message: string }> } };
      expect(b.details.errors.map((e) => e.message)).toEqual(['the file is empty; a topology is a JSON object']);
    }
    expect((await s.get<{ topology: { name: string } }>('/api/topology')).topology.name).toBe('default');
  });
});

/**
 * The lessons of the loaded topology over HTTP (src/server/routes/lessons.ts), on a real server
 * over the real engine: its tests and the scenarios an example lists run on fresh labs of the
 * topology as the lab runs it now; an activity is graded with the learner's runtime changes; bad
 * requests are 4xx and change nothing. Also: an empty topology file says "the file is empty".
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startEngineServer, type EngineServer } from './helpers.js';

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
    const l = await s.get<{ name: string; tests: Array<{ index: number; name: string }>; scenarios: Array<{ file: string; available: boolean; name?: string; durationNs?: number }>; activity: unknown }>('/api/lessons');
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
    const r = await s.post('/api/lessons/scenario', { file: 'scenarios/teaming-failover.json' });
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
    const r = await s.post('/api/lessons/scenario', { text, fileName: 'mine.json' });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { file: string; passed: boolean }).file).toBe('mine.json');
    const bad = await s.post('/api/lessons/scenario', { text: '{"duration": "1s", "steps": [{"at": "x"}]}', fileName: 'bad.json' });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { details: { errors: unknown[] } }).details.errors.length).toBeGreaterThan(0);
  });

  it("POST /api/lessons/activity grades the lab as the learner changed it; a topology without an activity is 404", async () => {
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

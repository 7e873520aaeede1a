/**
 * The lessons of the loaded topology, run from the browser as `vswitch-lab test` / `run` run them:
 *
 * GET  /api/lessons                 its description, `tests`, the timed `scenarios` it lists (read
 *                                   from the examples directory for an example; a topology opened
 *                                   from disk has no directory: open the scenario file too) and
 *                                   its `activity` (tasks with their Markdown instructions)
 * POST /api/lessons/tests           {index?}: every test (or one), each on a fresh lab
 * POST /api/lessons/scenario        {file} (one the topology lists) | {text, fileName?} (a file
 *                                   opened from disk), and `on`:
 *                                   - "lab" (default): plays it on the running lab, from now, on
 *                                     its clock (202 with its progress): its frames, changes,
 *                                     RARPs and lost probes are the lab's live events, animated
 *                                     like any traffic; real time plays it as time passes, in
 *                                     simulation mode Step/Play drive it and Back/Reset/jumps
 *                                     undo it exactly (it is one journaled input of the lab,
 *                                     engine/scenario.ts startScenario). Its progress (timeline,
 *                                     checks ok/FAIL as the clock reaches them, the verdict at
 *                                     its end) goes to live clients as `{kind:'scenario',
 *                                     scenario}` state entries; one runs at a time (409);
 *                                   - "fresh": runs it to its end at once on a fresh lab of the
 *                                     topology (200 with its result), the running lab untouched
 * GET  /api/lessons/scenario        the progress of the scenario played last on the running lab
 *                                   (null when none, or a restore went back before its start)
 * POST /api/lessons/activity        grades the activity: each task's check on a fresh lab
 *
 * Tests, activities and fresh scenario runs use the topology **as the lab runs it now**
 * (`currentTopology`: the learner's runtime changes included), on fresh labs of the engine: the
 * running lab is not touched.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { gradeActivity, createLab, runScenario, type ScenarioResult, runTests, startScenario, currentScenario, type Lab, type LiveScenario } from '../../engine/index.js';
import { checkScenarioText, timeNs } from '../../topology/scenario.js';
import type { ScenarioDoc } from '../../topology/scenario.js';
import type { TopologyDoc } from '../../topology/schema.js';
import type { AppContext } from '../context.js';
import { ApiError, parseBody } from '../errors.js';
import { plainJson } from '../trace-json.js';

const TestsBody = z.object({ index: z.number().int().min(0).optional() }).strict();
const On = z.enum(['lab', 'fresh']).default('lab');
const ScenarioBody = z.union([
  z.object({ file: z.string().min(1).max(300), on: On }).strict(),
  z.object({ text: z.string().min(1).max(1_000_000), fileName: z.string().max(200).optional(), on: On }).strict(),
]);

/** The file each scenario played on a lab came from, by its run id (the same after a restore). */
const playedFiles = new WeakMap<object, Map<number, string>>();

/** A scenario's progress as the API and live clients get it. */
function progressJson(lab: object, run: LiveScenario): unknown {
  return plainJson({ file: playedFiles.get(lab)?.get(run.id) ?? 'scenario.json', ...run.progress() });
}

/** The running lab as the engine's Lab (a scenario plays on its journal); 501 for another kind of lab. */
function engineLab(ctx: AppContext): Lab {
  const lab = ctx.session.lab as unknown as Partial<Lab>;
  if (typeof lab.startProgram !== 'function' || typeof lab.programs !== 'function') throw new ApiError(501, 'this lab cannot play scenarios on its clock; use {"on": "fresh"}');
  return lab as Lab;
}

export interface LessonScenario {
  /** as the topology lists it (relative to the topology file) */
  file: string;
  available: boolean;
  name?: string;
  description?: string;
  durationNs?: number;
  /** why it cannot be run from here */
  problem?: string;
}

/** The examples directory of an example topology (`example:<name>`), else null (an upload has none). */
function exampleDir(ctx: AppContext, source: string): string | null {
  return source.startsWith('example:') ? path.resolve(ctx.examplesDir) : null;
}

/** A listed scenario file's path, only inside the examples directory. */
function scenarioPath(dir: string, file: string): string | null {
  const full = path.resolve(dir, file);
  return full.startsWith(dir + path.sep) ? full : null;
}

async function readScenario(ctx: AppContext, source: string, file: string): Promise<{ doc: ScenarioDoc } | { problem: string }> {
  const dir = exampleDir(ctx, source);
  if (dir === null) return { problem: `${file} is next to the topology file on your disk: open it with "Open a scenario file"` };
  const full = scenarioPath(dir, file);
  if (full === null) return { problem: `${file} is outside the examples directory` };
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch {
    return { problem: `${file} is not in the examples directory` };
  }
  const c = checkScenarioText(text);
  if (!c.ok) return { problem: `${file}: ${c.issues.map((i) => `${i.path || '(top)'}: ${i.message}`).join('; ')}` };
  if (c.kind !== 'timed') return { problem: `${file} is a list of tests, not a timed scenario` };
  return { doc: c.scenario };
}

/** A scenario run on a fresh lab of `topology`; a bad scenario is a 422 with the engine's words. */
function run(topology: TopologyDoc, doc: ScenarioDoc): ScenarioResult {
  try {
    return runScenario(topology, doc, { createLab: (t) => createLab(t, { wallClockStartMs: Date.now() }) });
  } catch (err) {
    throw new ApiError(422, err instanceof Error ? err.message : String(err));
  }
}

export function lessonRoutes(ctx: AppContext): Router {
  const r = Router();
  const limit = ctx.frameLimiter.middleware();

  // live clients follow the scenario playing on the lab: its progress whenever it has news
  // (a restore re-creates the run: a new object, pushed even when its version is one seen before)
  let pushed: { lab: object; run: LiveScenario; version: number; changes: number } | null = null;
  ctx.session.moved.add(() => {
    if (!ctx.session.loaded) return;
    const lab = ctx.session.lab as unknown as Partial<Lab>;
    if (typeof lab.programs !== 'function') return;
    const run = currentScenario(lab as Lab);
    if (run === null) {
      if (pushed !== null && pushed.lab === lab) ctx.session.liveEvents?.stateChanged({ kind: 'scenario', scenario: null });
      pushed = null;
      return;
    }
    if (pushed !== null && pushed.lab === lab && pushed.run === run && pushed.version === run.version) return;
    const p = run.progress();
    const changes = p.timeline.filter((e) => e.kind === 'change').length;
    // its timed changes changed the lab's topology (a link, a policy): the graph and Inspect follow
    if (pushed === null || pushed.lab !== lab || pushed.run !== run || pushed.changes !== changes) ctx.session.refreshTopology();
    pushed = { lab, run, version: run.version, changes };
    ctx.session.liveEvents?.stateChanged({ kind: 'scenario', scenario: progressJson(lab, run) });
  });

  r.get('/lessons', async (_req, res) => {
    const state = ctx.session.state;
    const t = state.topology;
    const scenarios: LessonScenario[] = [];
    for (const file of t.scenarios ?? []) {
      const s = await readScenario(ctx, state.source, file);
      if ('doc' in s) {
        const e: LessonScenario = { file, available: true, name: s.doc.name };
        if (s.doc.description !== undefined) e.description = s.doc.description;
        e.durationNs = timeNs(s.doc.duration);
        scenarios.push(e);
      } else scenarios.push({ file, available: false, problem: s.problem });
    }
    res.json({
      generation: state.generation,
      name: t.name,
      description: t.description ?? null,
      tests: (t.tests ?? []).map((x, index) => ({ index, name: x.name, description: x.description ?? null })),
      scenarios,
      activity: t.activity
        ? { title: t.activity.title, goal: t.activity.goal ?? null, tasks: t.activity.tasks.map((k, i) => ({ number: i + 1, title: k.title, instructions: k.instructions, points: k.points })) }
        : null,
    });
  });

  r.post('/lessons/tests', limit, (req, res) => {
    const body = parseBody(TestsBody, req.body ?? {});
    const topology = ctx.session.lab.currentTopology();
    const tests = ctx.session.state.topology.tests ?? [];
    if (body.index !== undefined && body.index >= tests.length) throw new ApiError(404, `the topology has ${tests.length} test${tests.length === 1 ? '' : 's'}; no test ${body.index}`);
    const chosen = body.index === undefined ? tests : [tests[body.index]!];
    const result = runTests(topology, chosen, { createLab: (t) => createLab(t, { wallClockStartMs: Date.now() }) });
    res.json(plainJson(result));
  });

  r.post('/lessons/scenario', limit, async (req, res) => {
    const body = parseBody(ScenarioBody, req.body);
    const state = ctx.session.state;
    let doc: ScenarioDoc;
    let file: string;
    if ('file' in body) {
      if (!(state.topology.scenarios ?? []).includes(body.file)) throw new ApiError(404, `${state.topology.name} lists no scenario "${body.file}"`, { scenarios: state.topology.scenarios ?? [] });
      const s = await readScenario(ctx, state.source, body.file);
      if ('problem' in s) throw new ApiError(404, s.problem);
      doc = s.doc;
      file = body.file;
    } else {
      file = body.fileName ?? 'scenario.json';
      const c = checkScenarioText(body.text);
      if (!c.ok) throw new ApiError(422, `${file}: not a valid scenario file`, { errors: c.issues });
      if (c.kind !== 'timed') throw new ApiError(422, `${file} is a list of tests, not a timed scenario`);
      doc = c.scenario;
    }
    if (body.on === 'fresh') {
      const result = run(ctx.session.lab.currentTopology(), doc);
      res.json({ file, ...plainJson(result) });
      return;
    }
    const lab = engineLab(ctx);
    const playing = currentScenario(lab);
    if (playing !== null && !playing.done) {
      throw new ApiError(
        409,
        `scenario "${playing.name}" is still playing on the lab (${
          ((playing.startNs + playing.durationNs - lab.now) / 1e9).toFixed(3)
        } s of lab time left); let it end, or go back before it in simulation mode`,
      );
    }
    const clock = ctx.session.clock;
    clock.sync(); // in real time: it starts at the present
    let started: LiveScenario;
    try {
      started = startScenario(lab, doc);
    } catch (err) {
      throw new ApiError(422, err instanceof Error ? err.message : String(err));
    }
    let files = playedFiles.get(lab);
    if (!files) playedFiles.set(lab, files = new Map());
    files.set(started.id, file);
    clock.kick();
    res.status(202).json(progressJson(lab, started));
  });

  r.get('/lessons/scenario', (_req, res) => {
    const lab = engineLab(ctx);
    const run = currentScenario(lab);
    res.json({ scenario: run === null ? null : progressJson(lab, run) });
  });

  r.post('/lessons/activity', limit, (_req, res) => {
    const state = ctx.session.state;
    const activity = state.topology.activity;
    if (!activity) throw new ApiError(404, `${state.topology.name} has no activity`);
    const g = gradeActivity(ctx.session.lab.currentTopology(), activity, { createLab: (t) => createLab(t, { wallClockStartMs: Date.now() }) });
    res.json({
      generation: state.generation,
      revision: state.revision,
      ...plainJson({ ...g, tasks: g.tasks.map(({ test, ...task }) => ({ ...task, ...(test?.ping ? { ping: test.ping.output } : {}), ...(test?.explain ? { explain: test.explain } : {}) })) }),
    });
  });

  return r;
}

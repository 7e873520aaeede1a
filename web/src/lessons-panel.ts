/**
 * Lessons (Lessons tab): what the loaded topology teaches, run from the browser as
 * `vswitch-lab test` / `run` run it (GET/POST /api/lessons…):
 * - its description, and the activity's goal (also shown on the graph when a lab loads);
 * - the activity: ordered tasks with their instructions (Markdown, markdown.ts) and live
 *   progress — regraded whenever the running lab changes, a task turns green when its check
 *   holds on the topology as the learner left it; "Check my work" gives the score;
 * - its `tests`: Run one or all, PASS/FAIL with the unmet expectations and the explain trace;
 * - its timed `scenarios` (served with an example; a file can be opened from disk), played on
 *   the running lab's clock — its frames and changes are the lab's live events, animated on the
 *   graph, driven by the same Play/Step/Back controls — with the timeline (changes, failovers,
 *   RARPs, path changes, lost probes, every check ok/FAIL) growing as the clock reaches it (the
 *   server pushes `{kind:'scenario'}` state entries: `scenarioProgress`); or run at once on a
 *   fresh lab.
 */
import { ApiFailure } from './api.js';
import { clear, formatTime, h, toast } from './dom.js';
import { renderMarkdown } from './markdown-view.js';
import type { TopologyState } from './model.js';
import { apiRequest } from './api.js';

interface LessonTest {
  index: number;
  name: string;
  description: string | null;
}
interface LessonScenario {
  file: string;
  available: boolean;
  name?: string;
  description?: string;
  durationNs?: number;
  problem?: string;
}
interface LessonTask {
  number: number;
  title: string;
  instructions: string;
  points: number;
}
export interface Lessons {
  generation: number;
  name: string;
  description: string | null;
  tests: LessonTest[];
  scenarios: LessonScenario[];
  activity: { title: string; goal: string | null; tasks: LessonTask[] } | null;
}
interface TestResult {
  name: string;
  passed: boolean;
  failures: string[];
  explain?: string[];
  ping?: { output: string[] };
}
interface TaskGrade {
  number: number;
  title: string;
  points: number;
  passed: boolean;
  failures: string[];
  ping?: string[];
}
interface Grade {
  generation: number;
  revision: number;
  title: string;
  passed: boolean;
  score: number;
  total: number;
  tasks: TaskGrade[];
}
interface TimelineEntry {
  time: number;
  kind: string;
  text: string;
  ok?: boolean;
}
interface ScenarioRun {
  file: string;
  name: string;
  passed: boolean;
  durationNs: number;
  timeline: TimelineEntry[];
  checks: Array<{ what: string; ok: boolean; detail: string }>;
  /** played on the lab: false until its end; absent for a run at once */
  done?: boolean;
  /** played on the lab: scenario time reached, ns */
  elapsedNs?: number;
  /** played on the lab: its run id there */
  id?: number;
}

function failureText(err: unknown): string {
  return err instanceof ApiFailure ? err.body.error : err instanceof Error ? err.message : String(err);
}

export class LessonsPanel {
  readonly root: HTMLElement;
  private readonly intro: HTMLElement;
  private readonly activityBox: HTMLElement;
  private readonly testsBox: HTMLElement;
  private readonly scenariosBox: HTMLElement;
  private readonly scenarioResult: HTMLElement;
  private readonly fresh: HTMLInputElement;
  private lessons: Lessons | null = null;
  /** a scenario playing on the lab is shown (its pushes update the result) */
  private following = false;
  private generation = -1;
  private revision = -1;
  /** the newest grading asked for: older answers are ignored */
  private gradeSeq = 0;
  /**
   * The learner asked (Check my work) on this lab: every grading from then on shows why each
   * task is not done yet, so a re-grade after a lab change keeps the reasons current instead of
   * erasing them.
   */
  private showWhy = false;
  /** Check my work's score toast is still owed: a re-grade asked meanwhile supersedes its answer, and says the score instead. */
  private toastOwed = false;
  private readonly taskItems = new Map<number, HTMLElement>();
  private readonly testItems = new Map<number, HTMLElement>();
  private score: HTMLElement | null = null;
  /** a timeline entry was chosen: main shows the interfaces it names on the graph */
  onShow: (ifaces: string[]) => void = () => undefined;
  /** the lab's intro changed: main shows it on the graph (null: a new lab is loading, hide the old one's) */
  onIntro: (l: Lessons | null) => void = () => undefined;

  constructor() {
    this.intro = h('div', { class: 'lesson-intro', id: 'lesson-intro' });
    this.activityBox = h('section', { class: 'lesson-activity', id: 'lesson-activity', 'aria-live': 'polite' });
    this.testsBox = h('section', { class: 'lesson-tests', id: 'lesson-tests' });
    this.scenarioResult = h('div', { class: 'scenario-result', id: 'scenario-result', 'aria-live': 'polite' });
    const file = h('input', { type: 'file', accept: '.json,application/json', id: 'scenario-file', 'aria-label': 'Open a scenario file' });
    file.addEventListener('change', () => {
      const f = file.files?.[0];
      file.value = '';
      if (f) void f.text().then((text) => this.runScenario({ text, fileName: f.name }, f.name));
    });
    this.scenariosBox = h('section', { class: 'lesson-scenarios', id: 'lesson-scenarios' });
    this.fresh = h('input', { type: 'checkbox', id: 'scenario-fresh' });
    this.root = h(
      'div',
      { class: 'lessons-panel' },
      this.intro,
      this.activityBox,
      this.testsBox,
      h(
        'section',
        {},
        this.scenariosBox,
        h('div', { class: 'field' }, h('label', { for: 'scenario-file' }, 'Open a scenario file (timed scenario .json)'), file),
        h(
          'div',
          { class: 'field' },
          h('label', { title: 'Run it to its end at once on a fresh lab of this topology, instead of playing it on the lab clock' }, this.fresh, ' at once, on a fresh lab (not animated)'),
        ),
        this.scenarioResult,
      ),
    );
  }

  /** Every topology state from the server: a new lab reloads the lessons; a changed lab regrades its activity. */
  topologyChanged(s: TopologyState): void {
    if (s.generation !== this.generation) {
      this.generation = s.generation;
      this.revision = s.revision;
      // nothing of the previous lab stays while this one's lessons load
      this.lessons = null;
      this.following = false;
      this.gradeSeq++;
      for (const el of [this.intro, this.activityBox, this.testsBox, this.scenariosBox, this.scenarioResult]) clear(el);
      this.taskItems.clear();
      this.testItems.clear();
      this.score = null;
      this.intro.append(h('p', { class: 'muted' }, `loading the lessons of ${s.topology.name} …`));
      this.onIntro(null);
      void this.reload();
      return;
    }
    if (s.revision !== this.revision) {
      this.revision = s.revision;
      if (this.lessons?.activity) void this.grade(false);
    }
  }

  async reload(): Promise<void> {
    let l: Lessons;
    try {
      l = await apiRequest<Lessons>('GET', '/api/lessons');
    } catch (err) {
      if (!(err instanceof ApiFailure && err.status === 409)) toast(`lessons: ${failureText(err)}`, 'error');
      return;
    }
    if (l.generation !== this.generation) return; // another lab came meanwhile
    this.lessons = l;
    this.render(l);
    this.onIntro(l);
    if (l.activity) void this.grade(false);
    // a scenario already playing on this lab (another page started it, or this page reloaded)
    try {
      const cur = await apiRequest<{ scenario: ScenarioRun | null }>('GET', '/api/lessons/scenario');
      if (cur.scenario && l.generation === this.generation) {
        this.following = true;
        this.scenarioProgress(cur.scenario);
      }
    } catch {
      // a lab that cannot play scenarios: nothing to follow
    }
  }

  /**
   * The scenario playing on the lab moved on (a `{kind:'scenario'}` state entry): its timeline
   * and checks so far, its verdict at its end; null when the lab went back before its start.
   */
  scenarioProgress(p: unknown): void {
    if (p === null || p === undefined) {
      if (!this.following) return;
      clear(this.scenarioResult);
      this.scenarioResult.append(h('p', { class: 'muted', id: 'scenario-verdict' }, 'The lab went back before the scenario started: it is undone (Step or Play starts it again).'));
      return;
    }
    const r = p as ScenarioRun;
    if (typeof r !== 'object' || !Array.isArray(r.timeline)) return;
    this.following = true;
    clear(this.scenarioResult);
    this.scenarioResult.append(renderScenario(r, (ifaces) => this.onShow(ifaces)));
  }

  private render(l: Lessons): void {
    clear(this.intro);
    this.intro.append(h('h3', {}, l.name), l.description ? h('p', {}, l.description) : h('p', { class: 'muted' }, 'This topology has no description.'));
    this.renderActivity(l);
    this.renderTests(l);
    this.renderScenarios(l);
    clear(this.scenarioResult);
  }

  private renderActivity(l: Lessons): void {
    clear(this.activityBox);
    this.taskItems.clear();
    this.score = null;
    this.showWhy = false;
    this.toastOwed = false;
    const a = l.activity;
    if (!a) return;
    const check = h('button', { type: 'button', class: 'primary', id: 'check-work' }, 'Check my work');
    check.addEventListener('click', () => void this.grade(true));
    this.score = h('span', { class: 'score', id: 'activity-score' }, '');
    const ol = h('ol', { class: 'tasks', id: 'activity-tasks' });
    for (const t of a.tasks) {
      const li = h(
        'li',
        { class: 'task pending', 'data-task': t.number },
        h(
          'div',
          { class: 'task-head' },
          h('span', { class: 'task-mark', 'aria-hidden': 'true' }, '○'),
          h('strong', {}, t.title),
          h('span', { class: 'muted' }, ` · ${t.points} point${t.points === 1 ? '' : 's'}`),
          h('span', { class: 'task-state sr-only' }, 'not done yet'),
        ),
        renderMarkdown(t.instructions),
        h('div', { class: 'task-why' }),
      );
      this.taskItems.set(t.number, li);
      ol.append(li);
    }
    this.activityBox.append(h('h3', {}, `Activity: ${a.title}`), a.goal ? renderMarkdown(a.goal) : '', ol, h('div', { class: 'actions' }, check, this.score));
  }

  /**
   * Grades the activity on the lab as it runs now. `announce` (Check my work) says the score and
   * from then on shows why tasks are not done; when a newer grading supersedes it (a lab change
   * while it was asked), the newer answer does both.
   */
  async grade(announce: boolean): Promise<void> {
    const seq = ++this.gradeSeq;
    if (announce) {
      this.showWhy = true;
      this.toastOwed = true;
    }
    let g: Grade;
    try {
      g = await apiRequest<Grade>('POST', '/api/lessons/activity', {});
    } catch (err) {
      if (announce) {
        this.toastOwed = false;
        toast(`check: ${failureText(err)}`, 'error');
      }
      return;
    }
    if (seq !== this.gradeSeq || g.generation !== this.generation) return;
    for (const t of g.tasks) {
      const li = this.taskItems.get(t.number);
      if (!li) continue;
      li.className = `task ${t.passed ? 'done' : 'pending'}`;
      li.querySelector('.task-mark')!.textContent = t.passed ? '✓' : '○';
      li.querySelector('.task-state')!.textContent = t.passed ? 'done' : 'not done yet';
      const why = li.querySelector('.task-why')!;
      clear(why);
      if (!t.passed && this.showWhy) why.append(h('ul', { class: 'bad' }, ...t.failures.map((f) => h('li', {}, f))));
    }
    if (this.score) this.score.textContent = `${g.score}/${g.total} points${g.passed ? ' — every task done!' : ''}`;
    if (this.toastOwed) {
      this.toastOwed = false;
      toast(`Score: ${g.score}/${g.total} points`, g.passed ? 'ok' : 'info');
    }
  }

  private renderTests(l: Lessons): void {
    clear(this.testsBox);
    this.testItems.clear();
    if (l.tests.length === 0) {
      this.testsBox.append(h('h3', {}, 'Tests'), h('p', { class: 'muted' }, 'This topology has no tests block.'));
      return;
    }
    const all = h('button', { type: 'button', id: 'run-all-tests' }, `Run all ${l.tests.length}`);
    all.addEventListener('click', () => void this.runTests(undefined, all));
    const ul = h('ul', { class: 'lesson-list' });
    for (const t of l.tests) {
      const run = h('button', { type: 'button', class: 'small', 'data-test': t.index }, 'Run');
      run.addEventListener('click', () => void this.runTests(t.index, run));
      const li = h(
        'li',
        { 'data-test': t.index },
        h('div', { class: 'lesson-head' }, h('span', { class: 'verdict' }, ''), h('strong', {}, t.name), run),
        t.description ? h('p', { class: 'muted' }, t.description) : '',
        h('div', { class: 'lesson-out' }),
      );
      this.testItems.set(t.index, li);
      ul.append(li);
    }
    this.testsBox.append(h('h3', {}, 'Tests ', all), ul);
  }

  private async runTests(index: number | undefined, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      const r = await apiRequest<{ results: TestResult[] }>('POST', '/api/lessons/tests', index === undefined ? {} : { index });
      const indexes = index === undefined ? [...this.testItems.keys()] : [index];
      r.results.forEach((res, i) => {
        const li = this.testItems.get(indexes[i]!);
        if (!li) return;
        li.className = res.passed ? 'pass' : 'fail';
        li.querySelector('.verdict')!.textContent = res.passed ? 'PASS' : 'FAIL';
        const out = li.querySelector('.lesson-out')!;
        clear(out);
        if (!res.passed) {
          out.append(h('ul', { class: 'bad' }, ...res.failures.map((f) => h('li', {}, f))));
          const lines = [...(res.ping?.output.filter((x) => x !== '').map((x) => `| ${x}`) ?? []), ...(res.explain ?? [])];
          if (lines.length) out.append(h('pre', { class: 'explain-lines' }, lines.join('\n')));
        }
      });
    } catch (err) {
      toast(`tests: ${failureText(err)}`, 'error');
    } finally {
      button.disabled = false;
    }
  }

  private renderScenarios(l: Lessons): void {
    clear(this.scenariosBox);
    this.scenariosBox.append(h('h3', {}, 'Timed scenarios'));
    if (l.scenarios.length === 0) {
      this.scenariosBox.append(h('p', { class: 'muted' }, 'This topology lists no scenarios; open a scenario file below.'));
      return;
    }
    const ul = h('ul', { class: 'lesson-list' });
    for (const s of l.scenarios) {
      const run = h('button', { type: 'button', class: 'small', 'data-scenario': s.file, disabled: !s.available }, 'Run');
      run.addEventListener('click', () => void this.runScenario({ file: s.file }, s.file, run));
      ul.append(
        h(
          'li',
          {},
          h('div', { class: 'lesson-head' }, h('strong', {}, s.name ?? s.file), run),
          h('p', { class: 'muted' }, `${s.file}${s.durationNs !== undefined ? ` · ${formatTime(s.durationNs)} of lab time` : ''}`),
          s.description ? h('p', {}, s.description) : '',
          s.problem ? h('p', { class: 'field-error' }, s.problem) : '',
        ),
      );
    }
    this.scenariosBox.append(ul);
  }

  async runScenario(body: { file: string } | { text: string; fileName: string }, label: string, button?: HTMLButtonElement): Promise<void> {
    if (button) button.disabled = true;
    const fresh = this.fresh.checked;
    if (fresh) {
      clear(this.scenarioResult);
      this.scenarioResult.append(h('p', { class: 'muted' }, `running ${label} on a fresh lab …`));
    }
    try {
      const r = await apiRequest<ScenarioRun>('POST', '/api/lessons/scenario', { ...body, on: fresh ? 'fresh' : 'lab' });
      this.following = !fresh;
      clear(this.scenarioResult);
      this.scenarioResult.append(renderScenario(r, (ifaces) => this.onShow(ifaces)));
      if (!fresh) toast(`${r.name}: playing on the lab clock (${formatTime(r.durationNs)}) — Play or Step to run it`, 'info');
    } catch (err) {
      clear(this.scenarioResult);
      const d = err instanceof ApiFailure ? (err.body.details as { errors?: Array<{ path: string; message: string; line?: number }> } | undefined) : undefined;
      this.scenarioResult.append(h('p', { class: 'field-error', role: 'alert' }, `${label}: ${failureText(err)}`));
      if (d?.errors?.length)
        this.scenarioResult.append(h('ul', { class: 'bad' }, ...d.errors.map((e) => h('li', {}, `${e.path || '(top)'}${e.line !== undefined ? ` (line ${e.line})` : ''}: ${e.message}`))));
    } finally {
      if (button) button.disabled = false;
    }
  }
}

/** A scenario's result (PASS/FAIL, each check, the timeline), or its progress while it plays on the lab. */
function renderScenario(r: ScenarioRun, show: (ifaces: string[]) => void): HTMLElement {
  const ok = r.checks.filter((c) => c.ok).length;
  const playing = r.done === false;
  const timeline = h('ol', { class: 'timeline', id: 'scenario-timeline' });
  for (const e of r.timeline) {
    // the interfaces an entry names (node:interface): choosing the entry shows them on the graph
    const ifaces = [...new Set(e.text.match(/\b[A-Za-z0-9][\w.-]*:[A-Za-z][\w.-]*\b/g) ?? [])];
    const li = h(
      'li',
      {
        class: `tl-${e.kind}${e.ok === false ? ' bad' : e.ok ? ' ok' : ''}${ifaces.length ? ' tl-place' : ''}`,
        ...(ifaces.length ? { tabindex: 0, title: `show ${ifaces.join(', ')} on the graph`, 'data-ifaces': ifaces.join(' ') } : {}),
      },
      h('span', { class: 'tl-time' }, formatTime(e.time)),
      h('span', { class: 'tl-kind' }, e.kind),
      e.ok === undefined ? '' : h('span', { class: 'tl-mark' }, e.ok ? 'ok' : 'FAIL'),
      h('span', { class: 'tl-text' }, e.text),
    );
    if (ifaces.length) {
      li.addEventListener('click', () => show(ifaces));
      li.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          show(ifaces);
        }
      });
    }
    timeline.append(li);
  }
  return h(
    'div',
    {},
    playing
      ? h('h4', { class: 'playing', id: 'scenario-verdict' }, `PLAYING  ${r.name} — ${formatTime(r.elapsedNs ?? 0)} of ${formatTime(r.durationNs)} (${ok}/${r.checks.length} checks ok so far)`)
      : h('h4', { class: r.passed ? 'ok' : 'bad', id: 'scenario-verdict' }, `${r.passed ? 'PASS' : 'FAIL'}  ${r.name} (${ok}/${r.checks.length} checks)`),
    h('ul', { class: 'checks', id: 'scenario-checks' }, ...r.checks.map((c) => h('li', { class: c.ok ? 'ok' : 'bad' }, `${c.ok ? 'PASS' : 'FAIL'}  ${c.what}: ${c.detail}`))),
    h('details', { open: true }, h('summary', {}, `Timeline (${r.timeline.length} entries)`), timeline),
  );
}

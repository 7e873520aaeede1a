/**
 * Topologies: the current one (name, source, warnings), open a file (picker or drag-and-drop
 * anywhere on the page), choose an example, validation errors as a list of paths and messages,
 * download the current topology with the graph's positions saved into `layout`.
 */
import { api, ApiFailure } from './api.js';
import { clear, downloadText, h, toast } from './dom.js';
import type { ExampleInfo, InvalidTopologyBody, Issue, TopologyState } from './model.js';

/** "1 host", "2 hosts" */
function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export class TopologyPanel {
  readonly root: HTMLElement;
  private readonly info: HTMLElement;
  private readonly issues: HTMLElement;
  private readonly examples: HTMLSelectElement;
  private readonly fileInput: HTMLInputElement;
  private state: TopologyState | null = null;
  /** leaf positions of the graph, for the download */
  positions: () => Record<string, { x: number; y: number }> = () => ({});
  onLoaded: (s: TopologyState) => void = () => undefined;

  constructor() {
    this.info = h('div', { class: 'topo-info' });
    this.issues = h('div', { class: 'issues', id: 'topology-issues', 'aria-live': 'polite' });
    this.examples = h('select', { id: 'example-select', 'aria-label': 'Example topologies' });
    this.fileInput = h('input', { type: 'file', accept: '.json,.jsonc,application/json', id: 'topology-file', 'aria-label': 'Open a topology file' });
    this.fileInput.addEventListener('change', () => {
      const f = this.fileInput.files?.[0];
      if (f) void this.openFile(f);
      this.fileInput.value = '';
    });
    const loadExample = h('button', { type: 'button', id: 'load-example' }, 'Load example');
    loadExample.addEventListener('click', () => void this.load({ example: this.examples.value }, `example ${this.examples.value}`));
    const dl = h('button', { type: 'button', id: 'download-topology' }, 'Download topology');
    dl.addEventListener('click', () => this.download());
    this.root = h(
      'div',
      { class: 'topology-panel' },
      this.info,
      h('h4', {}, 'Open'),
      h('div', { class: 'field' }, h('label', { for: 'topology-file' }, 'Topology file (.json / .jsonc) — or drop it anywhere on the page'), this.fileInput),
      h('div', { class: 'field' }, h('label', { for: 'example-select' }, 'Example'), h('div', { class: 'ping-row' }, this.examples, loadExample)),
      h('div', { class: 'actions' }, dl),
      this.issues,
    );
  }

  async loadExamples(): Promise<void> {
    try {
      const list: ExampleInfo[] = await api.examples();
      clear(this.examples);
      for (const e of list) this.examples.append(h('option', { value: e.name, title: e.description ?? '' }, `${e.title}${e.title !== e.name ? ` (${e.name})` : ''}`));
      this.showSource();
    } catch (err) {
      toast(`examples: ${err instanceof Error ? err.message : String(err)}`, 'error');
    }
  }

  show(s: TopologyState): void {
    this.state = s;
    this.showSource();
    const t = s.topology;
    clear(this.info);
    this.info.append(
      h('h3', {}, t.name),
      t.description ? h('p', {}, t.description) : '',
      h(
        'p',
        { class: 'muted' },
        `from ${s.source} · loaded ${new Date(s.loadedAt).toLocaleTimeString()} · ${count(t.hosts.length, 'host')}, ${count(t.vms.length, 'VM')}, ${
          count(t.physicalSwitches.length, 'physical switch', 'physical switches')
        }, ${count(t.links.length, 'link')}`,
      ),
    );
    if (s.warnings.length) this.info.append(this.issueList('Warnings', s.warnings, 'warning'));
  }

  /** The example list shows the loaded example, or nothing for a topology from elsewhere (never the previous lab's choice). */
  private showSource(): void {
    const src = this.state?.source ?? '';
    const name = src.startsWith('example:') ? src.slice('example:'.length) : '';
    this.examples.value = name;
    if (this.examples.value !== name) this.examples.selectedIndex = -1;
  }

  private issueList(title: string, list: readonly Issue[], cls: string): HTMLElement {
    return h(
      'section',
      { class: `issue-list ${cls}` },
      h('h4', {}, `${title} (${list.length})`),
      h(
        'ul',
        {},
        ...list.map((i) =>
          h(
            'li',
            {},
            h('code', { class: 'issue-path' }, i.path || '(document)'),
            i.line !== undefined ? h('span', { class: 'muted' }, ` line ${i.line}${i.column !== undefined ? `:${i.column}` : ''}`) : null,
            ' ',
            h('span', { class: 'issue-msg' }, i.message),
            i.code ? h('span', { class: 'muted' }, ` [${i.code}]`) : null,
          )
        ),
      ),
    );
  }

  async openFile(file: File): Promise<void> {
    if (file.size > 5 * 1024 * 1024) {
      this.showError(`${file.name} is larger than 5 MB`, []);
      return;
    }
    const text = await file.text();
    await this.load({ text, fileName: file.name }, file.name);
  }

  private showError(message: string, errors: readonly Issue[], warnings: readonly Issue[] = []): void {
    clear(this.issues);
    this.issues.append(h('p', { class: 'field-error', role: 'alert' }, message));
    if (errors.length) this.issues.append(this.issueList('Errors', errors, 'error'));
    if (warnings.length) this.issues.append(this.issueList('Warnings', warnings, 'warning'));
  }

  async load(req: Parameters<typeof api.loadTopology>[0], what: string): Promise<void> {
    clear(this.issues);
    try {
      // validate first: a broken file is explained without touching the running lab
      const v = await api.validateTopology(req);
      if (!v.ok) {
        this.showError(`${what}: ${v.errors.length} error${v.errors.length === 1 ? '' : 's'} — the running lab is unchanged.`, v.errors, v.warnings);
        toast(`${what} was not loaded`, 'error');
        return;
      }
      const s = await api.loadTopology(req);
      toast(`loaded ${s.topology.name}`, 'ok');
      this.onLoaded(s);
    } catch (err) {
      if (err instanceof ApiFailure) {
        const d = err.body.details as Partial<InvalidTopologyBody['details']> & { issues?: Array<{ path: string; message: string }> } | undefined;
        const errors: Issue[] = d?.errors ?? (d?.issues ?? []).map((i) => ({ path: i.path, message: i.message, severity: 'error', code: 'request' }));
        this.showError(`${what}: ${err.body.error} — the running lab is unchanged.`, errors, d?.warnings ?? []);
      } else this.showError(`${what}: ${String(err)}`, []);
      toast(`${what} was not loaded`, 'error');
    }
  }

  download(): void {
    if (!this.state) return;
    const doc = structuredClone(this.state.topology);
    doc.layout = { positions: this.positions() };
    const name = `${doc.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'topology'}.json`;
    downloadText(name, `${JSON.stringify(doc, null, 2)}\n`);
  }
}

/**
 * The cable's "Impairments…" dialog (rules L1–L4): loss, delay and jitter, duplication, a
 * bandwidth limit and the seed of the random draws, applied to a running lab as one
 * `link-impairments` runtime change (the server refuses bad values with a reason, shown here).
 * "Perfect cable" removes them. The graph shows an impaired cable in orange with its faults.
 */
import { h } from './dom.js';
import type { LinkDoc, RuntimeChange } from './model.js';
import type { ChangeOutcome } from './runtime-actions.js';

type Impairments = NonNullable<LinkDoc['impairments']>;

interface Field {
  key: 'lossPercent' | 'delayMs' | 'jitterMs' | 'duplicatePercent' | 'bandwidthKbps' | 'queueFrames' | 'seed';
  label: string;
  rule: string;
  step: string;
  placeholder?: string;
}

const FIELDS: readonly Field[] = [
  { key: 'lossPercent', label: 'Loss %', rule: 'L1', step: 'any' },
  { key: 'delayMs', label: 'Delay ms', rule: 'L2', step: 'any' },
  { key: 'jitterMs', label: 'Jitter ± ms', rule: 'L2', step: 'any' },
  { key: 'duplicatePercent', label: 'Duplicate %', rule: 'L3', step: 'any' },
  { key: 'bandwidthKbps', label: 'Bandwidth kbit/s', rule: 'L4', step: '1', placeholder: 'no limit' },
  { key: 'queueFrames', label: 'Queue frames', rule: 'L4', step: '1' },
  { key: 'seed', label: 'Seed', rule: 'L1–L3', step: '1' },
];

export class ImpairmentsDialog {
  readonly root: HTMLDialogElement;
  private readonly title: HTMLElement;
  private readonly error: HTMLElement;
  private readonly inputs = new Map<Field['key'], HTMLInputElement>();
  private iface = '';

  constructor(private readonly apply: (key: string, change: RuntimeChange) => Promise<ChangeOutcome>) {
    this.title = h('h3', { id: 'impair-title' });
    this.error = h('div', { class: 'field-error', role: 'alert', id: 'impair-error' });
    const grid = h('div', { class: 'impair-grid' });
    for (const f of FIELDS) {
      const input = h('input', { type: 'number', min: '0', step: f.step, id: `impair-${f.key}`, name: f.key, placeholder: f.placeholder ?? '0' });
      this.inputs.set(f.key, input);
      grid.append(h('label', { for: input.id }, `${f.label} `, h('span', { class: 'muted' }, `(${f.rule})`)), input);
    }
    const ok = h('button', { type: 'submit', class: 'primary', id: 'impair-apply' }, 'Apply');
    const perfect = h('button', { type: 'button', id: 'impair-remove' }, 'Perfect cable');
    const cancel = h('button', { type: 'button', id: 'impair-cancel' }, 'Cancel');
    const form = h(
      'form',
      { method: 'dialog' },
      this.title,
      h(
        'p',
        { class: 'muted' },
        'Faults of this cable, in each direction, on the virtual clock. The same seed and traffic lose, delay and duplicate the same frames every run. Lost frames are drops LINK_LOSS (L1); a full bandwidth queue drops LINK_QUEUE_FULL (L4).',
      ),
      grid,
      this.error,
      h('div', { class: 'actions' }, ok, perfect, cancel),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.submit(this.read());
    });
    perfect.addEventListener('click', () => void this.submit(null));
    cancel.addEventListener('click', () => this.root.close());
    this.root = h('dialog', { id: 'impair-dialog', 'aria-labelledby': 'impair-title' }, form);
    document.body.append(this.root);
  }

  /** Opens for the cable at `iface` (either end), filled with its current impairments. */
  open(iface: string, label: string, current: LinkDoc['impairments']): void {
    this.iface = iface;
    this.title.textContent = `Impairments: ${label}`;
    this.error.textContent = '';
    for (const f of FIELDS) {
      const v = current?.[f.key];
      const dflt = f.key === 'queueFrames' ? 1000 : f.key === 'seed' ? 1 : f.key === 'bandwidthKbps' ? undefined : 0;
      this.inputs.get(f.key)!.value = v !== undefined ? String(v) : dflt !== undefined ? String(dflt) : '';
    }
    this.root.showModal();
    this.inputs.get('lossPercent')!.focus();
  }

  private read(): Partial<Impairments> {
    const out: Record<string, number> = {};
    for (const f of FIELDS) {
      const raw = this.inputs.get(f.key)!.value.trim();
      if (raw === '') continue;
      out[f.key] = Number(raw);
    }
    return out;
  }

  private async submit(impairments: Partial<Impairments> | null): Promise<void> {
    this.error.textContent = '';
    const change = { kind: 'link-impairments', iface: this.iface, impairments } as RuntimeChange;
    const o = await this.apply(`impair:${this.iface}`, change);
    if (o.ok) this.root.close();
    else this.error.textContent = o.message;
  }
}

/**
 * Captures (O1): choose capture points (pktcap-uw style per port, plus Drop), download what was
 * recorded as pcapng or pcap, and "live in Wireshark": the exact curl | wireshark command for the
 * chosen points.
 */
import { api, apiToken, ApiFailure, captureUrl } from './api.js';
import { clear, h, toast } from './dom.js';
import type { CapturePointInfo, CaptureStatus } from './model.js';

export class CapturePanel {
  readonly root: HTMLElement;
  private points: CapturePointInfo[] = [];
  private readonly chosen = new Set<string>();
  private readonly list: HTMLElement;
  private readonly status: HTMLElement;
  private readonly command: HTMLTextAreaElement;
  private readonly error: HTMLElement;
  private readonly filter: HTMLInputElement;
  private format: 'pcapng' | 'pcap' = 'pcapng';

  constructor() {
    this.list = h('div', { class: 'cap-list', role: 'group', 'aria-label': 'Capture points' });
    this.status = h('p', { class: 'muted', id: 'capture-status', 'aria-live': 'polite' });
    this.command = h('textarea', { id: 'wireshark-command', rows: 3, readonly: true, 'aria-label': 'Live capture command', spellcheck: 'false' });
    this.error = h('div', { class: 'field-error', role: 'alert', id: 'capture-error' });
    this.filter = h('input', { type: 'search', placeholder: 'filter points', 'aria-label': 'Filter capture points', id: 'capture-filter' });
    this.filter.addEventListener('input', () => this.renderList());
    const fmt = h(
      'div',
      { class: 'fmt', role: 'radiogroup', 'aria-label': 'File format' },
      ...(['pcapng', 'pcap'] as const).map((f) => {
        const r = h('input', { type: 'radio', name: 'cap-format', value: f, checked: f === this.format, id: `cap-format-${f}` });
        r.addEventListener('change', () => {
          if (r.checked) this.format = f;
        });
        return h('label', { class: 'inline' }, r, ` ${f}`);
      }),
    );
    const download = h('button', { type: 'button', class: 'primary', id: 'capture-download' }, 'Download');
    download.addEventListener('click', () => void this.download());
    const clearBtn = h('button', { type: 'button', id: 'capture-clear' }, 'Clear recording');
    clearBtn.addEventListener('click', () => void this.clearRecording());
    const copy = h('button', { type: 'button', id: 'copy-command' }, 'Copy');
    copy.addEventListener('click', () => {
      void navigator.clipboard?.writeText(this.command.value).then(
        () => toast('command copied', 'ok'),
        () => this.command.select(),
      );
    });
    const none = h('button', { type: 'button' }, 'None');
    none.addEventListener('click', () => {
      this.chosen.clear();
      this.renderList();
    });
    this.root = h(
      'div',
      { class: 'capture-panel' },
      h('p', { class: 'muted' }, 'Every frame is recorded at every point; choose the points you want in the file or the live stream. ESXi ports have pktcap-uw\'s points (PortInput/PortOutput, UplinkRcv/UplinkSnd); Drop collects every dropped frame with its reason as a packet comment.'),
      h('div', { class: 'row-tools' }, this.filter, none),
      this.list,
      this.status,
      h('div', { class: 'actions' }, fmt, download, clearBtn),
      this.error,
      h('h4', {}, 'Live in Wireshark'),
      h('p', { class: 'muted' }, 'Run this in a terminal: Wireshark shows the chosen points live as frames cross them.'),
      this.command,
      h('div', { class: 'actions' }, copy),
    );
    this.updateCommand();
  }

  async reload(): Promise<void> {
    try {
      const s = await api.captureStatus();
      this.setStatus(s);
    } catch (err) {
      this.status.textContent = err instanceof ApiFailure ? err.message : String(err);
    }
  }

  setStatus(s: CaptureStatus): void {
    const ids = new Set(s.points.map((p) => p.id));
    this.points = s.points;
    for (const c of [...this.chosen]) if (!ids.has(c)) this.chosen.delete(c);
    this.status.textContent = `${s.recorded} packets recorded${s.overwritten ? `, ${s.overwritten} oldest overwritten` : ''} (keeps ${s.limit}).`;
    this.renderList();
  }

  /** Choose all points of these interfaces (from a graph selection). */
  choose(ifaces: readonly string[]): void {
    for (const p of this.points) if (p.iface !== null && ifaces.includes(p.iface)) this.chosen.add(p.id);
    this.renderList();
  }

  chosenPoints(): string[] {
    return this.points.filter((p) => this.chosen.has(p.id)).map((p) => p.id);
  }

  private renderList(): void {
    clear(this.list);
    const q = this.filter.value.trim().toLowerCase();
    const byIface = new Map<string, CapturePointInfo[]>();
    for (const p of this.points) {
      if (q && !p.id.toLowerCase().includes(q)) continue;
      const k = p.iface ?? 'Drop';
      const l = byIface.get(k) ?? [];
      l.push(p);
      byIface.set(k, l);
    }
    for (const [iface, pts] of byIface) {
      const row = h('div', { class: 'cap-row' }, h('span', { class: 'cap-iface', title: iface }, iface));
      for (const p of pts) {
        const box = h('input', { type: 'checkbox', checked: this.chosen.has(p.id), 'data-point': p.id, id: `cap-${p.id.replace(/[^A-Za-z0-9_-]/g, '_')}` });
        box.addEventListener('change', () => {
          if (box.checked) this.chosen.add(p.id);
          else this.chosen.delete(p.id);
          this.updateCommand();
        });
        row.append(h('label', { class: 'chip', title: p.description }, box, p.point));
      }
      this.list.append(row);
    }
    this.updateCommand();
  }

  private updateCommand(): void {
    const pts = this.chosenPoints();
    if (pts.length === 0) {
      this.command.value = '# choose capture points above';
      return;
    }
    const url = new URL(captureUrl(pts, 'pcapng', true), location.href).href;
    const token = apiToken();
    const auth = token ? ` -H 'Authorization: Bearer ${token}'` : '';
    this.command.value = `curl -sN${auth} '${url}' | wireshark -k -i -`;
  }

  private async download(): Promise<void> {
    this.error.textContent = '';
    const pts = this.chosenPoints();
    if (pts.length === 0) {
      this.error.textContent = 'choose at least one capture point';
      return;
    }
    const token = apiToken();
    const res = await fetch(captureUrl(pts, this.format, false), { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (!res.ok) {
      let msg = `${res.status} ${res.statusText}`;
      try {
        const b = (await res.json()) as { error?: string };
        if (b.error) msg = b.error;
      } catch {
        // not JSON
      }
      this.error.textContent = msg;
      return;
    }
    const blob = await res.blob();
    const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `vswitch-lab.${this.format}`;
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    toast(`${res.headers.get('x-packets') ?? '?'} packets saved as ${name}`, 'ok');
  }

  private async clearRecording(): Promise<void> {
    try {
      await api.clearCapture();
      await this.reload();
    } catch (err) {
      this.error.textContent = err instanceof Error ? err.message : String(err);
    }
  }
}

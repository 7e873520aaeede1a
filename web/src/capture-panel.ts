/**
 * Captures (O1): choose capture points (pktcap-uw style per port, plus Drop), download what was
 * recorded as pcapng or pcap, and "live in Wireshark": the exact curl | wireshark command for the
 * chosen points.
 *
 * "Capture here" (the graph's context menu on a cable, vmnic, vNIC or physical port): a live
 * capture of that place's points only — the browser reads the live pcapng stream of exactly those
 * points, counts its packets, and offers the file of what it received and the one-line Wireshark
 * command for the same points; the graph marks the place while it runs.
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
  private readonly here: HTMLElement;
  /** the virtual list's rows: an interface and its points */
  private rows: Array<[string, CapturePointInfo[]]> = [];
  /** the window drawn (first:last:count) */
  private drawn = '';
  private live: LiveCapture | null = null;
  /** the graph marks the place being captured (its element id), or nothing (null) */
  onHere: (elementId: string | null) => void = () => undefined;

  constructor() {
    this.list = h('div', { class: 'cap-list', role: 'group', 'aria-label': 'Capture points' });
    this.list.addEventListener('scroll', () => this.renderWindow(), { passive: true });
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
    this.here = h('section', { class: 'capture-here', id: 'capture-here', hidden: true, 'aria-live': 'polite' });
    this.root = h(
      'div',
      { class: 'capture-panel' },
      this.here,
      h(
        'p',
        { class: 'muted' },
        'Every frame is recorded at every point; choose the points you want in the file or the live stream. ESXi ports have pktcap-uw\'s points (PortInput/PortOutput, UplinkRcv/UplinkSnd); Drop collects every dropped frame with its reason as a packet comment.',
      ),
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

  /**
   * The list is virtual: one row per interface, and only the rows in view (plus a margin) are in
   * the page, so a lab of 2,000 interfaces opens as fast as a small one.
   */
  private renderList(): void {
    const q = this.filter.value.trim().toLowerCase();
    const byIface = new Map<string, CapturePointInfo[]>();
    for (const p of this.points) {
      if (q && !p.id.toLowerCase().includes(q)) continue;
      const k = p.iface ?? 'Drop';
      const l = byIface.get(k) ?? [];
      l.push(p);
      byIface.set(k, l);
    }
    this.rows = [...byIface];
    this.list.style.height = `${Math.min(this.rows.length * CAP_ROW_H + 2, CAP_LIST_H)}px`;
    this.list.scrollTop = Math.min(this.list.scrollTop, this.rows.length * CAP_ROW_H);
    this.drawn = '';
    this.renderWindow();
    this.updateCommand();
  }

  /** The rows in view of the virtual list. */
  private renderWindow(): void {
    const view = this.list.clientHeight || CAP_LIST_H;
    const first = Math.max(0, Math.floor(this.list.scrollTop / CAP_ROW_H) - CAP_OVERSCAN);
    const last = Math.min(this.rows.length, Math.ceil((this.list.scrollTop + view) / CAP_ROW_H) + CAP_OVERSCAN);
    const key = `${first}:${last}:${this.rows.length}`;
    if (key === this.drawn) return;
    this.drawn = key;
    clear(this.list);
    const body = h('div', { class: 'cap-body', style: `height:${this.rows.length * CAP_ROW_H}px` });
    for (let i = first; i < last; i++) {
      const [iface, pts] = this.rows[i]!;
      const row = h('div', { class: 'cap-row', style: `top:${i * CAP_ROW_H}px` }, h('span', { class: 'cap-iface', title: iface }, iface));
      for (const p of pts) {
        const box = h('input', { type: 'checkbox', checked: this.chosen.has(p.id), 'data-point': p.id, id: `cap-${p.id.replace(/[^A-Za-z0-9_-]/g, '_')}` });
        box.addEventListener('change', () => {
          if (box.checked) this.chosen.add(p.id);
          else this.chosen.delete(p.id);
          this.updateCommand();
        });
        row.append(h('label', { class: 'chip', title: p.description }, box, p.point));
      }
      body.append(row);
    }
    this.list.append(body);
  }

  private updateCommand(): void {
    const pts = this.chosenPoints();
    this.command.value = pts.length === 0 ? '# choose capture points above' : wiresharkCommand(pts);
  }

  /** The place being captured live, if any: its label and point ids. */
  capturingHere(): { label: string; points: string[]; elementId: string } | null {
    return this.live === null ? null : { label: this.live.label, points: this.live.points, elementId: this.live.elementId };
  }

  /**
   * "Capture here": a live capture of the points of `ifaces` (a place of the graph, element
   * `elementId`) only; replaces a running one.
   */
  async captureHere(label: string, ifaces: readonly string[], elementId: string): Promise<void> {
    this.stopHere();
    await this.reload();
    const points = this.points.filter((p) => p.iface !== null && ifaces.includes(p.iface)).map((p) => p.id);
    if (points.length === 0) {
      toast(`no capture point at ${label}`, 'error');
      return;
    }
    const live = new LiveCapture(label, points, elementId);
    this.live = live;
    live.onChange = () => this.renderHere();
    this.onHere(elementId);
    this.renderHere();
    live.start();
  }

  /** Stops the live capture of a place (its packets stay downloadable until the next one). */
  stopHere(): void {
    const l = this.live;
    if (l === null || !l.running) return;
    l.stop();
    this.onHere(null);
    this.renderHere();
  }

  private closeHere(): void {
    this.stopHere();
    this.live = null;
    this.renderHere();
  }

  private renderHere(): void {
    const l = this.live;
    if (l === null) {
      this.here.hidden = true;
      this.here.replaceChildren();
      return;
    }
    this.here.hidden = false;
    const status = h(
      'p',
      { id: 'here-status', 'data-packets': String(l.packets), 'data-running': String(l.running) },
      h('span', { class: l.running ? 'rec-dot on' : 'rec-dot' }, '●'),
      ` ${l.running ? 'Capturing' : 'Captured'} at ${l.label}: ${l.packets} packet${l.packets === 1 ? '' : 's'}${l.error ? ` — ${l.error}` : ''}`,
    );
    const stop = h('button', { type: 'button', id: 'here-stop', disabled: !l.running }, 'Stop');
    stop.addEventListener('click', () => this.stopHere());
    const dl = h('button', { type: 'button', class: 'primary', id: 'here-download' }, 'Download pcapng');
    dl.addEventListener('click', () => this.downloadHere());
    const close = h('button', { type: 'button', id: 'here-close', title: 'Stop and forget this capture' }, 'Close');
    close.addEventListener('click', () => this.closeHere());
    const cmd = h('textarea', { id: 'here-command', rows: 2, readonly: true, 'aria-label': 'Live Wireshark command for this place', spellcheck: 'false' });
    cmd.value = wiresharkCommand(l.points);
    const copy = h('button', { type: 'button', id: 'here-copy' }, 'Copy command');
    copy.addEventListener('click', () => {
      void navigator.clipboard?.writeText(cmd.value).then(
        () => toast('command copied', 'ok'),
        () => cmd.select(),
      );
    });
    this.here.replaceChildren(
      h('h4', {}, 'Capture here'),
      status,
      h('p', { class: 'muted here-points' }, `Points: ${l.points.join(', ')}`),
      h('div', { class: 'actions' }, stop, dl, close),
      h('p', { class: 'muted' }, 'Live in Wireshark, exactly these points:'),
      cmd,
      h('div', { class: 'actions' }, copy),
      h(
        'p',
        { class: 'warn', id: 'here-pcap-warning' },
        'Keep pcapng: a plain pcap file has one interface and no comments, so it loses which point saw each frame (the interface names) and the rule or drop reason of each packet (the comments).',
      ),
    );
  }

  private downloadHere(): void {
    const l = this.live;
    if (l === null) return;
    const name = `vswitch-lab-${l.label.replace(/[^A-Za-z0-9_.-]+/g, '_')}.pcapng`;
    const url = URL.createObjectURL(new Blob([l.file()], { type: 'application/x-pcapng' }));
    const a = h('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    toast(`${l.packets} packets saved as ${name}`, 'ok');
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

/** The one-line live Wireshark command for these points. */
function wiresharkCommand(points: readonly string[]): string {
  const url = new URL(captureUrl(points, 'pcapng', true), location.href).href;
  const token = apiToken();
  const auth = token ? ` -H 'Authorization: Bearer ${token}'` : '';
  return `curl -sN${auth} '${url}' | wireshark -k -i -`;
}

const BLOCK_EPB = 6;

/** The capture point list's row height, height (CSS), and rows drawn beyond the view. */
const CAP_ROW_H = 26;
const CAP_LIST_H = 300;
const CAP_OVERSCAN = 8;

/**
 * The browser's end of a live capture: reads GET /api/capture/live for `points`, keeps the pcapng
 * bytes it received and counts the packets (Enhanced Packet Blocks) among whole blocks.
 */
class LiveCapture {
  running = false;
  packets = 0;
  error = '';
  onChange: () => void = () => undefined;
  private buf: Uint8Array<ArrayBuffer> = new Uint8Array(64 * 1024);
  private size = 0;
  /** bytes of whole blocks (what a file of the capture holds) */
  private whole = 0;
  private abort: AbortController | null = null;
  private changeTimer = 0;

  constructor(
    readonly label: string,
    readonly points: string[],
    readonly elementId: string,
  ) {}

  start(): void {
    this.running = true;
    this.abort = new AbortController();
    const token = apiToken();
    void fetch(captureUrl(this.points, 'pcapng', true), { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: this.abort.signal })
      .then(async (res) => {
        if (!res.ok || res.body === null) {
          let msg = `${res.status} ${res.statusText}`;
          try {
            msg = ((await res.json()) as { error?: string }).error ?? msg;
          } catch {
            // not JSON
          }
          throw new Error(msg);
        }
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          this.take(value);
        }
      })
      .catch((err: unknown) => {
        if (!this.running) return; // stopped: the abort ends the read
        this.error = err instanceof Error ? err.message : String(err);
      })
      .finally(() => {
        this.running = false;
        this.onChange();
      });
  }

  stop(): void {
    this.running = false;
    this.abort?.abort();
    this.abort = null;
  }

  /** The pcapng file of what arrived so far (whole blocks only). */
  file(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.whole);
  }

  private take(chunk: Uint8Array): void {
    if (this.size + chunk.length > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.size + chunk.length));
      next.set(this.buf.subarray(0, this.size));
      this.buf = next;
    }
    this.buf.set(chunk, this.size);
    this.size += chunk.length;
    const dv = new DataView(this.buf.buffer, 0, this.size);
    let o = this.whole;
    while (o + 8 <= this.size) {
      const len = dv.getUint32(o + 4, true);
      if (len < 12 || o + len > this.size) break;
      if (dv.getUint32(o, true) === BLOCK_EPB) this.packets++;
      o += len;
    }
    this.whole = o;
    // redraw at most every 100 ms however fast packets come
    if (this.changeTimer === 0) {
      this.changeTimer = window.setTimeout(() => {
        this.changeTimer = 0;
        this.onChange();
      }, 100);
    }
  }
}

/**
 * The graph's context menu (right-click, or two-finger tap, on a node or edge): a short list of the
 * runtime actions that apply to it. Native buttons in a `role=menu` box: arrow keys move, Enter
 * runs, Escape or a click elsewhere closes. The same actions are buttons in the Inspect tab; the
 * place items (Capture here, Impairments…) are built by `placeMenuItems`.
 */
import { h } from './dom.js';
import type { GraphEdgeData, GraphNodeData } from './graph-model.js';
import { impairmentWords } from './impairment-words.js';
import type { LinkDoc, TopologyDoc } from './model.js';

export interface MenuItem {
  label: string;
  /** for tests and styling: what the item does (`link`, `vnic`, `inspect`) */
  action: string;
  run: () => void;
}

export class ContextMenu {
  readonly root: HTMLElement;
  private opener: Element | null = null;

  constructor(private readonly host: HTMLElement) {
    this.root = h('div', { class: 'context-menu', id: 'context-menu', role: 'menu', hidden: true });
    host.append(this.root);
    this.root.addEventListener('keydown', (ev) => {
      const items = [...this.root.querySelectorAll<HTMLButtonElement>('button')];
      const i = items.indexOf(document.activeElement as HTMLButtonElement);
      if (ev.key === 'Escape') {
        ev.preventDefault();
        this.close();
      } else if (ev.key === 'ArrowDown') {
        ev.preventDefault();
        items[(i + 1) % items.length]?.focus();
      } else if (ev.key === 'ArrowUp') {
        ev.preventDefault();
        items[(i - 1 + items.length) % items.length]?.focus();
      }
    });
    document.addEventListener('pointerdown', (ev) => {
      if (!this.root.hidden && !this.root.contains(ev.target as Node)) this.close();
    });
  }

  get open(): boolean {
    return !this.root.hidden;
  }

  /** Opens at (x, y) in the host's coordinates, with a title line and the items. */
  show(x: number, y: number, title: string, items: readonly MenuItem[]): void {
    if (items.length === 0) {
      this.close();
      return;
    }
    this.opener = document.activeElement;
    this.root.replaceChildren(
      h('div', { class: 'cm-title', role: 'presentation' }, title),
      ...items.map((it) => {
        const b = h('button', { type: 'button', role: 'menuitem', 'data-action': it.action }, it.label);
        b.addEventListener('click', () => {
          this.close();
          it.run();
        });
        return b;
      }),
    );
    this.root.hidden = false;
    const w = this.root.offsetWidth;
    const hgt = this.root.offsetHeight;
    this.root.style.left = `${Math.max(0, Math.min(x, this.host.clientWidth - w - 4))}px`;
    this.root.style.top = `${Math.max(0, Math.min(y, this.host.clientHeight - hgt - 4))}px`;
    this.root.querySelector<HTMLButtonElement>('button')?.focus();
  }

  close(): void {
    if (this.root.hidden) return;
    this.root.hidden = true;
    this.root.replaceChildren();
    if (this.opener instanceof HTMLElement && this.opener.isConnected) this.opener.focus();
    this.opener = null;
  }
}

/** What the place items of the menu call (main.ts wires them to the dialog and the capture panel). */
export interface PlaceHooks {
  /** open the impairments dialog of the cable at `iface` */
  impair(iface: string, label: string, current: LinkDoc['impairments']): void;
  /** start a live capture of the points of `ifaces` (graph element `elementId`) */
  captureHere(label: string, ifaces: string[], elementId: string): void;
}

/**
 * The items of a place of the graph: "Capture here" on a cable, vmnic, vNIC/vmk or physical port
 * (its points only; a cable: both its ends), and "Impairments…" on a cable (L1–L4) or an interface
 * with one.
 */
export function placeMenuItems(kind: 'node' | 'edge', data: GraphNodeData | GraphEdgeData, t: TopologyDoc, hooks: PlaceHooks): MenuItem[] {
  const items: MenuItem[] = [];
  const linkOf = (iface: string) => t.links.find((l) => l.a === iface || l.b === iface);
  const impair = (iface: string): void => {
    const l = linkOf(iface);
    if (!l) return;
    const words = impairmentWords(l.impairments);
    const label = `${l.a} — ${l.b}`;
    items.push({ action: 'impair', label: `Impairments…${words ? ` (${words})` : ''}`, run: () => hooks.impair(iface, label, l.impairments) });
  };
  const here = (label: string, ifaces: string[]): void => {
    items.push({ action: 'capture-here', label: `Capture here: ${label}`, run: () => hooks.captureHere(label, ifaces, data.id) });
  };
  if (kind === 'edge') {
    const e = data as GraphEdgeData;
    if (e.kind === 'link') {
      here(`${e.ifaces[0]} — ${e.ifaces[1]}`, e.ifaces);
      impair(e.ifaces[0]!);
    } else here(e.ifaces[0]!, e.ifaces);
    return items;
  }
  const n = data as GraphNodeData;
  const ifaces = n.ifaces ?? [];
  if (n.kind === 'vmnic' || n.kind === 'pport' || n.kind === 'vmk') {
    here(ifaces.join(', '), ifaces);
    for (const i of ifaces) impair(i);
  } else if (n.kind === 'vm' || n.kind === 'phost') {
    for (const i of ifaces) here(i, [i]);
    if (n.kind === 'phost') { for (const i of ifaces) impair(i); }
  }
  return items;
}

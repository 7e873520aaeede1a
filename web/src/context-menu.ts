/**
 * The graph's context menu (right-click, or two-finger tap, on a node or edge): a short list of the
 * runtime actions that apply to it. Native buttons in a `role=menu` box: arrow keys move, Enter
 * runs, Escape or a click elsewhere closes. The same actions are buttons in the Inspect tab.
 */
import { h } from './dom.js';

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

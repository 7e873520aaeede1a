/**
 * Resizable panels: a splitter between the graph and the side panels (width) and one between the
 * graph and the bottom panel (height). Drag them, or focus one and use the arrow keys (Home resets);
 * sizes are remembered in localStorage and kept within the window, so the graph, the side panel and
 * the event list each keep a usable minimum at 1024x768. The sizes are CSS variables on the root
 * element (`--side-w`, `--bottom-h`) that the layout, the splitters and the toasts read.
 */
import { h } from './dom.js';

const KEY = 'vswitch-lab.panel-sizes';
const MIN_SIDE = 260;
const MIN_BOTTOM = 140;
const MIN_GRAPH_W = 360;
const MIN_GRAPH_H = 200;

interface Sizes {
  side?: number;
  bottom?: number;
}

function load(): Sizes {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Sizes;
    return { side: typeof v.side === 'number' ? v.side : undefined, bottom: typeof v.bottom === 'number' ? v.bottom : undefined };
  } catch {
    return {};
  }
}

function save(s: Sizes): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(s));
  } catch {
    // storage full or disabled: sizes last for this page only
  }
}

/** Installs the two splitters in the layout grid; answers a function that re-applies the limits (window resize). */
export function installPanelSplitters(layout: HTMLElement): () => void {
  const root = document.documentElement;
  const sizes = load();
  const clampSide = (w: number) => Math.round(Math.max(MIN_SIDE, Math.min(w, layout.clientWidth - MIN_GRAPH_W)));
  const clampBottom = (v: number) => Math.round(Math.max(MIN_BOTTOM, Math.min(v, layout.clientHeight - MIN_GRAPH_H)));
  const apply = (): void => {
    if (sizes.side !== undefined) root.style.setProperty('--side-w', `${clampSide(sizes.side)}px`);
    else root.style.removeProperty('--side-w');
    if (sizes.bottom !== undefined) root.style.setProperty('--bottom-h', `${clampBottom(sizes.bottom)}px`);
    else root.style.removeProperty('--bottom-h');
    window.dispatchEvent(new Event('panels-resized'));
  };
  const current = (el: Element, prop: 'width' | 'height') => el.getBoundingClientRect()[prop];
  const sidebar = layout.querySelector('.sidebar')!;
  const bottom = layout.querySelector('.bottom')!;

  const make = (id: string, orientation: 'vertical' | 'horizontal', label: string, size: () => number, set: (v: number) => void, reset: () => void): HTMLElement => {
    const el = h('div', {
      class: `splitter splitter-${orientation}`,
      id,
      role: 'separator',
      tabindex: 0,
      'aria-orientation': orientation,
      'aria-label': label,
      title: `${label}: drag, or arrow keys (Home resets)`,
    });
    el.addEventListener('pointerdown', (ev) => {
      ev.preventDefault();
      el.setPointerCapture(ev.pointerId);
      const start = orientation === 'vertical' ? ev.clientX : ev.clientY;
      const from = size();
      const move = (e: PointerEvent): void => {
        const d = (orientation === 'vertical' ? e.clientX : e.clientY) - start;
        // the side panel is on the right and the bottom panel below: dragging left/up grows them
        set(from - d);
      };
      const up = (): void => {
        el.removeEventListener('pointermove', move);
        el.removeEventListener('pointerup', up);
        el.removeEventListener('pointercancel', up);
        save(sizes);
      };
      el.addEventListener('pointermove', move);
      el.addEventListener('pointerup', up);
      el.addEventListener('pointercancel', up);
    });
    el.addEventListener('keydown', (ev) => {
      const step = ev.shiftKey ? 80 : 20;
      const grow = orientation === 'vertical' ? 'ArrowLeft' : 'ArrowUp';
      const shrink = orientation === 'vertical' ? 'ArrowRight' : 'ArrowDown';
      if (ev.key === grow) set(size() + step);
      else if (ev.key === shrink) set(size() - step);
      else if (ev.key === 'Home') reset();
      else return;
      ev.preventDefault();
      save(sizes);
    });
    return el;
  };

  layout.append(
    make('split-side', 'vertical', 'Resize the side panel', () => current(sidebar, 'width'), (v) => {
      sizes.side = clampSide(v);
      apply();
    }, () => {
      delete sizes.side;
      apply();
    }),
    make('split-bottom', 'horizontal', 'Resize the bottom panel', () => current(bottom, 'height'), (v) => {
      sizes.bottom = clampBottom(v);
      apply();
    }, () => {
      delete sizes.bottom;
      apply();
    }),
  );
  apply();
  window.addEventListener('resize', apply);
  return apply;
}

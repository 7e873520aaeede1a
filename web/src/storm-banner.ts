/**
 * P5: a banner over the page when the lab reports a broadcast storm (a loop between physical
 * switches, which run no spanning tree). It comes from the live updates: a `storm` trace event,
 * or storms counted in the summary of a heavy batch. It says what happened and that the lab cut
 * the storm; the student dismisses it, and the next storm shows it again.
 */
import { h } from './dom.js';
import type { LiveUpdate } from './model.js';

export class StormBanner {
  readonly el: HTMLElement;
  private readonly text: HTMLElement;
  private storms = 0;

  constructor(parent: HTMLElement = document.body) {
    this.text = h('span', { class: 'storm-text' });
    const close = h('button', { type: 'button', class: 'storm-close', 'aria-label': 'Dismiss the storm banner' }, 'Dismiss');
    close.addEventListener('click', () => {
      this.el.hidden = true;
    });
    this.el = h('div', { id: 'storm-banner', role: 'alert', hidden: true }, this.text, close);
    parent.prepend(this.el);
  }

  /** Shows the banner when `u` reports a storm. */
  update(u: LiveUpdate): void {
    const events = (u.trace ?? []).filter((e) => e.action === 'storm');
    const counted = u.summary?.byAction.storm ?? 0;
    if (events.length === 0 && counted === 0) return;
    this.storms += events.length + counted;
    const first = events[0];
    const where = first ? ` (frame ${first.frameId} at ${first.port})` : '';
    this.text.textContent = `Broadcast storm${where}: a loop between physical switches, which run no spanning tree, keeps copying a frame (P5). ` +
      `The lab cut its copies (drop STORM_CUT) and keeps running — remove a cable of the loop. Storms so far: ${this.storms}.`;
    this.el.hidden = false;
  }

  /** A new topology: storms of the old one no longer matter. */
  reset(): void {
    this.storms = 0;
    this.el.hidden = true;
  }
}

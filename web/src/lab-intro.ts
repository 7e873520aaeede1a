/**
 * The lab's introduction on the graph when a lab loads: its name, description and — for an
 * activity — the goal, with "Open lessons" (the Lessons tab) and a close button. Shown once per
 * loaded lab; Escape or × hides it.
 */
import { h } from './dom.js';
import type { Lessons } from './lessons-panel.js';
import { renderMarkdown } from './markdown-view.js';

export class LabIntro {
  private card: HTMLElement | null = null;

  constructor(
    private readonly host: HTMLElement,
    private readonly openLessons: () => void,
  ) {}

  /** Shows `l`'s introduction (null: only hides the one shown). */
  show(l: Lessons | null): void {
    this.hide();
    if (!l) return;
    const lessons = l.tests.length + l.scenarios.length + (l.activity?.tasks.length ?? 0);
    if (!l.description && !l.activity) return;
    const close = h('button', { type: 'button', class: 'intro-close', 'aria-label': 'Close the introduction' }, '×');
    close.addEventListener('click', () => this.hide());
    const open = h('button', { type: 'button', class: 'primary', id: 'intro-open-lessons' }, l.activity ? 'Start the activity' : 'Open lessons');
    open.addEventListener('click', () => {
      this.hide();
      this.openLessons();
    });
    const card = h(
      'section',
      { class: 'lab-intro', id: 'lab-intro-card', role: 'dialog', 'aria-label': `About ${l.name}` },
      close,
      h('h3', {}, l.name),
      l.description ? h('p', {}, l.description) : '',
      l.activity ? h('div', { class: 'intro-goal' }, h('strong', {}, `Goal — ${l.activity.title}`), l.activity.goal ? renderMarkdown(l.activity.goal) : '') : '',
      lessons > 0
        ? h(
          'div',
          { class: 'actions' },
          open,
          h(
            'span',
            { class: 'muted' },
            `${l.tests.length} test${l.tests.length === 1 ? '' : 's'}, ${l.scenarios.length} scenario${l.scenarios.length === 1 ? '' : 's'}${l.activity ? `, ${l.activity.tasks.length} tasks` : ''}`,
          ),
        )
        : '',
    );
    card.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') this.hide();
    });
    this.card = card;
    this.host.append(card);
  }

  hide(): void {
    this.card?.remove();
    this.card = null;
  }
}

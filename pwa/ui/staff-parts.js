/* What the staff screens for mentor pairings, tablets and the audit log share: dates in full
 * words, a labelled list to choose from, and a step that says what a change means before it
 * is made. */
import { h, uid } from './dom.js';

/** "3 October 2026" */
export function fullDate(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
}

/** "Tuesday 3 November 2026 at 10:42" */
export function dateAndTime(iso) {
  const date = new Date(iso);
  const day = `${date.toLocaleDateString('en-GB', { weekday: 'long' })} ${fullDate(iso)}`;
  const time = date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return `${day} at ${time}`;
}

/** Whole days between the calendar day of `iso` and today's, in this device's time. */
function daysSince(iso, now = new Date()) {
  const then = new Date(iso);
  const midnight = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  return Math.round((midnight(now) - midnight(then)) / 86400000);
}

/** "today", "yesterday", "2 days ago", or "on 3 October 2026" after four weeks. */
export function whenAgo(iso) {
  const days = daysSince(iso);
  if (days <= 0) return 'today';
  if (days === 1) return 'yesterday';
  if (days < 28) return `${days} days ago`;
  return `on ${fullDate(iso)}`;
}

/** A labelled drop-down list: `options` are [value, words] pairs, after a first "choose". */
export function pickOne({ label, name, options, first, hint }) {
  const id = uid(name);
  const hintId = hint ? `${id}-hint` : undefined;
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    hint && h('p', { class: 'hint', id: hintId }, hint),
    h('select', { id, name, 'aria-describedby': hintId },
      h('option', { value: '' }, first),
      options.map(([value, words]) => h('option', { value: String(value) }, words))));
}

/** A button that opens a step saying what the change means (`points`, each a sentence), with
 * "yes" and "no". `act(panel)` makes the change; a problem it shows stays in the panel.
 * `label`, the button's spoken name, begins with its words and says what it is for, where a
 * list has one such button per card. Returns the button (in its row) and the panel, to place
 * together. */
export function confirmStep({ open, label, question, points, yes, no, act }) {
  const questionId = uid('confirm');
  const say = h('p', { id: questionId, class: 'confirm-question', tabindex: '-1' }, question);
  const yesButton = h('button', { type: 'button', class: 'button danger' }, yes);
  const noButton = h('button', { type: 'button', class: 'button secondary' }, no);
  const panel = h('div', { class: 'confirm-step', role: 'group', 'aria-labelledby': questionId, hidden: true },
    say,
    h('ul', { class: 'confirm-points' }, points.map((p) => h('li', {}, p))),
    h('div', { class: 'actions' }, yesButton, noButton));
  const opener = h('button', { type: 'button', class: 'button danger', 'aria-label': label || null }, open);
  const openerRow = h('div', { class: 'actions' }, opener);
  opener.addEventListener('click', () => {
    panel.hidden = false;
    openerRow.hidden = true;
    say.focus();
  });
  noButton.addEventListener('click', () => {
    panel.hidden = true;
    openerRow.hidden = false;
    const problem = panel.querySelector(':scope > .problem');
    if (problem) problem.remove();
    opener.focus();
  });
  yesButton.addEventListener('click', async () => {
    yesButton.disabled = true;
    try {
      await act(panel);
    } finally {
      yesButton.disabled = false;
    }
  });
  return [openerRow, panel];
}

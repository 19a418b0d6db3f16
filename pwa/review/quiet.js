/* The one named list of the review: learners who have written nothing for 14 days and share
 * entries with the care team. Asking for it writes each name to the audit log; opening a
 * journal goes through the journal's own endpoints, which audit every staff read. */
import { h } from '../ui/dom.js';
import { get } from './session.js';
import { dayName } from './sections.js';

const TITLES = {
  profile: 'What matters to them', goals: 'Goals', sessions: 'What they did',
  contributions: 'For others', reflections: 'In their words', checkins: 'Check-ins',
};

function summary(collection, entry) {
  switch (collection) {
    case 'profile': return [entry.needs, entry.preferences, entry.resources, entry.networks].filter(Boolean).join(' · ');
    case 'goals': return `${entry.title || 'A goal'}${entry.status ? ` (${entry.status.replace('_', ' ')})` : ''}`;
    case 'sessions': return `${entry.date ? `${dayName(entry.date)}: ` : ''}${entry.activity || 'A session'}${entry.minutes ? `, ${entry.minutes} minutes` : ''}`;
    case 'contributions': return entry.what || 'Something for others';
    case 'reflections': return entry.text || '';
    default: return `${entry.date ? `${dayName(entry.date)}: ` : ''}life ${entry.life_satisfaction ?? '–'}, worthwhile ${entry.worthwhile ?? '–'}, happy ${entry.happy ?? '–'}, anxious ${entry.anxious ?? '–'} (out of 10)`;
  }
}

const FIRST = 5;

/** The newest entries first; past the first few, a line that says how many there are in all and
 * a button that shows the rest (already read: showing them reads nothing more). */
function newestFirst(collection, items) {
  const newest = [...items].reverse();
  const list = h('ul', { class: 'shared-list' }, newest.slice(0, FIRST).map((entry) => h('li', {}, summary(collection, entry))));
  if (newest.length <= FIRST) return [list];
  const more = h('p', { class: 'meta' }, `The newest ${FIRST} of ${newest.length}. `,
    h('button', { type: 'button', class: 'button secondary', onclick: () => {
      list.replaceChildren(...newest.map((entry) => h('li', {}, summary(collection, entry))));
      more.replaceChildren(`All ${newest.length}, the newest first.`);
      list.querySelector('li').setAttribute('tabindex', '-1');
      list.querySelector('li').focus();
    } }, `Show all ${newest.length}`));
  return [list, more];
}

async function openJournal(person, panel) {
  panel.replaceChildren(h('p', { class: 'loading' }, `Opening what ${person.display_name} shares with the care team…`));
  const parts = [];
  for (const path of person.journal) {
    const collection = path.split('/').pop();
    // Sequential on purpose: each read is one audited staff read of this journal.
    const { items } = await get(path);
    if (items.length) parts.push(h('h4', {}, TITLES[collection] || collection), ...newestFirst(collection, items));
  }
  panel.replaceChildren(h('h3', { tabindex: '-1' }, `What ${person.display_name} shares with the care team`),
    ...(parts.length ? parts : [h('p', { class: 'empty' }, 'Nothing is shared with the care team.')]),
    h('p', { class: 'meta' }, 'Your reading of this journal is recorded in the audit log.'));
  panel.querySelector('h3').focus();
}

/** The "who has gone quiet" part: a button, then the names, each with their shared journal. */
export function quietList(organisationId) {
  const panel = h('div', { class: 'journal-panel', 'aria-live': 'polite' });
  const box = h('div', { class: 'quiet-names' });
  const ask = h('button', { type: 'button', class: 'button' }, 'Show who has gone quiet');
  ask.addEventListener('click', async () => {
    ask.disabled = true;
    try {
      const { items } = await get(`/api/review/quiet?organisation=${organisationId}`);
      box.replaceChildren(items.length
        ? h('ul', { class: 'card-list' }, items.map((person) => h('li', { class: 'card' },
          h('p', { class: 'quiet-name' }, person.display_name),
          h('button', { type: 'button', class: 'button secondary', onclick: () => openJournal(person, panel) }, `Open what ${person.display_name} shares`))))
        : h('p', { class: 'empty' }, 'Nobody who shares with the care team has gone quiet.'));
    } catch (error) {
      box.replaceChildren(h('p', { class: 'problem', role: 'alert' }, error.message));
    } finally {
      ask.disabled = false;
    }
  });
  return h('div', { class: 'named no-print' },
    h('h3', {}, 'Who has gone quiet?'),
    h('p', {}, 'Names of learners who have written nothing for 14 days, if they share entries with the care team. Each name shown, and each journal opened, is recorded in the audit log. This part is never printed.'),
    h('div', { class: 'actions' }, ask), box, panel);
}

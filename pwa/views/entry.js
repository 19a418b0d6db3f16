/* One entry: everything it says, who can see it, read aloud; change or delete it. An entry a
 * mentor wrote says so, and the learner can agree, change or hide it. */
import { h } from '../ui/dom.js';
import { get, write, remove } from '../store/records.js';
import { loadSealed } from '../store/people.js';
import { entryCard } from '../ui/entries.js';
import { flash } from '../ui/flash.js';
import { keptHere } from '../ui/forms.js';

const BACK = { goals: 'goals', sessions: 'sessions', contributions: 'contributions', reflections: 'reflections', checkins: 'checkins' };
const EDIT = { goals: (r) => `goal/${r.id}`, sessions: (r) => `session/${r.id}`,
  contributions: (r) => `contribution/${r.fields.kind === 'offer' ? 'offer' : 'given'}/${r.id}`, reflections: (r) => `reflection/${r.id}` };

/** The name of whoever wrote an entry, when it was not the person themself. */
export async function authorName(s, record) {
  if (!record.author_id || record.author_id === s.person.id) return null;
  const names = await loadSealed(s, 'names', {});
  return names[record.author_id] || 'your mentor';
}

function mentorResponse(s, record, go) {
  const respond = (fields, words) => async () => {
    if (!await keptHere(box, () => write(s, 'sessions', record.id, fields))) return;
    flash(words);
    go('sessions');
  };
  const answered = record.fields.learner_response;
  const box = h('div', { class: 'note' },
    h('p', {}, answered === 'agreed' ? 'You agreed with this.' : answered === 'hidden' ? 'You hid this. Only you can see it.'
      : answered === 'changed' ? 'You changed this.' : 'Is this right?'),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button', onclick: respond({ learner_response: 'agreed' }, 'Thank you. Saved on this tablet.') }, 'Agree'),
      h('a', { href: `#/session/${record.id}`, class: 'button' }, 'Change'),
      h('button', { type: 'button', class: 'button secondary', onclick: respond({ learner_response: 'hidden', visibility: 'private' }, 'Hidden. Only you can see it now.') }, 'Hide')));
  return box;
}

export default async function entry({ params, s, go }) {
  const record = await get(s, params.collection, params.id);
  if (!record) {
    go(BACK[params.collection] || 'home');
    return { title: 'Not found', node: h('p', {}, 'This entry is not here.') };
  }
  const name = await authorName(s, record);
  const said = h('div', {}); // why a delete could not be kept, if it could not
  const confirm = h('div', { class: 'problem', hidden: true, role: 'alert' },
    h('p', {}, 'Delete this entry? It will be deleted on every device.'),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button danger', onclick: async () => {
        if (!await keptHere(said, () => remove(s, record.collection, record.id))) return;
        flash('Deleted.');
        go(BACK[record.collection]);
      } }, 'Yes, delete it'),
      h('button', { type: 'button', class: 'button secondary', onclick: () => { confirm.hidden = true; } }, 'No, keep it')));
  const mine = !name;
  return { title: 'An entry', node: h('div', {},
    h('h1', {}, 'In my journal'),
    h('ul', { class: 'card-list' }, entryCard(record, { authorName: name, open: false })),
    name && record.collection === 'sessions' ? mentorResponse(s, record, go) : null,
    h('div', { class: 'actions' },
      mine && EDIT[record.collection] ? h('a', { href: `#/${EDIT[record.collection](record)}`, class: 'button' }, 'Change') : null,
      mine ? h('button', { type: 'button', class: 'button danger', onclick: () => { confirm.hidden = false; confirm.querySelector('button').focus(); } }, 'Delete') : null,
      h('a', { href: `#/${BACK[record.collection] || 'home'}`, class: 'button secondary' }, 'Back')),
    said, confirm) };
}

/* Changed in two places: both versions side by side, in plain words; one tap keeps this one,
 * the other one, or (for writing in several lines) both. */
import { h, longDate } from '../ui/dom.js';
import { get, resolve, DELETED } from '../store/records.js';
import { myMutationIds } from '../store/outbox.js';
import { FIELD_NAMES, valueWords } from '../ui/words.js';
import { flash, savedHere, deviceWord } from '../ui/flash.js';
import { keptHere, LONG_WRITING } from '../ui/forms.js';
import { shortened, entryName } from '../ui/entries.js';

// Writing in several lines, which "Keep both" may put one after the other: never a one-line
// title or a fixed choice. Each may hold at most LONG_WRITING letters.
const WRITING = ['why', 'note', 'text', 'needs', 'preferences', 'resources', 'networks'];

function versionsOf(record, name, mine) {
  const current = { value: name === DELETED ? record.deleted : record.fields[name], rev: record.revs[name], at: record.updated_at };
  const all = [current, ...(record.conflicts[name] || [])];
  return all.map((v) => ({ ...v, here: mine.has(v.rev) }));
}

function label(v) {
  return v.here ? `Written on this ${deviceWord()}` : 'Written on another device';
}

/** "Keep both, one after the other" for two or more different writings, or why not: the server
 * would refuse them together if longer than an entry may be (counted as it counts, by letter). */
function keepBoth(versions, settleWith) {
  const writings = [...new Set(versions.map((v) => v.value).filter((v) => typeof v === 'string' && v.trim()))];
  if (writings.length < 2) return null;
  const both = writings.join('\n\n');
  if ([...both].length > LONG_WRITING) {
    return h('p', {}, 'Together these would be too long for one entry, so they cannot both be kept. Please keep one; you can then add anything you need from the other by changing the entry.');
  }
  return h('div', { class: 'actions' },
    h('button', { type: 'button', class: 'button', onclick: settleWith(both) }, 'Keep both, one after the other'));
}

export default async function conflict({ params, s, go }) {
  const record = await get(s, params.collection, params.id);
  if (!record || !Object.keys(record.conflicts || {}).length) {
    go('attention');
    return { title: 'Settled', node: h('p', {}, 'Nothing to settle.') };
  }
  const mine = await myMutationIds(s.person.id);
  const settle = (values, words) => async () => {
    if (!await keptHere(page, () => resolve(s, record.collection, record.id, values))) return;
    flash(words);
    // straight to the screen that shows the message: this one while more fields wait, else back
    const after = await get(s, record.collection, record.id);
    go(after && Object.keys(after.conflicts || {}).length ? `conflict/${record.collection}/${record.id}` : 'attention');
  };
  const sections = Object.keys(record.conflicts).map((name) => {
    const versions = versionsOf(record, name, mine);
    if (name === DELETED) {
      return h('section', {}, h('h2', {}, 'Deleted in one place, changed in another'),
        h('p', {}, 'This entry was deleted on one device and changed on another.'),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'button main', onclick: settle({ [DELETED]: false }, 'Kept.') }, 'Keep the entry'),
          h('button', { type: 'button', class: 'button danger', onclick: settle({ [DELETED]: true }, 'Deleted.') }, 'Delete it')));
    }
    return h('section', {},
      h('h2', {}, FIELD_NAMES[name] || name),
      h('div', { class: 'versions' }, versions.map((v) => h('div', { class: 'version' },
        h('h3', {}, `${label(v)}${v.at ? `, ${longDate(v.at)}` : ''}`),
        h('p', { class: 'value' }, valueWords(name, v.value)),
        h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button main', 'aria-label': `Keep this one: ${shortened(valueWords(name, v.value), 80)}`,
          onclick: settle({ [name]: v.value }, `Settled. ${savedHere()}`) }, 'Keep this one'))))),
      WRITING.includes(name) ? keepBoth(versions, (both) => settle({ [name]: both }, `Both kept. ${savedHere()}`)) : null);
  });
  const page = h('div', {},
    h('h1', {}, 'Changed in two places'),
    // which entry, named as on "Things to look at": the person may have several waiting
    h('p', { class: 'about' }, h('strong', {}, entryName(record))),
    h('p', {}, `This was changed on this ${deviceWord()} and somewhere else at about the same time. Nothing has been lost: here are both versions.`),
    sections,
    h('div', { class: 'actions' }, h('a', { href: '#/attention', class: 'button secondary' }, 'Decide later')));
  return { title: 'Changed in two places', node: page };
}

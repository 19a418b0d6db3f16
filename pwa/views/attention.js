/* What needs the person: entries changed in two places, and changes the server refused.
 * Nothing here is ever dropped without the person deciding. */
import { h, append, longDate } from '../ui/dom.js';
import { conflicted, write } from '../store/records.js';
import { held, dismiss } from '../store/outbox.js';
import { uuid } from '../store/crypto.js';
import { headline } from '../ui/entries.js';
import { FIELD_NAMES, valueWords } from '../ui/words.js';
import { refreshCounts } from '../sync/sw-bridge.js';

const KIND = { goals: 'A goal', sessions: 'Something you did', contributions: 'Something for others',
  reflections: 'Your thoughts', checkins: 'A check-in', profile: 'What matters to me' };

function refusedCard(s, item, rerender) {
  const m = item.mutation;
  const again = async (asNew) => {
    const fields = Object.fromEntries(Object.entries(m.fields).filter(([k]) => k !== '_deleted'));
    await write(s, m.collection, asNew ? uuid() : m.record_id, fields, { learnerId: m.learner_id });
    await dismiss(s, m.id);
    rerender();
  };
  const letGo = async () => { await dismiss(s, m.id); rerender(); };
  return h('li', { class: 'card' },
    h('h3', {}, `${KIND[m.collection] || 'An entry'} could not be sent`),
    h('p', {}, (item.error && item.error.message) || 'The server would not take this change.'),
    item.error && item.error.details && item.error.details.reason ? h('p', { class: 'meta' }, `Why: ${item.error.details.reason}.`) : null,
    h('dl', { class: 'answers' }, Object.entries(m.fields).flatMap(([k, v]) => [h('dt', {}, FIELD_NAMES[k] || k), h('dd', {}, valueWords(k, v))])),
    h('p', { class: 'meta' }, `Written ${longDate(m.at)}. Your words are kept here until you decide.`),
    h('div', { class: 'actions' },
      m.op !== 'delete' ? h('button', { type: 'button', class: 'button', onclick: () => again(false) }, 'Try again') : null,
      m.op !== 'delete' ? h('button', { type: 'button', class: 'button', onclick: () => again(true) }, 'Keep it as a new entry') : null,
      h('button', { type: 'button', class: 'button secondary', onclick: letGo }, m.op === 'delete' ? 'All right' : 'Let it go')));
}

export default async function attention({ s, go }) {
  if (!s.key) {
    go('');
    return { title: 'Opening', node: h('p', {}, 'Opening…') };
  }
  const box = h('div', {});
  const render = async () => {
    const [conflicts, refused] = await Promise.all([conflicted(s), held(s)]);
    box.replaceChildren();
    append(box, [
      h('h1', {}, 'Things to look at'),
      !conflicts.length && !refused.length ? h('p', {}, 'Nothing needs you just now. Thank you.') : null,
      conflicts.length ? [h('h2', {}, 'Changed in two places'),
        h('p', {}, 'These were changed on this tablet and somewhere else at about the same time. Both versions are kept. Please choose.'),
        h('ul', { class: 'card-list' }, conflicts.map((r) => h('li', { class: 'card' },
          h('h3', {}, `${KIND[r.collection] || 'An entry'}: ${headline(r) || ''}`),
          h('a', { href: `#/conflict/${r.collection}/${r.id}`, class: 'button' }, 'See both versions'))))] : null,
      refused.length ? [h('h2', {}, 'Not sent'), h('ul', { class: 'card-list' }, refused.map((item) => refusedCard(s, item, async () => { await render(); refreshCounts(); })))] : null,
      h('div', { class: 'actions' }, h('a', { href: `#/${s.person.role === 'mentor' ? 'mentor' : 'home'}`, class: 'button secondary' }, 'Back'))]);
  };
  await render();
  return { title: 'Things to look at', node: box };
}

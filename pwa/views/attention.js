/* What needs the person: entries changed in two places, and changes the server refused.
 * Nothing here is ever dropped without the person deciding. */
import { h, append, longDate } from '../ui/dom.js';
import { conflicted, write } from '../store/records.js';
import { onlyHere, settleOnlyHere } from '../store/restored.js';
import { held, dismiss, lockedKeyIds, recover, waitsForItsRecord } from '../store/outbox.js';
import { openOldKey, person } from '../store/people.js';
import { myLearners } from './mentor.js';
import { showProblem, keptHere } from '../ui/forms.js';
import { timeUuid } from '../store/crypto.js';
import { headline } from '../ui/entries.js';
import { FIELD_NAMES, valueWords } from '../ui/words.js';
import { refreshCounts } from '../sync/sw-bridge.js';
import { deviceWord } from '../ui/flash.js';

const KIND = { goals: 'A goal', sessions: 'Something you did', contributions: 'Something for others',
  reflections: 'Your thoughts', checkins: 'A check-in', profile: 'What matters to me' };

/** What a refused change was, in the person's words: a mentor's says whose journal it was for
 * (`names`: their learners now, or as last seen offline), or that the pairing has ended. */
function refusedTitle(s, m, names) {
  if (s.person.role !== 'mentor' || m.learner_id === s.person.id) return KIND[m.collection] || 'An entry';
  const what = m.collection === 'sessions' ? 'A visit' : 'A change';
  return names.has(m.learner_id) ? `${what} with ${names.get(m.learner_id)}`
    : `${what} for a learner you are no longer paired with`;
}

/** The fields a change set, with their values in words. */
function changedFields(m) {
  return h('dl', { class: 'answers' }, Object.entries(m.fields).flatMap(([k, v]) => [h('dt', {}, FIELD_NAMES[k] || k), h('dd', {}, valueWords(k, v))]));
}

function refusedCard(s, item, names, rerender) {
  const m = item.mutation;
  const again = async (asNew) => {
    const fields = Object.fromEntries(Object.entries(m.fields).filter(([k]) => k !== '_deleted'));
    if (!await keptHere(card, () => write(s, m.collection, asNew ? timeUuid() : m.record_id, fields, { learnerId: m.learner_id }))) return;
    await dismiss(s, m.id);
    rerender();
  };
  const letGo = async () => { await dismiss(s, m.id); rerender(); };
  if (waitsForItsRecord(m, item.error)) return waitingCard(s, item, names, letGo);
  const card = h('li', { class: 'card' },
    h('h3', {}, `${refusedTitle(s, m, names)} could not be sent`),
    h('p', {}, (item.error && item.error.message) || 'The server would not take this change.'),
    item.error && item.error.details && item.error.details.reason ? h('p', { class: 'meta' }, `Why: ${item.error.details.reason}.`) : null,
    changedFields(m),
    h('p', { class: 'meta' }, `Written ${longDate(m.at)}. Your words are kept here until you decide.`),
    h('div', { class: 'actions' },
      m.op !== 'delete' ? h('button', { type: 'button', class: 'button', onclick: () => again(false) }, 'Try again') : null,
      m.op !== 'delete' ? h('button', { type: 'button', class: 'button', onclick: () => again(true) }, 'Keep it as a new entry') : null,
      h('button', { type: 'button', class: 'button secondary', onclick: letGo }, m.op === 'delete' ? 'All right' : 'Let it go')));
  return card;
}

/** A change the server refused because it did not have the entry just then (restored from an
 * earlier copy): it goes again by itself once the entry is back, so there is nothing to do. */
function waitingCard(s, item, names, letGo) {
  const m = item.mutation;
  return h('li', { class: 'card' },
    h('h3', {}, `${refusedTitle(s, m, names)} is waiting to be sent`),
    h('p', {}, 'The server was put back to an earlier copy, and it does not have this entry just now. '
      + 'Your change is sent by itself once the entry is back, from another tablet or phone of yours.'),
    changedFields(m),
    h('p', { class: 'meta' }, `Written ${longDate(m.at)}. Your words are kept here until then.`),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button secondary', onclick: letGo }, 'Let it go')));
}

/** An entry only this device still holds: the server was restored from a backup and no
 * longer has it. The person sends it again, or leaves it here. */
function onlyHereCard(s, record, rerender) {
  const decide = async (again) => {
    if (!await keptHere(card, () => settleOnlyHere(s, record, again))) return;
    rerender();
  };
  const card = h('li', { class: 'card' },
    h('h3', {}, `${KIND[record.collection] || 'An entry'}: ${headline(record) || ''}`),
    h('p', {}, `The server was put back to an earlier copy, and it no longer has this. It is still on this ${deviceWord()}. `
      + 'Another tablet or phone of yours may send it again by itself; if you are not sure, send it from here.'),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button', onclick: () => decide(true) }, 'Send it again'),
      h('button', { type: 'button', class: 'button secondary', onclick: () => decide(false) }, `Keep it only on this ${deviceWord()}`)));
  return card;
}

function oldPinCard(s, keyId, kdf, rerender) {
  const needsPin = kdf && kdf.name === 'PBKDF2';
  // a learner opens her journal with a PIN; a mentor with the password staff gave him
  const secret = s.person.role === 'learner' ? 'PIN' : 'password';
  const form = h('form', { novalidate: true },
    h('h3', {}, `Writing saved with your old ${secret}`),
    h('p', {}, `Some of your writing on this ${deviceWord()} was saved before your ${secret} was changed. It is safe, and is sent once it is opened.`),
    needsPin ? [h('label', { for: `old-${keyId}` }, `Your old ${secret}`),
      h('input', { id: `old-${keyId}`, name: 'pin', type: 'password', inputmode: secret === 'PIN' ? 'numeric' : undefined, autocomplete: 'off' })] : null,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Send it')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const key = await openOldKey(s.person.id, keyId, needsPin ? form.pin.value : undefined);
      await recover(s, keyId, key);
      rerender();
    } catch {
      showProblem(form, `That was not the old ${secret}. Please try again.`);
    }
  });
  return h('li', { class: 'card' }, form);
}

export default async function attention({ s, go }) {
  if (!s.key) {
    go('');
    return { title: 'Opening', node: h('p', {}, 'Opening…') };
  }
  const box = h('div', {});
  // a mentor's learners, asked for once for this screen, not again at each redraw
  const learners = s.person.role === 'mentor' ? await myLearners(s) : [];
  const names = new Map(learners.map((l) => [l.id, l.display_name]));
  const render = async () => {
    const rowRead = person(s.person.id);
    const [conflicts, refused, locked, row, only] = await Promise.all([conflicted(s), held(s), lockedKeyIds(s), rowRead, onlyHere(s, rowRead)]);
    const oldKeys = (row.old_keys || []).filter((k) => locked.has(k.keyId));
    box.replaceChildren();
    append(box, [
      h('h1', {}, 'Things to look at'),
      !conflicts.length && !refused.length && !oldKeys.length && !only.length ? h('p', {}, 'Nothing needs you just now. Thank you.') : null,
      oldKeys.length ? h('ul', { class: 'card-list' }, oldKeys.map((k) => oldPinCard(s, k.keyId, k.kdf, async () => { await render(); refreshCounts(); }))) : null,
      conflicts.length ? [h('h2', {}, 'Changed in two places'),
        h('p', {}, `These were changed on this ${deviceWord()} and somewhere else at about the same time. Both versions are kept. Please choose.`),
        h('ul', { class: 'card-list' }, conflicts.map((r) => h('li', { class: 'card' },
          h('h3', {}, `${KIND[r.collection] || 'An entry'}: ${headline(r) || ''}`),
          h('a', { href: `#/conflict/${r.collection}/${r.id}`, class: 'button' }, 'See both versions'))))] : null,
      only.length ? [h('h2', {}, `Only on this ${deviceWord()}`),
        h('ul', { class: 'card-list' }, only.map((r) => onlyHereCard(s, r, async () => { await render(); refreshCounts(); })))] : null,
      refused.length ? [h('h2', {}, 'Not sent'), h('ul', { class: 'card-list' }, refused.map((item) => refusedCard(s, item, names, async () => { await render(); refreshCounts(); })))] : null,
      h('div', { class: 'actions' }, h('a', { href: `#/${s.person.role === 'mentor' ? 'mentor' : 'home'}`, class: 'button secondary' }, 'Back'))]);
  };
  await render();
  return { title: 'Things to look at', node: box };
}

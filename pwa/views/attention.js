/* What needs the person: entries changed in two places, and changes the server refused.
 * Nothing here is ever dropped without the person deciding. */
import { h, append, longDate } from '../ui/dom.js';
import { conflicted, write } from '../store/records.js';
import { onlyHere, settleOnlyHere } from '../store/restored.js';
import { held, dismiss, lockedKeyIds, recover, waitsForItsRecord, outboxItems, myMutationRecords } from '../store/outbox.js';
import { openOldKey, person } from '../store/people.js';
import { on } from '../store/events.js';
import { myLearners } from './mentor.js';
import { learnerNames } from '../sync/names.js';
import { showProblem, keptHere } from '../ui/forms.js';
import { timeUuid } from '../store/crypto.js';
import { entryName } from '../ui/entries.js';
import { FIELD_NAMES, KIND, valueWords } from '../ui/words.js';
import { refreshCounts, syncState } from '../sync/sw-bridge.js';
import { deviceWord } from '../ui/flash.js';

/* Changes sent again from this page ("Try again", "Keep it as a new entry"), by the id of the
 * change sent: {title, mutation}, so that however often a sync draws the page again, the card
 * says what became of it: being sent, turned away again (and why), or gone. Forgotten when the
 * person leaves the page. */
const tries = new Map();
on('screen', ({ path }) => { if (path !== 'attention') tries.clear(); });

/** What a refused change was, in the person's words: a mentor's says whose journal it was for
 * (`names`: their learners' names, kept also for a learner whose pairing has ended while a visit
 * of theirs waits here), or that the pairing has ended. */
function refusedTitle(s, m, names) {
  if (s.person.role !== 'mentor' || m.learner_id === s.person.id) return KIND[m.collection] || 'An entry';
  const what = m.collection === 'sessions' ? 'A visit' : 'A change';
  return names.has(m.learner_id) ? `${what} with ${names.get(m.learner_id)}`
    : `${what} for a learner you are no longer paired with`;
}

/** Why the server turned a change away, in plain words: for a mentor's change for a learner no
 * longer theirs, that the pairing has ended; else the server's reason. */
function refusedWhy(s, item, names, current) {
  const m = item.mutation;
  if (s.person.role === 'mentor' && !current.has(m.learner_id) && names.has(m.learner_id)) {
    return `You are no longer paired with ${names.get(m.learner_id)}.`;
  }
  return (item.error && item.error.message) || 'The server would not take this change.';
}

/** The fields a change set, with their values in words. */
function changedFields(m) {
  return h('dl', { class: 'answers' }, Object.entries(m.fields).flatMap(([k, v]) => [h('dt', {}, FIELD_NAMES[k] || k), h('dd', {}, valueWords(k, v))]));
}

/** What became of a change sent again from this page, in a line read out as it changes (the
 * same id each time, so focus stays on it when the page is drawn again). */
function triedLine(mid, words) {
  return h('p', { class: 'note', role: 'status', id: `tried-${mid}`, tabindex: '-1' }, words);
}

function refusedCard(s, item, names, current, rerender) {
  const m = item.mutation;
  const again = async (asNew) => {
    const fields = Object.fromEntries(Object.entries(m.fields).filter(([k]) => k !== '_deleted'));
    const id = asNew ? timeUuid() : m.record_id;
    const before = await myMutationRecords(s.person.id);
    if (!await keptHere(card, () => write(s, m.collection, id, fields, { learnerId: m.learner_id }))) return;
    // the change just queued, to say on this page what becomes of it
    const [sent] = [...await myMutationRecords(s.person.id)].find(([mid, rid]) => rid === id && !before.has(mid)) || [];
    if (sent) tries.set(sent, { title: refusedTitle(s, m, names), mutation: { ...m, id: sent, record_id: id } });
    tries.delete(m.id);
    await dismiss(s, m.id);
    await rerender();
    const line = sent && document.getElementById(`tried-${sent}`);
    if (line) line.focus();
  };
  const letGo = async () => { tries.delete(m.id); await dismiss(s, m.id); rerender(); };
  if (waitsForItsRecord(m, item.error)) return waitingCard(s, item, names, letGo);
  const why = refusedWhy(s, item, names, current);
  const card = h('li', { class: 'card' },
    h('h3', {}, `${refusedTitle(s, m, names)} could not be sent`),
    tries.has(m.id) ? triedLine(m.id, `Sent again just now, and turned away again. ${why}`) : null,
    h('p', {}, why),
    item.error && item.error.details && item.error.details.reason ? h('p', { class: 'meta' }, `Why: ${item.error.details.reason}.`) : null,
    changedFields(m),
    h('p', { class: 'meta' }, `Written ${longDate(m.at)}. Your words are kept here until you decide.`),
    h('div', { class: 'actions' },
      m.op !== 'delete' ? h('button', { type: 'button', class: 'button', onclick: () => again(false) }, 'Try again') : null,
      m.op !== 'delete' ? h('button', { type: 'button', class: 'button', onclick: () => again(true) }, 'Keep it as a new entry') : null,
      h('button', { type: 'button', class: 'button secondary', onclick: letGo }, m.op === 'delete' ? 'All right' : 'Let it go')));
  return card;
}

/** A change sent again from this page that has no answer yet: being sent, or waiting for the
 * device to be online. Nothing to decide until it is answered. */
function sendingCard(mid, tried) {
  const device = deviceWord();
  const { phase } = syncState();
  const words = phase === 'sending' ? 'Sending it again…'
    : phase === 'offline' || !navigator.onLine ? `Kept on this ${device}. It is sent again when this ${device} is online.`
      : `Kept on this ${device}. It could not be sent just now: the message at the top of the screen says why.`;
  return h('li', { class: 'card' },
    h('h3', {}, tried.title),
    triedLine(mid, words),
    changedFields(tried.mutation));
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
    h('h3', {}, entryName(record)),
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
  // a mentor's learners, asked for once for this screen, not again at each redraw; and the names
  // kept of those whose pairing has ended while a visit of theirs waits here
  const learners = s.person.role === 'mentor' ? await myLearners(s) : [];
  const current = new Set(learners.map((l) => l.id));
  const names = s.person.role === 'mentor' ? await learnerNames(s) : new Map();
  for (const l of learners) names.set(l.id, l.display_name);
  const render = async () => {
    const rowRead = person(s.person.id);
    const [conflicts, refused, locked, row, only, outbox] = await Promise.all([conflicted(s), held(s), lockedKeyIds(s), rowRead, onlyHere(s, rowRead),
      tries.size ? outboxItems(s) : { items: [] }]);
    const oldKeys = (row.old_keys || []).filter((k) => locked.has(k.keyId));
    // what became of each change sent again from here: still to be answered, or gone
    const unanswered = new Set(outbox.items.map((i) => i.mutation.id));
    const refusedIds = new Set(refused.map((i) => i.mutation.id));
    const sending = [...tries].filter(([mid]) => unanswered.has(mid));
    const went = [...tries].filter(([mid]) => !unanswered.has(mid) && !refusedIds.has(mid));
    const refocus = focusAgain(box);
    box.replaceChildren();
    append(box, [
      h('h1', {}, 'Things to look at'),
      went.map(([mid, tried]) => triedLine(mid, `${tried.title}: sent again, and this time it went. Thank you.`)),
      !conflicts.length && !refused.length && !oldKeys.length && !only.length && !sending.length ? h('p', {}, 'Nothing needs you just now. Thank you.') : null,
      oldKeys.length ? h('ul', { class: 'card-list' }, oldKeys.map((k) => oldPinCard(s, k.keyId, k.kdf, async () => { await render(); refreshCounts(); }))) : null,
      conflicts.length ? [h('h2', {}, 'Changed in two places'),
        h('p', {}, `These were changed on this ${deviceWord()} and somewhere else at about the same time. Both versions are kept. Please choose.`),
        h('ul', { class: 'card-list' }, conflicts.map((r) => h('li', { class: 'card' },
          h('h3', {}, entryName(r)),
          h('a', { href: `#/conflict/${r.collection}/${r.id}`, class: 'button' }, 'See both versions'))))] : null,
      only.length ? [h('h2', {}, `Only on this ${deviceWord()}`),
        h('ul', { class: 'card-list' }, only.map((r) => onlyHereCard(s, r, async () => { await render(); refreshCounts(); })))] : null,
      refused.length || sending.length ? [h('h2', {}, 'Not sent'), h('ul', { class: 'card-list' },
        sending.map(([mid, tried]) => sendingCard(mid, tried)),
        refused.map((item) => refusedCard(s, item, names, current, async () => { await render(); refreshCounts(); })))] : null,
      h('div', { class: 'actions' }, h('a', { href: `#/${s.person.role === 'mentor' ? 'mentor' : 'home'}`, class: 'button secondary' }, 'Back'))]);
    refocus();
  };
  await render();
  // A change sent again is answered by a sync, which may bring nothing to draw the page again
  // for: each time a sync ends, say what became of it.
  let phase = syncState().phase;
  const stopSync = on('sync-state', (state) => {
    const ended = state.phase !== phase;
    phase = state.phase;
    if (ended && tries.size && box.isConnected) render();
  });
  const stopScreen = on('screen', () => {
    if (!box.isConnected) { stopSync(); stopScreen(); } // another screen, or this one drawn anew
  });
  return { title: 'Things to look at', node: box };
}

/** Before `box` is drawn again: returns what puts focus back on the element of the same id (a
 * line that says what became of a change), else on the heading, if focus was in `box`. */
function focusAgain(box) {
  const el = document.activeElement;
  if (!el || el === box || !box.contains(el)) return () => {};
  const { id } = el;
  return () => {
    const target = (id && document.getElementById(id)) || box.querySelector('h1');
    if (!target || target.contains(document.activeElement)) return;
    if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.focus({ preventScroll: true });
  };
}

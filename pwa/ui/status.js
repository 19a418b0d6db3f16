/* The trust line, on every screen: in plain words, is my writing safe on the server? */
import { h, clock } from './dom.js';
import { on } from '../store/events.js';
import { session } from '../store/people.js';
import { syncState, requestSync } from '../sync/sw-bridge.js';
import { plainWords } from '../store/errors.js';
import { deviceWord, isFull, whenFull } from './flash.js';

function lastSent(iso) {
  if (!iso) return '';
  const when = new Date(iso);
  const sameDay = when.toDateString() === new Date().toDateString();
  return sameDay ? ` Last sent at ${clock(when)}.`
    : ` Last sent on ${when.toLocaleDateString('en-GB', { day: 'numeric', month: 'long' })} at ${clock(when)}.`;
}

/** What a learner is told when this tablet is no longer enrolled (revoked by staff): her PIN
 * cannot help, a member of staff can. Also on "Open my journal again" and the PIN pad. */
export function notSetUpWords() {
  return `This ${deviceWord()} is no longer set up to send. Please ask a member of staff. Your writing is safe here.`;
}

function line(kind, words, ...extra) {
  return h('div', { class: `status-line ${kind}` }, h('p', {}, words), ...extra);
}

function notAllSent() {
  return line('waiting', `Not everything could be sent. It is safe on this ${deviceWord()} and waits for you.`);
}

function describe(st, s) {
  const offline = !navigator.onLine || st.phase === 'offline';
  // a mentor signs in again by email, which works on any tablet: he is asked to, as for 'signin'
  const unenrolled = st.phase === 'unenrolled' && s.person.role === 'learner';
  if (st.phase === 'sending') {
    return line('sending', st.progress ? 'Fetching your journal…' : 'Sending…',
      st.progress && h('progress', { 'aria-label': 'Fetching your journal' }),
      st.progress && st.progress.done ? h('p', {}, `${st.progress.done} entries so far.`) : null);
  }
  if (st.phase === 'failed' && isFull(st.problem)) {
    // what comes from elsewhere, or the answers to what was sent, cannot be kept here
    const d = deviceWord();
    return line('waiting', st.pending ? `Saved on this ${d}, not all sent yet: this ${d} is full. ${whenFull()}`
      : `All sent. This ${d} is full, so new entries from elsewhere cannot be shown. ${whenFull()}`,
    h('button', { type: 'button', class: 'button', onclick: () => requestSync('button') }, 'Try again now'));
  }
  if (st.pending) {
    if (offline) return line('waiting', `Saved on this ${deviceWord()}. Will send when online.`);
    if (unenrolled) return line('waiting', `Saved on this ${deviceWord()}. ${notSetUpWords()}`);
    if (st.phase === 'signin' || st.phase === 'unenrolled') {
      return line('waiting', `Saved on this ${deviceWord()}. To send it, please open your journal again.`,
        h('a', { href: '#/reopen', class: 'button' }, 'Open my journal again'));
    }
    if (st.phase === 'update') return line('waiting', `Saved on this ${deviceWord()}. The app needs updating before it can send.`);
    if (st.phase === 'unreachable') {
      return line('waiting', `Saved on this ${deviceWord()}. The server could not be reached just now. Trying again soon.`,
        h('button', { type: 'button', class: 'button', onclick: () => requestSync('button') }, 'Try again now'));
    }
    if (st.phase === 'failed') {
      return line('waiting', `Saved on this ${deviceWord()}. Not sent yet: ${plainWords(st.problem)}`,
        h('button', { type: 'button', class: 'button', onclick: () => requestSync('button') }, 'Try again now'));
    }
    // what a finished sync left: writing kept under an old PIN, which needs her first
    if (st.held && st.phase === 'idle') return notAllSent();
    return line('waiting', `Saved on this ${deviceWord()}. Will send soon.`);
  }
  if (offline) return line('sent', `Everything is saved on this ${deviceWord()}. No internet just now.${lastSent(st.lastSent)}`);
  if (unenrolled) {
    return line('waiting', `All sent until now. This ${deviceWord()} is no longer set up to send. Please ask a member of staff.`);
  }
  // something of hers was turned away, or is kept only here: not all sent (a conflict alone is
  // on the server, both versions of it)
  if (st.held) return notAllSent();
  return line('sent', `All sent.${lastSent(st.lastSent)}`);
}

function render() {
  const box = document.getElementById('status');
  const s = session();
  if (!s) {
    box.replaceChildren(navigator.onLine ? '' : line('waiting', 'No internet just now. You can still write; it will be sent later.'));
    return;
  }
  if (s.person.role === 'staff') {
    // staff keep no journal here: nothing waits to be sent, and their screens need the internet
    box.replaceChildren(navigator.onLine ? '' : line('waiting', 'No internet just now. The staff screens need it.'));
    return;
  }
  const st = syncState();
  const attention = st.held + st.conflicts;
  box.replaceChildren(describe(st, s), attention ? h('div', { class: 'status-line problem' },
    h('p', {}, attention === 1 ? '1 thing needs you to look at it.' : `${attention} things need you to look at them.`),
    h('a', { href: '#/attention', class: 'button' }, 'Look now')) : '');
}

/** Keep the trust line up to date. */
export function startStatus() {
  on('sync-state', render);
  on('unlocked', render);
  on('locked', render);
  window.addEventListener('online', render);
  window.addEventListener('offline', render);
  render();
}

/* When to sync, and the bridge to the service worker: on opening a journal, coming online,
 * becoming visible, after each write and on a timer; Background Sync where the browser has it.
 * Only one tab syncs a person at a time (Web Locks). The state it keeps feeds the trust line:
 * its `phase` is idle, sending, offline, unreachable, signin (the server asks for the person's
 * PIN or password again), unenrolled (this tablet is no longer enrolled: only staff can help),
 * update or failed. */
import { sync } from './client.js';
import { session, person } from '../store/people.js';
import { count, heldCount, lockedKeyIds } from '../store/outbox.js';
import { conflicted } from '../store/records.js';
import { onlyHere } from '../store/restored.js';
import { on, emit } from '../store/events.js';
import { refreshNames } from './names.js';
import { noteRefused, signingIn, tabletEnrolled, tabletNotEnrolled } from './auth.js';

const TIMER_MS = 60 * 1000;
const SYNC_TAG = 'wm-sync';
let state = { phase: 'idle', pending: 0, held: 0, conflicts: 0, lastSent: null, progress: null, problem: null };
let debounce = null;
let retry = null;
let failures = 0;
let again = false;
let running = null;

function setState(patch) {
  state = { ...state, ...patch };
  emit('sync-state', state);
}

/** The latest sync state: {phase, pending, held, conflicts, lastSent, progress, problem}. */
export function syncState() {
  return state;
}

/** Count what waits and what needs the person, for the trust line. */
export async function refreshCounts(s = session()) {
  if (!s) return setState({ phase: 'idle', pending: 0, held: 0, conflicts: 0, lastSent: null, progress: null });
  const rowRead = person(s.person.id);
  const [pending, held, row, conflicts, locked, only] = await Promise.all([
    count(s.person.id), heldCount(s.person.id), rowRead, conflicted(s).catch(() => []),
    lockedKeyIds(s).catch(() => new Set()), onlyHere(s, rowRead).catch(() => [])]);
  if (session() !== s) return undefined;
  // Writing kept under an old PIN, and entries a restored server lost, need the person too
  // (views/attention.js).
  return setState({ pending, held: held + locked.size + only.length, conflicts: conflicts.length, lastSent: row && row.last_synced });
}

function phaseFor(error) {
  if (!error) return 'idle';
  if (error.error === 'offline' || error.error === 'network_error') {
    // online, but the answer did not come (patchy signal, a lost answer, a busy proxy)
    return navigator.onLine ? 'unreachable' : 'offline';
  }
  // the tablet is no longer enrolled: no sign-in helps until staff set it up again
  if (tabletNotEnrolled(error)) return 'unenrolled';
  if (['unauthorized', 'token_expired'].includes(error.error)) return 'signin';
  if (error.error === 'protocol_too_old') return 'update';
  return 'failed';
}

async function run(s) {
  if (!s || !s.token || !s.key) return; // staff read online; they keep no replica here
  if (running) {
    again = true; // a write during a sync: go round once more
    return;
  }
  const work = async () => {
    const row = await person(s.person.id);
    const first = !row.cursor && !row.last_synced;
    setState({ phase: 'sending', progress: first ? { done: 0 } : null });
    await signingIn(s.person.id); // a new sign-in asked for as the journal opened
    const token = s.token;
    const report = await sync(s, (done, more) => first && more && setState({ progress: { done } }));
    let phase = phaseFor(report.error);
    // A learner's sign-in refused: is it this tablet that is no longer enrolled (only staff can
    // help), or only her sign-in (made with the tablet's earlier key, or ended)? Her PIN helps
    // only then. (A mentor signs in again by email, which works on any tablet.)
    if (s.person.role === 'learner' && report.error && report.error.error === 'unauthorized') {
      phase = (await tabletEnrolled()) ? 'signin' : 'unenrolled';
    }
    // the next opening of the journal asks for a new sign-in (sync/auth.js)
    if (phase === 'signin' || phase === 'unenrolled') await noteRefused(s, token).catch(() => {});
    failures = phase === 'failed' || phase === 'unreachable' ? failures + 1 : 0;
    if (session() === s || !session()) setState({ phase, progress: null, problem: report.error });
    if (phase === 'update') emit('check-for-update');
    if (phase === 'failed') schedule(s, Math.min(300000, 15000 * 2 ** failures));
    // soon again while the signal comes and goes: after 5, 10, 20 and 40 seconds, then each minute
    if (phase === 'unreachable') schedule(s, Math.min(TIMER_MS, 5000 * 2 ** (failures - 1)));
    // what is on the screen may have changed: redraw it (a learner whose pairing ended leaves)
    if (report.pulled || report.rejected || report.conflicts || report.forgotten) emit('synced', report);
    return report;
  };
  running = navigator.locks
    ? navigator.locks.request(`wm-sync-${s.person.id}`, { ifAvailable: true }, (lock) => (lock ? work() : schedule(s, 3000)))
    : work();
  try {
    await running;
  } finally {
    running = null;
    await refreshCounts(session() || undefined);
    if (again) {
      again = false;
      run(session());
    }
  }
}

function schedule(s, ms) {
  clearTimeout(retry);
  retry = setTimeout(() => run(session() === s ? s : session()), ms);
}

/** Sync soon (writes are gathered for a moment first). `s` is captured now, so a sync asked
 * for just before locking still sends that person's outbox. */
export function requestSync(reason = 'now', s = session()) {
  clearTimeout(debounce);
  if (!s) return;
  if (!navigator.onLine) {
    setState({ phase: 'offline' });
    return;
  }
  debounce = setTimeout(() => run(s), reason === 'write' ? 400 : 30);
}

async function askForBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker.ready;
    if (registration.sync) await registration.sync.register(SYNC_TAG);
  } catch {
    // no Background Sync (Safari, Firefox): the other triggers cover it
  }
}

/** Wire the triggers. */
export function startSync() {
  on('unlocked', (s) => { refreshCounts(s); requestSync('open', s); if (navigator.onLine) refreshNames(s); });
  on('locked', () => setState({ phase: 'idle', pending: 0, held: 0, conflicts: 0, lastSent: null, progress: null }));
  on('written', () => {
    refreshCounts();
    requestSync('write');
    if ('serviceWorker' in navigator) askForBackgroundSync();
  });
  on('before-lock', () => requestSync('lock'));
  on('signed-in', (s) => requestSync('signed-in', s));
  window.addEventListener('online', () => requestSync('online'));
  window.addEventListener('offline', () => setState({ phase: 'offline' }));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') requestSync('visible');
  });
  setInterval(() => {
    if (document.visibilityState === 'visible') requestSync('timer');
  }, TIMER_MS);
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.addEventListener('message', (event) => {
      if (event.data && event.data.type === 'sync') requestSync('background');
    });
  }
}

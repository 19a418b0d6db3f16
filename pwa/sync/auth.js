/* Signing in: learners by tile (and PIN) on an enrolled tablet, mentors and staff by email and
 * password. The server checks the secret the first time; after that the journal opens on the
 * device itself, with no network, because the secret unwraps the person's key. When the server
 * has refused the sign-in kept here (or staff set the tablet up again, with a new key), opening
 * the journal online asks the server for a new one, so what waits is sent. */
import { api } from './api.js';
import { deviceKey } from '../store/settings.js';
import { emit } from '../store/events.js';
import { person, unlock, createVault, setToken, rewrap, byEmail, openStaff, updatePerson, session } from '../store/people.js';

const REFRESH_BEFORE_MS = 3 * 24 * 3600 * 1000;
const renewing = new Map(); // person id -> the new sign-in being asked for as her journal opens

/** Whether `error` is the server saying this tablet is not (or no longer) enrolled: no PIN or
 * password can help there, only staff setting it up again (docs/sync-protocol.md, "Errors"). */
export function tabletNotEnrolled(error) {
  return !!(error && error.error === 'unauthorized' && error.details && error.details.tablet_not_enrolled);
}

/** Whether the tablet's key, as it is now, is enrolled: false only when the server says it is
 * not, or there is none (a sign-in of an earlier key may be refused while this one works). */
export async function tabletEnrolled() {
  if (!(await deviceKey())) return false;
  try {
    await fetchTiles();
    return true;
  } catch (error) {
    return !tabletNotEnrolled(error);
  }
}

/** The new sign-in asked for as this person's journal opened, while it is on its way. */
export function signingIn(id) {
  return renewing.get(id);
}

/** Note that the server refused the sign-in `token` of person `id` (the sync bridge). A refusal
 * of a sign-in already replaced is not noted; nor one already known, so a PIN the server does
 * not take is not sent again each time the journal opens. */
export async function noteRefused(s, token) {
  if (s.token !== token) return;
  await updatePerson(s.person.id, (r) => { if (!r.signin_refused) r.signin_refused = true; });
}

/** A short fingerprint of this tablet's key ('' with none), kept with each sign-in made here:
 * staff setting the tablet up again give it a new key, and the sign-in made with the old one
 * is refused. The key itself is in the settings, readable as it is. */
async function keyPrint() {
  const key = await deviceKey();
  if (!key) return '';
  const sum = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)));
  return Array.from(sum.slice(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Keep a sign-in the server just gave the open person `s`, and forget any refusal. */
async function keepToken(s, answer) {
  if (session() !== s) return; // she closed her journal meanwhile: the next opening asks again
  const print = await keyPrint();
  await setToken(answer.token, answer.expires_at);
  await updatePerson(s.person.id, (r) => { r.signin_refused = null; r.token_key = print; });
}

/** The tablet's tiles from the server: {organisation, device, people}. */
export async function fetchTiles() {
  return api('/api/auth/tiles', { method: 'POST', body: { device_key: await deviceKey() } });
}

async function pinLogin(personId, pin) {
  return api('/api/auth/pin', { method: 'POST',
    body: { device_key: await deviceKey(), person_id: personId, pin: pin || null } });
}

async function freshVault(answer, secret) {
  const print = await keyPrint();
  const s = await createVault(answer.person, secret, answer.token, answer.expires_at);
  // Anything pulled under an earlier key is fetched again under this one.
  await updatePerson(s.person.id, (r) => {
    r.cursor = null; r.resync_seen = []; r.signin_refused = null; r.token_key = print;
  });
  return s;
}

function expiresSoon(s) {
  return !s.expiresAt || new Date(s.expiresAt).getTime() - Date.now() < REFRESH_BEFORE_MS;
}

/** Whether opening this person's journal online asks the server for a new sign-in: it refused
 * the one kept here, or the tablet's key changed since it was made. Not after the server
 * turned down the PIN that opened the journal here (staff changed it): "Open my journal
 * again" asks then, rather than each opening counting a wrong PIN on the server. */
async function mustSignInAgain(row) {
  if (row.signin_refused === 'pin') return false;
  return row.signin_refused === true || (row.token_key != null && row.token_key !== await keyPrint());
}

/** Ask the server for a new sign-in for `s`, whose journal just opened on the tablet; then
 * sync. The journal stays open whatever the answer. */
function signInAgain(s, pin) {
  const id = s.person.id;
  const asked = pinLogin(id, pin).then(async (answer) => {
    await keepToken(s, answer);
    emit('signed-in', s);
  }, async (error) => {
    if (['invalid_credentials', 'locked'].includes(error.error)) {
      await updatePerson(id, (r) => { r.signin_refused = 'pin'; });
    }
  }).catch(() => {}).finally(() => renewing.delete(id));
  renewing.set(id, asked);
  return asked;
}

/** Open a learner's journal from their tile; `pin` is undefined for a person without one. */
export async function openLearner(tile, pin) {
  const row = await person(tile.id);
  if (row && row.wrapped) {
    const needsPinNow = tile.has_pin && row.kdf.name === 'device';
    if (!needsPinNow) {
      const again = navigator.onLine && await mustSignInAgain(row);
      try {
        const s = await unlock(tile.id, row.kdf.name === 'device' ? undefined : pin);
        // at once, before the sync the opening starts (it waits for this: signingIn)
        if (again) signInAgain(s, pin);
        else if (navigator.onLine && expiresSoon(s)) pinLogin(tile.id, pin).then((a) => keepToken(s, a)).catch(() => {});
        return s;
      } catch (error) {
        if (error.error !== 'wrong_pin') throw error;
        if (!navigator.onLine) throw error;
      }
    }
    // The PIN is new or was changed by staff: the server decides.
    const answer = await pinLogin(tile.id, pin).catch((error) => {
      // the PIN typed did not open the journal kept here, and the server cannot be asked
      throw Object.assign(error, { triedHere: !needsPinNow });
    });
    if (needsPinNow) {
      const s = await unlock(tile.id, undefined);
      await rewrap(pin);
      await keepToken(s, answer);
      return s;
    }
    return freshVault(answer, pin || null);
  }
  return freshVault(await pinLogin(tile.id, pin), pin || null);
}

/** Get a new token for the open learner (theirs expired or was revoked). */
export async function renewLearnerToken(s, pin) {
  await keepToken(s, await pinLogin(s.person.id, pin));
}

/** Sign in a mentor or staff member by email and password. Offline, a mentor who signed in
 * on this device before opens their journal with the same password. */
export async function signIn(email, password) {
  const known = await byEmail(email);
  let answer;
  try {
    // on an enrolled tablet the sign-in is the tablet's too: revoking the tablet ends it
    const key = await deviceKey();
    answer = await api('/api/auth/login', { method: 'POST',
      body: { email, password, device_name: deviceName(), ...(key ? { device_key: key } : {}) } });
  } catch (error) {
    if (error.error === 'offline' && known) return unlock(known.id, password);
    throw error;
  }
  const who = { ...answer.person, email: answer.person.email || email };
  if (who.role === 'staff') return openStaff(who, answer.token, answer.expires_at);
  if (known && known.id === who.id) {
    try {
      const s = await unlock(who.id, password);
      await keepToken(s, answer);
      return s;
    } catch (error) {
      if (error.error !== 'wrong_pin') throw error; // the password changed: a new key below
    }
  }
  return freshVault({ ...answer, person: who }, password);
}

/** Tell the server to forget this device's token (the journal and its outbox stay sealed). */
export async function signOutEverywhere(s) {
  await api('/api/auth/logout', { method: 'POST', token: s.token }).catch(() => {});
}

function deviceName() {
  const ua = navigator.userAgent;
  if (/iPad|Macintosh/.test(ua) && 'ontouchend' in document) return 'iPad';
  if (/iPhone/.test(ua)) return 'iPhone';
  if (/Android/.test(ua)) return 'Android device';
  return 'Web browser';
}

/* Signing in: learners by tile (and PIN) on an enrolled tablet, mentors and staff by email and
 * password. The server checks the secret the first time; after that the journal opens on the
 * device itself, with no network, because the secret unwraps the person's key. */
import { api } from './api.js';
import { deviceKey } from '../store/settings.js';
import { person, unlock, createVault, setToken, rewrap, byEmail, openStaff, updatePerson } from '../store/people.js';

const REFRESH_BEFORE_MS = 3 * 24 * 3600 * 1000;

/** The tablet's tiles from the server: {organisation, device, people}. */
export async function fetchTiles() {
  return api('/api/auth/tiles', { method: 'POST', body: { device_key: await deviceKey() } });
}

async function pinLogin(personId, pin) {
  return api('/api/auth/pin', { method: 'POST',
    body: { device_key: await deviceKey(), person_id: personId, pin: pin || null } });
}

async function freshVault(answer, secret) {
  const s = await createVault(answer.person, secret, answer.token, answer.expires_at);
  // Anything pulled under an earlier key is fetched again under this one.
  await updatePerson(s.person.id, (r) => { r.cursor = null; r.resync_seen = []; });
  return s;
}

function expiresSoon(s) {
  return !s.expiresAt || new Date(s.expiresAt).getTime() - Date.now() < REFRESH_BEFORE_MS;
}

/** Open a learner's journal from their tile; `pin` is undefined for a person without one. */
export async function openLearner(tile, pin) {
  const row = await person(tile.id);
  if (row && row.wrapped) {
    const needsPinNow = tile.has_pin && row.kdf.name === 'device';
    if (!needsPinNow) {
      try {
        const s = await unlock(tile.id, row.kdf.name === 'device' ? undefined : pin);
        if (navigator.onLine && expiresSoon(s)) {
          pinLogin(tile.id, pin).then((a) => setToken(a.token, a.expires_at)).catch(() => {});
        }
        return s;
      } catch (error) {
        if (error.error !== 'wrong_pin') throw error;
        if (!navigator.onLine) throw error;
      }
    }
    // The PIN is new or was changed by staff: the server decides.
    const answer = await pinLogin(tile.id, pin);
    if (needsPinNow) {
      const s = await unlock(tile.id, undefined);
      await rewrap(pin);
      await setToken(answer.token, answer.expires_at);
      return s;
    }
    return freshVault(answer, pin || null);
  }
  return freshVault(await pinLogin(tile.id, pin), pin || null);
}

/** Get a new token for the open learner (theirs expired or was revoked). */
export async function renewLearnerToken(s, pin) {
  const answer = await pinLogin(s.person.id, pin);
  await setToken(answer.token, answer.expires_at);
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
      await setToken(answer.token, answer.expires_at);
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

/* The people who use this device, and the one who is using it now.
 * A person's data key lives in memory only while their journal is open; on the device it is
 * kept wrapped by their PIN or password (or by the device key when they have no PIN). */
import { get, put, transaction, done, newTransaction } from './db.js';
import * as c from './crypto.js';
import { emit } from './events.js';

let current = null; // {person, key, keyId, token, expiresAt}
const STAFF_KEY = 'what-matters-staff'; // a member of staff's sign-in, in this tab (openStaff)
const WAIT_AFTER_FAILS = 5; // wrong PINs in a row before each try waits
const WAIT_SECONDS = 30;

const keyAad = (id) => `key|${id}`;
const secretAad = (id) => `secret|${id}`;

async function deviceWrapKey() {
  let key = await get('settings', 'deviceWrapKey');
  if (!key) {
    key = await c.newDeviceKey();
    await put('settings', key, 'deviceWrapKey');
  }
  return key;
}

async function kekFor(kdf, secret) {
  return kdf.name === 'PBKDF2' ? c.deriveKek(secret, kdf.salt, kdf.iterations) : deviceWrapKey();
}

/** Everyone who has used this device, by name. */
export async function knownPeople() {
  const rows = await done((await newTransaction('people')).objectStore('people').getAll());
  return rows.sort((a, b) => a.display_name.localeCompare(b.display_name));
}

/** One person's row. */
export function person(id) {
  return get('people', id);
}

/** The open journal: {person, key, keyId, token, expiresAt}, or null when locked. */
export function session() {
  return current;
}

function tileFields(who) {
  const fields = { id: who.id, role: who.role, display_name: who.display_name, initials: who.initials,
    has_pin: !!who.has_pin };
  if (who.email) fields.email = who.email;
  return fields;
}

/** First sign-in of a person on this device, or after their PIN changed: a new data key. */
export async function createVault(who, secret, token, expiresAt) {
  const existing = await get('people', who.id);
  const dataKey = await c.newDataKey();
  const kdf = secret
    ? { name: 'PBKDF2', hash: 'SHA-256', iterations: c.PBKDF2_ITERATIONS, salt: c.randomBytes(16) }
    : { name: 'device' };
  const kek = await kekFor(kdf, secret);
  const wrapped = await c.wrap(dataKey, kek, keyAad(who.id));
  const key = dataKey;
  const keyId = c.uuid();
  const row = {
    replica: c.uuid(), next_seq: 1, cursor: null, epoch: null, last_sent_at: null, old_keys: [],
    ...existing, ...tileFields(who), kdf, wrapped, keyId, fails: 0,
  };
  // Writing sealed under a previous key (a PIN changed by staff) is kept, never dropped; the
  // new key starts a new replica, so the old one's unsent seqs never hold the new ones back.
  if (existing && existing.wrapped && existing.keyId !== keyId) {
    row.old_keys = [...(existing.old_keys || []), { keyId: existing.keyId, kdf: existing.kdf, wrapped: existing.wrapped }];
    Object.assign(row, { replica: c.uuid(), next_seq: 1, cursor: null, epoch: null, resend_log: false,
      resync_seen: null, dismissed: [] });
  }
  row.secret = await c.seal(key, { token, expiresAt }, secretAad(who.id));
  await put('people', row);
  current = { person: row, key, keyId, token, expiresAt };
  emit('unlocked', current);
  return current;
}

/** Open a person's journal with their PIN or password (undefined when they have none).
 * Rejects with {error: 'wrong_pin'} or {error: 'wait', seconds}. */
export async function unlock(id, secret) {
  const row = await get('people', id);
  if (!row || !row.wrapped) throw Object.assign(new Error('no vault'), { error: 'no_vault' });
  if (row.fails >= WAIT_AFTER_FAILS) {
    const wait = Math.ceil((row.failed_at + WAIT_SECONDS * 1000 - Date.now()) / 1000);
    if (wait > 0) throw Object.assign(new Error('wait'), { error: 'wait', seconds: wait });
  }
  let key;
  try {
    key = await c.unwrap(row.wrapped, await kekFor(row.kdf, secret), keyAad(id));
  } catch {
    await updatePerson(id, (r) => { r.fails = (r.fails || 0) + 1; r.failed_at = Date.now(); });
    throw Object.assign(new Error('wrong PIN'), { error: 'wrong_pin' });
  }
  const { token, expiresAt } = await c.open(key, row.secret, secretAad(id));
  if (row.fails) await updatePerson(id, (r) => { r.fails = 0; });
  current = { person: { ...row, fails: 0 }, key, keyId: row.keyId, token, expiresAt };
  emit('unlocked', current);
  return current;
}

/** The data key of a previous PIN, to re-seal writing kept under it. */
export async function openOldKey(id, keyId, secret) {
  const row = await get('people', id);
  const old = (row.old_keys || []).find((k) => k.keyId === keyId);
  return c.unwrap(old.wrapped, await kekFor(old.kdf, secret), keyAad(id));
}

/** Wrap the open person's data key under a new PIN (or the device key when `secret` is
 * null): nothing is re-encrypted and nothing is lost. */
export async function rewrap(secret) {
  const s = current;
  const kdf = secret
    ? { name: 'PBKDF2', hash: 'SHA-256', iterations: c.PBKDF2_ITERATIONS, salt: c.randomBytes(16) }
    : { name: 'device' };
  const wrapped = await c.wrap(s.key, await kekFor(kdf, secret), keyAad(s.person.id));
  await updatePerson(s.person.id, (r) => { r.kdf = kdf; r.wrapped = wrapped; r.fails = 0; });
}

/** A staff member signed in: online only, nothing of theirs is kept on the device. */
export function openStaff(who, token, expiresAt) {
  current = { person: { ...tileFields(who), email: who.email, is_admin: !!who.is_admin }, key: null, keyId: null, token, expiresAt };
  try {
    sessionStorage.setItem(STAFF_KEY, JSON.stringify({ person: current.person, token, expiresAt }));
  } catch {
    // storage refused (full, or a private window): signed in all the same, until a reload
  }
  emit('unlocked', current);
  return current;
}

/** A member of staff's sign-in is kept in this tab (sessionStorage) while it is open, so that
 * reloading the page does not sign them out: it goes when the tab is closed, when they switch
 * person or sign out, and when the tablet locks itself. Staff keep no journal here, so nothing
 * else is kept. Resumes it, unless it has expired; returns the session or null. */
export function resumeStaff() {
  let held = null;
  try {
    held = JSON.parse(sessionStorage.getItem(STAFF_KEY));
  } catch {
    held = null;
  }
  if (!held || !held.token || !(new Date(held.expiresAt).getTime() > Date.now())) {
    sessionStorage.removeItem(STAFF_KEY);
    return null;
  }
  current = { person: held.person, key: null, keyId: null, token: held.token, expiresAt: held.expiresAt };
  emit('unlocked', current);
  return current;
}

/** The person who signed in here with this email before, if any. */
export async function byEmail(email) {
  const people = await knownPeople();
  return people.find((p) => p.email && p.email.toLowerCase() === email.toLowerCase()) || null;
}

/** Keep a small value sealed in a person's row (e.g. names of a mentor's learners). */
export async function saveSealed(s, name, value) {
  const sealed = await c.seal(s.key, value, `${name}|${s.person.id}`);
  await updatePerson(s.person.id, (r) => { r[`sealed_${name}`] = sealed; });
}

/** A value kept by saveSealed, or `fallback`. */
export async function loadSealed(s, name, fallback = null) {
  const row = await get('people', s.person.id);
  if (!row || !row[`sealed_${name}`]) return fallback;
  return c.open(s.key, row[`sealed_${name}`], `${name}|${s.person.id}`).catch(() => fallback);
}

/** Keep a new sign-in token for the open person (sealed). */
export async function setToken(token, expiresAt) {
  const s = current;
  const secret = await c.seal(s.key, { token, expiresAt }, secretAad(s.person.id));
  await updatePerson(s.person.id, (r) => { r.secret = secret; });
  s.token = token;
  s.expiresAt = expiresAt;
}

/** Change a person's row in one transaction: `change(row)` edits it in place. */
export async function updatePerson(id, change) {
  const row = await transaction(['people'], 'readwrite', (tx) => {
    const store = tx.objectStore('people');
    const holder = {};
    store.get(id).onsuccess = (event) => {
      const value = event.target.result;
      if (!value) return;
      change(value);
      store.put(value);
      holder.value = value;
    };
    return holder;
  });
  if (current && current.person.id === id && row.value) current.person = row.value;
  return row.value;
}

/** Refresh the tile details (name, initials, PIN or not) of people the server listed. */
export async function refreshTiles(people) {
  for (const who of people) {
    const row = await get('people', who.id);
    if (row) await updatePerson(who.id, (r) => Object.assign(r, tileFields({ ...who, role: r.role })));
  }
}

/** Close the journal: the key leaves memory; sealed drafts and the outbox stay. */
export function lock() {
  const was = current;
  current = null;
  sessionStorage.removeItem(STAFF_KEY);
  if (was) emit('locked', was);
}

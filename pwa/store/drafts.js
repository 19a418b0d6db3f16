/* Unfinished writing, sealed, kept when the tablet locks or the page reloads. */
import { get, put, del, newTransaction, done } from './db.js';
import { seal, open } from './crypto.js';

const aad = (personId, name) => `draft|${personId}|${name}`;

/** Keep a draft of the form called `name`. */
export async function saveDraft(s, name, value) {
  const sealed = await seal(s.key, value, aad(s.person.id, name));
  await put('drafts', { personId: s.person.id, name, keyId: s.keyId, ...sealed });
}

/** Keep a draft as the person types or leaves the screen. A draft the device cannot keep (its
 * storage full or failing) is noted in the console, never thrown: the words are still on the
 * screen, and Save says plainly if the device cannot keep them. */
export function saveDraftQuietly(s, name, value) {
  return saveDraft(s, name, value).catch((error) => console.error('Could not keep a draft', error));
}

/** The draft of `name`, or null. */
export async function loadDraft(s, name) {
  const row = await get('drafts', [s.person.id, name]);
  if (!row || row.keyId !== s.keyId) return null;
  try {
    return await open(s.key, row, aad(s.person.id, name));
  } catch {
    return null;
  }
}

/** The form was saved: its draft goes (one that could not go is only offered again). */
export function clearDraft(s, name) {
  return del('drafts', [s.person.id, name]).catch((error) => console.error('Could not clear a draft', error));
}

/** The open person's drafts that hold some words: [{name, value}] (the names keepDraft was
 * given, such as `reflection:new`). Read when their journal opens, to say what is unfinished. */
export async function unfinished(s) {
  const range = IDBKeyRange.bound([s.person.id], [s.person.id, []]);
  const rows = await done((await newTransaction('drafts')).objectStore('drafts').getAll(range));
  const found = [];
  for (const row of rows) {
    if (row.keyId !== s.keyId) continue;
    const value = await open(s.key, row, aad(s.person.id, row.name)).catch(() => null);
    const words = value && Object.values(value).some((v) => typeof v === 'string' && v.trim());
    if (words) found.push({ name: row.name, value });
  }
  return found;
}

/* Unfinished writing, sealed, kept when the tablet locks or the page reloads. */
import { get, put, del } from './db.js';
import { seal, open } from './crypto.js';

const aad = (personId, name) => `draft|${personId}|${name}`;

/** Keep a draft of the form called `name`. */
export async function saveDraft(s, name, value) {
  const sealed = await seal(s.key, value, aad(s.person.id, name));
  await put('drafts', { personId: s.person.id, name, keyId: s.keyId, ...sealed });
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

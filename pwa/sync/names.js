/* Names of the people who write in a learner's journal (their mentors), so an entry can say
 * "Written by David Marsh". Kept sealed; without the server's list it says "your mentor". */
import { api } from './api.js';
import { saveSealed } from '../store/people.js';

/** Fetch the learner's mentors' names (`GET /api/me/mentors`), if the server offers them. */
export async function refreshNames(s) {
  if (!s || !s.key || s.person.role !== 'learner') return;
  try {
    const answer = await api('/api/me/mentors', { token: s.token });
    await saveSealed(s, 'names', Object.fromEntries(answer.items.map((p) => [p.id, p.display_name])));
  } catch {
    // not offered (yet), or offline: keep the names we have
  }
}

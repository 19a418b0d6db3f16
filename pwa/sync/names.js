/* Names of the people who write in a learner's journal (their mentors), so an entry can say
 * "Written by David Marsh", and of a mentor's learners, so a visit the server turned away says
 * whose it was. Kept sealed; without the server's list it says "your mentor". */
import { api } from './api.js';
import { saveSealed, loadSealed } from '../store/people.js';
import { outboxItems, held } from '../store/outbox.js';

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

/** A mentor's learners came from the server (`learners`, as `GET /api/me/learners` lists them):
 * keep the name of each, and of any learner no longer listed (the pairing ended) whose visit
 * still waits on this phone, unsent or turned away, so "Things to look at" can say whose visit
 * it was. A name nothing waits for any more is forgotten. */
export async function keepLearnerNames(s, learners) {
  const kept = { ...namesOf(await loadSealed(s, 'learners', [])), ...await loadSealed(s, 'learner-names', {}) };
  const listed = namesOf(learners);
  const gone = Object.keys(kept).filter((id) => !(id in listed));
  const waiting = gone.length ? await waitingFor(s) : new Set();
  const names = { ...Object.fromEntries(gone.filter((id) => waiting.has(id)).map((id) => [id, kept[id]])), ...listed };
  await saveSealed(s, 'learner-names', names);
}

/** The names of a mentor's learners, now or whose visit still waits here: Map id -> name. */
export async function learnerNames(s) {
  const names = await loadSealed(s, 'learner-names', {});
  return new Map(Object.entries(names).map(([id, name]) => [Number(id), name]));
}

const namesOf = (learners) => Object.fromEntries((learners || []).map((l) => [String(l.id), l.display_name]));

/** The learners (ids as text) the person's unsent or turned-away changes are for. */
async function waitingFor(s) {
  const [outbox, refused] = await Promise.all([outboxItems(s), held(s)]);
  return new Set([...outbox.items.map((i) => i.mutation), ...refused.map((i) => i.mutation)]
    .map((m) => String(m.learner_id)));
}

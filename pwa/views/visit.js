/* Log a visit with a learner: written by the mentor, marked as such; the learner can agree,
 * change or hide it. It is shared with the learner and their mentors; who else sees it is the
 * learner's choice alone, so the mentor's form never sends a visibility but a new visit's. */
import { h, today } from '../ui/dom.js';
import { textField, choices, feelingField, keepDraft, formValues, actions, showProblem, keptHere } from '../ui/forms.js';
import { get, write } from '../store/records.js';
import { DURATIONS, BENEFITS } from '../ui/words.js';
import { flash, savedHere } from '../ui/flash.js';
import { myLearners } from './mentor.js';

const NUMERIC = ['minutes', 'feeling_before', 'feeling_after'];

export default async function visit({ params, s, go }) {
  const learnerId = Number(params.learner);
  const learner = (await myLearners(s)).find((l) => l.id === learnerId);
  const existing = learner && params.id !== 'new' ? await get(s, 'sessions', params.id) : null;
  if (!learner || (params.id !== 'new' && !existing)) {
    // an old address (the back button, a bookmark): the pairing ended, or the visit is gone
    return { title: 'This visit is not here', node: h('div', {},
      h('h1', {}, 'This visit is not here'),
      h('p', {}, learner ? 'That visit is no longer on this phone.' : 'You are no longer paired with that learner.'),
      h('div', { class: 'actions' }, h('a', { href: '#/mentor', class: 'button main' }, 'Go to My learners'))) };
  }
  const f = existing ? existing.fields : {};
  const name = learner.display_name.split(' ')[0];
  const form = h('form', { novalidate: true },
    textField({ label: 'What did you do together?', name: 'activity', value: f.activity || '', maxlength: 500 }),
    choices({ legend: 'How long?', name: 'minutes', options: DURATIONS, value: f.minutes }),
    feelingField({ legend: `How did ${name} say they felt before?`, name: 'feeling_before', value: f.feeling_before }),
    feelingField({ legend: 'And after?', name: 'feeling_after', value: f.feeling_after }),
    choices({ legend: 'What was it good for?', name: 'benefits', multiple: true, options: BENEFITS, value: f.benefits || [] }),
    textField({ label: 'A note', name: 'note', value: f.note || '', lines: 4, hint: `${name} will see that you wrote this, and can agree, change or hide it.` }),
    h('p', { class: 'meta' }, `Shared with ${name} and their mentors. Only ${name} can share it with the care team.`),
    actions('Save the visit', ['#/mentor', 'Back']));
  const draft = await keepDraft(form, s, `visit:${learnerId}:${params.id}`, NUMERIC);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = formValues(form, NUMERIC);
    if (!v.activity.trim()) return showProblem(form, 'Please say what you did together.');
    if (!await keptHere(form, () => write(s, 'sessions', existing ? existing.id : null,
      { ...v, activity: v.activity.trim(), note: v.note.trim() || null, with_whom: 'mentor', ...(existing ? {} : { date: today(), visibility: 'mentor' }) },
      { learnerId }))) return;
    await draft.clear();
    flash(savedHere());
    return go('mentor');
  });
  const title = `A visit with ${learner.display_name}`;
  return { title, node: h('div', {}, h('h1', {}, title), form) };
}

/* Record what I did: what, how long, how I felt before and after; the rest is optional.
 * From home: "Record what I did", type or pick what, pick how long, "Save". */
import { h, today } from '../ui/dom.js';
import { textField, choices, feelingField, visibilityField, keepDraft, formValues, actions, showProblem, keptHere } from '../ui/forms.js';
import { list, get, write } from '../store/records.js';
import { DURATIONS, WITH_WHOM, BENEFITS } from '../ui/words.js';
import { flash, savedHere } from '../ui/flash.js';

const NUMERIC = ['minutes', 'feeling_before', 'feeling_after'];

export default async function session({ params, query, s, go }) {
  const editing = params.id !== 'new' ? await get(s, 'sessions', params.id) : null;
  const again = query.get('again') ? await get(s, 'sessions', query.get('again')) : null;
  const goals = (await list(s, 'goals')).filter((g) => (g.fields.status || 'active') === 'active');
  const f = editing ? editing.fields : {};
  const form = h('form', { novalidate: true },
    textField({ label: 'What did you do?', name: 'activity', value: f.activity || (again && again.fields.activity) || '', hint: 'For example: painting, the news group, a video call.', maxlength: 500 }),
    choices({ legend: 'How long did it take?', name: 'minutes', options: DURATIONS, value: f.minutes || (again && again.fields.minutes) }),
    feelingField({ legend: 'How did you feel before?', name: 'feeling_before', value: f.feeling_before }),
    feelingField({ legend: 'How did you feel after?', name: 'feeling_after', value: f.feeling_after }),
    h('h2', {}, 'If you like'),
    choices({ legend: 'Who were you with?', name: 'with_whom', options: WITH_WHOM, value: f.with_whom || (again && again.fields.with_whom) }),
    goals.length ? choices({ legend: 'Did it help with one of your goals?', name: 'goal_ids', multiple: true,
      options: goals.map((g) => [g.id, g.fields.title]), value: f.goal_ids || (again && again.fields.goal_ids) || [] }) : null,
    choices({ legend: 'What was it good for?', name: 'benefits', multiple: true, options: BENEFITS, value: f.benefits || (again && again.fields.benefits) || [] }),
    textField({ label: 'A note, in your own words', name: 'note', value: f.note || '', lines: 4 }),
    h('input', { type: 'hidden', name: 'date', value: f.date || today() }),
    visibilityField(f.visibility || (again && again.fields.visibility)),
    actions('Save', [editing ? `#/entry/sessions/${editing.id}` : '#/home', 'Back']));
  const draftName = `session:${params.id}`;
  const draft = await keepDraft(form, s, draftName, NUMERIC);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = formValues(form, NUMERIC);
    if (!v.activity.trim()) return showProblem(form, 'Please say what you did.');
    const fields = { ...v, activity: v.activity.trim(), note: v.note.trim() || null };
    if (!goals.length) delete fields.goal_ids;
    if (editing && editing.author_id !== s.person.id) fields.learner_response = 'changed';
    if (!await keptHere(form, () => write(s, 'sessions', editing ? editing.id : null, fields))) return;
    await draft.clear();
    flash(savedHere());
    // a change goes back to the entry it changed (her answer to her mentor's visit shows there)
    return go(editing ? `entry/sessions/${editing.id}` : 'home');
  });
  const title = editing ? 'Change what I did' : 'Record what I did';
  return { title, node: h('div', {}, h('h1', {}, title), form) };
}

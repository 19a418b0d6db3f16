/* A goal in the person's own words: why it matters, whose idea it was, how it is going. */
import { h } from '../ui/dom.js';
import { textField, choices, visibilityField, keepDraft, formValues, actions, showProblem, keptHere } from '../ui/forms.js';
import { get, write } from '../store/records.js';
import { WHOSE_IDEA, GOAL_STATUS, BENEFITS } from '../ui/words.js';
import { flash, savedHere } from '../ui/flash.js';

export default async function goal({ params, s, go }) {
  const existing = params.id !== 'new' ? await get(s, 'goals', params.id) : null;
  const f = existing ? existing.fields : {};
  const form = h('form', { novalidate: true },
    textField({ label: 'My goal, in my own words', name: 'title', value: f.title || '', hint: 'For example: video-call my grandson on Sundays.', maxlength: 500 }),
    textField({ label: 'Why it matters to me', name: 'why', value: f.why || '', lines: 3 }),
    choices({ legend: 'Whose idea was it?', name: 'whose_idea', options: WHOSE_IDEA, value: f.whose_idea }),
    choices({ legend: 'How is it going?', name: 'status', options: GOAL_STATUS, value: f.status || 'active' }),
    choices({ legend: 'What is it good for?', name: 'benefits', multiple: true, options: BENEFITS, value: f.benefits || [] }),
    visibilityField(f.visibility),
    actions('Save', [existing ? `#/entry/goals/${existing.id}` : '#/goals', 'Back']));
  const draft = await keepDraft(form, s, `goal:${params.id}`);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = formValues(form);
    if (!v.title.trim()) return showProblem(form, 'Please write your goal in a few words.');
    const fields = { ...v, title: v.title.trim(), why: v.why.trim() || null };
    if (fields.status === 'achieved' && f.status !== 'achieved') {
      const d = new Date();
      fields.achieved_on = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    }
    if (!await keptHere(form, () => write(s, 'goals', existing ? existing.id : null, fields))) return;
    await draft.clear();
    flash(savedHere());
    return go('goals');
  });
  const title = existing ? 'Change my goal' : 'A new goal';
  return { title, node: h('div', {}, h('h1', {}, title), form) };
}

/* A reflection in my own words; I may let the review quote it without my name. */
import { h, today } from '../ui/dom.js';
import { textField, visibilityField, keepDraft, formValues, actions, showProblem, keptHere } from '../ui/forms.js';
import { get, write } from '../store/records.js';
import { flash, savedHere } from '../ui/flash.js';

export default async function reflection({ params, s, go }) {
  const existing = params.id !== 'new' ? await get(s, 'reflections', params.id) : null;
  const f = existing ? existing.fields : {};
  const form = h('form', { novalidate: true },
    textField({ label: 'What is on your mind?', name: 'text', value: f.text || '', lines: 8,
      hint: 'About today, about learning, about anything that matters to you.' }),
    h('div', { class: 'field' }, h('label', { class: 'choice' },
      h('input', { type: 'checkbox', name: 'quote_consent', checked: !!f.quote_consent }),
      // the review quotes consented words whatever the entry's "Who can see this?": say so here
      h('span', {}, 'You may share these words as a quote, without my name. Staff may '
        + 'then see these words in their review, without my name, even if only I can see this entry.'))),
    visibilityField(f.visibility),
    actions('Save', ['#/reflections', 'Back']));
  const draft = await keepDraft(form, s, `reflection:${params.id}`);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = formValues(form);
    if (!v.text.trim()) return showProblem(form, 'Please write a few words first.');
    if (!await keptHere(form, () => write(s, 'reflections', existing ? existing.id : null,
      { text: v.text.trim(), quote_consent: !!v.quote_consent, visibility: v.visibility, ...(existing ? {} : { date: today() }) }))) return;
    await draft.clear();
    flash(savedHere());
    return go('reflections');
  });
  const title = existing ? 'Change my thoughts' : 'Write my thoughts';
  return { title, node: h('div', {}, h('h1', {}, title), form) };
}

/* One prompt of "What matters to me", in the person's own words. */
import { h } from '../ui/dom.js';
import { textField, choices, keepDraft, formValues, actions, keptHere } from '../ui/forms.js';
import { list, write } from '../store/records.js';
import { nameUuid } from '../store/crypto.js';
import { PROMPTS, VISIBILITY } from '../ui/words.js';
import { flash, savedHere } from '../ui/flash.js';

/** Who can see the profile: one record, so one choice for all four prompts, and it says so. */
function whoSees(value) {
  return choices({ legend: 'Who can see what matters to me (all four parts)', name: 'visibility',
    options: VISIBILITY, value: value || 'private',
    hint: 'This one choice is for all four parts of "What matters to me", not only this one.' });
}

export default async function matters({ params, s, go }) {
  const prompt = PROMPTS.find(([name]) => name === params.prompt);
  if (!prompt) return go('home');
  const [name, title, question] = prompt;
  const [profile] = await list(s, 'profile');
  const form = h('form', { novalidate: true },
    textField({ label: question, name, value: profile ? profile.fields[name] : '', lines: 6 }),
    whoSees(profile && profile.fields.visibility),
    actions('Save', ['#/home', 'Back']));
  const draft = await keepDraft(form, s, `matters:${name}`);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = formValues(form);
    const id = profile ? profile.id : await nameUuid(`what-matters/profile/${s.person.id}`);
    if (!await keptHere(form, () => write(s, 'profile', id, { [name]: values[name].trim() || null, visibility: values.visibility }))) return;
    await draft.clear();
    flash(savedHere());
    go('home');
  });
  return { title, node: h('div', {}, h('p', { class: 'steps' }, 'What matters to me'), h('h1', {}, title), form) };
}

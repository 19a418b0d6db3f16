/* The four ONS wellbeing questions, one per screen, 0 to 10; the answers are never added up. */
import { h, today } from '../ui/dom.js';
import { choices, visibilityField, formValues, actions, keptHere } from '../ui/forms.js';
import { list, write } from '../store/records.js';
import { loadDraft, saveDraft, saveDraftQuietly, clearDraft } from '../store/drafts.js';
import { ONS4 } from '../ui/words.js';
import { flash, savedHere } from '../ui/flash.js';

const DUE_DAYS = 28;
const DRAFT = 'checkin';
const SCALE = Array.from({ length: 11 }, (_, i) => [i, String(i)]);

/** Whether a check-in is due: none yet, or the last one four weeks ago or more. */
export function checkinDue(checkins) {
  if (!checkins.length) return true;
  const last = checkins.map((c) => c.fields.date || c.created_at.slice(0, 10)).sort().pop();
  return (Date.now() - new Date(`${last}T12:00:00`).getTime()) / 86400000 >= DUE_DAYS;
}

export default async function checkin({ params, s, go }) {
  const step = Math.max(1, Math.min(5, Number(params.step) || 1));
  const answers = (await loadDraft(s, DRAFT)) || {};
  if (step === 5 && ONS4.every(([name]) => answers[name] == null)) {
    // four skipped questions would be an empty check-in, counted as one in the review
    return { title: 'Your answers', node: h('div', {}, h('p', { class: 'steps' }, 'How I am feeling'),
      h('h1', {}, 'Nothing to save'),
      h('p', {}, 'You did not answer any of the questions, so there is nothing to save. That is fine: you can answer them another day.'),
      h('div', { class: 'actions' },
        h('a', { href: '#/checkin/1', class: 'button main' }, 'Answer the questions'),
        h('a', { href: '#/home', class: 'button secondary' }, 'Back to home'))) };
  }
  if (step === 5) {
    const form = h('form', { novalidate: true },
      h('p', {}, 'Thank you. Your answers:'),
      h('dl', { class: 'answers' }, ONS4.flatMap(([name, question]) => [h('dt', {}, question),
        h('dd', {}, answers[name] == null ? 'Not answered' : `${answers[name]} out of 10`)])),
      visibilityField(answers.visibility),
      actions('Save my answers', ['#/checkin/4', 'Back']));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const fields = { date: today(), visibility: formValues(form).visibility };
      for (const [name] of ONS4) fields[name] = answers[name] == null ? null : answers[name];
      if (!await keptHere(form, () => write(s, 'checkins', null, fields))) return;
      await clearDraft(s, DRAFT);
      flash(`${savedHere()} Thank you.`);
      go('home');
    });
    return { title: 'Your answers', node: h('div', {}, h('p', { class: 'steps' }, 'How I am feeling'), h('h1', {}, 'Your answers'), form) };
  }
  const [name, question] = ONS4[step - 1];
  const form = h('form', { novalidate: true },
    choices({ legend: question, name, options: SCALE, value: answers[name], className: 'scale',
      hint: '0 means not at all, 10 means completely.' }),
    h('div', { class: 'scale-ends', 'aria-hidden': 'true' }, h('span', {}, '0 = not at all'), h('span', {}, '10 = completely')),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button main' }, 'Next'),
      h('button', { type: 'button', class: 'button secondary', onclick: async () => {
        if (await keptHere(form, () => saveDraft(s, DRAFT, { ...answers, [name]: null }))) go(`checkin/${step + 1}`);
      } }, 'Skip this question'),
      h('a', { href: step === 1 ? '#/home' : `#/checkin/${step - 1}`, class: 'button secondary' }, 'Back')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = formValues(form, [name])[name];
    if (!await keptHere(form, () => saveDraft(s, DRAFT, { ...answers, [name]: value }))) return;
    go(`checkin/${step + 1}`);
  });
  form.addEventListener('change', () => saveDraftQuietly(s, DRAFT, { ...answers, [name]: formValues(form, [name])[name] }));
  const earlier = step === 1 ? (await list(s, 'checkins')).length : 0;
  return { title: `Question ${step} of 4`, node: h('div', {},
    h('p', { class: 'steps' }, `How I am feeling · question ${step} of 4`),
    h('h1', {}, `Question ${step} of 4`), form,
    earlier ? h('div', { class: 'actions' }, h('a', { href: '#/checkins', class: 'button secondary' }, 'See how I answered before')) : null) };
}

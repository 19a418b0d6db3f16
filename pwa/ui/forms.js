/* Form parts with big targets and labels that say what to do; drafts kept as people type. */
import { h, uid } from './dom.js';
import { VISIBILITY } from './words.js';
import { face } from './faces.js';
import { FEELINGS } from './words.js';
import { dictationButton } from './speech.js';
import { saveDraftQuietly, loadDraft, clearDraft } from '../store/drafts.js';
import { on, emit } from '../store/events.js';
import { notSavedHere } from './flash.js';

/** A labelled text box (one line, or several with `lines`), with dictation where it exists. */
export function textField({ label, name, value = '', hint, lines = 0, required = false, type = 'text', autocomplete, inputmode, maxlength }) {
  const id = uid(name);
  const hintId = hint ? `${id}-hint` : undefined;
  const props = { id, name, value: value == null ? '' : value, 'aria-describedby': hintId, required, autocomplete, inputmode, maxlength };
  const input = lines ? h('textarea', { ...props, rows: lines }) : h('input', { ...props, type });
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    hint && h('p', { class: 'hint', id: hintId }, hint),
    input,
    lines ? dictationButton(input) : null);
}

/** Big radio buttons or checkboxes in a fieldset. `options` are [value, words] pairs. */
export function choices({ legend, name, options, value, multiple = false, hint, className = '', render }) {
  const hintId = hint ? uid('hint') : undefined;
  const chosen = new Set(multiple ? value || [] : [value]);
  return h('fieldset', { class: `choices ${className}`, 'aria-describedby': hintId },
    h('legend', {}, legend),
    hint && h('p', { class: 'hint', id: hintId }, hint),
    h('div', { class: 'choice-list' }, options.map(([v, words]) => h('label', { class: 'choice' },
      h('input', { type: multiple ? 'checkbox' : 'radio', name, value: String(v), checked: chosen.has(v), 'data-list': multiple }),
      render ? render(v, words) : h('span', {}, words)))));
}

/** "Who can see this?", defaulting to the most private. */
export function visibilityField(value = 'private') {
  return choices({ legend: 'Who can see this?', name: 'visibility', options: VISIBILITY, value: value || 'private' });
}

/** Five faces with words. */
export function feelingField({ legend, name, value }) {
  return choices({ legend, name, options: FEELINGS, value, className: 'faces',
    render: (level, words) => [face(level), h('span', {}, words)] });
}

/** The form's values: numbers stay numbers, the boxes of a `choices` group become a list
 * (also when the group has one box: a learner with one goal), a lone checkbox true or false. */
export function formValues(form, numeric = []) {
  const values = {};
  for (const el of form.elements) {
    if (!el.name || el.type === 'submit' || el.type === 'button') continue;
    if (el.type === 'checkbox' && el.hasAttribute('data-list')) {
      values[el.name] = values[el.name] || [];
      if (el.checked) values[el.name].push(el.value);
    } else if (el.type === 'checkbox') {
      values[el.name] = el.checked;
    } else if (el.type === 'radio') {
      if (el.checked) values[el.name] = numeric.includes(el.name) ? Number(el.value) : el.value;
      else if (!(el.name in values)) values[el.name] = null;
    } else {
      values[el.name] = numeric.includes(el.name) && el.value !== '' ? Number(el.value) : el.value;
    }
  }
  return values;
}

/** Put saved values back into a form. */
export function fillForm(form, values) {
  for (const el of form.elements) {
    if (!el.name || !(el.name in values)) continue;
    const value = values[el.name];
    if (el.type === 'radio') el.checked = String(value) === el.value;
    else if (el.type === 'checkbox' && Array.isArray(value)) el.checked = value.includes(el.value);
    else if (el.type === 'checkbox') el.checked = !!value;
    else el.value = value == null ? '' : value;
  }
}

// The page hidden (the tablet asleep, another app, the tab closing) keeps what is being typed at
// once, not after the pause: a page that closes may never run the timer. Chromium hides the page
// before it goes (visibilitychange first), so the write starts while the page can still finish
// it; pagehide is for a browser that goes straight there.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') emit('flush-drafts');
});
window.addEventListener('pagehide', () => emit('flush-drafts'));

/** Keep a sealed draft of `form` as the person types; restore it when they come back.
 * Returns {clear} to call once the form is saved. */
export async function keepDraft(form, s, name, numeric = []) {
  const draft = await loadDraft(s, name);
  if (draft) {
    fillForm(form, draft);
    form.prepend(h('p', { class: 'note' }, 'We kept what you were writing last time.'));
  }
  let timer = null;
  const flush = () => {
    clearTimeout(timer);
    timer = null;
    return saveDraftQuietly(s, name, formValues(form, numeric));
  };
  form.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(flush, 400); });
  form.addEventListener('change', () => { clearTimeout(timer); timer = setTimeout(flush, 400); });
  // Locking, leaving the screen or hiding the page saves what is there, even mid-word.
  const stop = on('flush-drafts', () => timer && flush());
  form.flushDraft = () => (timer ? flush() : Promise.resolve());
  return { clear: () => { clearTimeout(timer); stop(); return clearDraft(s, name); }, flush: form.flushDraft };
}

/** The main button of a form, and an optional way back. */
export function actions(saveLabel, back) {
  return h('div', { class: 'actions' },
    h('button', { type: 'submit', class: 'button main' }, saveLabel),
    back && h('a', { href: back[0], class: 'button secondary' }, back[1]));
}

/** The most letters a piece of writing in several lines may hold (a note, a reflection, "why
 * it matters", the four "What matters to me" answers): the server's limit, counted as it counts,
 * by letter (backend/journal/schemas.py, LONG). */
export const LONG_WRITING = 8000;

/** Why a form's writing is too long to save, in plain words, or null: caught here, before it
 * is queued, because the server would refuse it, and a push too large for the server at all
 * would hold up everything written after it. */
function tooLong(form) {
  for (const box of form.querySelectorAll('textarea')) {
    const letters = [...box.value.trim()].length;
    if (letters > LONG_WRITING) {
      const label = form.querySelector(`label[for="${box.id}"]`);
      return `“${label ? label.textContent : 'This'}” is ${letters.toLocaleString('en-GB')} letters long. `
        + `An entry can hold ${LONG_WRITING.toLocaleString('en-GB')} at most: please make it shorter, or write the rest as another entry. `
        + 'Your words are all still here.';
    }
  }
  return null;
}

/** Do `work`, which keeps something on this device; resolves true once it is kept. If the
 * device could not keep it (its storage full or failing), or a form's writing is longer than
 * an entry may be, says so at the top of `where` and resolves false: every word stays on the
 * screen, to save again. */
export async function keptHere(where, work) {
  const problem = where.tagName === 'FORM' ? tooLong(where) : null;
  if (problem) {
    showProblem(where, problem);
    return false;
  }
  try {
    await work();
    return true;
  } catch (error) {
    console.error('Could not keep this on the device', error);
    showProblem(where, notSavedHere(error));
    return false;
  }
}

/** Show a problem in plain words at the top of a form, and move focus to it. */
export function showProblem(form, words) {
  let box = form.querySelector(':scope > .problem');
  if (!box) {
    box = h('div', { class: 'problem', role: 'alert', tabindex: '-1' });
    form.prepend(box);
  }
  box.textContent = words;
  box.focus();
}

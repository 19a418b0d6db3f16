/* Open my journal: the PIN pad for a person with a PIN; straight in for a person without. */
import { h } from '../ui/dom.js';
import { setting } from '../store/settings.js';
import { person } from '../store/people.js';
import { openLearner, tabletNotEnrolled } from '../sync/auth.js';
import { notSetUpWords } from '../ui/status.js';
import { homeFor } from '../ui/router.js';
import { showProblem } from '../ui/forms.js';

const WORDS = {
  wrong_pin: 'That PIN did not match. Please try again.',
  invalid_credentials: 'That PIN did not match. Please try again.',
  offline: 'The first time on this tablet, your journal needs the internet to open. Please try again when the tablet is online.',
  locked: 'This journal is paused for a while after several wrong PINs. A member of staff can help.',
  not_found: 'This person is no longer on this tablet. Please ask a member of staff.',
  unauthorized: 'This tablet is no longer set up. Please ask a member of staff.',
};

async function tileFor(id) {
  const tiles = (await setting('tiles')) || { people: [] };
  return tiles.people.find((p) => p.id === id) || (await person(id));
}

function problemWords(error, keptHere) {
  if (error.error === 'wait') return `Please wait ${error.seconds} seconds, then try again.`;
  if (tabletNotEnrolled(error)) {
    // the server cannot be asked about a PIN on this tablet: never "did not match" for it
    if (error.triedHere) {
      return 'That PIN did not open your journal on this tablet, and this tablet is no longer set up to ask the server. Please try again, or ask a member of staff. Your writing is safe here.';
    }
    return keptHere ? notSetUpWords() : WORDS.unauthorized;
  }
  return WORDS[error.error] || (error.error === 'invalid_request' ? 'A PIN is 4 to 8 numbers.' : 'Your journal could not be opened just now. Please try again.');
}

function keypad(input) {
  const press = (digit) => () => {
    // The input is not focused, so a tablet's own keyboard does not cover the keypad.
    if (input.value.length < 8) input.value += digit;
  };
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => h('button', { type: 'button', onclick: press(d) }, d));
  keys.push(h('span', {}), h('button', { type: 'button', onclick: press('0') }, '0'));
  keys.push(h('button', { type: 'button', 'aria-label': 'Delete the last number', onclick: () => { input.value = input.value.slice(0, -1); } }, '⌫'));
  return h('div', { class: 'keypad', role: 'group', 'aria-label': 'Numbers' }, keys);
}

export default async function open({ params, go }) {
  const id = Number(params.id);
  const tile = await tileFor(id);
  if (!tile) {
    go('');
    return { title: 'Opening', node: h('p', {}, 'Opening…') };
  }
  const row = await person(id);
  const needsPin = tile.has_pin || (row && row.kdf && row.kdf.name === 'PBKDF2');
  const form = h('form', { class: 'open-form', novalidate: true });
  const attempt = async (pin) => {
    const button = form.querySelector('button[type=submit]');
    if (button) { button.disabled = true; button.textContent = 'Opening…'; }
    try {
      const s = await openLearner(tile, pin);
      go(homeFor(s));
    } catch (error) {
      showProblem(form, problemWords(error, !!(row && row.wrapped)));
      const input = form.querySelector('input');
      if (input) { input.value = ''; }
    } finally {
      if (button) { button.disabled = false; button.textContent = 'Open my journal'; }
    }
  };
  if (!needsPin) {
    form.append(h('p', {}, 'Opening your journal…'));
    setTimeout(() => attempt(undefined), 0);
    form.append(h('div', { class: 'actions' }, h('a', { href: '#/', class: 'button secondary' }, 'This is not me')));
    return { title: `Hello, ${tile.display_name}`, node: h('div', {}, h('h1', {}, `Hello, ${tile.display_name}`), form) };
  }
  const input = h('input', { id: 'pin', name: 'pin', type: 'password', inputmode: 'numeric', autocomplete: 'off',
    class: 'pin-input', maxlength: 8, pattern: '[0-9]*', 'aria-describedby': 'pin-hint' });
  form.append(
    h('label', { for: 'pin' }, 'Your PIN'),
    h('p', { class: 'hint', id: 'pin-hint' }, 'Type your PIN, or tap the numbers.'),
    input, keypad(input),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button main' }, 'Open my journal'),
      h('a', { href: '#/', class: 'button secondary' }, 'This is not me')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    attempt(input.value);
  });
  return { title: `Hello, ${tile.display_name}`, node: h('div', {}, h('h1', {}, `Hello, ${tile.display_name}`), form) };
}

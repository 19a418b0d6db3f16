/* The top bar: who is using the tablet, "Switch person" one tap away, and settings. */
import { h, append } from './dom.js';
import { session, lock } from '../store/people.js';
import { on, emit } from '../store/events.js';
import { setting } from '../store/settings.js';
import { go } from './router.js';

/** Close the journal: drafts are sealed first, then the key leaves memory. */
export async function switchPerson() {
  emit('flush-drafts');
  emit('before-lock');
  // Give drafts and a last send a moment; the outbox stays sealed either way.
  await new Promise((resolve) => setTimeout(resolve, 50));
  lock();
  go('');
}

function renderTop() {
  const nav = document.getElementById('top-actions');
  const s = session();
  nav.replaceChildren();
  append(nav, [
    s && h('span', { class: 'who' }, s.person.display_name),
    s && h('button', { type: 'button', class: 'button', onclick: switchPerson }, 'Switch person'),
    h('a', { href: '#/settings', class: 'button' }, 'Text size and settings')]);
}

/** Apply the device's text size and contrast. */
export async function applyDisplay() {
  document.documentElement.dataset.text = await setting('textSize');
  document.documentElement.dataset.contrast = await setting('contrast');
}

/** Keep the top bar in step with who is signed in. */
export function startChrome() {
  renderTop();
  on('unlocked', renderTop);
  on('locked', renderTop);
  on('display', applyDisplay);
  return applyDisplay();
}

/* Text size, contrast, when to lock, reading speed; and signing out of this device. */
import { h } from '../ui/dom.js';
import { choices } from '../ui/forms.js';
import { setting, setSetting } from '../store/settings.js';
import { session } from '../store/people.js';
import { emit } from '../store/events.js';
import { signOutEverywhere } from '../sync/auth.js';
import { switchPerson } from '../ui/chrome.js';
import { isAppleTablet } from './install.js';

const SIZES = [['normal', 'Standard'], ['large', 'Large'], ['larger', 'Larger'], ['largest', 'Largest']];
const CONTRAST = [['normal', 'Standard'], ['high', 'High contrast (black and white)']];
const LOCK = [['5', 'After 5 minutes'], ['10', 'After 10 minutes'], ['30', 'After 30 minutes'], ['0', 'Never']];
const RATE = [['0.75', 'Slow'], ['0.9', 'Steady'], ['1', 'Usual']];

/** Fetch the learner's export with their token and hand it to the browser as a download. */
async function download(s, name, problem) {
  try {
    const response = await fetch(`/api/learners/${s.person.id}/${name}`, {
      headers: { Authorization: `Bearer ${s.token}` }, cache: 'no-store', credentials: 'omit' });
    if (!response.ok) throw new Error(String(response.status));
    const url = URL.createObjectURL(await response.blob());
    const link = h('a', { href: url, download: `my-journal.${name.split('.')[1]}`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch {
    problem.hidden = false;
    problem.textContent = 'The copy could not be made just now. Please try again when the tablet is online.';
    problem.focus();
  }
}

export default async function settings() {
  const s = session();
  const form = h('form', { novalidate: true },
    choices({ legend: 'Text size', name: 'textSize', options: SIZES, value: await setting('textSize') }),
    choices({ legend: 'Colours', name: 'contrast', options: CONTRAST, value: await setting('contrast') }),
    choices({ legend: 'Close the journal when the tablet is not used', name: 'lockMinutes', options: LOCK, value: String(await setting('lockMinutes')),
      hint: 'Nothing is lost: what you were writing is kept for next time.' }),
    'speechSynthesis' in globalThis ? choices({ legend: 'Reading aloud', name: 'speechRate', options: RATE, value: String(await setting('speechRate')) }) : null);
  form.addEventListener('change', async (event) => {
    const { name, value } = event.target;
    await setSetting(name, ['lockMinutes', 'speechRate'].includes(name) ? Number(value) : value);
    emit('display');
  });
  const problem = h('p', { class: 'problem', role: 'alert', tabindex: '-1', hidden: true });
  const copy = s && s.key && s.person.role === 'learner' ? h('section', {},
    h('h2', {}, 'A copy of my journal'),
    h('p', {}, 'Everything in your journal on the server, to keep or to print. It needs the internet.'),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button', onclick: () => download(s, 'export.html', problem) }, 'A page to read or print'),
      h('button', { type: 'button', class: 'button', onclick: () => download(s, 'export.json', problem) }, 'A file for another app')),
    problem,
    h('h2', {}, 'Who has read my journal'),
    h('p', {}, 'Each time a member of staff read what you share with the care team, or made a copy of your journal.'),
    h('div', { class: 'actions' }, h('a', { href: '#/readers', class: 'button' }, 'Who has read my journal'))) : null;
  const signOut = s && s.key ? h('section', {},
    h('h2', {}, 'Sign out of this device'),
    h('p', {}, 'Anything not sent yet stays safely locked on this device and is sent the next time you open your journal.'),
    h('button', { type: 'button', class: 'button danger', onclick: async () => { await signOutEverywhere(s); switchPerson(); } }, 'Sign out')) : null;
  return { title: 'Text size and settings', node: h('div', {},
    h('h1', {}, 'Text size and settings'),
    h('p', {}, 'These settings are for this tablet.'),
    form,
    s && s.token ? h('div', { class: 'actions' }, h('a', { href: '#/reminders', class: 'button' }, 'Reminders')) : null,
    isAppleTablet() ? h('div', { class: 'actions' }, h('a', { href: '#/install', class: 'button' }, 'How to put What Matters on the Home Screen')) : null,
    copy,
    signOut,
    h('div', { class: 'actions' }, h('a', { href: '#/', class: 'button secondary' }, 'Back'))) };
}

/* Staff on a tablet: set it up for the home. Staff read journals online, in the review. */
import { h } from '../ui/dom.js';
import { textField, showProblem } from '../ui/forms.js';
import { api } from '../sync/api.js';
import { setDeviceKey, setSetting, setting, deviceKey } from '../store/settings.js';
import { switchPerson } from '../ui/chrome.js';

/** The review is a page of its own (online only, outside the offline shell), which keeps its
 * sign-in in this tab's sessionStorage under this key (pwa/review/session.js): it is handed
 * over as the link is followed, so the member of staff is not asked to sign in again. */
const REVIEW_SIGN_IN = 'what-matters-review';

function handOver(s) {
  sessionStorage.setItem(REVIEW_SIGN_IN, JSON.stringify({ token: s.token, person: s.person }));
}

export default async function staff({ s, go }) {
  const enrolled = await deviceKey();
  // set up again, it keeps the name it had (the tiles the tablet last fetched say it)
  const tiles = enrolled ? await setting('tiles') : null;
  const name = (tiles && tiles.device) || '';
  const form = h('form', { novalidate: true },
    textField({ label: 'A name for this tablet', name: 'name', value: name,
      hint: 'So staff can tell the tablets apart: for example, Lounge tablet.' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button main' }, 'Set up this tablet')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!form.name.value.trim()) return showProblem(form, 'Please give this tablet a name, so staff can tell the tablets apart.');
    try {
      const answer = await api('/api/devices', { method: 'POST', token: s.token, body: { name: form.name.value.trim() } });
      await setDeviceKey(answer.device_key);
      await setSetting('tiles', null);
      await switchPerson();
      go('');
    } catch (error) {
      showProblem(form, error.error === 'forbidden' ? 'Only an administrator can set up a tablet.' : error.message);
    }
  });
  return { title: 'For staff', node: h('div', {},
    h('h1', {}, `Hello, ${s.person.display_name}`),
    h('p', {}, 'These need the internet.'),
    h('nav', { class: 'actions', 'aria-label': 'For staff' },
      h('a', { href: '/review/index.html', class: 'button main', onclick: () => handOver(s) }, 'Open the regular review'),
      h('a', { href: '#/staff/people', class: 'button secondary' }, 'People'),
      h('a', { href: '#/staff/pairings', class: 'button secondary' }, 'Mentors and learners'),
      h('a', { href: '#/staff/tablets', class: 'button secondary' }, 'Tablets'),
      s.person.is_admin && h('a', { href: '#/staff/audit', class: 'button secondary' }, 'Who read or changed what')),
    h('h2', {}, 'This tablet'),
    h('p', {}, enrolled ? 'This tablet is set up. Setting it up again gives it a new key.' : 'This tablet is not set up yet.'),
    form,
    h('div', { class: 'actions' },
      h('a', { href: '#/setup', class: 'button secondary' }, 'Paste a tablet key instead'),
      h('button', { type: 'button', class: 'button secondary', onclick: switchPerson }, 'Sign out'))) };
}

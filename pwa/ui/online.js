/* The staff screens that run the organisation (people, mentor pairings, tablets, the audit
 * log) read and change the server directly: nothing of theirs is kept on the device. This is
 * what they share: the API called as the signed-in member of staff, a screen for when the
 * server cannot be reached or refuses, and a refusal in plain words naming its fields. */
import { h } from './dom.js';
import { api } from '../sync/api.js';
import { plainWords } from '../store/errors.js';

/** Call the API as the signed-in member of staff `s`. */
export function staffApi(s, path, options = {}) {
  return api(path, { ...options, token: s.token });
}

/** The way back to the staff page. */
export function backToStaff() {
  return h('a', { href: '#/staff', class: 'button secondary' }, 'Back to For staff');
}

/** Words for an error of a staff screen: offline, not allowed, or the server's own message
 * with each field's reason ("email: is already in use"). */
export function refusal(error) {
  if (!error) return '';
  if (error.error === 'offline') return 'This needs the internet, and there is no connection just now. Nothing was changed.';
  if (error.error === 'forbidden') return 'Only an administrator can do this.';
  const fields = (error.details && error.details.fields) || {};
  const named = Object.entries(fields).map(([field, reasons]) => `${field}: ${[].concat(reasons).join(', ')}`);
  return named.length ? `This was not saved. ${named.join('; ')}.` : plainWords(error);
}

/** The screen shown when a staff screen's data could not be read. */
export function couldNotLoad(title, error) {
  return { title, node: h('div', {},
    h('h1', { tabindex: '-1' }, title),
    h('p', { class: 'problem', role: 'alert' }, error.error === 'offline'
      ? 'This needs the internet, and there is no connection just now.' : refusal(error)),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button main', onclick: () => location.reload() }, 'Try again'),
      backToStaff())) };
}

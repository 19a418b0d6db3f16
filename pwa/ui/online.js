/* The staff screens that run the organisation (people, mentor pairings, tablets, the audit
 * log) read and change the server directly: nothing of theirs is kept on the device. This is
 * what they share: the API called as the signed-in member of staff, a screen for when the
 * server cannot be reached or refuses, a refusal in plain words naming its fields, and a button
 * that cannot send twice. */
import { h } from './dom.js';
import { go } from './router.js';
import { showProblem } from './forms.js';
import { api } from '../sync/api.js';
import { plainWords } from '../store/errors.js';

/** Call the API as the signed-in member of staff `s`. */
export function staffApi(s, path, options = {}) {
  return api(path, { ...options, token: s.token });
}

/** The way back to the staff page. */
export function backToStaff() {
  return h('a', { href: '#/staff', class: 'button secondary' }, 'Back to the staff page');
}

/** Whether the signed-in member of staff `s` may change things: `me`, their own row when the
 * screen has read it (the server's word now), or what their sign-in said. The server decides
 * every change; this only chooses which buttons to show. */
export function isAdministrator(s, me) {
  return me ? !!me.is_admin : !!s.person.is_admin;
}

/** Words for an error of a staff screen: offline, not allowed, or each field's reason, the
 * field named by its label on the screen (`labels`: API name -> label), as in "This was not
 * saved. Email address: is already in use." */
export function refusal(error, labels = {}) {
  if (!error) return '';
  if (error.error === 'offline') return 'This needs the internet, and there is no connection just now. Nothing was changed.';
  if (error.error === 'forbidden') return 'Only an administrator can do this.';
  const fields = (error.details && error.details.fields) || {};
  const named = Object.entries(fields).map(([field, reasons]) => `${labels[field] || field}: `
    + [].concat(reasons).map((reason) => String(reason).replace(/\.+$/, '')).join(', '));
  return named.length ? `This was not saved. ${named.join('. ')}.` : plainWords(error);
}

/** Mark the boxes named `names` in `where` as wrong (aria-invalid), and no others. */
export function markWrong(where, names) {
  for (const el of where.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const name of names) {
    const el = where.querySelector(`[name="${name}"]`);
    if (el) el.setAttribute('aria-invalid', 'true');
  }
}

/** Say why the server (or the network) refused at the top of `where`, marking each field it
 * names as wrong; every word typed stays where it is. */
export function showRefusal(where, error, labels = {}) {
  markWrong(where, Object.keys((error.details && error.details.fields) || {}));
  showProblem(where, refusal(error, labels));
}

/** Do `work` with `button` switched off meanwhile, so a second tap cannot send it twice. */
export async function whileBusy(button, work) {
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.disabled = false;
  }
}

/** The screen shown when a staff screen's data could not be read. "Try again" reads it again
 * in place: reloading the page would end the sign-in, which lives in the page alone. */
export function couldNotLoad(title, error) {
  return { title, node: h('div', {},
    h('h1', { tabindex: '-1' }, title),
    h('p', { class: 'problem', role: 'alert' }, error.error === 'offline'
      ? 'This needs the internet, and there is no connection just now.' : refusal(error)),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button main', onclick: () => go(location.hash.replace(/^#\/?/, '')) }, 'Try again'),
      backToStaff())) };
}

/* The server asked the person to sign in again (the token expired or was revoked): their
 * writing is safe here; the PIN or password gets a new token so it can be sent. On a tablet
 * that is no longer enrolled no PIN can help: the page says so, and asks for a member of staff. */
import { h } from '../ui/dom.js';
import { textField, showProblem } from '../ui/forms.js';
import { renewLearnerToken, signIn, tabletNotEnrolled } from '../sync/auth.js';
import { requestSync, syncState } from '../sync/sw-bridge.js';
import { notSetUpWords } from '../ui/status.js';
import { homeFor } from '../ui/router.js';

const TITLE = 'Open my journal again';

function problemWords(error, learner) {
  if (error.error === 'offline') return 'There is no internet just now. Your writing is safe here.';
  if (error.error === 'locked') return 'This is paused for a while after several wrong tries. A member of staff can help. Your writing is safe here.';
  if (error.error === 'invalid_request') return learner ? 'A PIN is 4 to 8 numbers. Please try again.' : 'Please type your password.';
  if (error.error === 'invalid_credentials') return 'That did not match. Please try again.';
  return 'Your writing could not be sent just now. It is safe here. Please try again later.';
}

/** What the page says on a tablet that is no longer enrolled, in place of the PIN: it cannot help. */
function askStaff(s) {
  return [h('p', { class: 'note', role: 'status', tabindex: '-1' }, notSetUpWords()),
    h('div', { class: 'actions' }, h('a', { href: `#/${homeFor(s)}`, class: 'button secondary' }, 'Back to my journal'))];
}

export default async function reopen({ s, go }) {
  const learner = s.person.role === 'learner';
  if (learner && syncState().phase === 'unenrolled') {
    return { title: TITLE, node: h('div', {}, h('h1', {}, TITLE), ...askStaff(s)) };
  }
  const noPin = learner && s.person.kdf && s.person.kdf.name === 'device';
  const form = h('form', { novalidate: true },
    noPin ? null : learner
      ? textField({ label: 'Your PIN', name: 'secret', type: 'password', inputmode: 'numeric', autocomplete: 'off' })
      : textField({ label: 'Your password', name: 'secret', type: 'password', autocomplete: 'current-password' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button main' }, 'Send my writing'),
      h('a', { href: `#/${homeFor(s)}`, class: 'button secondary' }, 'Later')));
  const intro = h('p', {}, 'Your writing is saved on this tablet. To send it, the server needs to know it is you.');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const secret = form.secret ? form.secret.value : undefined;
    try {
      if (learner) await renewLearnerToken(s, secret);
      else await signIn(s.person.email, secret);
      requestSync('reopen');
      go(homeFor(s));
    } catch (error) {
      if (learner && tabletNotEnrolled(error)) {
        requestSync('reopen'); // the trust line learns it too
        const words = askStaff(s);
        intro.remove();
        form.replaceWith(...words);
        words[0].focus();
        return;
      }
      showProblem(form, problemWords(error, learner));
    }
  });
  return { title: TITLE, node: h('div', {}, h('h1', {}, TITLE), intro, form) };
}

/* The server asked the person to sign in again (the token expired or was revoked): their
 * writing is safe here; the PIN or password gets a new token so it can be sent. */
import { h } from '../ui/dom.js';
import { textField, showProblem } from '../ui/forms.js';
import { renewLearnerToken, signIn } from '../sync/auth.js';
import { requestSync } from '../sync/sw-bridge.js';
import { homeFor } from '../ui/router.js';

export default async function reopen({ s, go }) {
  const learner = s.person.role === 'learner';
  const noPin = learner && s.person.kdf && s.person.kdf.name === 'device';
  const form = h('form', { novalidate: true },
    noPin ? null : learner
      ? textField({ label: 'Your PIN', name: 'secret', type: 'password', inputmode: 'numeric', autocomplete: 'off' })
      : textField({ label: 'Your password', name: 'secret', type: 'password', autocomplete: 'current-password' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button main' }, 'Send my writing'),
      h('a', { href: `#/${homeFor(s)}`, class: 'button secondary' }, 'Later')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const secret = form.secret ? form.secret.value : undefined;
    try {
      if (learner) await renewLearnerToken(s, secret);
      else await signIn(s.person.email, secret);
      requestSync('reopen');
      go(homeFor(s));
    } catch (error) {
      showProblem(form, error.error === 'offline' ? 'There is no internet just now. Your writing is safe here.'
        : 'That did not match. Please try again.');
    }
  });
  return { title: 'Open my journal again', node: h('div', {},
    h('h1', {}, 'Open my journal again'),
    h('p', {}, 'Your writing is saved on this tablet. To send it, the server needs to know it is you.'), form) };
}

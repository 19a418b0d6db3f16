/* Mentors and staff sign in with email and password. */
import { h } from '../ui/dom.js';
import { textField, showProblem } from '../ui/forms.js';
import { signIn } from '../sync/auth.js';
import { homeFor } from '../ui/router.js';

const WORDS = {
  invalid_credentials: 'That email and password did not match. Please try again.',
  wrong_pin: 'That password did not match. Please try again.',
  offline: 'Signing in for the first time on this device needs the internet.',
  locked: 'This sign-in is paused for a while after several wrong passwords.',
  invalid_request: 'Please type your email address and your password.',
};

export default async function signInView({ query, go }) {
  const form = h('form', { novalidate: true },
    textField({ label: 'Email address', name: 'email', type: 'email', autocomplete: 'username', value: query.get('email') || '' }),
    textField({ label: 'Password', name: 'password', type: 'password', autocomplete: 'current-password' }),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button main' }, 'Sign in'),
      h('a', { href: '#/', class: 'button secondary' }, 'Back')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const s = await signIn(form.email.value.trim(), form.password.value);
      go(homeFor(s));
    } catch (error) {
      showProblem(form, WORDS[error.error] || error.message || 'Signing in did not work just now. Please try again.');
    } finally {
      button.disabled = false;
    }
  });
  return { title: 'Sign in', node: h('div', {}, h('h1', {}, 'Sign in'),
    h('p', {}, 'For mentors and staff.'), form) };
}

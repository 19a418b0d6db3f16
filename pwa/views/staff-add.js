/* Staff: add a learner, a mentor or a member of staff (administrators). Online only: the form
 * goes straight to the server; whatever it refuses is said at the top of the form, naming the
 * field, and everything typed stays in the boxes to put right and send again. */
import { h } from '../ui/dom.js';
import { textField, showProblem } from '../ui/forms.js';
import { flash } from '../ui/flash.js';
import { staffApi, backToStaff, isAdministrator, markWrong, whileBusy } from '../ui/online.js';
import { ROLES, tickBox, passwordField, showRefusal } from './staff-people.js';

const PIN_HINT = 'A PIN stops others opening this journal on a shared tablet. It is 4 to 8 digits. '
  + 'Leave it empty for no PIN: they then open their journal by tapping their name.';
const TOTALS_HINT = 'The organisation\'s reviews count what learners do, without names. '
  + 'Tick this if they do not want to be counted at all. Their journal is the same either way. You can change this later.';
const ADMIN_HINT = 'An administrator can add and change people, pair mentors with learners, '
  + 'set up tablets and read who read or changed what.';
const MISSING = { display_name: 'their name', email: 'their email address', password: 'a password' };
const THIS_ONE = { learner: 'Add this learner', mentor: 'Add this mentor', staff: 'Add this member of staff' };

function fieldsFor(role) {
  const name = textField({ label: 'Name', name: 'display_name', autocomplete: 'off', maxlength: 120,
    hint: role === 'learner' ? 'As they like to be called. It is shown on the tablets.' : undefined });
  if (role === 'learner') {
    return [name,
      textField({ label: 'PIN (if they want one)', name: 'pin', inputmode: 'numeric', autocomplete: 'off', maxlength: 8, hint: PIN_HINT }),
      tickBox({ name: 'opted_out', words: 'Leave out of the anonymous totals', hint: TOTALS_HINT })];
  }
  return [name,
    textField({ label: 'Email address', name: 'email', type: 'email', autocomplete: 'off', hint: 'They sign in with it.' }),
    passwordField({ label: 'Password', hint: 'At least 10 characters. Give it to them yourself; they sign in with it.' }),
    role === 'staff' && tickBox({ name: 'is_admin', words: 'Can run the organisation (administrator)', hint: ADMIN_HINT })];
}

/** What the form asks the server for. */
function person(role, form) {
  const body = { role, display_name: form.elements.display_name.value.trim() };
  if (role === 'learner') {
    const pin = form.elements.pin.value.trim();
    if (pin) body.pin = pin;
    body.opted_out = form.elements.opted_out.checked;
  } else {
    body.email = form.elements.email.value.trim();
    body.password = form.elements.password.value;
    if (role === 'staff') body.is_admin = form.elements.is_admin.checked;
  }
  return body;
}

function addedWords(added) {
  if (added.role === 'learner') {
    return `Added ${added.display_name}. Their name is on your organisation's tablets now, ${added.has_pin ? 'with a PIN' : 'with no PIN'}.`;
  }
  const more = added.role === 'mentor' ? ' Pair them with learners under "Mentors and learners".'
    : (added.is_admin ? ' They can run the organisation.' : '');
  return `Added ${added.display_name}. They can sign in with their email address and password.${more}`;
}

function page(title, ...children) {
  return { title, node: h('div', { class: 'staff-add' }, h('h1', {}, title), children,
    h('div', { class: 'actions' }, h('a', { href: '#/staff/people', class: 'button secondary' }, 'Back to People'), backToStaff())) };
}

export default async function staffAdd({ params, s, go }) {
  const role = params.role;
  if (!Object.hasOwn(ROLES, role)) return page('Add a person', h('p', {}, 'There is no such kind of person to add.'));
  const title = ROLES[role].add;
  if (!isAdministrator(s)) return page(title, h('p', { class: 'note' }, 'Only an administrator can add or change people.'));
  const submit = h('button', { type: 'submit', class: 'button main' }, THIS_ONE[role]);
  const form = h('form', { novalidate: true }, fieldsFor(role), h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = person(role, form);
    const missing = Object.keys(MISSING).filter((name) => name in body && !body[name]);
    if (missing.length) {
      markWrong(form, missing);
      return showProblem(form, `Please type ${missing.map((name) => MISSING[name]).join(' and ')}.`);
    }
    return whileBusy(submit, async () => {
      let added;
      try {
        added = await staffApi(s, '/api/people', { method: 'POST', body });
      } catch (error) {
        return showRefusal(form, error);
      }
      flash(addedWords(added));
      return go(`staff/person/${added.id}`);
    });
  });
  return page(title,
    h('p', {}, 'This needs the internet. Everything here goes straight to the server.'),
    form);
}

/* Staff: the people of the organisation, learners, mentors and staff, and those who have left.
 * Online only: read from the server each time, nothing kept on the device. Administrators add
 * people from here; every member of staff can open a person's page (to let a learner try
 * their PIN again). Also the words the three people screens share. */
import { h, uid } from '../ui/dom.js';
import { textField } from '../ui/forms.js';
import { staffApi, couldNotLoad, isAdministrator, showRefusal as showWhy, backToStaff } from '../ui/online.js';

/** What each kind of person is called: one of them, many of them, adding one. */
export const ROLES = {
  learner: { one: 'Learner', many: 'Learners', add: 'Add a learner' },
  mentor: { one: 'Mentor (volunteer)', many: 'Mentors', add: 'Add a mentor' },
  staff: { one: 'Staff', many: 'Staff', add: 'Add a member of staff' },
};

/** The API's field names as the screens label them, for a refusal naming its fields. */
const FIELD_WORDS = {
  display_name: 'Name', pin: 'PIN', email: 'Email address', password: 'Password',
  is_admin: 'Administrator', opted_out: 'Anonymous totals', active: 'Marking as left',
  role: 'Kind of person',
};

/** "Paused after wrong PINs": a learner signs in with a PIN, the others with a password. */
export function pausedWords(person) {
  return person.role === 'learner' ? 'Paused after wrong PINs' : 'Paused after wrong passwords';
}

/** Say why the server refused, naming each field by its label on the people screens. */
export function showRefusal(where, error) {
  showWhy(where, error, FIELD_WORDS);
}

/** One big checkbox with its words, and a line saying what it means. */
export function tickBox({ name, words, hint, checked = false }) {
  const id = uid(name);
  const hintId = hint ? `${id}-hint` : undefined;
  return h('div', { class: 'field tick' },
    h('label', { class: 'choice', for: id },
      h('input', { type: 'checkbox', id, name, checked, 'aria-describedby': hintId }),
      h('span', {}, words)),
    hint && h('p', { class: 'hint', id: hintId }, hint));
}

/** A box for a new password, with a button that shows what was typed. */
export function passwordField({ label, hint }) {
  const field = textField({ label, name: 'password', type: 'password', autocomplete: 'new-password', hint });
  const input = field.querySelector('input');
  const show = h('button', { type: 'button', class: 'button secondary show-password', 'aria-pressed': 'false' }, 'Show the password');
  show.addEventListener('click', () => {
    const shown = input.type === 'password';
    input.type = shown ? 'text' : 'password';
    show.setAttribute('aria-pressed', String(shown));
  });
  field.append(show);
  return field;
}

function facts(person, s) {
  const words = [];
  if (person.role === 'learner') {
    words.push(person.has_pin ? 'Has a PIN' : 'No PIN');
    if (person.opted_out) words.push('Left out of the totals');
  } else if (person.is_admin) {
    words.push('Administrator');
  }
  if (!person.active) words.unshift(ROLES[person.role].one);
  return h('span', { class: 'person-facts' },
    person.id === s.person.id && h('span', {}, 'This is you'),
    words.map((w) => h('span', {}, w)),
    person.locked && h('span', { class: 'flag paused' }, pausedWords(person)),
    !person.active && h('span', { class: 'flag left' }, 'Has left'));
}

function row(person, s) {
  return h('li', {},
    h('a', { href: `#/staff/person/${person.id}`, class: 'person-row' },
      h('span', { class: 'initials', 'aria-hidden': 'true' }, person.initials),
      h('span', { class: 'person-words' },
        h('span', { class: 'person-name' }, person.display_name),
        facts(person, s))));
}

function group(heading, people, s, empty) {
  return h('section', {},
    h('h2', {}, heading),
    people.length ? h('ul', { class: 'people-list' }, people.map((p) => row(p, s)))
      : h('p', { class: 'empty' }, empty));
}

/** "Find a person": as a name is typed, only the people whose names hold it stay in the list,
 * under their headings, and a line says when nobody does. */
function finder(list) {
  const field = textField({ label: 'Find a person', name: 'find', type: 'search', autocomplete: 'off',
    hint: 'Type part of their name.' });
  const input = field.querySelector('input');
  const none = h('p', { class: 'empty', role: 'status' });
  input.addEventListener('input', () => {
    const typed = input.value.trim();
    const words = typed.toLocaleLowerCase('en-GB');
    let shown = 0;
    for (const item of list.querySelectorAll('.people-list > li')) {
      item.hidden = !item.querySelector('.person-name').textContent.toLocaleLowerCase('en-GB').includes(words);
      if (!item.hidden) shown += 1;
    }
    for (const section of list.querySelectorAll(':scope > section')) {
      section.hidden = Boolean(words) && !section.querySelector('.people-list > li:not([hidden])');
    }
    none.textContent = words && !shown ? `Nobody here has “${typed}” in their name.` : '';
  });
  return [field, none];
}

export default async function staffPeople({ s }) {
  const title = 'People';
  let items;
  try {
    ({ items } = await staffApi(s, '/api/people'));
  } catch (error) {
    return couldNotLoad(title, error);
  }
  const here = items.filter((p) => p.active);
  const left = items.filter((p) => !p.active);
  const paused = here.filter((p) => p.locked).length;
  const admin = isAdministrator(s, items.find((p) => p.id === s.person.id));
  const list = h('div', { class: 'people-groups' },
    Object.entries(ROLES).map(([role, words]) => group(words.many, here.filter((p) => p.role === role), s,
      `No ${words.many.toLowerCase()} yet.`)),
    left.length ? group('People who have left', left, s, '') : null);
  return { title, node: h('div', { class: 'staff-people' },
    h('h1', {}, title),
    h('p', {}, 'Everyone in your organisation. Choose a person to see more.'),
    paused ? h('p', { class: 'note' }, paused === 1
      ? 'One person cannot sign in just now, after wrong PINs or passwords. Open their page to let them try again.'
      : `${paused} people cannot sign in just now, after wrong PINs or passwords. Open their page to let them try again.`) : null,
    admin
      ? h('nav', { class: 'actions', 'aria-label': 'Add a person' },
        Object.entries(ROLES).map(([role, words]) => h('a', { href: `#/staff/add/${role}`, class: 'button' }, words.add)))
      : h('p', { class: 'note' }, 'Only an administrator can add or change people. You can let a learner try their PIN again from their page.'),
    finder(list),
    list,
    h('div', { class: 'actions' }, backToStaff())) };
}

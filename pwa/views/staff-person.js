/* Staff: one person of the organisation. Every member of staff sees who they are and can let
 * a learner paused after wrong PINs try again; administrators change the name, the PIN (a
 * learner's) or the password (a mentor's or a colleague's), the anonymous totals, and mark a
 * person as left or back. Online only: each change goes straight
 * to the server, and the page is drawn again from its answer with a line saying what was done. */
import { h } from '../ui/dom.js';
import { textField, showProblem } from '../ui/forms.js';
import { flash } from '../ui/flash.js';
import { staffApi, couldNotLoad, backToStaff, isAdministrator, markWrong, whileBusy } from '../ui/online.js';
import { confirmStep } from '../ui/staff-parts.js';
import { ROLES, pausedWords, passwordField, showRefusal } from './staff-people.js';

function kind(person) {
  if (person.role === 'staff' && person.is_admin) return 'Staff (administrator)';
  return ROLES[person.role].one;
}

function factList(person) {
  const rows = [['Kind of person', kind(person)]];
  if (person.role === 'learner') {
    rows.push(['PIN', person.has_pin ? 'Has a PIN' : 'No PIN']);
    rows.push(['Anonymous totals', person.opted_out ? 'Left out' : 'Counted']);
  } else {
    rows.push(['Email address', person.email || 'None']);
  }
  rows.push(['Signing in', person.locked ? pausedWords(person) : (person.active ? 'Can sign in' : 'Cannot sign in')]);
  rows.push(['Still taking part', person.active ? 'Yes' : 'No, has left']);
  return h('dl', { class: 'answers card person-card' },
    rows.map(([term, words]) => [h('dt', {}, term), h('dd', {}, words)]));
}

/** A section of the page: its heading, and a form holding its words and buttons (any problem
 * with it is said at the top of the form). */
function part(heading, form) {
  return h('section', { class: 'person-part' }, h('h2', {}, heading), form);
}

function form(...children) {
  return h('form', { novalidate: true }, children);
}

/** What marking a person as left means, a sentence each. */
function leavingPoints(person) {
  const name = person.display_name;
  if (person.role === 'learner') {
    return [`${name} will no longer be able to open their journal, and their name goes from the tablets.`,
      'Their journal is kept, and you can mark them as back at any time.'];
  }
  const reach = person.role === 'mentor' ? ' or read their learners\' journals' : '';
  return [`${name} will no longer be able to sign in${reach}.`,
    'Everything they wrote is kept, and you can mark them as back at any time.'];
}

export default async function staffPerson({ params, s, go }) {
  const admin = isAdministrator(s);
  let person;
  try {
    person = await staffApi(s, `/api/people/${encodeURIComponent(params.id)}`);
  } catch (error) {
    return couldNotLoad('A person', error);
  }
  const name = person.display_name;
  const learner = person.role === 'learner';

  /** Send `body` as a change; on success show the page again with `words(changed)`, else
   * say why at the top of `where`. */
  const send = async (where, body, words) => {
    let changed;
    try {
      changed = await staffApi(s, `/api/people/${person.id}`, { method: 'PATCH', body });
    } catch (error) {
      return showRefusal(where, error);
    }
    flash(words(changed));
    return go(`staff/person/${person.id}`);
  };
  const change = (where, button, body, words) => whileBusy(button, () => send(where, body, words));

  const parts = [];

  if (person.locked) {
    const button = h('button', { type: 'submit', class: 'button main' }, 'Let them try again');
    const where = form(
      h('p', {}, learner
        ? `After several wrong PINs, ${name}'s journal cannot be opened until someone lets them try again.`
        : `After several wrong passwords, ${name} cannot sign in until someone lets them try again.`),
      h('div', { class: 'actions' }, button));
    where.addEventListener('submit', (event) => {
      event.preventDefault();
      whileBusy(button, async () => {
        try {
          await staffApi(s, `/api/people/${person.id}/unlock`, { method: 'POST' });
        } catch (error) {
          return showRefusal(where, error);
        }
        flash(`Done. ${name} can try ${learner ? 'their PIN' : 'to sign in'} again.`);
        return go(`staff/person/${person.id}`);
      });
    });
    parts.push(part(pausedWords(person), where));
  }

  if (admin) {
    const nameForm = form(
      textField({ label: 'Name', name: 'display_name', value: name, autocomplete: 'off', maxlength: 120 }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Save the name')));
    nameForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const value = nameForm.elements.display_name.value.trim();
      if (!value) {
        markWrong(nameForm, ['display_name']);
        return showProblem(nameForm, 'Please type their name.');
      }
      return change(nameForm, event.submitter || nameForm.querySelector('button'), { display_name: value },
        (changed) => `Saved. Their name is now ${changed.display_name}.`);
    });
    parts.push(part('Their name', nameForm));
  }

  if (admin && learner) {
    const save = h('button', { type: 'submit', class: 'button' }, person.has_pin ? 'Save the new PIN' : 'Save the PIN');
    const remove = person.has_pin ? h('button', { type: 'button', class: 'button danger' }, 'Remove the PIN') : null;
    const pinForm = form(
      h('p', {}, person.has_pin
        ? `${name} has a PIN. A PIN stops others opening this journal on a shared tablet.`
        : `${name} has no PIN: anyone at one of your tablets can open this journal by tapping their name. A PIN stops others opening this journal on a shared tablet.`),
      textField({ label: person.has_pin ? 'A new PIN' : 'A PIN', name: 'pin', inputmode: 'numeric', autocomplete: 'off', maxlength: 8,
        hint: '4 to 8 digits. Tell it to them yourself.' }),
      h('div', { class: 'actions' }, save, remove));
    pinForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const pin = pinForm.elements.pin.value.trim();
      if (!pin) {
        markWrong(pinForm, ['pin']);
        return showProblem(pinForm, 'Please type the new PIN: 4 to 8 digits.');
      }
      return change(pinForm, save, { pin }, (changed) => `Saved. ${changed.display_name} now has a new PIN.`);
    });
    if (remove) {
      remove.addEventListener('click', () => change(pinForm, remove, { pin: null },
        (changed) => `Saved. ${changed.display_name} now has no PIN.`));
    }
    parts.push(part('PIN', pinForm));

    const totals = h('button', { type: 'submit', class: 'button' },
      person.opted_out ? 'Count them in the anonymous totals' : 'Leave them out of the anonymous totals');
    const totalsForm = form(
      h('p', {}, 'The organisation\'s reviews count what learners do, without names. Their journal is the same either way.'),
      h('p', {}, person.opted_out ? `${name} is left out of the anonymous totals.` : `${name} is counted in the anonymous totals.`),
      h('div', { class: 'actions' }, totals));
    totalsForm.addEventListener('submit', (event) => {
      event.preventDefault();
      change(totalsForm, totals, { opted_out: !person.opted_out }, (changed) => (changed.opted_out
        ? `Saved. ${changed.display_name} is now left out of the anonymous totals.`
        : `Saved. ${changed.display_name} is now counted in the anonymous totals.`));
    });
    parts.push(part('The anonymous totals', totalsForm));
  }

  if (admin && !learner && person.id !== s.person.id) {
    const save = h('button', { type: 'submit', class: 'button' }, 'Save the new password');
    const passwordForm = form(
      h('p', {}, `If ${name} has forgotten their password, or lost the phone or tablet they use, give them a new one here. `
        + 'Every sign-in they had ends, on every device, and they sign in again with the new password.'),
      passwordField({ label: 'A new password', hint: 'At least 10 characters. Tell it to them yourself.' }),
      h('div', { class: 'actions' }, save));
    passwordForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const password = passwordForm.elements.password.value;
      if (!password) {
        markWrong(passwordForm, ['password']);
        return showProblem(passwordForm, 'Please type the new password: at least 10 characters.');
      }
      return change(passwordForm, save, { password }, (changed) => `Saved. ${changed.display_name} has a new password, `
        + 'and is signed out everywhere. Tell them the new password yourself.');
    });
    parts.push(part('Password', passwordForm));
  }

  if (admin && person.active) {
    const leftForm = form(
      h('p', {}, 'When someone no longer takes part, mark them as left. Nothing is deleted.'),
      confirmStep({
        open: 'Mark as left',
        question: `Mark ${name} as left?`,
        points: leavingPoints(person),
        yes: 'Yes, mark as left',
        no: 'No, keep them',
        act: (panel) => send(panel, { active: false }, (changed) => (learner
          ? `Saved. ${changed.display_name} is marked as left and can no longer open their journal. Their journal is kept.`
          : `Saved. ${changed.display_name} is marked as left and can no longer sign in. Everything they wrote is kept.`)),
      }));
    leftForm.addEventListener('submit', (event) => event.preventDefault());
    parts.push(part('If they have left', leftForm));
  } else if (admin) {
    const back = h('button', { type: 'submit', class: 'button' }, 'Mark as back');
    const backForm = form(
      h('p', {}, `${name} is marked as left, and cannot ${learner ? 'open their journal' : 'sign in'}. Everything is kept. If they are back, mark them as back.`),
      h('div', { class: 'actions' }, back));
    backForm.addEventListener('submit', (event) => {
      event.preventDefault();
      change(backForm, back, { active: true }, (changed) => `Saved. ${changed.display_name} is back and can ${learner ? 'open their journal' : 'sign in'} again.`);
    });
    parts.push(part('They have left', backForm));
  }

  return { title: name, node: h('div', { class: 'staff-person' },
    h('h1', {}, name),
    factList(person),
    !admin && h('p', { class: 'note' }, learner && person.locked
      ? 'Only an administrator can change a person. You can let them try their PIN again, below.'
      : 'Only an administrator can change a person.'),
    parts,
    h('div', { class: 'actions' },
      admin && learner && h('a', { href: `#/staff/audit?learner=${person.id}`, class: 'button secondary' }, 'See their audit log entries'),
      h('a', { href: '#/staff/people', class: 'button secondary' }, 'Back to People'),
      backToStaff())) };
}

/* Staff: which mentor visits which learner. A mentor's phone holds what each learner paired
 * with them now shares with their mentor or the care team. Administrators pair a mentor with a
 * learner here, and end a pairing after reading what that means. Online only: read from the
 * server each time, nothing kept on the device. */
import { h } from '../ui/dom.js';
import { showProblem } from '../ui/forms.js';
import { flash } from '../ui/flash.js';
import { staffApi, couldNotLoad, refusal, backToStaff, isAdministrator } from '../ui/online.js';
import { fullDate, pickOne, confirmStep } from '../ui/staff-parts.js';

const TITLE = 'Mentors and learners';
const FIELD_WORDS = { mentor_id: 'The mentor', learner_id: 'The learner' };

/** Why a pairing was not made, in plain words. */
function whyNot(error, mentor, learner) {
  if (error.error === 'conflict') return `${mentor} and ${learner} are already paired. Nothing was changed.`;
  return refusal(error, FIELD_WORDS);
}

function pairForm(s, go, mentors, learners) {
  const form = h('form', { novalidate: true, class: 'pair-form', 'aria-labelledby': 'pair-heading' },
    pickOne({ label: 'Mentor', name: 'mentor_id', first: 'Choose a mentor',
      options: mentors.map((p) => [p.id, p.display_name]) }),
    pickOne({ label: 'Learner they will visit', name: 'learner_id', first: 'Choose a learner',
      options: learners.map((p) => [p.id, p.display_name]) }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button main' }, 'Pair them')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const { mentor_id: mentorBox, learner_id: learnerBox } = form.elements;
    if (!mentorBox.value || !learnerBox.value) {
      return showProblem(form, 'Please choose a mentor and a learner.');
    }
    const mentor = mentorBox.selectedOptions[0].textContent;
    const learner = learnerBox.selectedOptions[0].textContent;
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await staffApi(s, '/api/pairings', { method: 'POST',
        body: { mentor_id: Number(mentorBox.value), learner_id: Number(learnerBox.value) } });
    } catch (error) {
      return showProblem(form, whyNot(error, mentor, learner));
    } finally {
      button.disabled = false;
    }
    flash(`${mentor} now visits ${learner}. What ${learner} shares reaches ${mentor}'s phone the next time it connects.`);
    return go('staff/pairings');
  });
  return form;
}

function endStep(s, go, p) {
  return confirmStep({
    open: 'End this pairing',
    label: `End this pairing: ${p.mentor_name} and ${p.learner_name}`,
    question: `End the pairing of ${p.mentor_name} with ${p.learner_name}?`,
    points: [
      `${p.mentor_name} will no longer see ${p.learner_name}'s journal. It leaves ${p.mentor_name}'s phone the next time that phone connects.`,
      `What ${p.mentor_name} wrote stays in ${p.learner_name}'s journal.`,
      `A visit ${p.mentor_name} wrote and has not sent yet is turned away when it is sent. It stays on ${p.mentor_name}'s phone, which shows it to them.`,
    ],
    yes: 'Yes, end this pairing',
    no: 'No, keep it',
    act: async (panel) => {
      try {
        await staffApi(s, `/api/pairings/${p.id}/end`, { method: 'POST' });
      } catch (error) {
        return showProblem(panel, refusal(error));
      }
      flash(`The pairing of ${p.mentor_name} with ${p.learner_name} has ended.`);
      return go('staff/pairings');
    },
  });
}

function current(s, go, p, admin) {
  return h('li', { class: 'card' },
    h('p', {}, `Mentor ${p.mentor_name} visits ${p.learner_name}, since ${fullDate(p.started_at)}.`),
    admin ? endStep(s, go, p) : null);
}

function ended(p) {
  return h('li', { class: 'card' },
    h('p', {}, `Mentor ${p.mentor_name} visited ${p.learner_name} from ${fullDate(p.started_at)} to ${fullDate(p.ended_at)}.`));
}

export default async function staffPairings({ s, go }) {
  const admin = isAdministrator(s);
  let pairings;
  let people = [];
  try {
    ({ items: pairings } = await staffApi(s, '/api/pairings'));
    if (admin) ({ items: people } = await staffApi(s, '/api/people'));
  } catch (error) {
    return couldNotLoad(TITLE, error);
  }
  // by mentor, then learner: each mentor's learners together, as staff look for them
  const byNames = (x, y) => x.mentor_name.localeCompare(y.mentor_name) || x.learner_name.localeCompare(y.learner_name);
  const now = pairings.filter((p) => p.active).sort(byNames);
  const before = pairings.filter((p) => !p.active);
  const mentors = people.filter((p) => p.role === 'mentor' && p.active);
  const learners = people.filter((p) => p.role === 'learner' && p.active);
  let adding = null;
  if (admin) {
    adding = h('section', {},
      h('h2', { id: 'pair-heading' }, 'Pair a mentor with a learner'),
      mentors.length && learners.length ? pairForm(s, go, mentors, learners)
        : h('p', {}, `There are no ${mentors.length ? 'learners' : 'mentors'} to pair yet. Add them under People.`));
  }
  return { title: TITLE, node: h('div', { class: 'staff-setup' },
    h('h1', {}, TITLE),
    h('p', {}, 'A mentor sees what each learner they visit shares with their mentor or with the care team, on the mentor\'s own phone.'),
    admin ? null : h('p', { class: 'note' }, 'Only an administrator can pair a mentor with a learner, or end a pairing.'),
    adding,
    h('section', {},
      h('h2', {}, 'Pairings now'),
      now.length ? h('ul', { class: 'card-list' }, now.map((p) => current(s, go, p, admin)))
        : h('p', { class: 'empty' }, 'No mentor is paired with a learner just now.')),
    before.length ? h('section', {},
      h('h2', {}, 'Pairings that have ended'),
      h('ul', { class: 'card-list' }, before.map(ended))) : null,
    h('div', { class: 'actions' }, backToStaff())) };
}

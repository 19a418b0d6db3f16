/* Staff: the tablets set up for the organisation, when each was set up and last used, and
 * those revoked. Administrators revoke a lost or retired tablet here, after reading what that
 * does. Setting a tablet up is on the For staff page, on the tablet itself. Online only. */
import { h } from '../ui/dom.js';
import { showProblem } from '../ui/forms.js';
import { flash } from '../ui/flash.js';
import { staffApi, couldNotLoad, refusal, backToStaff, isAdministrator } from '../ui/online.js';
import { fullDate, whenAgo, confirmStep } from '../ui/staff-parts.js';

const TITLE = 'Tablets';

function setUpWords(d, names) {
  const by = d.enrolled_by_id && names.get(d.enrolled_by_id);
  return `Set up on ${fullDate(d.created_at)}${by ? ` by ${by}` : ''}.`;
}

/* What revoking does, as backend/org/setup.py and backend/auth do it, and as the app on the
 * tablet then behaves (views/start.js, sync/auth.js): every sign-in made on the tablet ends (a
 * tile's, and an email sign-in's, which carries the tablet's key) and its key opens nothing;
 * the journals kept on it stay there, sealed; what was not sent yet is sent once the tablet is
 * set up again (a new key) and each person opens their journal there. */
function revokeStep(s, go, d) {
  return confirmStep({
    open: 'Revoke this tablet',
    label: `Revoke this tablet: ${d.name}`,
    question: `Revoke ${d.name}? It stops working with What Matters at once.`,
    points: [
      'Everyone who signed in on it is signed out, learners and mentors alike, and it can no longer send or fetch anything.',
      'Anything written on it and not sent yet stays on that tablet. It can be sent only after the tablet is set up again and each person opens their journal there.',
      'It does not clear the tablet: the journals already on it stay there, and people who used it before can still open them on it.',
    ],
    yes: 'Yes, revoke this tablet',
    no: 'No, keep it',
    act: async (panel) => {
      try {
        await staffApi(s, `/api/devices/${d.id}/revoke`, { method: 'POST' });
      } catch (error) {
        return showProblem(panel, refusal(error));
      }
      flash(`${d.name} is revoked. It can no longer send or fetch anything.`);
      return go('staff/tablets');
    },
  });
}

function inUse(s, go, d, admin, names) {
  return h('li', { class: 'card' },
    h('h3', {}, d.name),
    h('p', {}, setUpWords(d, names)),
    h('p', {}, d.last_seen_at ? `Last used ${whenAgo(d.last_seen_at)}.` : 'Not used since it was set up.'),
    admin ? revokeStep(s, go, d) : null);
}

function revoked(d, names) {
  return h('li', { class: 'card revoked' },
    h('h3', {}, d.name, ' ', h('span', { class: 'revoked-mark' }, 'Revoked')),
    h('p', {}, `Revoked on ${fullDate(d.revoked_at)}. It can no longer send or fetch anything.`),
    h('p', {}, setUpWords(d, names)),
    h('p', {}, d.last_seen_at ? `Last used ${whenAgo(d.last_seen_at)}.` : 'Never used.'));
}

export default async function staffTablets({ s, go }) {
  const admin = isAdministrator(s);
  let devices;
  let people;
  try {
    [{ items: devices }, { items: people }] = await Promise.all([
      staffApi(s, '/api/devices'), staffApi(s, '/api/people')]);
  } catch (error) {
    return couldNotLoad(TITLE, error);
  }
  const names = new Map(people.map((p) => [p.id, p.display_name]));
  const working = devices.filter((d) => !d.revoked_at);
  const gone = devices.filter((d) => d.revoked_at);
  return { title: TITLE, node: h('div', { class: 'staff-setup' },
    h('h1', {}, TITLE),
    h('p', {}, 'The tablets set up for learners to open their journals with their tile.'),
    h('p', { class: 'note' }, 'To set up a tablet, sign in on it and choose "Set up this tablet" on the For staff page.'),
    admin ? null : h('p', { class: 'note' }, 'Only an administrator can revoke a tablet.'),
    h('section', {},
      h('h2', {}, 'Tablets in use'),
      working.length ? h('ul', { class: 'card-list' }, working.map((d) => inUse(s, go, d, admin, names)))
        : h('p', { class: 'empty' }, 'No tablet is set up just now.')),
    gone.length ? h('section', {},
      h('h2', {}, 'Revoked tablets'),
      h('ul', { class: 'card-list' }, gone.map((d) => revoked(d, names)))) : null,
    h('div', { class: 'actions' }, backToStaff())) };
}

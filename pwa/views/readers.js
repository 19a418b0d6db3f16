/* Who has read my journal: each time a member of staff read what I share with the care team,
 * or made a copy of my whole journal, newest first (the server's audit log, which never holds
 * what I wrote). It needs the internet: nothing of it is kept on the tablet. What is new since
 * she last looked is marked, then marked as seen; her home page tells her of any new one. */
import { h, longDate, clock } from '../ui/dom.js';
import { api } from '../sync/api.js';
import { plainWords } from '../store/errors.js';
import { deviceWord } from '../ui/flash.js';

const TITLE = 'Who has read my journal';
/** The parts of a journal, as the learner's own screens name them. */
const PARTS = {
  profile: 'what matters to you', goals: 'your goals', sessions: 'what you have done',
  contributions: 'what you do for others', reflections: 'your thoughts', checkins: 'your check-ins',
};

function what(entry) {
  const who = entry.who || 'A member of staff';
  if (entry.action === 'export_journal') {
    return `${who} made a copy of your whole journal, with what only you can see.`;
  }
  if (entry.action === 'review_named_quiet') {
    return `${who} saw your name in the monthly review, among the people who had not written anything for two weeks.`;
  }
  const part = PARTS[entry.collection] || 'your journal';
  if (entry.one_entry) return `${who} read one entry of ${part}, which you share with the care team.`;
  if (entry.count === 0) return `${who} looked for ${part} shared with the care team. You share none, so nothing was read.`;
  return `${who} read ${part}, which you share with the care team.`;
}

function item(entry) {
  const when = new Date(entry.at);
  return h('li', { class: 'card' },
    h('p', { class: 'meta' }, h('time', { datetime: entry.at }, `${longDate(entry.at)} at ${clock(when)}`),
      entry.new ? h('strong', { class: 'tag' }, 'New') : null),
    h('p', {}, what(entry)));
}

// The home page's last answer, for a minute: it is drawn again after every sync.
let lastAsked = null;

/** The reads of her journal since she last looked, from the server, or null when there are
 * none or the server cannot be asked (offline: the home page says nothing of it). */
async function newReads(s) {
  if (lastAsked && lastAsked.person === s.person.id && Date.now() - lastAsked.time < 60000) return lastAsked.found;
  let found = null;
  try {
    found = await api('/api/me/readers?limit=3', { token: s.token });
  } catch {
    return null;
  }
  lastAsked = { person: s.person.id, time: Date.now(), found };
  return found;
}

/** On her home page, once the server answers: what staff read of her journal since she last
 * looked at who has read it, the newest three in words, and the way to see them all. */
export function newReadsNote(s) {
  const place = h('div', { class: 'new-reads' });
  newReads(s).then((found) => {
    if (!found || !found.unseen) return;
    const shown = found.items.filter((entry) => entry.new);
    const more = found.unseen - shown.length;
    place.replaceChildren(h('div', { class: 'note' },
      h('p', {}, 'Since you last looked at who has read your journal:'),
      h('ul', {}, shown.map((entry) => h('li', {}, `${longDate(entry.at)}: ${what(entry)}`))),
      more > 0 ? h('p', {}, more === 1 ? 'And one more.' : `And ${more} more.`) : null,
      h('a', { href: '#/readers?from=home', class: 'button secondary' }, 'See who has read my journal')));
  });
  return place;
}

/** She has been shown the reads up to the newest in ``found``: none of them is new now. */
async function seen(s, found) {
  if (!found.unseen || !found.items.length) return;
  try {
    const now = await api('/api/me/readers/seen', { method: 'POST', token: s.token, body: { through: found.items[0].at } });
    lastAsked = { person: s.person.id, time: Date.now(), found: now };
  } catch {
    lastAsked = null; // marked the next time she looks
  }
}

export default async function readers({ s, query }) {
  // back where she came from: her home page's note, or the settings
  const back = h('div', { class: 'actions' }, h('a', { href: query.get('from') === 'home' ? '#/home' : '#/settings', class: 'button secondary' }, 'Back'));
  let found;
  try {
    found = await api('/api/me/readers', { token: s.token });
  } catch (error) {
    return { title: TITLE, node: h('div', {}, h('h1', {}, TITLE),
      h('p', { class: 'problem', role: 'alert' }, error.error === 'offline'
        ? `This needs the internet. Please try again when the ${deviceWord()} is online.` : plainWords(error)),
      back) };
  }
  const shown = found.items.length;
  await seen(s, found);
  return { title: TITLE, node: h('div', {},
    h('h1', {}, TITLE),
    h('p', {}, 'Staff can read only what you share with the care team. Each time they do, it is written down, and shown here. '
      + 'An administrator can also make a copy of your whole journal, and that is shown here too.'),
    shown ? h('ul', { class: 'card-list' }, found.items.map(item))
      : h('p', { class: 'empty' }, 'No member of staff has read your journal.'),
    found.total > shown ? h('p', {}, `These are the newest ${shown} of ${found.total}.`) : null,
    back) };
}

/* Staff: the audit log, "Who read or changed what", for administrators: each staff read of a
 * learner's shared journal, each download or erasure of a journal, each change to people,
 * pairings and tablets, newest first, in words. 50 entries a page; `?learner=<id>` shows only
 * the entries about one learner, `?page=N` an older page. Online only.
 *
 * The words say only what an entry holds (backend/org/audit.py and its callers: `action`, the
 * learner, and `detail`); people in the detail are named from the organisation's people, and
 * tablets from its tablets. What no list names any more is said to be no longer listed. */
import { h } from '../ui/dom.js';
import { staffApi, couldNotLoad, backToStaff, isAdministrator } from '../ui/online.js';
import { dateAndTime, pickOne } from '../ui/staff-parts.js';

const TITLE = 'Who read or changed what';
const PER_PAGE = 50;

/** The parts of a journal (backend/models/journal.py COLLECTIONS), as the review says them. */
const PARTS = {
  profile: 'what matters to them', goals: 'goals', sessions: 'what they did',
  contributions: 'for others', reflections: 'in their words', checkins: 'check-ins',
};
const ROLE_WORDS = { learner: 'a learner', mentor: 'a mentor', staff: 'a member of staff' };
/** The fields of a person a change names (backend/org/people.py update). */
const FIELD_WORDS = {
  display_name: 'the name', pin: 'the PIN', password: 'the password',
  opted_out: 'whether they count in the totals',
  active: 'whether they are active',
};
/** What made an entry no signed-in person made (`detail.by`, backend/cli.py, access_log.py). */
const BY_WORDS = { 'command line': "The server's command line", restore: 'Restoring a backup' };
const FORMATS = { html: 'as a page to read or print', json: 'as a file for another app' };

function and(words) {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

function entries(n) {
  return `${n} ${n === 1 ? 'entry' : 'entries'}`;
}

/** Names for the ids an entry holds: people and tablets of the organisation. */
function namer(people, devices) {
  const names = new Map(people.map((p) => [p.id, p.display_name]));
  const tablets = new Map(devices.map((d) => [d.id, d.name]));
  return {
    person(id, entry) {
      if (id == null) return 'someone';
      if (names.has(id)) return names.get(id);
      if (id === entry.learner_id && entry.learner_name) return entry.learner_name;
      if (id === entry.actor_id && entry.actor_name) return entry.actor_name;
      return `a person no longer listed (number ${id})`;
    },
    tablet(id) {
      return tablets.has(id) ? tablets.get(id) : `a tablet no longer listed (number ${id})`;
    },
  };
}

/** Who did it: the person signed in, or what made the change (the command line, a restore). */
function whoDid(entry) {
  const d = entry.detail || {};
  if (entry.action === 'erase_journal' && entry.actor_id != null && entry.actor_id === entry.learner_id) return 'The learner';
  if (entry.actor_id != null) return entry.actor_name || `A person no longer listed (number ${entry.actor_id})`;
  return BY_WORDS[d.by] || (d.by ? String(d.by) : 'Someone no longer listed');
}

/** What they did, in words. */
function whatDid(entry, names) {
  const d = entry.detail || {};
  const learner = entry.learner_id == null ? 'nobody named'
    : entry.learner_name || names.person(entry.learner_id, entry);
  const person = names.person(d.person_id, entry);
  switch (entry.action) {
    case 'read_journal': {
      const part = PARTS[d.collection] || d.collection;
      if (d.record_id) return `read one entry of the shared journal of ${learner} (${part})`;
      const held = typeof d.count !== 'number' ? '' : `, ${d.count ? entries(d.count) : 'none shared'}`;
      return `read the shared journal of ${learner} (${part}${held})`;
    }
    case 'export_journal':
      return `downloaded the whole journal of ${learner}, private entries too${FORMATS[d.format] ? `, ${FORMATS[d.format]}` : ''}`;
    case 'erase_journal': {
      const own = entry.actor_id != null && entry.actor_id === entry.learner_id;
      const deleted = typeof d.entries === 'number' ? ` (${entries(d.entries)} deleted)` : '';
      return own ? `erased their own journal and their name${deleted}` : `erased the journal and the name of a learner${deleted}`;
    }
    case 'pairing_created':
      return `paired the mentor ${names.person(d.mentor_id, entry)} with ${learner}`;
    case 'pairing_ended':
      return `ended the pairing of the mentor ${names.person(d.mentor_id, entry)} with ${learner}`;
    case 'device_enrolled':
      return `set up a tablet: ${names.tablet(d.device_id)}`;
    case 'device_revoked':
      return `revoked a tablet: ${names.tablet(d.device_id)}`;
    case 'person_created':
      return `added ${person}${ROLE_WORDS[d.role] ? ` as ${ROLE_WORDS[d.role]}` : ''}`;
    case 'person_changed': {
      const fields = [].concat(d.fields || []).map((f) => FIELD_WORDS[f] || f);
      return fields.length ? `changed ${and(fields)} of ${person}` : `changed ${person}`;
    }
    case 'unlock':
      return `let ${person} try to sign in again, after too many wrong tries`;
    case 'review_named_quiet':
      return `was shown in the review that ${learner} has written nothing new for 14 days`;
    case 'sign_in_ended':
      return `ended a sign-in of ${person}`;
    case 'organisation_created':
      return `created the organisation${d.name ? ` ${d.name}` : ''}`;
    default:
      return `did what the log calls "${entry.action}"${entry.learner_id == null ? '' : `, about ${learner}`}`;
  }
}

function entryItem(entry, names) {
  const d = entry.detail || {};
  return h('li', { class: 'audit-entry' },
    h('p', { class: 'meta' }, h('time', { datetime: entry.at }, dateAndTime(entry.at))),
    h('p', {}, h('strong', {}, whoDid(entry)), ' ', whatDid(entry, names), '.'),
    d.logged_at ? h('p', { class: 'meta' },
      `Made again when the server was restored from a backup. First made ${dateAndTime(d.logged_at)}.`) : null);
}

function address(learner, page) {
  const query = new URLSearchParams();
  if (learner) query.set('learner', String(learner));
  if (page > 1) query.set('page', String(page));
  const text = query.toString();
  return `#/staff/audit${text ? `?${text}` : ''}`;
}

function whichLearner(learners, learner, go) {
  const form = h('form', { novalidate: true, class: 'audit-filter' },
    pickOne({ label: 'Show the entries about', name: 'learner', first: 'Everyone',
      options: learners.map((p) => [p.id, p.display_name]) }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Show')));
  form.elements.learner.value = learner ? String(learner) : '';
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go(address(Number(form.elements.learner.value) || null, 1).slice(2));
  });
  return form;
}

function onlyAdministrators() {
  return { title: TITLE, node: h('div', { class: 'staff-setup' },
    h('h1', {}, TITLE),
    h('p', {}, 'Only an administrator can read the audit log.'),
    h('div', { class: 'actions' }, backToStaff())) };
}

/** A whole number of at least 1 from the address, or null. */
function wholeNumber(text) {
  return /^[0-9]{1,9}$/.test(text || '') && Number(text) >= 1 ? Number(text) : null;
}

export default async function staffAudit({ query, s, go }) {
  if (!isAdministrator(s)) return onlyAdministrators();
  const learner = wholeNumber(query.get('learner'));
  const page = wholeNumber(query.get('page')) || 1;
  const path = `/api/audit?page=${page}&per_page=${PER_PAGE}${learner ? `&learner_id=${learner}` : ''}`;
  let log;
  let people;
  let devices;
  try {
    [log, { items: people }, { items: devices }] = await Promise.all([
      staffApi(s, path), staffApi(s, '/api/people'), staffApi(s, '/api/devices')]);
  } catch (error) {
    if (error.error === 'forbidden') return onlyAdministrators();
    return couldNotLoad(TITLE, error);
  }
  const names = namer(people, devices);
  const learners = people.filter((p) => p.role === 'learner')
    .sort((a, b) => a.display_name.localeCompare(b.display_name));
  const about = learner && (learners.find((p) => p.id === learner)
    || log.items.find((e) => e.learner_id === learner));
  const learnerName = about ? (about.display_name || about.learner_name) : `learner number ${learner}`;
  const first = (log.page - 1) * log.per_page + 1;
  const last = first + log.items.length - 1;
  let range;
  if (!log.total) range = learner ? `There are no entries about ${learnerName}.` : 'There are no entries yet.';
  else if (!log.items.length) range = `There are no entries on this page. There are ${entries(log.total)} in all.`;
  else range = `Entries ${first} to ${last} of ${log.total}, newest first.`;
  const newer = log.page > 1 ? h('a', { href: address(learner, Math.min(log.page - 1, Math.ceil(log.total / log.per_page) || 1)), class: 'button', rel: 'prev' }, 'Newer') : null;
  const older = last < log.total && log.items.length ? h('a', { href: address(learner, log.page + 1), class: 'button', rel: 'next' }, 'Older') : null;
  return { title: TITLE, node: h('div', { class: 'staff-setup' },
    h('h1', {}, TITLE),
    h('p', {}, 'The audit log: each time staff read a learner\'s shared journal, downloaded or erased a journal, and each change to people, pairings and tablets.'),
    learners.length ? whichLearner(learners, learner, go) : null,
    learner ? h('div', { class: 'note audit-only' },
      h('p', {}, `Showing only the entries about ${learnerName}.`),
      h('a', { href: address(null, 1), class: 'button secondary' }, 'Show everyone\'s entries')) : null,
    h('p', { class: 'audit-range' }, range),
    log.items.length ? h('ol', { class: 'audit-list', 'aria-label': 'Entries of the audit log' },
      log.items.map((e) => entryItem(e, names))) : null,
    newer || older ? h('nav', { class: 'actions audit-pages', 'aria-label': 'Pages of the audit log' },
      newer, older, h('span', { class: 'meta' }, range)) : null,
    h('div', { class: 'actions' }, backToStaff())) };
}

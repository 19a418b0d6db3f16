/* A learner's home, built on "What matters to me", with recording a session first. */
import { h, svg, duration } from '../ui/dom.js';
import { list } from '../store/records.js';
import { PROMPTS, VISIBILITY, wordFor } from '../ui/words.js';
import { checkinDue } from './checkin.js';
import { shortened } from '../ui/entries.js';
import { unfinished } from '../store/drafts.js';
import { newReadsNote } from './readers.js';

const ICONS = {
  session: '<svg viewBox="0 0 24 24"><path d="M12 5v14M5 12h14" stroke="currentColor" stroke-width="2.5" fill="none" stroke-linecap="round"/></svg>',
  goals: '<svg viewBox="0 0 24 24"><circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2"/><circle cx="12" cy="12" r="4" fill="none" stroke="currentColor" stroke-width="2"/></svg>',
  others: '<svg viewBox="0 0 24 24"><circle cx="8" cy="9" r="3" fill="none" stroke="currentColor" stroke-width="2"/><circle cx="16" cy="9" r="3" fill="none" stroke="currentColor" stroke-width="2"/><path d="M3 19c1-3 3-4 5-4s4 1 5 4M11 19c1-3 3-4 5-4s4 1 5 4" fill="none" stroke="currentColor" stroke-width="2"/></svg>',
  thoughts: '<svg viewBox="0 0 24 24"><path d="M4 5h16v11H9l-5 4z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/></svg>',
  feeling: '<svg viewBox="0 0 24 24"><circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2"/><path d="M8 14q4 4 8 0" fill="none" stroke="currentColor" stroke-width="2"/></svg>',
  done: '<svg viewBox="0 0 24 24"><path d="M5 12l4 4 10-10" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/></svg>',
};

function action(route, words, icon, first = false) {
  return h('li', {}, h('a', { href: `#/${route}`, class: `action${first ? ' first' : ''}` }, svg(ICONS[icon]), words));
}

function recentActivities(sessions) {
  const seen = new Map();
  for (const r of sessions) {
    const name = (r.fields.activity || '').trim();
    if (name && !seen.has(name.toLowerCase()) && r.author_id === r.learner_id) seen.set(name.toLowerCase(), r);
  }
  return [...seen.values()].slice(0, 3);
}

/** Where an unfinished piece of writing is carried on, and what to call it: [href, words], or
 * null for a draft the home page does not offer (the check-in keeps its own place). */
function draftPlace(name) {
  const [form, ...rest] = name.split(':');
  const id = rest[rest.length - 1];
  const prompt = PROMPTS.find(([key]) => key === id);
  const places = {
    session: [`#/session/${id}`, 'What I did'],
    goal: [`#/goal/${id}`, id === 'new' ? 'A new goal' : 'A goal'],
    reflection: [`#/reflection/${id}`, 'My thoughts'],
    contribution: [`#/contribution/${rest.join('/')}`, 'Something for others'],
    matters: [`#/matters/${id}`, prompt ? prompt[1] : 'What matters to me'],
  };
  return places[form] || null;
}

/** Writing left unsaved when the tablet locked or the person went elsewhere: one tap back to
 * it, with its first words, so nobody has to remember which form they were in. */
function unsaved(drafts) {
  const shown = drafts.map((d) => [draftPlace(d.name), Object.values(d.value).find((v) => typeof v === 'string' && v.trim())])
    .filter(([place]) => place);
  if (!shown.length) return null;
  return h('div', { class: 'note unfinished' },
    h('p', {}, shown.length === 1 ? 'You started writing this and have not saved it yet:' : 'You started writing these and have not saved them yet:'),
    h('ul', { class: 'action-list', 'aria-label': 'Not saved yet' }, shown.map(([[href, what], words]) => h('li', {},
      h('a', { href, class: 'action' }, svg(ICONS.thoughts), `Carry on: ${what}, “${shortened(words.trim(), 40)}”`)))));
}

export default async function home({ s }) {
  const [profiles, sessions, checkins, drafts] = await Promise.all([
    list(s, 'profile'), list(s, 'sessions'), list(s, 'checkins'), unfinished(s)]);
  const profile = profiles[0];
  const toAnswer = sessions.filter((r) => r.author_id && r.author_id !== s.person.id && !r.fields.learner_response);
  const again = recentActivities(sessions);
  const node = h('div', {},
    h('h1', {}, `Hello, ${s.person.display_name.split(' ')[0]}`),
    unsaved(drafts),
    h('ul', { class: 'action-list', 'aria-label': 'Record' },
      action('session/new', 'Record what I did', 'session', true),
      again.map((r) => h('li', {}, h('a', { href: `#/session/new?again=${r.id}`, class: 'action' }, svg(ICONS.done),
        // the shortcut is a button's few words; the form it opens holds them all
        `Again: ${shortened(r.fields.activity, 60)}${r.fields.minutes ? `, ${duration(r.fields.minutes)}` : ''}`)))),
    toAnswer.length ? h('div', { class: 'note' },
      h('p', {}, toAnswer.length === 1 ? 'Your mentor wrote about a visit. Is it right?' : `Your mentor wrote about ${toAnswer.length} visits. Are they right?`),
      h('a', { href: `#/entry/sessions/${toAnswer[0].id}`, class: 'button' }, 'Look at it')) : null,
    newReadsNote(s),
    h('h2', {}, 'What matters to me'),
    h('p', { class: 'meta' }, `Who can see what matters to me: ${wordFor(VISIBILITY, (profile && profile.fields.visibility) || 'private')}`),
    h('ul', { class: 'card-list' }, PROMPTS.map(([name, title]) => {
      const answer = profile && profile.fields[name];
      return h('li', { class: 'card' },
        h('h3', {}, title),
        answer ? h('p', { class: 'prompt-answer' }, answer) : h('p', { class: 'empty' }, 'Nothing written yet.'),
        h('div', { class: 'actions' }, h('a', { href: `#/matters/${name}`, class: 'button secondary', 'aria-label': `${answer ? 'Change' : 'Write'}: ${title}` }, answer ? 'Change' : 'Write')));
    })),
    h('h2', {}, 'My journal'),
    h('ul', { class: 'action-list', 'aria-label': 'My journal' },
      action('goals', 'My goals', 'goals'),
      action('contributions', 'What I do for others', 'others'),
      action('reflections', 'My thoughts', 'thoughts'),
      action('checkin/1', checkinDue(checkins) ? 'How I am feeling (due now)' : 'How I am feeling', 'feeling'),
      action('sessions', 'What I have done', 'done')));
  return { title: 'Home', node };
}

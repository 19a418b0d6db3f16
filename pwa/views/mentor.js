/* A mentor's home: my learners, log a visit, my hours. Works offline on a phone. */
import { h, longDate } from '../ui/dom.js';
import { api } from '../sync/api.js';
import { list } from '../store/records.js';
import { saveSealed, loadSealed } from '../store/people.js';
import { keepLearnerNames } from '../sync/names.js';

/** The mentor's learners: fresh from the server when online, else as last seen (sealed). */
export async function myLearners(s) {
  if (navigator.onLine && s.token) {
    try {
      const answer = await api('/api/me/learners', { token: s.token });
      // before the list kept below changes; never in the way of the fresh list
      await keepLearnerNames(s, answer.items).catch((error) => console.error('Could not keep names', error));
      await saveSealed(s, 'learners', answer.items);
      return answer.items;
    } catch {
      // offline or signed out: the list kept on the device below
    }
  }
  return loadSealed(s, 'learners', []);
}

export default async function mentor({ s }) {
  const [learners, visits] = await Promise.all([myLearners(s), list(s, 'sessions')]);
  const lastVisit = (id) => visits.filter((v) => v.learner_id === id && v.author_id === s.person.id)[0];
  return { title: 'My learners', node: h('div', {},
    h('h1', {}, 'My learners'),
    learners.length ? h('ul', { class: 'card-list' }, learners.map((l) => {
      const last = lastVisit(l.id);
      return h('li', { class: 'card' },
        h('h2', {}, l.display_name),
        h('p', { class: 'meta' }, last ? `Last visit: ${longDate(last.fields.date)}, ${last.fields.activity}` : 'No visits logged yet.'),
        h('div', { class: 'actions' }, h('a', { href: `#/visit/${l.id}/new`, class: 'button main', 'aria-label': `Log a visit with ${l.display_name}` }, 'Log a visit')));
    })) : h('p', { class: 'empty' }, navigator.onLine ? 'You have no learners yet. Staff pair mentors with learners.' : 'Your learners appear here once this phone has been online.'),
    h('div', { class: 'actions' }, h('a', { href: '#/hours', class: 'button' }, 'My hours'))) };
}

/* A mentor's own hours: the visits they logged, this week, this month and in all. */
import { h, duration, longDate } from '../ui/dom.js';
import { list } from '../store/records.js';
import { myLearners } from './mentor.js';

function startOfWeek() {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return d;
}

export default async function hours({ s }) {
  const [visits, learners] = await Promise.all([list(s, 'sessions'), myLearners(s)]);
  const mine = visits.filter((v) => v.author_id === s.person.id);
  const names = Object.fromEntries(learners.map((l) => [l.id, l.display_name]));
  const since = (from) => mine.filter((v) => new Date(`${v.fields.date}T12:00:00`) >= from).reduce((t, v) => t + (v.fields.minutes || 0), 0);
  const month = new Date();
  month.setDate(1);
  month.setHours(0, 0, 0, 0);
  const total = mine.reduce((t, v) => t + (v.fields.minutes || 0), 0);
  return { title: 'My hours', node: h('div', {},
    h('h1', {}, 'My hours'),
    h('dl', { class: 'answers card' },
      h('dt', {}, 'This week'), h('dd', {}, duration(since(startOfWeek())) || 'None yet'),
      h('dt', {}, 'This month'), h('dd', {}, duration(since(month)) || 'None yet'),
      h('dt', {}, 'In all'), h('dd', {}, duration(total) || 'None yet')),
    // a visit leaves the phone when the learner hides it or the pairing ends: say so, or a
    // total that shrank would look like a visit lost (and be logged again)
    h('p', { class: 'meta' }, 'These count the visits on this phone: those with the learners you visit now. '
      + 'A visit a learner chose to keep to themselves is no longer shown here; it stays in their journal.'),
    h('h2', {}, 'My visits'),
    mine.length ? h('ul', { class: 'card-list' }, mine.map((v) => h('li', { class: 'card' },
      h('h3', {}, `${names[v.learner_id] || 'A learner'}: ${v.fields.activity}`),
      h('p', { class: 'meta' }, [longDate(v.fields.date), duration(v.fields.minutes), v.unsent && 'not sent yet'].filter(Boolean).join(' · '))))) : h('p', { class: 'empty' }, 'No visits logged yet.'),
    h('div', { class: 'actions' }, h('a', { href: '#/mentor', class: 'button secondary' }, 'Back'))) };
}

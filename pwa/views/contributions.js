/* What I do for others, and what I could teach ("learn from me"). */
import { h } from '../ui/dom.js';
import { list } from '../store/records.js';
import { entryCard } from '../ui/entries.js';

export default async function contributions({ s }) {
  const all = await list(s, 'contributions');
  const given = all.filter((r) => r.fields.kind !== 'offer');
  const offers = all.filter((r) => r.fields.kind === 'offer');
  return { title: 'What I do for others', node: h('div', {},
    h('h1', {}, 'What I do for others'),
    h('div', { class: 'actions' },
      h('a', { href: '#/contribution/given/new', class: 'button main' }, 'Something I did for someone'),
      h('a', { href: '#/contribution/offer/new', class: 'button main' }, 'Something I could teach')),
    h('h2', {}, 'Learn from me'),
    offers.length ? h('ul', { class: 'card-list' }, offers.map((r) => entryCard(r))) : h('p', { class: 'empty' }, 'Nothing offered yet. What could others learn from you?'),
    h('h2', {}, 'What I have done for others'),
    given.length ? h('ul', { class: 'card-list' }, given.map((r) => entryCard(r))) : h('p', { class: 'empty' }, 'Nothing yet.'),
    h('div', { class: 'actions' }, h('a', { href: '#/home', class: 'button secondary' }, 'Back to home'))) };
}

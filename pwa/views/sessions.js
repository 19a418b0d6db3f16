/* What I have done: sessions, newest first, including visits my mentor wrote. */
import { h } from '../ui/dom.js';
import { list } from '../store/records.js';
import { entryCard } from '../ui/entries.js';
import { authorName } from './entry.js';

export default async function sessions({ s }) {
  const all = await list(s, 'sessions');
  const cards = await Promise.all(all.map(async (r) => entryCard(r, { authorName: await authorName(s, r) })));
  return { title: 'What I have done', node: h('div', {},
    h('h1', {}, 'What I have done'),
    h('div', { class: 'actions' }, h('a', { href: '#/session/new', class: 'button main' }, 'Record what I did')),
    all.length ? h('ul', { class: 'card-list' }, cards) : h('p', { class: 'empty' }, 'Nothing recorded yet.'),
    h('div', { class: 'actions' }, h('a', { href: '#/home', class: 'button secondary' }, 'Back to home'))) };
}

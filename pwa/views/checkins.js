/* How I have been feeling: my check-ins, newest first, each with the answers I gave. */
import { h } from '../ui/dom.js';
import { list } from '../store/records.js';
import { entryCard } from '../ui/entries.js';

export default async function checkins({ s }) {
  const all = await list(s, 'checkins');
  return { title: 'How I have been feeling', node: h('div', {},
    h('h1', {}, 'How I have been feeling'),
    h('div', { class: 'actions' }, h('a', { href: '#/checkin/1', class: 'button main' }, 'Answer the questions now')),
    all.length ? h('ul', { class: 'card-list' }, all.map((r) => entryCard(r))) : h('p', { class: 'empty' }, 'No answers yet.'),
    h('div', { class: 'actions' }, h('a', { href: '#/home', class: 'button secondary' }, 'Back to home'))) };
}

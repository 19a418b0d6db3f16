/* My thoughts, in my own words. */
import { h } from '../ui/dom.js';
import { list } from '../store/records.js';
import { entryCard } from '../ui/entries.js';

export default async function reflections({ s }) {
  const all = await list(s, 'reflections');
  return { title: 'My thoughts', node: h('div', {},
    h('h1', {}, 'My thoughts'),
    h('div', { class: 'actions' }, h('a', { href: '#/reflection/new', class: 'button main' }, 'Write my thoughts')),
    all.length ? h('ul', { class: 'card-list' }, all.map((r) => entryCard(r))) : h('p', { class: 'empty' }, 'Nothing written yet.'),
    h('div', { class: 'actions' }, h('a', { href: '#/home', class: 'button secondary' }, 'Back to home'))) };
}

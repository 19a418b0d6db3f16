/* My goals, in my own words, with whose idea each one was. */
import { h } from '../ui/dom.js';
import { list } from '../store/records.js';
import { entryCard } from '../ui/entries.js';
import { GOAL_STATUS } from '../ui/words.js';

export default async function goals({ s }) {
  const all = await list(s, 'goals');
  const groups = GOAL_STATUS.map(([status, words]) => [words, all.filter((g) => (g.fields.status || 'active') === status)])
    .filter(([, items]) => items.length);
  return { title: 'My goals', node: h('div', {},
    h('h1', {}, 'My goals'),
    h('div', { class: 'actions' }, h('a', { href: '#/goal/new', class: 'button main' }, 'Add a goal')),
    all.length ? null : h('p', { class: 'empty' }, 'No goals yet. A goal can be anything you would like to do or learn.'),
    groups.map(([words, items]) => [h('h2', {}, words), h('ul', { class: 'card-list' }, items.map((g) => entryCard(g)))]),
    h('div', { class: 'actions' }, h('a', { href: '#/home', class: 'button secondary' }, 'Back to home'))) };
}

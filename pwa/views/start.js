/* Who is using the tablet? Big tiles with initials; staff set the tablet up from here. */
import { h } from '../ui/dom.js';
import { deviceKey, setting, setSetting } from '../store/settings.js';
import { knownPeople, refreshTiles, session } from '../store/people.js';
import { count } from '../store/outbox.js';
import { fetchTiles } from '../sync/auth.js';
import { homeFor } from '../ui/router.js';
import { isAppleTablet } from './install.js';

async function tilesNow() {
  const cached = (await setting('tiles')) || null;
  if (!(await deviceKey()) || !navigator.onLine) return cached;
  try {
    const fresh = await fetchTiles();
    await setSetting('tiles', fresh);
    await refreshTiles(fresh.people);
    return fresh;
  } catch (error) {
    return error.error === 'unauthorized' ? { ...cached, revoked: true } : cached;
  }
}

/** A person's tile: a learner's opens their journal, a mentor's asks for their password. */
async function tile(who, href = `#/open/${who.id}`) {
  const waiting = await count(who.id);
  return h('li', {}, h('a', { href, class: 'tile' },
    h('span', { class: 'initials', 'aria-hidden': 'true' }, who.initials),
    h('span', {}, who.display_name),
    waiting ? h('span', { class: 'waiting' }, 'Writing waiting to be sent') : null));
}

export default async function start({ go }) {
  const s = session();
  if (s) {
    go(homeFor(s));
    return { title: 'Opening', node: h('p', {}, 'Opening…') };
  }
  const [tiles, people, key] = await Promise.all([tilesNow(), knownPeople(), deviceKey()]);
  const learners = tiles && tiles.people ? tiles.people : people.filter((p) => p.role === 'learner');
  const others = people.filter((p) => p.role === 'mentor');
  const node = h('div', {},
    h('h1', {}, key ? 'Who is using the tablet?' : 'Welcome to What Matters'),
    tiles && tiles.organisation ? h('p', { class: 'meta' }, `${tiles.organisation} · ${tiles.device}`) : null,
    tiles && tiles.revoked ? h('p', { class: 'problem' }, 'This tablet is no longer set up. Please ask a member of staff.') : null,
    !key && !others.length ? h('p', {}, 'This tablet is not set up yet. A member of staff can set it up, or a mentor can sign in.') : null,
    learners.length ? h('ul', { class: 'tiles', 'aria-label': 'People' }, await Promise.all(learners.map((p) => tile(p)))) : null,
    key && !learners.length ? h('p', {}, navigator.onLine ? 'Nobody has been added for this tablet yet.' : 'The tablet needs the internet once to show the people here.') : null,
    others.length ? [h('h2', {}, 'Mentors'), h('ul', { class: 'tiles', 'aria-label': 'Mentors' }, await Promise.all(others.map((p) => tile(p,
      `#/sign-in?email=${encodeURIComponent(p.email || '')}`))))] : null,
    isAppleTablet() ? h('p', { class: 'note' }, 'On an iPad, put What Matters on the Home Screen so it keeps your journal safe. ',
      h('a', { href: '#/install', class: 'button' }, 'Show me how')) : null,
    h('h2', {}, 'Mentors and staff'),
    h('div', { class: 'actions' },
      h('a', { href: '#/sign-in', class: 'button' }, 'Sign in with email'),
      h('a', { href: '#/setup', class: 'button secondary' }, key ? 'Tablet set-up' : 'Set up this tablet')));
  return { title: key ? 'Who is using the tablet?' : 'Welcome', node };
}

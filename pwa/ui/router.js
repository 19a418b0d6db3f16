/* Routes live after "#/", so the app is one page that the worker answers from its cache. */
import { session } from '../store/people.js';
import { emit, on } from '../store/events.js';
import { h } from './dom.js';
import { takeFlash, deviceWord } from './flash.js';

const routes = [];
let renderCount = 0;
let shownPath = null; // the screen on show: a quiet render of another one is no refresh

/** Add a route: `pattern` like "goal/:id"; `who` is 'learner', 'mentor', 'staff', 'open' or null. */
export function route(pattern, load, who = null) {
  routes.push({ parts: pattern.split('/').filter(Boolean), load, who });
}

/** Go to a route of the app. */
export function go(path) {
  const hash = `#/${path}`;
  if (location.hash === hash) render();
  else location.hash = hash;
}

function match(path) {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  for (const r of routes) {
    if (r.parts.length !== parts.length) continue;
    const params = {};
    if (r.parts.every((p, i) => (p.startsWith(':') ? (params[p.slice(1)] = parts[i], true) : p === parts[i]))) {
      return { r, params };
    }
  }
  return null;
}

/** Where a person lands after opening their journal. */
export function homeFor(s) {
  if (!s) return '';
  return { learner: 'home', mentor: 'mentor', staff: 'staff' }[s.person.role] || '';
}

/** The route of the address on show, without its query: "goal/12". */
function currentPath() {
  return location.hash.replace(/^#\/?/, '').split('?')[0];
}

async function render(quiet = false, report = null) {
  if (location.hash && !location.hash.startsWith('#/')) return; // an in-page link
  const count = ++renderCount;
  emit('flush-drafts');
  const path = currentPath();
  const query = new URLSearchParams(location.hash.split('?')[1] || '');
  const s = session();
  const found = match(path) || match('');
  if (found.r.who && found.r.who !== 'open' && (!s || s.person.role !== found.r.who)) {
    go(s ? homeFor(s) : '');
    return;
  }
  const main = document.getElementById('main');
  let view;
  try {
    const module = await found.r.load();
    view = await module.default({ params: found.params, query, s, go });
  } catch (error) {
    console.error(error);
    view = { title: 'Something went wrong', node: h('div', {},
      h('h1', { tabindex: '-1' }, 'Something went wrong'),
      h('p', {}, `Your writing is safe on this ${deviceWord()}.`),
      h('a', { href: `#/${homeFor(s)}`, class: 'button main' }, 'Go back to the start')) };
  }
  if (count !== renderCount) return; // the person went elsewhere meanwhile
  // The view sent the person elsewhere (go): that screen comes next, and the message is for it.
  if (location.hash.startsWith('#/') && currentPath() !== path) return;
  // A sync that ends while a new screen loads refreshes that screen before its own render
  // shows: that refresh is its first showing, with its message, focus and scroll.
  if (quiet && path !== shownPath) quiet = false;
  // A refresh keeps the message on the screen ("Saved on this tablet."): a sync ends a moment
  // after each write, far sooner than anyone reads it.
  // Not when the server turned something away: "Saved on this phone." would then read as all
  // well, and the trust line already says something needs the person.
  const kept = quiet && !(report && report.rejected) ? main.querySelector(':scope > p.note[role=status]') : null;
  if (quiet && beingFilledIn(main)) return; // someone began typing while the data was read
  const focused = quiet ? focusedIn(main) : null;
  const again = focused ? sameElement(focused, main, view.node) : null;
  main.replaceChildren(view.node);
  shownPath = path;
  const words = quiet ? null : takeFlash();
  if (kept) main.prepend(kept);
  else if (words) main.prepend(h('p', { class: 'note', role: 'status' }, words));
  document.title = `${view.title} – What Matters`;
  emit('screen', { path, title: view.title });
  const heading = main.querySelector('h1');
  if (quiet) { // fresh data for the same screen: focus and scroll stay where they were
    if (focused) refocus(focused, again, heading);
    return;
  }
  if (heading && count > 1) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

/** Whether someone is filling in the screen: a form on it, or focus in a field of it. */
function beingFilledIn(main) {
  const el = document.activeElement;
  return !!main.querySelector('form') || (main.contains(el) && el.matches('input, textarea, select, [contenteditable]'));
}

/** The element in `main` that has focus, which a redraw of `main` would take away. */
function focusedIn(main) {
  const el = document.activeElement;
  return el && el !== main && main.contains(el) ? el : null;
}

/** Ways to know an element again in a redrawn screen, surest first: its id (the form ids of
 * `uid` are new at each drawing, so they never match wrongly); then what it is, where it leads,
 * its name and its words; then, for a link or a field, where it leads or its name alone (an
 * entry's words may be what the sync changed). */
const LIKENESS = [
  (el) => el.id || null,
  (el) => [el.getAttribute('href'), el.getAttribute('name'), choiceValue(el), el.getAttribute('aria-label'), el.textContent.trim()].join('\n'),
  (el) => (el.hasAttribute('href') || el.hasAttribute('name') ? [el.getAttribute('href'), el.getAttribute('name'), choiceValue(el)].join('\n') : null),
];

function choiceValue(el) {
  return el.type === 'radio' || el.type === 'checkbox' ? el.value : '';
}

/** The element of the new screen `node` that is `el` of `main` drawn again: of the elements of
 * its kind that look alike, the one in the same place in the list (the second "Read aloud"). */
function sameElement(el, main, node) {
  for (const like of LIKENESS) {
    const key = like(el);
    if (!key) continue;
    const alike = (root) => [...root.querySelectorAll(el.tagName)].filter((e) => like(e) === key);
    const now = alike(node);
    if (now.length) return now[Math.min(alike(main).indexOf(el), now.length - 1)];
  }
  return null;
}

/** Put focus back where it was before a redraw: on `again`, the same element drawn anew,
 * else on the heading, never on the page itself (a screen reader would start from the top). */
function refocus(focused, again, heading) {
  for (const target of [again, heading]) {
    if (!target) continue;
    if (target === heading) target.setAttribute('tabindex', '-1');
    else if (focused.hasAttribute('tabindex')) target.setAttribute('tabindex', focused.getAttribute('tabindex'));
    target.focus({ preventScroll: true });
    if (document.activeElement === target) return;
  }
}

/** Show the current screen again with fresh data, unless the person is filling in a form (`report`:
 * what the sync that asks did, when one asks). A
 * screen still loading is always shown afresh: the form on show then is the one being left
 * (signing in), and the new screen may have read its data before the sync stored what it
 * brought. */
export function refresh(report = null) {
  const main = document.getElementById('main');
  const loading = currentPath() !== shownPath;
  if (loading || !beingFilledIn(main)) render(true, report);
}

/** A tapped reminder (sw/push.js) asks the open app to show its screen. */
function openFromReminder(event) {
  if (!event.data || event.data.type !== 'open') return;
  const target = new URL(event.data.url, location.origin);
  const page = (path) => (path === '/index.html' ? '/' : path);
  if (page(target.pathname) === page(location.pathname)) location.hash = target.hash || '#/';
  else location.assign(target.href);
}

/** Start routing. */
export function startRouter() {
  window.addEventListener('hashchange', () => render());
  on('synced', refresh);
  if ('serviceWorker' in navigator) navigator.serviceWorker.addEventListener('message', openFromReminder);
  return render();
}

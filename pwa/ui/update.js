/* The service worker's update flow [squoosh, svgomg]: a new version waits until the person
 * agrees; then the page tells the waiting worker to take over and reloads on controllerchange,
 * never while someone is typing. */
import { h } from './dom.js';
import { on, emit } from '../store/events.js';

let agreed = false;
let lastTyping = 0;

function typingNow() {
  const el = document.activeElement;
  const inField = el && (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && !['radio', 'checkbox', 'button', 'submit'].includes(el.type)));
  return inField && Date.now() - lastTyping < 4000;
}

async function whenNotTyping() {
  while (typingNow()) await new Promise((resolve) => setTimeout(resolve, 1000));
}

function offer(worker) {
  const banner = document.getElementById('update');
  const update = h('button', { type: 'button', class: 'button main' }, 'Update now');
  update.addEventListener('click', async () => {
    agreed = true;
    update.disabled = true;
    update.textContent = 'Updating…';
    emit('flush-drafts');
    await new Promise((resolve) => setTimeout(resolve, 100)); // drafts are sealed first
    worker.postMessage({ type: 'skip-waiting' });
  });
  const later = h('button', { type: 'button', class: 'button secondary', onclick: () => { banner.hidden = true; } }, 'Later');
  banner.replaceChildren(h('p', {}, 'A new version is ready. Update now?'), update, later);
  banner.hidden = false;
}

function watch(registration) {
  if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker.addEventListener('statechange', () => {
      if (worker.state === 'installed' && navigator.serviceWorker.controller) offer(worker);
    });
  });
}

/** Register the worker and offer updates when they are ready. */
export async function startUpdates() {
  if (!('serviceWorker' in navigator)) return null;
  document.addEventListener('input', () => { lastTyping = Date.now(); }, true);
  let controlled = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener('controllerchange', async () => {
    // The first install takes control without a reload; another tab's agreement shows the offer here.
    if (!controlled) {
      controlled = true;
      return;
    }
    if (!agreed) {
      const registration = await navigator.serviceWorker.getRegistration();
      if (registration && registration.active) offerReload();
      return;
    }
    await whenNotTyping();
    location.reload();
  });
  const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/', updateViaCache: 'none' });
  watch(registration);
  const check = () => registration.update().catch(() => {});
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') check(); });
  on('check-for-update', check);
  setInterval(check, 30 * 60 * 1000);
  return registration;
}

function offerReload() {
  const banner = document.getElementById('update');
  banner.replaceChildren(h('p', {}, 'A new version is ready. Update now?'),
    h('button', { type: 'button', class: 'button main', onclick: async () => { emit('flush-drafts'); await whenNotTyping(); location.reload(); } }, 'Update now'),
    h('button', { type: 'button', class: 'button secondary', onclick: () => { banner.hidden = true; } }, 'Later'));
  banner.hidden = false;
}

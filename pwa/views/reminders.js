/* Gentle reminders: the person says yes here, after reading what a reminder is, before the
 * browser is asked anything; each reminder, or all of them, can be switched off here at any
 * time. A reminder never shows what anyone wrote. Mentors also plan their next visits here. */
import { h, today } from '../ui/dom.js';
import { choices, textField, showProblem } from '../ui/forms.js';
import { flash, deviceWord } from '../ui/flash.js';
import { api } from '../sync/api.js';
import { plainWords } from '../store/errors.js';
import { isAppleTablet } from './install.js';

const KIND_WORDS = {
  record: 'Would you like to note what you did today?',
  checkin: 'How you have been feeling (every four weeks)',
  visit: 'The day before a visit I have planned',
  review: 'The monthly review is ready',
  devices: 'A tablet has not been used for 5 days',
  waiting: 'A change from a tablet needs someone to look at it',
};
const DAYS = [['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'],
  ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday']];

/** Whether this browser can show reminders (an iPad only from the Home Screen, iPadOS 16.4+). */
export function canRemind() {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

function keyBytes(base64url) {
  const text = atob(base64url.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function sameKey(buffer, bytes) {
  const have = buffer ? new Uint8Array(buffer) : new Uint8Array();
  return have.length === bytes.length && have.every((b, i) => b === bytes[i]);
}

/** This browser's push subscription under our current key (made now if there is none). */
async function browserSubscription(key) {
  const registration = await navigator.serviceWorker.ready;
  const bytes = keyBytes(key);
  const existing = await registration.pushManager.getSubscription();
  if (existing && sameKey(existing.options.applicationServerKey, bytes)) return existing;
  if (existing) await existing.unsubscribe(); // made under a key the server no longer has
  return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytes });
}

async function thisDevice(items) {
  const registration = await navigator.serviceWorker.ready;
  const current = await registration.pushManager.getSubscription();
  return (current && items.find((item) => item.endpoint === current.endpoint)) || null;
}

const checked = (form, name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);

function note(...children) {
  return h('div', { class: 'note' }, ...children);
}

function cannot() {
  if (isAppleTablet()) {
    return note(h('p', {}, 'On an iPad, reminders work when What Matters is on the Home Screen (iPadOS 16.4 or later). Put it on the Home Screen, open it from there, and come back to this page.'),
      h('a', { href: '#/install', class: 'button' }, 'How to put it on the Home Screen'));
  }
  return note(h('p', {}, 'This web browser cannot show reminders.'));
}

function choicesForm(s, kinds, mine) {
  const staff = s.person.role === 'staff';
  const on = mine && mine.reminders.enabled;
  return h('form', { novalidate: true },
    choices({ legend: 'Which reminders?', name: 'kinds', multiple: true, options: kinds.map((k) => [k, KIND_WORDS[k]]),
      value: mine ? mine.reminders.kinds : kinds, hint: 'Untick one to switch it off.' }),
    choices({ legend: 'On which days?', name: 'days', multiple: true, options: DAYS,
      value: mine ? mine.reminders.days : DAYS.slice(0, staff ? 5 : 7).map(([d]) => d) }),
    textField({ label: 'At what time?', name: 'time', type: 'time', value: mine ? mine.reminders.time : (staff ? '09:00' : '18:00') }),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button main' }, on ? 'Save' : 'Yes, remind me'),
      on ? h('button', { type: 'button', class: 'button secondary', 'data-action': 'all-off' }, 'Switch all reminders off')
        : h('a', { href: '#/settings', class: 'button secondary' }, 'No, thank you')));
}

function wire(form, s, key, mine, go) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const reminders = { enabled: true, kinds: checked(form, 'kinds'), days: checked(form, 'days'),
      time: form.time.value, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone };
    if (!reminders.kinds.length || !reminders.days.length || !reminders.time) {
      return showProblem(form, 'Please choose at least one reminder, one day and a time, or switch them all off.');
    }
    try {
      if (mine) {
        await api(`/api/push/subscriptions/${mine.id}`, { method: 'PATCH', token: s.token, body: reminders });
      } else {
        if ((await Notification.requestPermission()) !== 'granted') {
          return showProblem(form, 'The browser was not allowed to show reminders. To have them, allow notifications for What Matters in the browser\'s settings.');
        }
        const { endpoint, keys } = (await browserSubscription(key)).toJSON();
        await api('/api/push/subscriptions', { method: 'POST', token: s.token, body: { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth }, reminders } });
      }
    } catch (error) {
      return showProblem(form, plainWords(error));
    }
    flash('Reminders are on. You can change them here at any time.');
    return go('reminders');
  });
  const allOff = form.querySelector('[data-action="all-off"]');
  if (allOff) {
    allOff.addEventListener('click', async () => {
      try {
        await api(`/api/push/subscriptions/${mine.id}`, { method: 'PATCH', token: s.token, body: { enabled: false } });
      } catch (error) {
        return showProblem(form, plainWords(error));
      }
      flash('All reminders are off.');
      return go('reminders');
    });
  }
}

/** A day from today to a year ahead, as the server takes it; the picker offers no other. */
function visitDay(v) {
  const field = textField({ label: `Next visit with ${v.display_name}`, name: `visit-${v.learner_id}`, type: 'date', value: v.next_visit_on || '' });
  const input = field.querySelector('input');
  const ahead = new Date();
  ahead.setFullYear(ahead.getFullYear() + 1);
  input.min = today();
  input.max = `${ahead.getFullYear()}-${String(ahead.getMonth() + 1).padStart(2, '0')}-${String(ahead.getDate()).padStart(2, '0')}`;
  return field;
}

async function visitsSection(s) {
  const { items } = await api('/api/push/visits', { token: s.token });
  if (!items.length) return null;
  const form = h('form', { novalidate: true },
    items.map((v) => visitDay(v)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Save the visits')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      for (const v of items) {
        const day = form[`visit-${v.learner_id}`].value || null;
        if (day !== v.next_visit_on) await api(`/api/push/visits/${v.learner_id}`, { method: 'PUT', token: s.token, body: { next_visit_on: day } });
        v.next_visit_on = day;
      }
      let done = form.querySelector('.saved');
      if (!done) {
        done = h('p', { class: 'note saved', role: 'status' });
        form.prepend(done);
      }
      done.textContent = 'Saved.';
    } catch (error) {
      showProblem(form, plainWords(error));
    }
  });
  return h('section', {}, h('h2', {}, 'My next visits'),
    h('p', {}, 'With the reminder for visits on, you are reminded the day before.'), form);
}

export default async function reminders({ s, go }) {
  const title = 'Reminders';
  const intro = [h('h1', {}, title),
    h('p', {}, 'Would you like a gentle reminder? We will never show what you wrote.'),
    h('p', {}, `A reminder says something general, like "Would you like to note what you did today?". It never shows your name or anything from your journal, because other people may see this ${deviceWord()}.`)];
  const page = (...rest) => ({ title, node: h('div', {}, intro, rest,
    h('div', { class: 'actions' }, h('a', { href: '#/settings', class: 'button secondary' }, 'Back'))) });
  if (!s || !s.token) return page(note(h('p', {}, 'Please open your journal first.')));
  if (!canRemind()) return page(cannot());
  if (Notification.permission === 'denied') {
    return page(note(h('p', {}, 'Reminders are blocked for What Matters in this browser\'s settings. To have them, allow notifications for this site there.')));
  }
  let key; let list;
  try {
    [{ public_key: key }, list] = await Promise.all([api('/api/push/key'), api('/api/push/subscriptions', { token: s.token })]);
  } catch (error) {
    return page(note(h('p', {}, error.error === 'offline' ? `Reminders can be set up when this ${deviceWord()} is online.` : plainWords(error))));
  }
  const mine = await thisDevice(list.items);
  const form = choicesForm(s, list.kinds, mine);
  wire(form, s, key, mine, go);
  const status = mine && !mine.reminders.enabled ? note(h('p', {}, 'All reminders are off on this device.')) : null;
  return page(status, form, s.person.role === 'mentor' ? await visitsSection(s).catch(() => null) : null);
}

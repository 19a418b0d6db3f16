/* The regular review, for staff: sign in, choose a period (or a stored monthly review), read
 * the figures and charts, download any table as CSV, print the report. */
import { h } from '../ui/dom.js';
import { current, download, get, signIn, signOut } from './session.js';
import { quietList } from './quiet.js';
import {
  benefits, cards, coproduction, dataTable, dayName, dose, drawCharts, faces, monthName, ons4, quotes,
} from './sections.js';

const main = document.getElementById('main');
const nav = document.getElementById('top-actions');
let shown = null; // {review, csv(table)} of what is on the page

function field(label, input, hint) {
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), hint ? h('p', { class: 'hint', id: `${input.id}-hint` }, hint) : null, input);
}

function signInForm() {
  const email = h('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const problem = h('div', { role: 'alert' });
  const form = h('form', { class: 'sign-in' }, h('h1', {}, 'The regular review'),
    h('p', {}, 'For staff: sign in with your email and password.'), problem,
    field('Email', email), field('Password', password),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button main' }, 'Sign in')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await signIn(email.value.trim(), password.value);
      start();
    } catch (error) {
      problem.replaceChildren(h('p', { class: 'problem' }, error.message));
    }
  });
  main.replaceChildren(form);
  email.focus();
}

function iso(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

/** The periods to choose from: [value, words, from, to]. */
function presets(today = new Date()) {
  const y = today.getFullYear();
  const m = today.getMonth();
  return [
    ['last-month', 'Last month', iso(new Date(y, m - 1, 1)), iso(new Date(y, m, 0))],
    ['this-month', 'This month so far', iso(new Date(y, m, 1)), iso(today)],
    ['three-months', 'The last three full months', iso(new Date(y, m - 3, 1)), iso(new Date(y, m, 0))],
    ['six-weeks', 'The last six weeks', iso(new Date(y, m, today.getDate() - 41)), iso(today)],
  ];
}

function controls(snapshots) {
  const choices = presets();
  const from = h('input', { id: 'from', name: 'from', type: 'date', value: choices[0][2] });
  const to = h('input', { id: 'to', name: 'to', type: 'date', value: choices[0][3] });
  const radios = h('div', { class: 'choice-list' }, choices.map(([value, words, first, last], i) => {
    const input = h('input', { type: 'radio', name: 'period', value, checked: i === 0 });
    input.addEventListener('change', () => { from.value = first; to.value = last; });
    return h('label', { class: 'choice' }, input, words);
  }));
  const form = h('form', { class: 'controls no-print', 'aria-label': 'Which review' },
    h('fieldset', { class: 'choices' }, h('legend', {}, 'Period'), radios),
    h('div', { class: 'dates' }, field('From', from), field('To (included)', to)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button main' }, 'Show the review')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    load(`/api/review?from=${from.value}&to=${to.value}`);
  });
  const stored = snapshots.length ? h('div', { class: 'stored no-print' },
    h('h2', {}, 'Monthly reviews kept as they were'),
    h('ul', { class: 'stored-list' }, snapshots.map((snap) => h('li', {},
      h('button', { type: 'button', class: 'button secondary', onclick: () => load(`/api/review/snapshots/${snap.id}`, snap.id) }, monthName(snap.from.slice(0, 7))))))) : null;
  return [form, stored];
}

function section(id, title, ...children) {
  return h('section', { class: 'review-section', 'aria-labelledby': id }, h('h2', { id }, title), children);
}

function report(review, snapshotId) {
  const scope = review.scope;
  const places = scope.organisations.map((o) => o.name).join(', ');
  const made = new Date(review.made_at).toLocaleString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  const problem = h('div', { role: 'alert', class: 'no-print' });
  const onCsv = (table) => download(`/api/review.csv?table=${table}&${snapshotId ? `snapshot=${snapshotId}` : `from=${scope.from}&to=${scope.to}`}`, `review-${table}.csv`)
    .then(() => problem.replaceChildren(), (error) => problem.replaceChildren(h('p', { class: 'problem' }, error.message)));
  return h('article', { class: 'report' },
    h('header', { class: 'report-head' },
      h('h1', { tabindex: '-1' }, `The regular review: ${places}`), problem,
      h('p', { class: 'scope' }, `${dayName(scope.from)} to ${dayName(scope.to)}${snapshotId ? ', as kept at the time' : ''}. Made ${made}.`),
      h('p', { class: 'privacy-note' }, `Counts only learners who have not opted out. Any figure drawn from fewer than ${review.minimum_learners} learners is not shown, here, in the exports and in print.`),
      h('div', { class: 'actions no-print' },
        h('button', { type: 'button', class: 'button', onclick: () => window.print() }, 'Print this report'),
        h('button', { type: 'button', class: 'button secondary', onclick: () => onCsv('figures') }, 'Download the figures (CSV)'))),
    section('objective', 'What people did',
      cards(review, [['learners_counted'], ['active_learners'], ['sessions'], ['minutes_per_learner_per_week', { digits: 1 }],
        ['goals_set'], ['goals_achieved'], ['gas_mean_t', { digits: 1 }], ['contributions'], ['contributors'], ['offers']]),
      h('h3', {}, 'What the sessions were good for'), benefits(review, onCsv)),
    section('subjective', 'How it felt',
      cards(review, [['faces_mean_change', { digits: 2, sign: true }]]),
      h('h3', {}, 'After a session, compared with before'), faces(review, onCsv),
      h('h3', {}, 'Personal wellbeing (ONS4): each question on its own, never added up'), ons4(review, onCsv),
      h('h3', {}, 'In their own words'), h('p', {}, 'Quotes the learners agreed to share, without their names.'), quotes(review)),
    section('coproduction', 'Whose idea were the goals?',
      h('p', {}, 'The co-production ladder: of the goals set each month, how many were suggested to the person, agreed together, or their own idea. "Their own idea" should grow.'),
      coproduction(review, onCsv)),
    section('dose', 'More learning, better feeling?',
      h('p', {}, 'Minutes of learning a week against the change in how people felt during their sessions (faces, after minus before).'),
      dose(review, onCsv)),
    section('equity', 'Who might be missing out?',
      cards(review, [['quiet_learners'], ['silent_devices']]),
      h('h3', {}, 'Mentor load'),
      dataTable(review.tables.mentor_load, {}, 'Learners paired with each mentor now, and the sessions they logged in the period'),
      h('p', { class: 'csv no-print' }, h('button', { type: 'button', class: 'button secondary', onclick: () => onCsv('mentor_load') }, 'Download this table (CSV)')),
      h('h3', {}, 'Tablets silent for 5 days or more'),
      dataTable(review.tables.silent_devices, { last_seen: { text: (d) => (d ? dayName(d) : 'never') } },
        'Enrolled tablets not heard from for 5 days or more, as the review was made'),
      snapshotId ? null : quietList(scope.organisations[0].id)));
}

async function load(path, snapshotId = null) {
  const place = document.getElementById('report');
  place.replaceChildren(h('p', { class: 'loading', role: 'status' }, 'Preparing the review…'));
  try {
    const answer = await get(path);
    const review = snapshotId ? answer.review : answer;
    shown = review;
    place.replaceChildren(report(review, snapshotId));
    drawCharts(place);
    place.querySelector('h1').focus();
  } catch (error) {
    if (error.error === 'unauthorized' || error.error === 'token_expired') return signInForm();
    place.replaceChildren(h('p', { class: 'problem', role: 'alert' },
      error.error === 'forbidden' ? 'Only staff can see the review.' : error.message));
  }
  return null;
}

async function start() {
  const held = current();
  if (!held) return signInForm();
  nav.replaceChildren(h('span', { class: 'who' }, held.person.display_name),
    h('button', { type: 'button', class: 'button', onclick: async () => { await signOut(); nav.replaceChildren(); signInForm(); } }, 'Sign out'));
  let snapshots = [];
  try {
    snapshots = (await get('/api/review/snapshots')).items;
  } catch (error) {
    if (error.error === 'unauthorized' || error.error === 'token_expired') return signInForm();
  }
  main.replaceChildren(...controls(snapshots).filter(Boolean), h('div', { id: 'report' }));
  const first = presets()[0];
  return load(`/api/review?from=${first[2]}&to=${first[3]}`);
}

let resizing;
window.addEventListener('resize', () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => shown && drawCharts(document.getElementById('report')), 150);
});
// Charts are redrawn at the printed page's width, then at the screen's again.
window.addEventListener('beforeprint', () => shown && drawCharts(document.getElementById('report')));
window.addEventListener('afterprint', () => shown && drawCharts(document.getElementById('report')));

start();

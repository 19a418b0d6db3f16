/* The review's sections, drawn from the API's review document: figures as cards, each chart
 * with a table of the same figures beside it, and a CSV download for every table. */
import { h } from '../ui/dom.js';
import { barChart, lineChart, scatter, stackedBars } from './charts.js';

const HIDDEN = 'Not shown';
const WHY = 'fewer than 5 learners';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2026-10" -> "October 2026" (or "Oct" when short). */
export function monthName(label, short = false) {
  const [year, month] = label.split('-').map(Number);
  const date = new Date(year, month - 1, 15);
  return short ? MONTHS[month - 1] : date.toLocaleDateString('en-GB', { month: 'long', year: 'numeric' });
}

/** "1 October 2026" */
export function dayName(iso) {
  return new Date(`${iso}T12:00:00`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
}

function number(value, digits = 0) {
  return value.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A figure's value as words: its number, a percentage, or "Not shown". */
export function shownAs(fig, { percent = false, digits = 0, sign = false } = {}) {
  if (!fig || fig.suppressed || fig.value === null) return HIDDEN;
  if (percent) return `${number(fig.value * 100)}%`;
  const text = number(fig.value, digits);
  return sign && fig.value > 0 ? `+${text}` : text;
}

// Figures that count learners themselves need no "from 7 learners" under them.
const COUNTS_LEARNERS = new Set(['learners_counted', 'active_learners', 'contributors', 'quiet_learners']);

function base(key, fig) {
  if (!fig || fig.suppressed) return `${HIDDEN}: ${WHY}`;
  if (fig.learners === undefined || COUNTS_LEARNERS.has(key)) return '';
  return `from ${number(fig.learners)} learner${fig.learners === 1 ? '' : 's'}`;
}

/** Cards of headline figures. @param items [[key, options]] */
export function cards(review, items) {
  return h('ul', { class: 'figures' }, items.map(([key, options = {}]) => {
    const fig = review.figures[key];
    return h('li', { class: `figure${fig.suppressed ? ' hidden-figure' : ''}` },
      h('span', { class: 'figure-value' }, shownAs(fig, options)),
      h('span', { class: 'figure-label' }, fig.label),
      base(key, fig) ? h('span', { class: 'figure-base' }, base(key, fig)) : null);
  }));
}

/** A table of the review: its columns, cells written as words, "Not shown" where suppressed. */
export function dataTable(doc, formats = {}, caption = doc.title) {
  const head = h('tr', {}, doc.columns.map((c) => h('th', { scope: 'col' }, c.label)));
  const rows = doc.suppressed
    ? [h('tr', {}, h('td', { colspan: doc.columns.length }, `${HIDDEN}: ${WHY}.`))]
    : doc.rows.map((row) => h('tr', {}, doc.columns.map((c, i) => {
      const cell = row[c.key];
      const text = cell && typeof cell === 'object' ? shownAs(cell, formats[c.key]) : formats[c.key] && formats[c.key].text ? formats[c.key].text(cell) : (cell ?? '—');
      return i === 0 ? h('th', { scope: 'row' }, text) : h('td', {}, text);
    })));
  // Focusable, so a keyboard can scroll a wide table sideways.
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption }, h('table', {},
    h('caption', {}, caption), h('thead', {}, head), h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: doc.columns.length }, 'Nothing to show.')))));
}

/** A chart and the table of its figures side by side, with a CSV download button. */
export function chartWithTable({ chart, table, csv, onCsv, note }) {
  const place = h('div', { class: 'chart-place' });
  place.draw = chart;
  return h('figure', { class: 'chart-figure' },
    h('div', { class: 'chart-and-table' }, place, table),
    note ? h('figcaption', {}, note) : null,
    csv ? h('p', { class: 'csv' }, h('button', { type: 'button', class: 'button secondary', onclick: () => onCsv(csv) }, 'Download this table (CSV)')) : null);
}

/** Draw (or redraw) every chart in ``root`` at the width it is shown. */
export function drawCharts(root) {
  for (const place of root.querySelectorAll('.chart-place')) {
    const width = Math.max(280, Math.floor(place.clientWidth));
    place.replaceChildren(place.draw(width));
  }
}

export function benefits(review, onCsv) {
  const doc = review.tables.benefits;
  const bars = doc.rows.map((r) => ({ label: r.label, value: r.sessions.value, suppressed: r.sessions.suppressed, text: `${shownAs(r.sessions)} (${shownAs(r.share, { percent: true })})` }));
  return chartWithTable({
    chart: (width) => barChart({ title: doc.title, description: `Sessions with each benefit tag. ${bars.filter((b) => !b.suppressed).map((b) => `${b.label}: ${b.text}`).join('; ') || 'None shown.'}`, bars, width }),
    table: dataTable(doc, { share: { percent: true } }), csv: 'benefits', onCsv,
  });
}

export function faces(review, onCsv) {
  const doc = review.tables.faces;
  const bars = doc.rows.map((r) => ({ label: r.label, value: r.share.value, suppressed: r.share.suppressed, text: `${shownAs(r.share, { percent: true })} (${shownAs(r.learners)})` }));
  return chartWithTable({
    chart: (width) => barChart({ title: doc.title, description: bars.map((b) => `${b.label}: ${b.suppressed ? HIDDEN : b.text}`).join('; '), bars, max: 1, width }),
    table: dataTable(doc, { share: { percent: true } }), csv: 'faces', onCsv,
  });
}

export const ONS = [
  ['life_satisfaction', 'Satisfied with life'], ['worthwhile', 'Things they do are worthwhile'],
  ['happy', 'Happy yesterday'], ['anxious', 'Anxious yesterday (lower is better)'],
];

export function ons4(review, onCsv) {
  const doc = review.tables.ons4;
  const months = review.scope.trend_from ? monthsBetween(review.scope.trend_from, review.scope.trend_to) : [];
  const byMonth = Object.fromEntries(doc.rows.map((r) => [r.month, r]));
  const small = ONS.map(([key, words]) => {
    const points = months.map((m) => ({ short: monthName(m, true), value: byMonth[m] && !byMonth[m][key].suppressed ? byMonth[m][key].value : null }));
    const said = points.map((p, i) => `${monthName(months[i])}: ${p.value === null ? HIDDEN : number(p.value, 1)}`).join('; ');
    const place = h('div', { class: 'chart-place' });
    place.draw = (width) => lineChart({ title: `${words}, mean score out of 10, month by month`, description: said, points, min: 0, max: 10, width });
    return h('figure', { class: 'small-multiple' }, h('figcaption', {}, words), place);
  });
  const one = { digits: 1 };
  const table = dataTable({ ...doc, rows: doc.rows.filter((r) => months.includes(r.month)) },
    { month: { text: monthName }, life_satisfaction: one, worthwhile: one, happy: one, anxious: one });
  return h('div', {}, h('div', { class: 'multiples' }, small), table,
    h('p', { class: 'csv' }, h('button', { type: 'button', class: 'button secondary', onclick: () => onCsv('ons4') }, 'Download this table (CSV)')));
}

export function monthsBetween(first, last) {
  const out = [];
  let [year, month] = first.split('-').map(Number);
  for (;;) {
    const label = `${year}-${String(month).padStart(2, '0')}`;
    out.push(label);
    if (label === last || out.length > 48) return out;
    month += 1;
    if (month > 12) { month = 1; year += 1; }
  }
}

export function coproduction(review, onCsv) {
  const doc = review.tables.coproduction;
  const series = [{ key: 'own', label: 'Their own idea' }, { key: 'agreed', label: 'Agreed together' }, { key: 'suggested', label: 'Suggested to them' }];
  const rows = doc.rows.map((r) => ({
    heading: `${monthName(r.month)}: ${r.goals.suppressed ? 'goals not shown' : `${r.goals.value} goals set`}`,
    parts: Object.fromEntries(series.map((x) => [x.key, r[x.key]])),
    hiddenText: r.goals.suppressed ? 'not shown: fewer than 5 learners set goals' : 'shares not shown: too few learners at a rung',
  }));
  const said = rows.map((r) => `${r.heading}; ${series.map((x) => `${x.label}: ${shownAs(r.parts[x.key], { percent: true })}`).join(', ')}`).join('. ');
  return chartWithTable({
    chart: (width) => stackedBars({ title: doc.title, description: said, rows, series, width }),
    table: dataTable(doc, { month: { text: monthName }, own: { percent: true }, agreed: { percent: true }, suggested: { percent: true } }),
    csv: 'coproduction', onCsv,
  });
}

export function dose(review, onCsv) {
  const points = review.tables.dose_points;
  const bands = review.tables.dose_bands;
  const parts = [];
  if (points) {
    const shown = points.rows.map((p) => ({ x: p.minutes_per_week, y: p.mean_change }));
    parts.push(points.suppressed
      ? h('p', { class: 'note' }, `The chart of one dot per learner is ${HIDDEN.toLowerCase()}: ${points.reason || WHY}.`)
      : chartWithTable({
        chart: (width) => scatter({ title: points.title, description: `${shown.length} dots, one for each learner, not named: minutes of learning a week against their mean change in feeling. The table beside it groups them.`, points: shown, xLabel: 'Minutes of learning a week', yLabel: 'Change in feeling', width }),
        table: dataTable(bands, { mean_change: { digits: 2, sign: true } }, bands.title),
        note: 'Each dot is one learner. Dots are never labelled, and the chart is left out of stored monthly reviews.',
        csv: 'dose_bands', onCsv,
      }));
  }
  if (!points || points.suppressed) {
    parts.push(dataTable(bands, { mean_change: { digits: 2, sign: true } }, bands.title),
      h('p', { class: 'csv' }, h('button', { type: 'button', class: 'button secondary', onclick: () => onCsv('dose_bands') }, 'Download this table (CSV)')));
  }
  return h('div', {}, parts);
}

export function quotes(review) {
  const doc = review.tables.quotes;
  if (!doc) return h('p', { class: 'note' }, 'Stored monthly reviews keep no quotes: a learner may take their consent back at any time.');
  if (doc.suppressed) return h('p', { class: 'note' }, `Quotes are ${HIDDEN.toLowerCase()}: ${WHY} took part.`);
  if (!doc.rows.length) return h('p', { class: 'empty' }, 'Nobody marked their words as a quote in this period.');
  return h('div', {}, h('ul', { class: 'quotes' }, doc.rows.map((q) => h('li', {},
    h('blockquote', {}, h('p', {}, q.text)), h('p', { class: 'quote-when' }, monthName(q.month))))),
  doc.more ? h('p', { class: 'meta' }, `And ${doc.more} more.`) : null);
}

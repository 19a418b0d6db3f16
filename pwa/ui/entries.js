/* How journal entries look in lists: what it is, when, who can see it, and read-aloud. */
import { h, longDate, duration } from './dom.js';
import { face } from './faces.js';
import { readAloudButton } from './speech.js';
import * as W from './words.js';
import { deviceWord } from './flash.js';

/** Words for who can see an entry. */
export function seenBy(record) {
  return h('span', { class: 'seen-by' }, W.wordFor(W.VISIBILITY, record.fields.visibility || 'private'));
}

/** `text` cut at the end of a word before `n` characters, with "…", if it is longer. */
export function shortened(text, n) {
  if (!text || text.length <= n) return text;
  const cut = text.slice(0, n);
  const space = cut.lastIndexOf(' ');
  return `${(space > n / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** The main words of an entry, as one line. */
export function headline(record) {
  const f = record.fields;
  switch (record.collection) {
    case 'goals': return f.title;
    case 'sessions': return f.activity;
    case 'contributions': return f.what;
    case 'reflections': return shortened(f.text, 90);
    case 'checkins': return f.date ? `How I was feeling on ${longDate(f.date)}` : 'How I was feeling';
    default: return '';
  }
}

/** What an entry is and its main words, as "Things to look at" lists it: "A goal: Walk to the
 * bandstand" ("What matters to me" has no main words of its own). */
export function entryName(record) {
  const kind = W.KIND[record.collection] || 'An entry';
  const words = headline(record);
  return words ? `${kind}: ${words}` : kind;
}

/** Everything an entry says, as sentences to read aloud. */
export function spoken(record, authorName) {
  const f = record.fields;
  const parts = [];
  if (authorName) parts.push(`Written by ${authorName}.`);
  if (f.date) parts.push(`${longDate(f.date)}.`);
  switch (record.collection) {
    case 'goals':
      parts.push(`My goal: ${f.title}.`, f.why ? `Why it matters: ${f.why}.` : '', `${W.wordFor(W.WHOSE_IDEA, f.whose_idea)}.`, `${W.wordFor(W.GOAL_STATUS, f.status)}.`);
      break;
    case 'sessions':
      parts.push(`${f.activity}.`, f.minutes ? `For ${duration(f.minutes)}.` : '',
        f.feeling_before ? `Before: ${W.wordFor(W.FEELINGS, f.feeling_before)}.` : '',
        f.feeling_after ? `After: ${W.wordFor(W.FEELINGS, f.feeling_after)}.` : '', f.note || '');
      break;
    case 'contributions':
      parts.push(f.kind === 'offer' ? `I could teach: ${f.what}.` : `${W.wordFor(W.CONTRIBUTION_KINDS, f.kind)}: ${f.what}.`, f.with_whom ? `With ${f.with_whom}.` : '', f.note || '');
      break;
    case 'reflections':
      parts.push(f.text || '');
      break;
    case 'checkins':
      W.ONS4.forEach(([name, question]) => f[name] != null && parts.push(`${question} ${f[name]} out of 10.`));
      break;
    default:
  }
  return parts.filter(Boolean).join(' ');
}

/** What a card shows below its headline; `whole` on the entry's own page, where a reflection
 * cut short in its headline is shown in full: her words, all of them. */
function details(record, whole) {
  const f = record.fields;
  switch (record.collection) {
    case 'goals':
      return [f.why && h('p', {}, f.why), h('p', { class: 'meta' }, `${W.wordFor(W.WHOSE_IDEA, f.whose_idea) || ''}${f.whose_idea ? ' · ' : ''}${W.wordFor(W.GOAL_STATUS, f.status || 'active')}`)];
    case 'sessions':
      return [h('p', { class: 'meta' }, [longDate(f.date), f.minutes && duration(f.minutes), f.with_whom && W.wordFor(W.WITH_WHOM, f.with_whom)].filter(Boolean).join(' · ')),
        (f.feeling_before || f.feeling_after) && h('p', { class: 'meta' },
          f.feeling_before ? ['Before:', face(f.feeling_before, 'face small'), W.wordFor(W.FEELINGS, f.feeling_before)] : '',
          f.feeling_before && f.feeling_after ? ' · ' : '',
          f.feeling_after ? ['After:', face(f.feeling_after, 'face small'), W.wordFor(W.FEELINGS, f.feeling_after)] : ''),
        f.note && h('p', { class: 'prompt-answer' }, f.note)];
    case 'contributions':
      return [h('p', { class: 'meta' }, [f.kind === 'offer' ? 'I could teach this' : W.wordFor(W.CONTRIBUTION_KINDS, f.kind), f.with_whom && `with ${f.with_whom}`, longDate(f.date)].filter(Boolean).join(' · ')),
        f.note && h('p', {}, f.note)];
    case 'reflections':
      return [whole && f.text && f.text !== headline(record) && h('p', { class: 'prompt-answer' }, f.text),
        h('p', { class: 'meta' }, [longDate(f.date), f.quote_consent && 'May be shared as a quote, without my name'].filter(Boolean).join(' · '))];
    case 'checkins':
      return [h('dl', { class: 'answers' }, W.ONS4.flatMap(([name, question]) => (f[name] != null ? [h('dt', {}, question), h('dd', {}, `${f[name]} out of 10`)] : [])))];
    default:
      return [];
  }
}

/** A card for an entry in a list, with a way to open it and to hear it; with `open: false`, the
 * entry on its own page, whole. */
export function entryCard(record, { authorName, open = true } = {}) {
  const title = headline(record) || 'An entry';
  return h('li', { class: 'card' },
    h('h3', {}, title),
    authorName ? h('p', { class: 'written-by' }, `Written by ${authorName}`) : null,
    details(record, !open),
    record.unsent ? h('p', { class: 'meta' }, `Saved on this ${deviceWord()}, not sent yet.`) : null,
    seenBy(record),
    h('div', { class: 'actions' },
      open && h('a', { href: `#/entry/${record.collection}/${record.id}`, class: 'button secondary', 'aria-label': `Open: ${title}` }, 'Open'),
      readAloudButton(() => spoken(record, authorName))));
}

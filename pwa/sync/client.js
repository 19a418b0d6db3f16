/* The sync client, step by step as docs/sync-protocol.md ("The client algorithm") and its
 * executable form, sync/client.py, describe: push the outbox, then pull every page; handle an
 * epoch change (a server restored from backup), deferred mutations and an expired cursor. The
 * last push of each pass carries the first pull, so a sync of a few changes is one request.
 * It never throws for network or server trouble: the report's `error` says what stopped it,
 * and the outbox is kept whole for the next sync. */
import { api } from './api.js';
import * as outbox from '../store/outbox.js';
import { applyPage, drop, letGo } from '../store/records.js';
import { notBrought, sendAgainWhatWasLost } from '../store/restored.js';
import { person, updatePerson } from '../store/people.js';
import { ApiError } from '../store/errors.js';

export const PROTOCOL = 3;
export const PUSH_PATH = '/api/sync/push';
export const PULL_PATH = '/api/sync/pull';
const BATCH = 200; // mutations per push
const PAGE = 500; // changes per pull page
const AHEAD = 4; // cursors of pages ahead asked for with a page, fetched together
const MAX_ROUNDS = 4; // push+pull, then again after an epoch change, an expired cursor, or a pull
// that queued changes to go again
const MAX_PASSES = 6; // pushes of the queue within one round while some are deferred
const MUTATION_KEYS = ['id', 'op', 'collection', 'record_id', 'learner_id', 'fields', 'base', 'at', 'seen_conflicts'];

function wire(item, replica) {
  const m = { replica, seq: item.seq };
  for (const key of MUTATION_KEYS) if (item.mutation[key] !== undefined) m[key] = item.mutation[key];
  return m;
}

async function epochChanged(s, epoch, report) {
  // Keep everything; send the whole log again and pull afresh, forgetting nothing unseen (a
  // full resync under way ends here: after a restore, a device's copies may be the only ones).
  await updatePerson(s.person.id, (r) => {
    const from = r.epoch != null ? r.epoch : r.restore_from; // the epoch before the change
    Object.assign(r, { epoch, cursor: null, resend_log: true, resync_seen: null, restore_seen: [],
      restore_from: from, restore_began: null });
  });
  report.epochChanged = true;
}

async function checkEpoch(s, epoch, report) {
  const row = await person(s.person.id);
  if (row.epoch == null) await updatePerson(s.person.id, (r) => { r.epoch = epoch; });
  else if (row.epoch !== epoch) await epochChanged(s, epoch, report);
}

/* Push one batch; with `carry`, it carries a pull. Resolves with [how many got an answer, the
 * carried answer {cursor it was asked with, answer} or null]. */
async function pushBatch(s, batch, report, carry) {
  const row = await person(s.person.id);
  const floor = await outbox.floor(s, row.next_seq);
  const body = { protocol: PROTOCOL, replica: row.replica, floor, mutations: batch.map((i) => wire(i, row.replica)) };
  if (carry) body.pull = { cursor: row.cursor || null, limit: PAGE };
  const answer = await api(PUSH_PATH, { method: 'POST', body, token: s.token });
  if (answer.results.map((r) => r.id).join() !== batch.map((i) => i.mutation.id).join()) {
    throw Object.assign(new Error('The server answered for other mutations.'), { error: 'protocol_error' });
  }
  await checkEpoch(s, answer.epoch, report);
  const answers = [];
  batch.forEach((item, i) => {
    const result = answer.results[i];
    if (result.status === 'deferred') return;
    answers.push({ item, result });
    report[{ applied: 'applied', conflict: 'conflicts', rejected: 'rejected' }[result.status]] += 1;
  });
  await outbox.settle(s, answers, row.dismissed || []);
  await letGo(s, answers.map((a) => a.item.mutation));
  return [answers.length, carry ? { cursor: body.pull.cursor, answer } : null];
}

/* Push one batch as pushBatch does; a body larger than the server takes (413: the limit is its
 * operator's) goes again in halves, in order: one mutation within the field limits always fits. */
async function pushInHalves(s, batch, report, carry) {
  try {
    return await pushBatch(s, batch, report, carry);
  } catch (error) {
    if (error.code !== 413 || batch.length < 2) throw error;
  }
  const half = Math.ceil(batch.length / 2);
  const [first] = await pushInHalves(s, batch.slice(0, half), report, false);
  const [second, carried] = await pushInHalves(s, batch.slice(half), report, carry);
  return [first + second, carried];
}

/* Push the queue; the last batch of each pass carries a pull. Resolves with the last carried
 * answer, {cursor it was asked with, answer}, or null. */
async function pushAll(s, report) {
  let carried = null;
  for (let pass = 0; pass < MAX_PASSES; pass += 1) {
    const row = await person(s.person.id);
    const resending = !!row.resend_log;
    const epoch = row.epoch;
    const { items } = await outbox.outboxItems(s);
    const queue = resending ? [...items, ...await outbox.logItems(s)].sort((a, b) => a.seq - b.seq) : items;
    if (!queue.length) break;
    let answered = 0;
    for (let start = 0; start < queue.length; start += BATCH) {
      const [count, carriedNow] = await pushInHalves(s, queue.slice(start, start + BATCH), report, start + BATCH >= queue.length);
      answered += count;
      if (carriedNow) carried = carriedNow;
    }
    // (a second restore during the pass: the log goes again, to the server as it is now)
    if (resending && answered === queue.length && (await person(s.person.id)).epoch === epoch) {
      await updatePerson(s.person.id, (r) => { r.resend_log = false; }); // the server has the log again
    } else if (!answered && !resending) {
      // all deferred: the server lacks a mutation it once acknowledged; only the log has it
      // (told by the answers, not by what is left: the person may write during the pass)
      await updatePerson(s.person.id, (r) => { r.resend_log = true; });
    }
  }
  report.deferred = await outbox.count(s.person.id);
  return carried;
}

/* The page a push carried, if it was asked with the cursor held now (an epoch change since
 * voids it); throws the error the server answered for it instead, as a pull would have. */
function carriedPage(carried, row) {
  if (!carried || carried.cursor !== (row.cursor || null)) return null;
  if (carried.answer.pull_error) throw new ApiError(carried.answer.pull_error, carried.answer.pull_error.code);
  return carried.answer.pull || null;
}

function fetchPage(s, row, cursor, ahead) {
  const body = { protocol: PROTOCOL, replica: row.replica, cursor: cursor || null, limit: PAGE };
  if (ahead) body.ahead = ahead;
  return api(PULL_PATH, { method: 'POST', token: s.token, body });
}

async function takePage(s, answer, report, onProgress) {
  const row = await person(s.person.id);
  const restoring = row.restore_seen;
  // the first page of the pull from the start after a restore: where a new epoch began (the
  // restored database's versions are at or below it); unknown after a restore that kept it
  const began = typeof answer.epoch_seq === 'number' ? (answer.epoch !== row.restore_from ? answer.epoch_seq : null) : row.restore_began;
  if (restoring) report.sentAgain += await sendAgainWhatWasLost(s, answer.changes, new Set(restoring), began);
  // `through` forgets answered writes the server passed, but only on the last page: a record
  // changed again since sits at a later seq, on a page still to come
  await applyPage(s, answer.changes, answer.more ? 0 : answer.through || 0, { restoring: Boolean(restoring) });
  const seen = answer.changes.filter((c) => !c.removed).map((c) => c.id);
  // the person's changes refused because the server did not have these records then go again
  report.sentAgain += await outbox.sendWaiting(s, new Set(answer.changes
    .filter((c) => !c.removed && !c.deleted).map((c) => c.id)));
  await updatePerson(s.person.id, (r) => {
    r.epoch = answer.epoch;
    r.cursor = answer.cursor;
    if (r.resync_seen) r.resync_seen = [...r.resync_seen, ...seen];
    if (r.restore_seen) {
      r.restore_seen = [...r.restore_seen, ...seen];
      r.restore_began = began ?? null;
    }
    if (r.only_here && r.only_here.length) {
      // another device sent it again: the server has it
      const brought = new Set(seen);
      r.only_here = r.only_here.filter((m) => !brought.has(m.id));
    }
  });
  report.pulled += answer.changes.length;
  report.removed += answer.changes.filter((c) => c.removed).length;
  if (onProgress) onProgress(report.pulled, answer.more);
}

/* The pages after a page: all but the last asked for at once, the last once they are in (it
 * must be read after them to find what changed meanwhile). Resolves with [the pages, in order,
 * up to the first that failed; that failure or null]: the pages before it are still taken, so
 * a weak signal that loses one page keeps the pages it did receive. */
async function fetchAhead(s, row, cursors) {
  if (!cursors.length) return [[], null];
  const runs = await Promise.allSettled(cursors.slice(0, -1).map((cursor) => fetchPage(s, row, cursor, 0)));
  const failed = runs.findIndex((run) => run.status === 'rejected');
  if (failed >= 0) return [runs.slice(0, failed).map((run) => run.value), runs[failed].reason];
  const pages = runs.map((run) => run.value);
  try {
    pages.push(await fetchPage(s, row, cursors[cursors.length - 1], 0));
  } catch (error) {
    return [pages, error];
  }
  return [pages, null];
}

/* `page` and the pages fetched ahead with it, up to the first whose scope differs from its: the
 * runs were cut for the scope the list was made in, and a learner who left it while they were
 * read, and came back, would miss the changes they held; pulled again from the last page taken,
 * those come (docs/sync-protocol.md, "Pages fetched ahead"; sync/client.py). */
function inTheSameScope(page, ahead) {
  const scope = [...page.scope].sort().join();
  const differs = ahead.findIndex((later) => [...later.scope].sort().join() !== scope);
  return [page, ...(differs < 0 ? ahead : ahead.slice(0, differs))];
}

async function pullAll(s, report, onProgress, carried) {
  let answer;
  try {
    for (let first = true; ; first = false) {
      const row = await person(s.person.id);
      answer = (first && carriedPage(carried, row)) || await fetchPage(s, row, row.cursor, AHEAD);
      if (row.epoch != null && answer.epoch !== row.epoch) {
        await epochChanged(s, answer.epoch, report);
        return false;
      }
      const [ahead, stopped] = answer.more ? await fetchAhead(s, row, answer.ahead || []) : [[], null];
      const taken = inTheSameScope(answer, ahead);
      for (answer of taken) await takePage(s, answer, report, onProgress);
      if (taken.length <= ahead.length) continue; // the scope changed meanwhile: on from the last taken
      if (stopped) throw stopped;
      if (!answer.more) break;
    }
  } catch (error) {
    if (error.error === 'epoch_changed') {
      await epochChanged(s, null, report);
      return false;
    }
    if (error.error === 'cursor_expired') {
      await updatePerson(s.person.id, (r) => { r.cursor = null; r.resync_seen = []; });
      report.fullResync = true;
      return false;
    }
    throw error;
  }
  // A pairing ended: that learner's records leave the device (unless still being sent).
  const scope = new Set(answer.scope);
  report.forgotten += await drop(s, (row) => scope.has(row.learnerId));
  const row = await person(s.person.id);
  if (row.resync_seen) {
    const seen = new Set(row.resync_seen);
    report.forgotten += await drop(s, (r) => seen.has(r.id));
    await updatePerson(s.person.id, (r) => { r.resync_seen = null; });
  }
  if (row.restore_seen) {
    // the pull from the start after a restore is done: what it did not bring, the restored
    // server no longer has; it waits here for the person (views/attention.js)
    const seen = new Set(row.restore_seen);
    const lost = await notBrought(s, (r) => seen.has(r.id) || !scope.has(r.learnerId));
    report.onlyHere = lost.length;
    await updatePerson(s.person.id, (r) => {
      const known = new Set((r.only_here || []).map((m) => m.id));
      r.only_here = [...(r.only_here || []), ...lost.filter((m) => !known.has(m.id))];
      r.restore_seen = null;
    });
  }
  return true;
}

/** Push the outbox, then pull every page. Resolves with a report: {applied, conflicts,
 * rejected, deferred, pulled, removed, forgotten (records that left at the end of a pull: a
 * pairing ended, or deleted while away), onlyHere (records a restored server no longer has),
 * sentAgain (changes held here that a restored server lost, queued to go again), epochChanged,
 * fullResync, error}. */
export async function sync(s, onProgress) {
  const report = { applied: 0, conflicts: 0, rejected: 0, deferred: 0, pulled: 0, removed: 0,
    forgotten: 0, onlyHere: 0, sentAgain: 0, epochChanged: false, fullResync: false, error: null };
  try {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const carried = await pushAll(s, report);
      const queued = report.sentAgain;
      if (await pullAll(s, report, onProgress, carried)) {
        await updatePerson(s.person.id, (r) => { r.last_synced = new Date().toISOString(); });
        if (report.sentAgain === queued) break; // else what the pull queued goes now
      }
    }
  } catch (error) {
    // a full device is not a network's fault: it waits for a person (ui/status.js)
    const full = error.name === 'QuotaExceededError';
    report.error = { error: error.error || (full ? 'storage_full' : 'network_error'), message: error.message, code: error.code || 0,
      details: error.details || {} };
  }
  return report;
}

/* One person's copy of the journal. What they see is the record as last pulled with their own
 * changes laid over it: answered ones a pull has not brought back yet, then the outbox
 * (docs/sync-protocol.md; sync/local.py is the reference). A pull replaces only the pulled
 * copy, so unsent writing is never overwritten. Saving writes only to the outbox. */
import { newTransaction, done, transaction } from './db.js';
import { seal, open, timeUuid } from './crypto.js';
import { enqueue, openOutbox, openUnpulled, outboxRecordIds } from './outbox.js';

export const DELETED = '_deleted';
const aad = (personId, collection, id) => `record|${personId}|${collection}|${id}`;
// Null and absent are the same (docs/sync-protocol.md, "Records").
export const orNull = (v) => (v === undefined ? null : v);
const same = (a, b) => JSON.stringify(orNull(a)) === JSON.stringify(orNull(b));

function blank(mutation, author) {
  return { id: mutation.record_id, collection: mutation.collection, learner_id: mutation.learner_id,
    author_id: author, fields: {}, revs: {}, conflicts: {}, deleted: false, seq: 0,
    created_at: mutation.at, updated_at: mutation.at };
}

function keep(record, name, value, mutation) {
  const versions = record.conflicts[name] || (record.conflicts[name] = []);
  if (versions.every((v) => v.rev !== mutation.id)) {
    versions.push({ value, rev: mutation.id, author_id: null, at: mutation.at });
  }
}

/* Take the versions `revs` names out of `r.conflicts[name]`. */
function dropVersions(r, name, revs) {
  const kept = (r.conflicts[name] || []).filter((v) => !revs.includes(v.rev));
  if (kept.length) r.conflicts[name] = kept;
  else delete r.conflicts[name];
}

/** Lay one of the person's mutations over a record, as the server will apply it (or did:
 * `conflicts` names the fields it kept aside). A record not pulled yet is theirs: `author` is
 * the person (a mentor's visit shows on My hours before it is sent). Returns the new record. */
export function overlay(record, mutation, { conflicts = [], unsent = false, author = null } = {}) {
  const r = record ? JSON.parse(JSON.stringify(record)) : blank(mutation, author); // JSON only; old Safari has no structuredClone
  const fields = mutation.fields;
  if (unsent) r.unsent = true;
  r.updated_at = mutation.at > r.updated_at ? mutation.at : r.updated_at;
  const seen = mutation.op === 'resolve' ? mutation.seen_conflicts || {} : {};
  if (mutation.op === 'delete' || fields[DELETED] === true) {
    if (conflicts.includes(DELETED)) {
      dropVersions(r, DELETED, seen[DELETED] || []); // kept aside, it stands for the delete wishes seen
      keep(r, DELETED, true, mutation);
    } else r.deleted = true;
    return r;
  }
  if (r.deleted && fields[DELETED] !== false) return r; // refused by the server; held for the person
  if (mutation.op === 'resolve') {
    r.deleted = false;
    for (const [name, revs] of Object.entries(seen)) dropVersions(r, name, revs);
  }
  for (const [name, value] of Object.entries(fields)) {
    if (name === DELETED) continue;
    if (conflicts.includes(name)) keep(r, name, value, mutation);
    else {
      r.fields[name] = value;
      r.revs[name] = mutation.id;
    }
  }
  return r;
}

export async function pulledRows(s) {
  const tx = await newTransaction('records');
  return done(tx.objectStore('records').getAll(recordRange(s.person.id)));
}

/** One person's pulled records, or those of one collection. */
function recordRange(pid, collection) {
  return collection ? IDBKeyRange.bound([pid, collection], [pid, collection, []])
    : IDBKeyRange.bound([pid], [pid, []]);
}

/** The sealed rows of the pulled records, the log and the outbox, read in one transaction: a
 * change moves from the outbox to the log, then into a pulled record, each move in one
 * transaction of its own, so reads made one after another could miss a change that moved
 * between them (a screen drawn as a sync ends showed an entry as never written). */
async function rowsAtOnce(s, collection, id) {
  const tx = await newTransaction(['records', 'log', 'outbox']);
  const pid = s.person.id;
  const records = tx.objectStore('records');
  const [pulled, log, outbox] = await Promise.all([
    done(id ? records.get([pid, collection, id]) : records.getAll(recordRange(pid, collection))),
    done(tx.objectStore('log').index('byPerson').getAll(pid)),
    done(tx.objectStore('outbox').index('byPerson').getAll(pid))]);
  return { pulled: id ? [pulled].filter(Boolean) : pulled, log, outbox };
}

export async function openRows(s, rows) {
  const out = [];
  for (const row of rows) {
    if (row.keyId !== s.keyId) continue;
    try {
      out.push(await open(s.key, row, aad(row.personId, row.collection, row.id)));
    } catch {
      // a damaged entry is skipped, never shown half; the next full pull replaces it
    }
  }
  return out;
}

/** The records as the person should see them, `unsent` when the outbox still holds a change. */
async function views(s, collection, id) {
  const rows = await rowsAtOnce(s, collection, id);
  const pulled = await openRows(s, rows.pulled);
  const byId = new Map(pulled.map((r) => [r.id, r]));
  const wanted = (m) => (!collection || m.collection === collection) && (!id || m.record_id === id);
  const author = s.person.id;
  for (const entry of (await openUnpulled(s, rows.log)).filter((e) => wanted(e.mutation))) {
    const { mutation, result } = entry;
    byId.set(mutation.record_id, overlay(byId.get(mutation.record_id), mutation, { conflicts: result.conflicts, author }));
  }
  for (const { mutation } of (await openOutbox(s, rows.outbox)).items.filter((i) => wanted(i.mutation))) {
    byId.set(mutation.record_id, overlay(byId.get(mutation.record_id), mutation, { unsent: true, author }));
  }
  return [...byId.values()];
}

const dateOf = (r) => r.fields.date || r.created_at || '';

/** The entries of a collection (deleted ones left out), newest first. */
export async function list(s, collection, { learnerId } = {}) {
  return (await views(s, collection))
    .filter((r) => !r.deleted && (!learnerId || r.learner_id === learnerId))
    .sort((a, b) => dateOf(b).localeCompare(dateOf(a)) || (b.created_at || '').localeCompare(a.created_at || ''));
}

/** One entry as the person should see it, or null. */
export async function get(s, collection, id) {
  const [record] = await views(s, collection, id);
  return record && !record.deleted ? record : null;
}

export function mutationFor(s, op, record, fields, base, seen = {}, id = timeUuid()) {
  const m = { id, op, collection: record.collection, record_id: record.id,
    learner_id: record.learner_id, fields, base, at: new Date().toISOString() };
  if (Object.keys(seen).length) m.seen_conflicts = seen;
  return m;
}

/** Save what the person wrote: only the fields that changed travel. Returns the record id. */
// A surrogate pair, or half of one alone (`storable`).
const SURROGATES = /[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]/g;

/* A value as the server can store it: half an emoji alone (cut by a length limit, say) becomes
 * U+FFFD and a NUL character goes. The server refuses either, and with it the whole push, which
 * would then stop every later change from being sent. */
function storable(value) {
  if (typeof value === 'string') {
    return value.replace(SURROGATES, (found) => (found.length === 2 ? found : '\ufffd')).replaceAll('\u0000', '');
  }
  if (Array.isArray(value)) return value.map(storable);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, storable(v)]));
  return value;
}

export async function write(s, collection, id, changes, { learnerId } = {}) {
  const current = id ? await get(s, collection, id) : null;
  const record = current || { id: id || timeUuid(), collection, learner_id: learnerId || s.person.id, fields: {}, revs: {} };
  const fields = {};
  for (const [name, raw] of Object.entries(changes)) {
    const value = storable(raw);
    if (!same(record.fields[name], value)) fields[name] = value;
  }
  if (!current && fields.visibility === undefined) fields.visibility = 'private';
  if (!Object.keys(fields).length) return record.id;
  // based on every rev of the copy she saw, not only the changed fields' (the server reads
  // those): it tells a server that lost the record that she had it (docs/sync-protocol.md, "Push")
  await enqueue(s, mutationFor(s, 'upsert', record, fields, everythingSeen(record).base));
  return record.id;
}

/** The revs the person's values were based on; a field never had from the server is left
 * out (the same as null to the server, and shorter on the wire). */
export function baseOf(record, names) {
  return Object.fromEntries(names.filter((n) => record.revs[n] != null).map((n) => [n, record.revs[n]]));
}

export function everythingSeen(record) {
  const base = Object.fromEntries(Object.entries(record.revs).filter(([n]) => n !== DELETED));
  const seen = Object.fromEntries(Object.entries(record.conflicts || {}).map(([n, vs]) => [n, vs.map((v) => v.rev)]));
  return { base, seen };
}

/** Delete an entry (the server keeps a conflict instead if it changed elsewhere meanwhile). */
export async function remove(s, collection, id) {
  const record = await get(s, collection, id);
  if (!record) return;
  const { base, seen } = everythingSeen(record);
  await enqueue(s, mutationFor(s, 'delete', record, {}, base, seen));
}

/** Settle a conflict: `values` are the chosen value of each field; {_deleted: true} deletes. */
export async function resolve(s, collection, id, values) {
  const [record] = await views(s, collection, id);
  if (values[DELETED] === true) {
    const { base, seen } = everythingSeen(record);
    return enqueue(s, mutationFor(s, 'resolve', record, { [DELETED]: true }, base, seen));
  }
  const names = Object.keys(values).filter((n) => n !== DELETED);
  const base = baseOf(record, names);
  const seen = Object.fromEntries(names.filter((n) => record.conflicts[n]).map((n) => [n, record.conflicts[n].map((v) => v.rev)]));
  if (record.conflicts[DELETED]) seen[DELETED] = record.conflicts[DELETED].map((v) => v.rev);
  // restoring: the delete the person saw, so it is not taken for one unseen
  if (record.deleted && record.revs[DELETED]) seen[DELETED] = [...(seen[DELETED] || []), record.revs[DELETED]];
  return enqueue(s, mutationFor(s, 'resolve', record, values, base, seen));
}

/** Every entry with versions kept by a conflict, across collections. */
export async function conflicted(s) {
  return (await views(s)).filter((r) => Object.keys(r.conflicts || {}).length);
}

function forgetUnpulled(tx, pid, shouldForget) {
  tx.objectStore('log').index('byPerson').openCursor(pid).onsuccess = (event) => {
    const cursor = event.target.result;
    if (!cursor) return;
    const row = cursor.value;
    if (row.unpulled && shouldForget(row)) cursor.update({ ...row, unpulled: false });
    cursor.continue();
  };
}

/** A pulled record's full revs: every field not named in `revs` has the shared `rev`, and a
 * null in `revs` names a field that has none (docs/sync-protocol.md, "Records"). */
export function unpackRevs(fields, rev, revs) {
  const full = {};
  if (rev != null) for (const name of Object.keys(fields)) full[name] = rev;
  for (const [name, value] of Object.entries(revs)) {
    if (value == null) delete full[name];
    else full[name] = value;
  }
  return full;
}

/** Take one pull page: store the records and forget the answered mutations each now includes,
 * and those the server passed (`through`) without sending their record back (the person may
 * no longer see it); a removed record leaves the device (with its unpulled entries) unless the
 * outbox holds changes to it (docs/sync-protocol.md, "Pull phase"). */
export async function applyPage(s, changes, through = 0, { restoring = false } = {}) {
  const pid = s.person.id;
  const keepers = await outboxRecordIds(pid);
  const held = await heldCopies(s, changes);
  const puts = [];
  for (const change of changes) {
    if (change.removed) continue;
    const { removed, rev, ...record } = change;
    record.revs = unpackRevs(record.fields, rev, record.revs);
    const old = held.get(record.id);
    const earlier = old && (restoring ? old.earlier : earlierRevs(old, record));
    if (earlier) record.earlier = earlier;
    puts.push({ personId: pid, collection: record.collection, id: record.id, learnerId: record.learner_id,
      seq: record.seq, keyId: s.keyId, ...(await seal(s.key, record, aad(pid, record.collection, record.id))) });
  }
  const seqs = new Map(changes.filter((c) => !c.removed).map((c) => [c.id, c.seq]));
  const gone = new Set(changes.filter((c) => c.removed && !keepers.has(c.id)).map((c) => c.id));
  await transaction(['records', 'log'], 'readwrite', (tx) => {
    const records = tx.objectStore('records');
    for (const change of changes) {
      if (gone.has(change.id)) records.delete([pid, change.collection, change.id]);
      else if (change.removed) markLeaving(records, [pid, change.collection, change.id]);
    }
    puts.forEach((row) => records.put(row));
    forgetUnpulled(tx, pid, (row) => gone.has(row.recordId)
      || (row.resultSeq != null && row.resultSeq <= through)
      || (seqs.has(row.recordId) && row.resultSeq != null && row.resultSeq <= seqs.get(row.recordId)));
  });
}

/** The copies this device holds, as it pulled them, of the records `changes` bring (not
 * those removed), by id. */
export async function heldCopies(s, changes) {
  const pid = s.person.id;
  const coming = changes.filter((c) => !c.removed);
  if (!coming.length) return new Map();
  const records = (await newTransaction('records')).objectStore('records');
  const rows = await Promise.all(coming.map((c) => done(records.get([pid, c.collection, c.id]))));
  return new Map((await openRows(s, rows.filter(Boolean))).map((r) => [r.id, r]));
}

const EARLIER = 16; // earlier revs kept per field (sync/local.py)

/* The revs `old`, the copy held, keeps as earlier, with those `record`, pulled over it,
 * replaces: field -> the revs this device held for it before the one it holds (a lost change
 * held over one of them is based on it when a restored server has it again), or null. */
function earlierRevs(old, record) {
  const earlier = { ...(old.earlier || {}) };
  for (const [name, rev] of Object.entries(old.revs || {})) {
    if (rev == null || record.revs[name] === rev || (earlier[name] || []).includes(rev)) continue;
    earlier[name] = [...(earlier[name] || []), rev].slice(-EARLIER);
  }
  return Object.keys(earlier).length ? earlier : null;
}

/** Forget pulled records for which `keepRow(row)` ({id, learnerId}) is false, unless the
 * outbox holds changes to them (those are marked `leaving`). Returns how many it found. */
export async function drop(s, keepRow) {
  const pid = s.person.id;
  const keepers = await outboxRecordIds(pid);
  const rows = (await pulledRows(s)).filter((row) => !keepRow(row));
  if (!rows.length) return 0;
  await transaction(['records', 'log'], 'readwrite', (tx) => {
    const records = tx.objectStore('records');
    rows.filter((row) => keepers.has(row.id)).forEach((row) => records.put({ ...row, leaving: true }));
    forget(tx, pid, rows.filter((row) => !keepers.has(row.id)));
  });
  return rows.length;
}

/** A record kept after it left the person's sight, only because the outbox held changes to
 * it, leaves once the outbox holds none: its changes were answered, applied or refused (a
 * refused change to an entry the learner hid must not keep the entry on a mentor's device).
 * `answered` are the mutations just answered. */
export async function letGo(s, answered) {
  const pid = s.person.id;
  const keepers = await outboxRecordIds(pid);
  const keys = new Map(answered.filter((m) => !keepers.has(m.record_id))
    .map((m) => [m.record_id, [pid, m.collection, m.record_id]]));
  if (!keys.size) return;
  // only the answered mutations' records, read in one transaction: never the whole journal
  const store = (await newTransaction('records')).objectStore('records');
  const rows = (await Promise.all([...keys.values()].map((key) => done(store.get(key)))))
    .filter((row) => row && row.leaving);
  if (rows.length) await transaction(['records', 'log'], 'readwrite', (tx) => forget(tx, pid, rows));
}

function forget(tx, pid, rows) {
  const gone = new Set(rows.map((row) => row.id));
  rows.forEach((row) => tx.objectStore('records').delete([pid, row.collection, row.id]));
  forgetUnpulled(tx, pid, (row) => gone.has(row.recordId));
}

function markLeaving(records, key) {
  records.get(key).onsuccess = (event) => {
    const row = event.target.result;
    if (row) records.put({ ...row, leaving: true });
  };
}

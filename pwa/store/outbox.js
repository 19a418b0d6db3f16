/* The mutation side of a person's replica (docs/sync-protocol.md, "The client algorithm"):
 * the outbox of mutations not yet answered, the log of answered ones (kept so a server restored
 * from a backup gets them again) and the ones the server refused, kept for the person.
 * The outbox holds mutations, never HTTP requests [Workbox, kinto.js]; nothing in it expires. */
import { allOf, countOf, transaction } from './db.js';
import { seal, open, timeUuid } from './crypto.js';
import { emit } from './events.js';

const aad = (kind, personId, mid) => `${kind}|${personId}|${mid}`;

/** Queue a mutation; its seq is taken inside the transaction, so two tabs never share one. */
export async function enqueue(s, mutation) {
  const pid = s.person.id;
  const sealed = await seal(s.key, mutation, aad('outbox', pid, mutation.id));
  await transaction(['outbox', 'people'], 'readwrite', (tx) => {
    const people = tx.objectStore('people');
    people.get(pid).onsuccess = (event) => {
      const row = event.target.result;
      const seq = row.next_seq;
      row.next_seq = seq + 1;
      people.put(row);
      tx.objectStore('outbox').add({ personId: pid, seq, mid: mutation.id, recordId: mutation.record_id,
        keyId: s.keyId, ...sealed });
    };
  });
  emit('written', { collection: mutation.collection, id: mutation.record_id });
}

async function openAll(s, rows, kind, withResult = false) {
  const items = [];
  let locked = 0;
  for (const row of rows) {
    if (row.keyId !== s.keyId) {
      locked += 1; // sealed under a PIN that has since changed: kept, see people.openOldKey
      continue;
    }
    const value = await open(s.key, row, aad(kind, row.personId, row.mid));
    items.push(withResult ? { ...value, seq: row.seq, n: row.n } : { n: row.n, seq: row.seq, mutation: value });
  }
  return { items: items.sort((a, b) => a.seq - b.seq), locked };
}

/** The outbox in seq order: {items: [{n, seq, mutation}], locked}. */
export async function outboxItems(s) {
  return openOutbox(s, await allOf('outbox', s.person.id));
}

/** Answered mutations whose record no pull has brought back yet: [{mutation, result, seq}]. */
export async function unpulled(s) {
  return openUnpulled(s, await allOf('log', s.person.id));
}

/** `unpulled` of log rows read already (with the records and the outbox, in one go). */
export async function openUnpulled(s, logRows) {
  return (await openAll(s, logRows.filter((r) => r.unpulled), 'log', true)).items;
}

/** `outboxItems` of outbox rows read already. */
export function openOutbox(s, rows) {
  return openAll(s, rows, 'outbox');
}

/** The whole retained log in seq order, to send again after a restore: [{seq, mutation}]. */
export async function logItems(s) {
  const { items } = await openAll(s, await allOf('log', s.person.id), 'log', true);
  return items.map((entry) => ({ seq: entry.seq, mutation: entry.mutation, fromLog: true }));
}

/** Record ids the outbox holds changes to: a pull never forgets those. */
export async function outboxRecordIds(personId) {
  return new Set((await allOf('outbox', personId)).map((r) => r.recordId));
}

/** The lowest seq this replica still holds (outbox or log), or `nextSeq`. Rows sealed under
 * an earlier key belong to an earlier replica of the person (see people.createVault). */
export async function floor(s, nextSeq) {
  const rows = [...await allOf('outbox', s.person.id), ...await allOf('log', s.person.id)]
    .filter((r) => r.keyId === s.keyId);
  return rows.length ? Math.min(...rows.map((r) => r.seq)) : nextSeq;
}

/** How many of a person's changes wait to be sent (readable without their key). */
export function count(personId) {
  return countOf('outbox', personId);
}

/** Take answered mutations out of the outbox into the log; refused ones also go to `held`.
 * `answers` are [{item, result}] with result.status applied, conflict or rejected. */
export async function settle(s, answers, dismissed = []) {
  const pid = s.person.id;
  // A mutation sent again from the log (after a restore) is laid over its record only where it
  // was before, or where it was refused and now takes effect: its answer may be the one stored
  // long ago, and laid over a newer copy, or a record since deleted and forgotten, it would
  // show what is no longer so (docs/sync-protocol.md, "Push phase").
  const resent = answers.some(({ item }) => item.fromLog);
  const laidBefore = new Set(resent ? (await allOf('log', pid)).filter((r) => r.unpulled).map((r) => r.mid) : []);
  const refused = new Set(resent ? [...(await allOf('held', pid)).map((r) => r.mid), ...dismissed] : []);
  const rows = [];
  for (const { item, result } of answers) {
    const m = item.mutation;
    const rejected = result.status === 'rejected';
    const laid = !rejected && (!item.fromLog || laidBefore.has(m.id) || refused.has(m.id));
    const kept = { mutation: m, result: { status: result.status, seq: result.seq, conflicts: result.conflicts || [], revs: result.revs } };
    const logRow = { personId: pid, mid: m.id, seq: item.seq, recordId: m.record_id, keyId: s.keyId,
      unpulled: laid, resultSeq: result.seq, ...(await seal(s.key, kept, aad('log', pid, m.id))) };
    const heldRow = rejected && !dismissed.includes(m.id) ? { personId: pid, mid: m.id, keyId: s.keyId,
      ...(await seal(s.key, { mutation: m, error: result.error, at: new Date().toISOString() }, aad('held', pid, m.id))) } : null;
    rows.push({ n: item.n, logRow, heldRow, mid: m.id, rejected });
  }
  await transaction(['outbox', 'log', 'held'], 'readwrite', (tx) => {
    for (const { n, logRow, heldRow, mid, rejected } of rows) {
      if (n !== undefined) tx.objectStore('outbox').delete(n);
      tx.objectStore('log').put(logRow);
      if (heldRow) tx.objectStore('held').put(heldRow);
      // a restored server may apply what it once refused
      else if (!rejected) tx.objectStore('held').delete([pid, mid]);
    }
  });
}

/** Changes the server refused: [{mutation, error, at}] for the person to decide about. */
export async function held(s) {
  const rows = await allOf('held', s.person.id);
  const items = [];
  for (const row of rows) {
    if (row.keyId === s.keyId) items.push(await open(s.key, row, aad('held', row.personId, row.mid)));
  }
  return items.sort((a, b) => a.at.localeCompare(b.at));
}

/** Whether a refused change was refused only because the server did not have its record: an
 * upsert based on revs (this device had the record from a server), refused as a create for
 * required fields it does not give. On a restored server it came before the device that made the
 * record sent it again; it goes again once a pull brings the record (docs/sync-protocol.md, "What
 * a restore or a purge cannot settle"; sync/restored.py, waits_for_its_record). */
export function waitsForItsRecord(m, error) {
  const details = (error && error.details) || {};
  const failed = [...Object.keys(details.fields || {}), details.field];
  return m.op === 'upsert' && Object.values(m.base || {}).some((rev) => rev != null)
    && !!error && error.error === 'validation_failed' && !failed.some((name) => name in (m.fields || {}));
}

/** The person's refused changes of the records `recordIds` (a Set) that wait for their record
 * (`waitsForItsRecord`), in the order made. */
export async function waitingFor(s, recordIds) {
  if (!recordIds.size || !await heldCount(s.person.id)) return [];
  return (await held(s))
    .filter(({ mutation, error }) => recordIds.has(mutation.record_id) && waitsForItsRecord(mutation, error))
    .map(({ mutation }) => mutation).sort((a, b) => a.at.localeCompare(b.at));
}

/** A pull brought the records `recordIds` (a Set): send again, as new mutations (a new id, the
 * next seq, the same fields and base), the person's changes of them that the server refused for
 * not having them then, in the order made, and dismiss the refused ones. Returns how many. Queued
 * before the refused one is dismissed: a crash between the two sends it twice, which merges as
 * the same value, and never loses it. */
export async function sendWaiting(s, recordIds) {
  const waiting = await waitingFor(s, recordIds);
  for (const m of waiting) {
    await enqueue(s, { ...m, id: timeUuid() });
    await dismiss(s, m.id);
  }
  return waiting.length;
}

/** How many refused changes wait for a person. */
export function heldCount(personId) {
  return countOf('held', personId);
}

/** The person has dealt with a refused change. */
export async function dismiss(s, mid) {
  const pid = s.person.id;
  await transaction(['held', 'people'], 'readwrite', (tx) => {
    tx.objectStore('held').delete([pid, mid]);
    const people = tx.objectStore('people');
    people.get(pid).onsuccess = (event) => {
      const row = event.target.result;
      row.dismissed = [...(row.dismissed || []), mid];
      people.put(row);
    };
  });
  emit('written', {});
}

/** Unsent changes sealed under an earlier key (the PIN was changed by staff), by key id. */
export async function lockedKeyIds(s) {
  return new Set((await allOf('outbox', s.person.id)).filter((r) => r.keyId !== s.keyId).map((r) => r.keyId));
}

/** The person gave their old PIN: queue their unsent changes again, as new mutations of the
 * current replica (a change the server did get is then applied again harmlessly, or kept as a
 * conflict; never lost), and take the old entries out. Returns how many. */
export async function recover(s, oldKeyId, oldKey) {
  const rows = (await allOf('outbox', s.person.id)).filter((r) => r.keyId === oldKeyId)
    .sort((a, b) => a.seq - b.seq);
  for (const row of rows) {
    const old = await open(oldKey, row, aad('outbox', row.personId, row.mid));
    await enqueue(s, { ...old, id: timeUuid() });
    await transaction(['outbox'], 'readwrite', (tx) => { tx.objectStore('outbox').delete(row.n); });
  }
  return rows.length;
}

/** Ids of every mutation made on this device by the person (answered or not): a conflict's
 * version with one of these revs was written here. */
export async function myMutationIds(personId) {
  return new Set((await myMutationRecords(personId)).keys());
}

/** `myMutationIds` with the record each mutation changes: mutation id -> record id. */
export async function myMutationRecords(personId) {
  const rows = [...await allOf('outbox', personId), ...await allOf('log', personId)];
  return new Map(rows.map((r) => [r.mid, r.recordId]));
}

/* What a restore from an older backup leaves on this device (docs/sync-protocol.md, "Only on
 * this device" and "What a restore lost, sent again"; sync/client.py is the reference): the
 * records the restored server no longer has, kept for the person, and the changes it lost
 * that this device still holds, sent again by themselves. */
import { dismiss, enqueue, logItems, myMutationRecords, outboxItems, outboxRecordIds, waitingFor } from './outbox.js';
import { person, updatePerson } from './people.js';
import { DELETED, baseOf, everythingSeen, get, heldCopies, mutationFor, orNull, pulledRows, unpackRevs } from './records.js';

/* Whether `rev`, the server's rev of field `name`, is a change this device made over
 * `held`, its held copy's, directly or through more of its own (`mine`, id -> mutation): the
 * held value is then older than the server's, not lost. */
function wroteOver(mine, rev, held, name) {
  const passed = new Set();
  while (mine.has(rev) && !passed.has(rev)) {
    passed.add(rev);
    rev = (mine.get(rev).base || {})[name];
    if (rev === held) return true;
  }
  return false;
}

/* The versions `old`, the held copy, keeps aside that `server`'s version has neither aside nor
 * as the field's value, as [field, version]: the learner's own (another's, sent from here,
 * would be written as hers), and not this device's (`own`: they go with its log). */
function versionsLost(old, server, own) {
  const lost = [];
  for (const name of Object.keys(old.conflicts || {}).sort()) {
    const have = new Set([server.revs[name], ...((server.conflicts || {})[name] || []).map((v) => v.rev)]);
    for (const v of old.conflicts[name]) {
      if (!have.has(v.rev) && !own.has(v.rev) && (v.author_id == null || v.author_id === old.learner_id)) lost.push([name, v]);
    }
  }
  return lost;
}

/* Whether this device's own change `rev` of field `name` (DELETED: its delete), sent again
 * with its log, is only kept aside by the restored server because what it was based on was
 * lost: the server keeps it as a version, over a value this device held before (`earlier`;
 * for a delete, every field's, or `old`'s, the tombstone held), or none (sync/restored.py). */
function onlySetAside(server, name, rev, earlier, old = null) {
  const conflicts = server.conflicts || {};
  if (!(conflicts[name] || []).some((v) => v.rev === rev)) return false;
  // a delete now would take versions this device never saw
  if (name === DELETED && Object.values(conflicts).some((vs) => vs.some((v) => v.rev !== rev))) return false;
  const names = name === DELETED ? Object.keys(server.revs).filter((n) => n !== DELETED) : [name];
  return names.every((n) => server.revs[n] == null || (earlier[n] || []).includes(server.revs[n])
    || (old !== null && server.revs[n] === old.revs[n]));
}

/* This device's own changes of field `name` (a delete: of every field) made over `rev`,
 * directly or through more of its own, in order (`ours`: its mutations of the record, by seq):
 * sent, or sent again, though the held copy was not pulled again since. */
function ownOver(ours, name, rev) {
  const over = [];
  for (const m of ours) {
    if ((m.base || {})[name] === rev && (name in (m.fields || {}) || m.op === 'delete')) {
      over.push(m);
      rev = m.id;
    }
  }
  return over;
}

/* Every rev `server`'s version holds: its fields' and its versions kept aside. */
function revsKept(server) {
  return new Set([...Object.values(server.revs),
    ...Object.values(server.conflicts || {}).flatMap((vs) => vs.map((v) => v.rev))]);
}

/* What `old`, a live record held here, has and `server`'s version lacks, as
 * [op, fields, base, seen, id] (sync/restored.py, `lost_changes`, for a live held copy).
 * `mine`: this device's own mutations, id -> mutation (`ours`: those of this record, by seq). */
function lostChanges(old, server, own, older, mine, ours) {
  const restored = old.revs[DELETED];
  const restore = server.deleted && restored && !own.has(restored) ? restored : null;
  const on = older && !server.deleted;
  const have = revsKept(server);
  const earlier = old.earlier || {};
  const lost = new Map(); // rev -> [fields, base]
  const chosen = new Map(); // field -> its own revs over the held one, the held one's first
  const group = (rev) => lost.get(rev) || lost.set(rev, [{}, {}]).get(rev);
  for (const [name, rev] of Object.entries(old.revs)) {
    if (name === DELETED || rev === restore || server.revs[name] === rev) continue;
    const over = ownOver(ours, name, rev);
    // its own change over the held one, chosen again below, is the last word on it
    const again = over.length > 0 && over[over.length - 1].op !== 'delete'
      && onlySetAside(server, name, over[over.length - 1].id, earlier);
    if (!own.has(rev) && !again && !wroteOver(mine, server.revs[name], rev, name)) {
      const [fields, base] = group(rev);
      fields[name] = orNull(old.fields[name]);
      const heldBefore = !server.deleted && (earlier[name] || []).includes(server.revs[name]);
      // a value the held copy keeps aside, beside the held one, was not replaced by it
      const beside = ((old.conflicts || {})[name] || []).some((v) => v.rev === server.revs[name]);
      const based = restore || ((on || heldBefore) && !beside ? server.revs[name] : null);
      if (based != null) base[name] = based;
    }
    if (own.has(rev) || over.length) chosen.set(name, [...(own.has(rev) ? [rev] : []), ...over.map((m) => m.id)]);
  }
  // all of each change: the server may lose it yet (restored again before it is sent)
  for (const [name, rev] of Object.entries(old.revs)) {
    if (name !== DELETED && lost.has(rev) && !(name in lost.get(rev)[0]) && server.revs[name] === rev) lost.get(rev)[0][name] = orNull(old.fields[name]);
  }
  // its own delete of the held copy, only set aside: chosen again; the lost changes it was
  // made over are not sent, it was the last word on them
  const last = new Set([...chosen.values()].map((revs) => revs[revs.length - 1]));
  const [only] = last;
  if (last.size === 1 && !server.deleted && mine.get(only)?.op === 'delete' && onlySetAside(server, DELETED, only, earlier, old)) {
    const { base, seen } = everythingSeen(server);
    return [['delete', {}, base, seen, undefined]];
  }
  const deletes = [];
  for (const [name, v] of versionsLost(old, server, own)) {
    if (name === DELETED) deletes.push(['delete', {}, {}, {}, v.rev]);
    else group(v.rev)[0][name] = v.value;
  }
  const again = [...lost.keys()].sort().map((rev) => ['upsert', ...lost.get(rev), {}, rev]);
  if (restore) {
    // the resolve that restored the record, again, with every value held: a record is made
    // again from a restore's values alone; later changes are based on it
    const values = Object.fromEntries(Object.entries(old.fields).filter(([, v]) => v != null));
    const seen = older && server.revs[DELETED] ? { [DELETED]: [server.revs[DELETED]] } : {};
    again.unshift(['resolve', { ...values, [DELETED]: false }, {}, seen, restore]);
  }
  // its own changes, which the log sent again, chosen again where only set aside
  const aside = [...chosen].filter(([name, revs]) => mine.get(revs[revs.length - 1])?.op !== 'delete'
    && onlySetAside(server, name, revs[revs.length - 1], earlier));
  if (aside.length && !server.deleted) {
    const value = (name, rev) => orNull(rev === old.revs[name] ? old.fields[name] : mine.get(rev)?.fields[name]);
    again.push(['resolve', Object.fromEntries(aside.map(([n, revs]) => [n, value(n, revs[revs.length - 1])])),
      baseOf(server, aside.map(([n]) => n)),
      Object.fromEntries(aside.map(([n, revs]) => [n, revs.filter((r) => have.has(r))])), undefined]);
  }
  return [...again, ...deletes];
}

/** During the pull from the start after a restore, before a page is stored: for each record
 * this device holds as it pulled it before the restore (not in `seen`, the ids this pull has
 * brought), what the held copy has and the restored server's version lacks was acknowledged and
 * then lost (made after the backup on a device whose storage was cleared since). It goes into
 * the outbox again, each change under its own id (the answer stored for it if the server has
 * it after all), based on the server's version where that is older than the held copy (the
 * backup's: at or below the seq the new epoch `began` at, if known, and its server time
 * earlier), else on nothing (a field changed since keeps both versions for the person). A
 * field whose server version this device wrote over the held one is left alone. A version
 * kept aside goes based on nothing, to be kept aside again; a record restored from the
 * server's tombstone is restored again by the same resolve. Only the learner's own devices
 * send it: a mentor may not write most of it, and his phone leaves it to hers. Resolves with
 * how many changes it queued (sync/client.py, `_send_again_what_was_lost`). */
export async function sendAgainWhatWasLost(s, changes, seen, began = null) {
  if (s.person.role !== 'learner') return 0;
  const pid = s.person.id;
  const coming = changes.filter((c) => !c.removed && !seen.has(c.id) && c.learner_id === pid);
  if (!coming.length) return 0;
  const held = await heldCopies(s, coming);
  const own = await myMutationRecords(pid); // mutation id -> record id: sent again with the log
  const ownRecords = new Set(own.values());
  let mine = null; // id -> this device's own mutation, opened only if one is met
  const openMine = async () => {
    mine = mine || new Map([...(await outboxItems(s)).items, ...await logItems(s)].map((i) => [i.mutation.id, i.mutation]));
    return mine;
  };
  let queued = 0;
  for (const change of coming) {
    const old = held.get(change.id);
    if (!old) continue;
    const server = { ...change, revs: unpackRevs(change.fields, change.rev, change.revs) };
    const older = (server.updated_at || '') < (old.updated_at || '') && (began == null || server.seq <= began);
    let again = [];
    const deleted = old.revs[DELETED];
    if (!old.deleted) {
      const ours = ownRecords.has(change.id)
        ? [...(await openMine()).values()].filter((m) => m.record_id === change.id).sort((a, b) => a.seq - b.seq) : [];
      again = lostChanges(old, server, own, older, mine || new Map(), ours);
    } else if (deleted && !server.deleted && !own.has(deleted)) {
      const { base, seen: versions } = everythingSeen(older ? server : old);
      again = [['delete', {}, base, versions, deleted]];
    } else if (deleted && !server.deleted && onlySetAside(server, DELETED, deleted, old.earlier || {}, old)) {
      const { base, seen: versions } = everythingSeen(server); // its own delete, chosen again
      again = [['delete', {}, base, versions, undefined]];
    }
    for (const [op, fields, base, versions, rev] of again) {
      await enqueue(s, mutationFor(s, op, server, fields, base, versions, rev));
      queued += 1;
    }
  }
  return queued;
}

/** After the pull from the start that follows a restore: the records held here that it did not
 * bring (`isSeen(row)` false, {id, learnerId}) and that the outbox holds no change to, as
 * {collection, id}. The restored server no longer has them (`only_here`, sync/client.js). */
export async function notBrought(s, isSeen) {
  const keepers = await outboxRecordIds(s.person.id);
  return (await pulledRows(s)).filter((row) => !isSeen(row) && !keepers.has(row.id))
    .map((row) => ({ collection: row.collection, id: row.id }));
}

/** The entries (not deleted) of the person's `only_here` that they wrote, as they see them.
 * Only their own: sent again from here, another's entry (a mentor's visit on the learner's
 * tablet) would be written as theirs, and its writer's own copy then refused; and a mentor's
 * copy of a learner's entry made private after the backup is one the server has and will not
 * show him. One forgotten since (a pairing ended) is left out. `personRow`: the person's row,
 * or the promise of it, where the caller reads it anyway. */
export async function onlyHere(s, personRow = person(s.person.id)) {
  const row = await personRow;
  const marked = (row && row.only_here) || [];
  if (!marked.length) return [];
  const shown = await Promise.all(marked.map((m) => get(s, m.collection, m.id)));
  return shown.filter((r) => r && r.author_id === s.person.id);
}

/** The person chose for an entry only this device holds: `again` sends it again, whole (an
 * upsert of every field, based on nothing, as its create was: if the server has it after all,
 * the same values merge and any other is kept as a conflict), with the values of her changes of
 * it that were refused because the server did not have it, which are then dismissed; else it
 * stays here, unsent. Either way it leaves `only_here`. */
export async function settleOnlyHere(s, record, again) {
  if (again) {
    const waiting = await waitingFor(s, new Set([record.id]));
    const values = Object.assign({}, record.fields, ...waiting.map((m) => m.fields));
    const fields = Object.fromEntries(Object.entries(values).filter(([, v]) => v != null));
    await enqueue(s, mutationFor(s, 'upsert', record, fields, {}));
    for (const m of waiting) await dismiss(s, m.id);
  }
  await updatePerson(s.person.id, (r) => {
    r.only_here = (r.only_here || []).filter((m) => m.id !== record.id);
  });
}


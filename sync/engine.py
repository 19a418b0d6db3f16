"""The sync engine: apply a push (carrying a pull page, from ``pull.py``), purge old tombstones.

It takes a ``Store`` and plain data and returns protocol objects; it knows nothing of HTTP. The
backend's views parse the bearer token into an ``Actor`` and a ``Scope``, call ``push`` or
``pull`` with the JSON body, and answer ``to_wire()``, or the ``ProtocolError`` as its ``code``.
"""
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Mapping

from . import merge, sent_again
from .cursor import Cursor
from .errors import CursorExpired, EpochChanged
from .protocol import MutationResult, PushRequest, PushResponse
from .pull import PullPage, pull_page
from .records import DELETED, Record, format_time, pack_revs, utc_now
from .store import StoredResult

COLLECTION_KEY = "_collection"  # a validator's key for "no such collection"
TOMBSTONE_RETENTION = timedelta(days=180)  # longer than the longest time a device is offline

Validator = Callable[[str, dict, bool], Mapping[str, str]]


@dataclass(frozen=True)
class Actor:
    """The person pushing. ``may_write(learner_id, collection, record_id, record_or_None,
    fields)`` returns ``None`` when they may write these fields, else the reason they may not, or
    ``(field, reason)`` to name the field (it must not change the record).
    """

    person_id: int
    may_write: Callable[[int, str, str, Record | None, dict], str | tuple | None]


def push(store, actor, request, validate, *, now=None, scope=None):
    """Apply a push: one result per mutation, in the request's order; one mutation's refusal
    never blocks the others. A push that carries a pull is answered with its page too
    (``push_answer``), read back as a client reads it.

    :param store: a ``Store``.
    :param actor: the ``Actor`` pushing.
    :param request: a ``PushRequest`` or its JSON body.
    :param validate: ``(collection, fields, is_create) -> {field: reason}``, empty when valid;
        the key ``COLLECTION_KEY`` means the collection is unknown.
    :param now: the server time to record (an ISO string); defaults to the clock.
    :param scope: the ``Scope`` of the person pushing, or a function returning it; needed when
        the push carries a pull.
    :return: a ``PushResponse``.
    :raises ProtocolTooOld: if the request's protocol is below ``MIN_PROTOCOL_VERSION``.
    :raises InvalidRequest: if the body is not a valid push request.
    """
    answer = push_answer(store, actor, request, validate, now=now, scope=scope)
    if answer.page is None:
        return answer.response
    return PushResponse.from_wire(json.loads(answer.to_json()))


def push_answer(store, actor, request, validate, *, now=None, scope=None):
    """Apply a push (as ``push``) and, when it carries a pull, build that page after the push
    committed, so it holds the push's own changes.

    A carried pull the store refuses (``EpochChanged``, ``CursorExpired``) does not undo the
    push: the answer holds the results and, instead of the page, the error a pull would have
    answered (docs/sync-protocol.md, "Push with a pull").

    :param scope: the ``Scope`` of the person pushing, or a function returning it (called only
        when the push carries a pull, which needs it).
    :return: a ``PushAnswer``; its ``to_json()`` is the response body.
    :raises ProtocolTooOld: if the request's protocol is below ``MIN_PROTOCOL_VERSION``.
    :raises InvalidRequest: if the body is not a valid push request, or its pull's cursor is not
        one this server made; then nothing was applied.
    """
    if not isinstance(request, PushRequest):
        request = PushRequest.from_wire(request)
    if request.pull is not None:
        if scope is None:
            raise ValueError("a push that carries a pull needs the pusher's scope")
        if request.pull.cursor:
            Cursor.decode(request.pull.cursor, "pull.cursor")  # refused before anything applies
    with store.transaction() as tx:
        results = _PushBatch(tx, request, now or utc_now()).run(actor, validate)
        head = tx.head()  # the epoch the results were written in, and the seq they reach
    answer = PushAnswer(PushResponse(head[0], results))
    if request.pull is not None:
        try:
            answer.page = pull_page(store, scope() if callable(scope) else scope, request.pull)
        except (EpochChanged, CursorExpired) as error:
            answer.response.pull_error = error
    return answer


@dataclass
class PushAnswer:
    """A push's answer: the ``PushResponse`` (with ``pull_error`` when a carried pull was
    refused) and the carried pull's ``PullPage``, joined as JSON text by ``to_json``."""

    response: PushResponse
    page: "PullPage | None" = None

    def to_json(self, encode=None):
        """Return the response body as JSON text (or bytes, if ``encode`` returns bytes).

        :param encode: JSON value -> text or bytes; a server may pass a faster encoder.
        """
        body = (encode or _compact)(self.response.to_wire())
        if self.page is None:
            return body
        if isinstance(body, bytes):
            return self.page.to_bytes(before=body[:-1] + b',"pull":', after=b"}")
        return body[:-1] + ',"pull":' + self.page.to_json() + "}"


def _compact(value):
    return json.dumps(value, separators=(",", ":"))


def purge_tombstones(store, older_than=None, through_seq=None, retention=TOMBSTONE_RETENTION):
    """Delete tombstones no device needs any more; a pull whose cursor is older than the newest
    purged tombstone then gets ``cursor_expired``.

    :param store: a ``Store``.
    :param older_than: purge tombstones last changed before this time (an aware ``datetime``
        or ISO string); with neither bound given, now minus ``retention``.
    :param through_seq: purge only tombstones with ``seq <= through_seq``.
    :param retention: how long tombstones are kept by default.
    :return: how many tombstones were purged.
    :raises ValueError: if ``older_than`` is a naive datetime.
    """
    if older_than is None and through_seq is None:
        older_than = datetime.now(timezone.utc) - retention
    if isinstance(older_than, datetime):
        older_than = format_time(older_than)
    return store.purge_tombstones(older_than, through_seq)


class _PushBatch:
    """One push inside one transaction: batched reads, merges in memory, batched writes."""

    def __init__(self, tx, request, now):
        self.tx, self.request, self.now = tx, request, now
        mutations, ids = request.mutations, [m.id for m in request.mutations]
        keys = {(m.collection, m.record_id) for m in mutations}
        tx.read_ahead([request.replica], ids, keys)
        self.stored_next = tx.next_seqs([request.replica])[request.replica]
        # the floor: seqs below it were acknowledged by a server state since lost, and the
        # client no longer holds them, so waiting for them would defer everything forever
        self.next_seq = max(self.stored_next, request.floor)
        self.stored = tx.stored_results(ids)
        self.records = tx.records({(m.collection, m.record_id) for m in mutations
                                   if m.id not in self.stored or m.op == "upsert"}
                                  if self.stored else keys)
        self.gone_revs = sent_again.gone_revs(tx, mutations, self.stored, self.records)
        self.created, self.changed, self.done = set(), {}, []
        self.kept = set()  # ids of applied mutations whose payload is kept (``sent_again``)

    def run(self, actor, validate):
        """Process the mutations in seq order, save, and return results in request order."""
        mutations = self.request.mutations
        results = [None] * len(mutations)
        for index in sorted(range(len(mutations)), key=lambda i: mutations[i].seq):
            results[index] = self._one(mutations[index], actor, validate)
        self._save()
        return results

    def _one(self, mutation, actor, validate):
        if mutation.id in self.stored:
            if mutation.seq == self.next_seq:
                # processed before, but sent by another replica: a device sending again, under
                # its own id, a change it held that a restore may have lost ("What a restore
                # lost, sent again"); this replica's position moves on as for any mutation
                self.next_seq += 1
            self._fill_in(mutation, actor, validate)
            return MutationResult.from_wire(self.stored[mutation.id])
        if mutation.seq > self.next_seq:
            return MutationResult(mutation.id, "deferred")
        if mutation.seq == self.next_seq:
            self.next_seq += 1
        key = (mutation.collection, mutation.record_id)
        record = self.records.get(key)
        outcome = _refusal(record, mutation, actor, validate, self.gone_revs)
        if outcome is not None and sent_again.is_gone(outcome.error):
            self.gone_revs.add(mutation.id)  # a change based on this one is of the same record
        if outcome is None:
            if record is not None:
                # who could see it before this change, also for a record written without
                # `widest` (an import, a fix in SQL): so making it private is sent as removed
                record.widen()
            overtaking = record is None and mutation.op == "delete"
            ahead = sent_again.ahead_of_its_create(record, mutation, self.kept)
            record, outcome = merge.apply(
                record, mutation, actor.person_id, self.now,
                sent_again.overtaken(self.tx, record, mutation, self.done, self.kept))
            if overtaking:
                sent_again.widen_as_refused_changes(self.tx, record, mutation, self.done)
            if ahead and outcome.status != "rejected":
                self.kept.add(mutation.id)
            if outcome.changed:
                record.widen()
                self._touch(key, record)
        result = MutationResult(mutation.id, outcome.status, conflicts=outcome.conflicts,
                                error=outcome.error)
        if outcome.status != "rejected":
            # packed: a field this mutation set, and whose rev is now its id, goes unnamed
            result.revs = pack_revs(mutation.fields, record.revs, mutation.id)[1]
        self.done.append((mutation, result, None if outcome.error else key))
        return result

    def _fill_in(self, mutation, actor, validate):
        """Fill in, from a change sent again whole, the fields of the record it made from a
        part of it (``sent_again.missing_part``)."""
        key = (mutation.collection, mutation.record_id)
        record = self.records.get(key)
        part = sent_again.missing_part(record, mutation, self.stored[mutation.id])
        if part is not None and _refusal(record, part, actor, validate, self.gone_revs) is None:
            record, outcome = merge.apply(record, part, actor.person_id, self.now)
            if outcome.changed:
                record.widen()
                self._touch(key, record)

    def _touch(self, key, record):
        if key not in self.records:
            self.records[key] = record
            self.created.add(key)
        self.changed[key] = record

    def _save(self):
        if self.changed:
            first = self.tx.allocate_seqs(len(self.changed))
            for offset, record in enumerate(self.changed.values()):
                record.seq = first + offset
            self.tx.put_records([r for k, r in self.changed.items() if k in self.created],
                                [r for k, r in self.changed.items() if k not in self.created])
        stored = []
        for mutation, result, key in self.done:
            if key is not None:
                result.seq = self.records[key].seq
            keep = result.status == "rejected" or mutation.id in self.kept
            payload = mutation.to_wire() if keep else None
            stored.append(StoredResult(mutation.id, mutation.replica, mutation.seq,
                                       mutation.learner_id, result.status, result.to_wire(),
                                       payload, self.now))
        if stored:
            self.tx.put_results(stored)
        if self.next_seq != self.stored_next:
            self.tx.set_next_seqs({self.request.replica: self.next_seq})


def _refusal(record, mutation, actor, validate, gone_revs=frozenset()):
    """Return a rejected outcome if the mutation may not be applied, else ``None``.

    :param gone_revs: revs of records this server had and no longer has
        (``sent_again.gone_revs``).
    """
    if record is not None and record.learner_id != mutation.learner_id:
        return merge.rejected("learner_mismatch", "learner_id",
                              "a record's learner can never change")
    values = {k: v for k, v in mutation.fields.items() if k != DELETED}
    # a create the tombstone's delete saw (a delete that overtook it, on a restored server) is
    # checked as the create it was: the tombstone was made by the deleter, who may not be its
    # author; it changes nothing but to widen the tombstone (docs/sync-protocol.md)
    seen_create = (mutation.op == "upsert" and not mutation.base
                   and merge.seen_by_delete(record, mutation))
    as_was = None if seen_create else record
    reason = actor.may_write(mutation.learner_id, mutation.collection, mutation.record_id,
                             as_was, values)
    if reason:
        name, reason = reason if isinstance(reason, tuple) else ("learner_id", reason)
        return merge.rejected("forbidden", name, reason)
    if record is None and any(rev in gone_revs for rev in mutation.base.values()):
        # a change of a record that was here: taken as a create, it would bring back a
        # fragment of a deleted entry (docs/sync-protocol.md, "Merge rules")
        return merge.rejected("record_deleted", "record_id", sent_again.GONE,
                              message="This entry was deleted on another device some time "
                                      "ago, and is no longer kept.")
    # a restore makes the record again, from the values given alone (a tombstone keeps none):
    # checked as a create, so a goal never comes back without its title
    errors = validate(mutation.collection, values, (record is None and mutation.op == "upsert")
                      or merge.restores(record, mutation))
    if not errors:
        return None
    if COLLECTION_KEY in errors:
        return merge.rejected("unknown_collection", "collection", errors[COLLECTION_KEY])
    name = sorted(errors)[0]
    if record is None and mutation.based_on_revs and not set(errors) & set(values):
        # a change of a record this server does not have, taken as a create: on a restored
        # server, before the device that made the record sent it again; the device sends the
        # change again when its record comes (docs/sync-protocol.md, "What a restore or a
        # purge cannot settle")
        return merge.rejected("validation_failed", name, errors[name], fields=dict(errors),
                              message=sent_again.NOT_HERE_YET)
    return merge.rejected("validation_failed", name, errors[name], fields=dict(errors))

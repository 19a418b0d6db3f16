"""The storage the engine needs (``Store``), and the rows a pull reads from it; the in-memory
implementation is ``memory_store.MemoryStore``.

A push runs inside one ``Store.transaction()``; each of its steps is one batched call, so an SQL
store answers a push of 1,000 mutations with a handful of queries:

1. ``read_ahead`` names all that the next step reads (a store may read it in one go),
   then ``next_seqs`` and ``stored_results`` (dedup) for the batch,
2. ``records`` for every record the batch touches,
3. ``allocate_seqs`` once, for the records that changed,
4. ``put_records``, ``put_results`` and ``set_next_seqs``, then commit.

The seq invariant (docs/sync-protocol.md, "Why a pull never skips a change"): transactions that
allocate seqs are serialized and commit in seq order, so whenever a reader sees seq N committed,
every seq below N is committed too. An SQL store gets this from the row lock of ``UPDATE
sync_state SET seq = seq RETURNING seq``, the transaction's first statement, held until commit:
the block is then the n seqs after the one it answered, taken with ``SET seq = seq + n``.
``MemoryStore`` gets it from one lock held for the whole transaction.
"""
import dataclasses
import json
from typing import Collection, ContextManager, Mapping, NamedTuple, Protocol, Sequence

from .records import Record, pack_revs


class ChangeRow(NamedTuple):
    """One changed record as ``Store.changes`` lists it: what the engine needs to decide
    whether and how a puller hears of it, and the record's wire JSON (``Record.to_wire``) as
    text, or as its UTF-8 bytes, which a page joins as it is (a store may keep it from when the
    record was written).

    ``collection`` and ``id`` may be None beside a text, which holds them too: a store that
    keeps the text need not read them for every row of a page. The engine reads a row by
    position, so a store may return plain tuples in this order (a page is a thousand rows)."""

    seq: int
    learner_id: int
    collection: str | None
    id: str | None
    visibility: str
    widest: str | None
    text: str | bytes

    @classmethod
    def of(cls, record):
        """The row of ``record``.

        :param record: a ``Record``.
        """
        return cls(record.seq, record.learner_id, record.collection, record.id,
                   record.visibility, record.widest, wire_text(record))


class WholeRow(NamedTuple):
    """One changed record as ``Store.page`` lists it for a puller who sees every record of the
    learners pulled as it is (``whole``): its seq and wire text, nothing to decide on. As in a
    ``ChangeRow``, ``collection`` and ``id`` may be None beside a text, and a store may return
    plain tuples in this order."""

    seq: int
    collection: str | None
    id: str | None
    text: str | bytes

    @classmethod
    def of(cls, record):
        """The row of ``record``.

        :param record: a ``Record``.
        """
        return cls(record.seq, record.collection, record.id, wire_text(record))


_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def wire_text(record, encode=_ENCODE):
    """Return a record's wire object (``Record.to_wire``) as compact JSON text, encoded from
    the record as it is: no copy is made to be thrown away.

    :param record: a ``Record``.
    :param encode: JSON value -> text; a store may pass a faster encoder.
    """
    rev, revs = pack_revs(record.fields, record.revs)
    return encode({"id": record.id, "collection": record.collection,
                   "learner_id": record.learner_id, "author_id": record.author_id,
                   "fields": record.fields, "rev": rev, "revs": revs,
                   "conflicts": record.conflicts, "deleted": record.deleted,
                   "seq": record.seq, "created_at": record.created_at,
                   "updated_at": record.updated_at})


@dataclasses.dataclass
class StoredResult:
    """The stored outcome of one processed mutation, keyed by the mutation's id.

    ``result`` is the ``MutationResult`` wire object returned again for a resend; ``payload``
    is the mutation's own wire object, kept for rejected mutations so a person can see them,
    and for a change that made its record before the record's create (``Store.kept_payloads``).
    """

    mutation_id: str
    replica: str
    seq: int
    learner_id: int
    status: str
    result: dict
    payload: dict | None
    at: str


class StoreTransaction(Protocol):
    """The steps of one push, all inside one serialized write transaction."""

    def head(self) -> tuple[str, int]:
        """Return ``(epoch, seq)`` as this transaction leaves them: the epoch its writes belong
        to and the highest seq once it commits (``Store.head`` right after the commit: pushes
        commit one after another, so every seq up to it is committed then)."""

    def read_ahead(self, replicas: Collection[str], mutation_ids: Collection[str],
                   keys: Collection[tuple[str, str]]) -> None:
        """Say what the push is about to read: ``next_seqs(replicas)``,
        ``stored_results(mutation_ids)`` and ``records`` of some of ``keys``. A store may read
        it all now, at once, and answer those calls from what it read; or do nothing.
        """

    def next_seqs(self, replicas: Collection[str]) -> dict[str, int]:
        """Return each replica's next expected mutation seq (1 for a replica never seen).

        :param replicas: replica ids.
        """

    def stored_results(self, mutation_ids: Collection[str]) -> dict[str, dict]:
        """Return the stored ``result`` of each of these mutations that was processed before.

        :param mutation_ids: the ids of a push's mutations.
        """

    def kept_payloads(self, mutation_ids: Collection[str]) -> dict[str, dict]:
        """Return each of these mutations whose payload was stored, as it was pushed: those
        refused, and changes that made a record before its create. Read only when a change of
        a record the server does not have names them, a delete makes a tombstone of a record
        the server does not have, or a change would be kept aside over one of them.

        :param mutation_ids: mutation ids.
        """

    def records(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], Record]:
        """Return the records (tombstones included) with these keys; copies the caller may
        change.

        :param keys: ``(collection, record id)`` pairs.
        """

    def allocate_seqs(self, n: int) -> int:
        """Reserve consecutive seqs from the one counter; return the first. Called at most
        once per transaction, at its end.

        :param n: how many (at least 1).
        """

    def put_records(self, created: Sequence[Record], updated: Sequence[Record]) -> None:
        """Save records whole. The store may keep the objects: the engine never touches them
        again.

        :param created: records the store does not have yet.
        :param updated: records to overwrite.
        """

    def put_results(self, results: Sequence[StoredResult]) -> None:
        """Store the outcome of newly processed mutations; the store may keep the objects.

        :param results: ``StoredResult`` objects, never of a mutation already stored.
        """

    def set_next_seqs(self, next_seqs: Mapping[str, int]) -> None:
        """Store replicas' next expected seqs.

        :param next_seqs: replica id -> next seq (replicas never seen are created).
        """


class Store(Protocol):
    """Where the server's records and sync bookkeeping live."""

    def epoch(self) -> str:
        """Return the id of this database's life; a restore from backup sets a new one."""

    def head(self) -> tuple[str, int]:
        """Return ``(epoch(), max_seq())``, read together."""

    def epoch_began(self) -> tuple[str, int]:
        """Return ``(epoch(), the seq it began at)``, read together: the highest seq when the
        epoch was set (a restore's new epoch begins at the backup's), 0 for the first."""

    def max_seq(self) -> int:
        """Return the highest *committed* seq (0 when empty)."""

    def purged_through_seq(self) -> int:
        """Return the highest seq of a purged tombstone (0 if none was purged)."""

    def transaction(self) -> ContextManager[StoreTransaction]:
        """Open a serialized write transaction: committed when the block ends, rolled back
        when it raises."""

    def changes(self, after: Mapping[int, int], limit: int,
                until: int = 0) -> list[ChangeRow]:
        """Return the rows of records changed after a seq per learner, tombstones included, in
        seq order.

        :param after: learner id -> the last seq already seen (only these learners).
        :param limit: the most records to return.
        :param until: if not 0, only rows with a seq up to it.
        """

    def page(self, after: Mapping[int, int], limit: int, until: int = 0,
             whole: bool = False) -> tuple[str, int, int, list, int]:
        """Return what a pull page reads, in this order: ``head()`` with
        ``purged_through_seq()``, then ``changes(after, limit, until)`` (none when ``after``
        is empty), then ``purged_through_seq()`` again, as ``(epoch, seq, purged_before, rows,
        purged_through_seq)``. A store may send the three reads at once, as long as each sees
        at least what the one before it saw. With ``whole`` (the puller sees every record of
        these learners as it is), the rows are ``WholeRow``s, not ``ChangeRow``s.
        """

    def seqs(self, after: Mapping[int, int], limit: int) -> list[int]:
        """Return the seqs of the rows ``changes(after, limit)`` would return, in order: the
        pages fetched ahead are cut from them (an index alone can answer them).
        """

    def purge_tombstones(self, older_than: str | None, through_seq: int | None) -> int:
        """Delete old tombstones; raise ``purged_through_seq`` to the highest seq purged.
        Return how many were purged.

        :param older_than: an ISO time: only tombstones last changed before it (if given).
        :param through_seq: only tombstones with ``seq <= through_seq`` (if given).
        """

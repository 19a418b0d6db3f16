"""The reference client: the executable specification of the client side of the protocol.

The PWA follows it step by step (docs/sync-protocol.md, "The client algorithm"). ``transport``
is any callable ``(path, json_body) -> (status, json_body)`` that raises ``TransportError`` (or
``OSError``) when the network fails.
"""
import uuid
from dataclasses import dataclass, field

from .errors import CursorExpired, EpochChanged, ProtocolError
from .local import LocalStore
from .protocol import (DEFAULT_LIMIT, MAX_MUTATIONS, Mutation, PullRequest, PullResponse,
                       PushRequest, PushResponse)
from .records import DELETED, time_uuid, utc_now
from .restored import all_revs, base_of, lost_changes, waits_for_its_record
from .transport import PULL_PATH, PUSH_PATH

AHEAD = 4  # cursors of pages ahead asked for with a page
# a sync is at most: push+pull, then again after an epoch change or expiry, or a pull that
# queued changes to go again
MAX_ROUNDS = 4
MAX_PASSES = 6  # pushes of the queue within one round while some mutations are deferred


class TransportError(Exception):
    """The request or its response was lost: nothing is known about what the server did."""


@dataclass
class SyncReport:
    """What one ``sync()`` did, for the "saved on this tablet / synced" line and for tests."""

    applied: list = field(default_factory=list)  # mutation ids
    conflicts: list = field(default_factory=list)  # mutation ids kept as conflicts
    rejected: list = field(default_factory=list)  # mutation ids moved to needs_person
    deferred: int = 0  # mutations the server could not take yet; still in the outbox
    pulled: int = 0  # changes received
    removed: int = 0  # records that left the device (sharing withdrawn)
    epoch_changed: bool = False
    full_resync: bool = False
    # changes a pull queued to go again: what a restore lost, held here, and changes waiting
    # for their record; sent in the next round of the same sync
    sent_again: int = 0
    error: dict | None = None  # the error that stopped the sync; the outbox is intact

    @property
    def ok(self):
        """Whether everything was sent and everything pulled."""
        return self.error is None and self.deferred == 0


def _in_the_same_scope(page, ahead):
    """``page`` and the pages fetched ahead with it, up to the first whose ``scope`` differs
    from its: the runs were cut for the scope the list was made in, and a learner who left it
    while they were read, and came back, would otherwise miss the changes they held. Pulled
    again from the last page taken, as ordinary pages, those come (docs/sync-protocol.md,
    "Pages fetched ahead")."""
    taken = [page]
    for later in ahead:
        if set(later.scope) != set(page.scope):
            break
        taken.append(later)
    return taken


class Client:
    """One replica: a person's copy of the journal on one device."""

    def __init__(self, transport, replica_id=None, local=None, *, batch_size=DEFAULT_LIMIT,
                 page_size=DEFAULT_LIMIT, ahead=AHEAD, clock=utc_now, may_write=None):
        """
        :param transport: ``(path, body) -> (status, body)``.
        :param replica_id: this replica's UUID; default: the local store's, or a new one.
        :param local: the ``LocalStore`` to keep state in (default: a new, empty one).
        :param batch_size: mutations per push request (at most ``MAX_MUTATIONS``).
        :param page_size: changes per pull page.
        :param ahead: cursors of pages ahead to ask for with a page, fetched before any of
            them is taken (as a device fetching them at once has them), then taken in order.
        :param clock: returns the device time as an ISO string.
        :param may_write: ``(record) -> bool``, whether this replica's person may change a
            record (default: every record): after a restore, only the changes of such records
            are sent again from here ("What a restore lost, sent again").
        :raises ValueError: if ``replica_id`` differs from the local store's.
        """
        self.local = local if local is not None else LocalStore()
        if replica_id and self.local.replica_id not in (None, replica_id):
            raise ValueError("a local store belongs to one replica")
        self.local.replica_id = replica_id or self.local.replica_id or str(uuid.uuid4())
        self.transport, self.clock = transport, clock
        self.batch_size = min(batch_size, MAX_MUTATIONS)
        self.page_size, self.ahead = page_size, ahead
        self.may_write = may_write or (lambda record: True)
        self._carried = None  # (cursor asked with, PushResponse) of the last push with a pull

    @property
    def replica_id(self):
        """This replica's UUID."""
        return self.local.replica_id

    @property
    def records(self):
        """Every record the person should see: id -> ``Record`` (their pending changes laid
        over what was pulled)."""
        return self.local.views()

    @property
    def pending_count(self):
        """How many changes are saved on this device but not yet on the server."""
        return len(self.local.outbox)

    @property
    def needs_person(self):
        """Mutations the server refused, with its reasons: ``[Rejected(mutation, error)]``."""
        return list(self.local.needs_person)

    def record(self, record_id):
        """Return the record as the person should see it, or ``None`` (deleted or unknown).

        :param record_id: the record's id.
        """
        record = self.local.view(record_id)
        return None if record is None or record.deleted else record

    def write(self, collection, record_id, fields, learner_id):
        """Create a record or change some of its fields.

        :param collection: the record's collection.
        :param record_id: its id (a new UUID for a new record).
        :param fields: only the fields the person changed.
        :param learner_id: whose journal it belongs to.
        :return: the queued ``Mutation``.
        :raises InvalidRequest: if the mutation would not pass the protocol's shape checks.
        """
        # based on every rev of the copy she saw, not only the changed fields' (the server
        # reads those): it tells a server that lost the record that she had it ("Push")
        current = self.local.view(record_id)
        base = all_revs(current)[0] if current is not None else {}
        return self._enqueue("upsert", collection, record_id, learner_id, fields, base, {})

    def delete(self, collection, record_id, learner_id):
        """Delete a record (the server refuses, keeping a conflict, if it changed meanwhile).

        :param collection: the record's collection.
        :param record_id: its id.
        :param learner_id: whose journal it belongs to.
        :return: the queued ``Mutation``.
        :raises InvalidRequest: if the mutation would not pass the protocol's shape checks.
        """
        base, seen = self._everything_seen(record_id)
        return self._enqueue("delete", collection, record_id, learner_id, {}, base, seen)

    def resolve(self, collection, record_id, learner_id, fields):
        """Settle conflicts: the chosen value of each field, the versions seen are cleared.

        :param collection: the record's collection.
        :param record_id: its id.
        :param learner_id: whose journal it belongs to.
        :param fields: ``{field: chosen value}``; ``{"_deleted": True}`` deletes the record,
            ``{"_deleted": False, ...}`` keeps (or restores) it.
        :return: the queued ``Mutation``.
        :raises InvalidRequest: if the mutation would not pass the protocol's shape checks.
        """
        if fields.get(DELETED) is True:
            base, seen = self._everything_seen(record_id)
        else:
            current = self.local.view(record_id)
            base = base_of(current, [name for name in fields if name != DELETED])
            seen = {name: [v["rev"] for v in current.conflicts.get(name, [])]
                    for name in fields if current is not None and name in current.conflicts}
            if current is not None and current.deleted and DELETED in current.revs:
                # restoring: the delete the person saw, so it is not taken for one unseen
                seen[DELETED] = [*seen.get(DELETED, []), current.revs[DELETED]]
        return self._enqueue("resolve", collection, record_id, learner_id, fields, base, seen)

    def send_again(self, record_id):
        """Send again, whole, a record a restored server no longer has (``only_here``): an
        upsert of every field it holds, based on nothing, as its create was. If the server has
        it after all (another device sent it again meanwhile), the same values merge, and any
        other value is kept as a conflict: nothing is overwritten.

        :param record_id: the record's id, from ``only_here``.
        :return: the queued ``Mutation``.
        """
        record = self.local.view(record_id)
        self.local.only_here.discard(record_id)
        fields = dict(record.fields)
        for waiting in self._waiting(record_id):  # her changes of it, refused as it was not there
            fields.update(waiting.fields)
            self.local.dismiss(waiting.id)
        return self._enqueue("upsert", record.collection, record_id, record.learner_id,
                             {k: v for k, v in fields.items() if v is not None}, {}, {})

    def _waiting(self, record_id):
        """This device's changes of a record that the server refused because it did not have
        the record (``waits_for_its_record``), in the order they were made."""
        return sorted((r.mutation for r in self.local.needs_person
                       if r.mutation.record_id == record_id
                       and waits_for_its_record(r.mutation, r.error)), key=lambda m: m.seq)

    def _send_waiting(self, record):
        """A pull brought ``record``: send again, as new mutations, the changes of it the server
        refused because it did not have it then; they merge as any change does. Returns how
        many."""
        waiting = self._waiting(record.id)
        for mutation in waiting:
            self._enqueue("upsert", mutation.collection, mutation.record_id,
                          mutation.learner_id, mutation.fields, mutation.base, {})
            self.local.dismiss(mutation.id)
        return len(waiting)

    def keep_only_here(self, record_id):
        """Leave a record a restored server no longer has on this device alone, unsent."""
        self.local.only_here.discard(record_id)

    def dismiss(self, mutation_id):
        """Forget a refused mutation once a person has dealt with it.

        :param mutation_id: the refused mutation's id.
        """
        self.local.dismiss(mutation_id)

    def sync(self):
        """Push the outbox, then pull every page; handle every protocol case on the way. The
        last push of each pass carries the first pull (protocol 3): a sync of a few changes
        is one round trip.

        Never raises for network or server trouble: the report's ``error`` says what stopped
        the sync, and the outbox is kept whole for the next one.

        :return: a ``SyncReport``.
        """
        report = SyncReport()
        self._carried = None
        try:
            for _ in range(MAX_ROUNDS):
                self._push_all(report)
                queued = report.sent_again
                if self._pull_all(report):
                    self.local.last_synced = self.clock()
                    if report.sent_again == queued:  # else what the pull queued goes now
                        break
        except (TransportError, OSError) as error:
            report.error = {"code": 0, "error": "network_error", "message": str(error),
                            "details": {}}
        except ProtocolError as error:
            report.error = error.to_wire()
        return report

    def _enqueue(self, op, collection, record_id, learner_id, fields, base, seen,
                 mutation_id=None):
        mutation = Mutation(mutation_id or time_uuid(), self.replica_id, self.local.next_seq, op,
                            collection, record_id, learner_id, dict(fields), base,
                            self.clock(), seen)
        Mutation.from_wire(mutation.to_wire())  # a malformed mutation must never be queued
        self.local.enqueue(mutation)
        return mutation

    def _everything_seen(self, record_id):
        current = self.local.view(record_id)
        return ({}, {}) if current is None else all_revs(current)

    def _post(self, path, body):
        status, answer = self.transport(path, body)
        if status != 200:
            error = ProtocolError.from_wire(answer)
            error.code = status
            raise error
        return answer

    def _push_all(self, report):
        """Push until the outbox is empty or the server cannot take the rest yet."""
        for _ in range(MAX_PASSES):
            queue = self.local.queue()
            if not queue:
                return
            resending = self.local.resend_log
            epoch = self.local.epoch
            starts = range(0, len(queue), self.batch_size)
            answered = sum(self._push_batch(queue[start:start + self.batch_size], report,
                                            carry_pull=start == starts[-1])
                           for start in starts)
            # (a second restore during the pass: the log goes again, to the server as it is now)
            if resending and answered == len(queue) and self.local.epoch == epoch:
                self.local.resend_log = False  # the server has the whole log again
            elif not answered and not resending:
                # all deferred: the server lacks an earlier mutation it once acknowledged (a
                # restore that kept its epoch); only the retained log still has it
                self.local.resend_log = True
        report.deferred = len(self.local.outbox)

    def _push_batch(self, batch, report, carry_pull=False):
        """Push one batch; return how many of its mutations got an answer. A body larger than
        the server takes (``413``; the limit is its operator's) goes again in halves, in order:
        one mutation within the field limits always fits."""
        try:
            return self._push_once(batch, report, carry_pull)
        except ProtocolError as error:
            if error.code != 413 or len(batch) < 2:
                raise
        half = (len(batch) + 1) // 2
        return (self._push_batch(batch[:half], report)
                + self._push_batch(batch[half:], report, carry_pull))

    def _push_once(self, batch, report, carry_pull):
        cursor = self.local.cursor
        pull = PullRequest(self.replica_id, cursor, self.page_size) if carry_pull else None
        request = PushRequest(self.replica_id, self.local.floor(), batch, pull=pull)
        response = PushResponse.from_wire(self._post(PUSH_PATH, request.to_wire()))
        if [r.id for r in response.results] != [m.id for m in batch]:
            raise ProtocolError("The server answered for other mutations.")
        if pull is not None:
            self._carried = (cursor, response)
        self._check_epoch(response.epoch, report)
        answered = 0
        for mutation, result in zip(batch, response.results):
            if result.status == "deferred":
                continue
            answered += 1
            if result.status == "rejected":
                self.local.reject(mutation, result.error)
                report.rejected.append(mutation.id)
                continue
            self.local.acknowledge(mutation, result)
            (report.conflicts if result.status == "conflict" else report.applied).append(
                mutation.id)
        return answered

    def _check_epoch(self, epoch, report):
        if self.local.epoch is None:
            self.local.epoch = epoch
        elif epoch != self.local.epoch:
            self._epoch_changed(epoch, report)

    def _epoch_changed(self, epoch, report):
        """The server was restored: keep everything, send the whole log again, pull afresh."""
        if self.local.epoch is not None:
            self.local.restore_from = self.local.epoch
        self.local.restore_began = None
        self.local.epoch, self.local.cursor = epoch, None
        self.local.resend_log = True
        self.local.resync_seen = None  # never forget unseen records now: they may be the only copy
        self.local.restore_seen = set()  # what the pull from the start brings: the rest is lost
        report.epoch_changed = True

    def _pull_all(self, report):
        """Pull every page; return False if the sync must go round again first."""
        try:
            while True:
                response = self._carried_page() or self._fetch_page(self.local.cursor,
                                                                    self.ahead)
                if self.local.epoch not in (None, response.epoch):
                    self._epoch_changed(response.epoch, report)
                    return False
                ahead, stopped = self._fetch_ahead(response.ahead if response.more else ())
                self.local.epoch = response.epoch
                taken = _in_the_same_scope(response, ahead)
                for response in taken:
                    self._take_page(response, report)
                if len(taken) <= len(ahead):
                    continue  # the scope changed while they were fetched: on from the last taken
                if stopped is not None:
                    raise stopped
                if not response.more:
                    break
        except EpochChanged:
            self._epoch_changed(None, report)
            return False
        except CursorExpired:
            self.local.cursor, self.local.resync_seen = None, set()
            report.full_resync = True
            return False
        self._finish_pull(set(response.scope))
        return True

    def _fetch_ahead(self, cursors):
        """The pages of ``cursors``, in order, up to the first that fails; returns them and
        that failure (None if none failed): the pages before it are still taken, so a weak
        signal that loses one page does not lose the pages already received."""
        pages = []
        for cursor in cursors or ():
            try:
                pages.append(self._fetch_page(cursor))
            except Exception as exc:  # whatever stopped it, raised once the pages are taken
                return pages, exc
        return pages, None

    def _fetch_page(self, cursor, ahead=0):
        request = PullRequest(self.replica_id, cursor, self.page_size, ahead=ahead)
        return PullResponse.from_wire(self._post(PULL_PATH, request.to_wire()))

    def _carried_page(self):
        """The page the last push carried, if it was asked with the cursor the device holds
        now (an epoch change since then voids it); raises the error the server answered for
        it instead, as a pull would have."""
        carried, self._carried = self._carried, None
        if carried is None or carried[0] != self.local.cursor:
            return None
        response = carried[1]
        if response.pull_error is not None:
            raise response.pull_error
        return response.pull

    def _take_page(self, response, report):
        if self.local.restore_seen is not None and response.epoch_seq is not None:
            # the first page of the pull from the start: where the epoch began, if it is new
            self.local.restore_began = (response.epoch_seq
                                        if response.epoch != self.local.restore_from else None)
        for change in response.changes:
            if self.local.restore_seen is not None and not change.removed \
                    and change.id not in self.local.restore_seen:
                report.sent_again += self._send_again_what_was_lost(change.record)
            self.local.apply_change(change)
            if not change.removed and not change.record.deleted:
                report.sent_again += self._send_waiting(change.record)
            report.pulled += 1
            report.removed += change.removed
            if not change.removed:
                for seen in (self.local.resync_seen, self.local.restore_seen):
                    if seen is not None:
                        seen.add(change.id)
        if not response.more:
            # only the last page's: a record changed again since sits at a later seq, on a page
            # still to come, though an earlier page's ``through`` passed its answer's seq
            self.local.settle(response.through)
        self.local.cursor = response.cursor

    def _send_again_what_was_lost(self, record):
        """During the pull from the start after a restore: queue again what the copy held here
        has and ``record``, the restored server's version, lacks (``restored.lost_changes``),
        if this device's person may change it."""
        held = self.local.pulled.get(record.id)
        if held is None or not self.may_write(held):
            return 0
        mine = {**self.local.log, **self.local.outbox}
        again = lost_changes(held, record, mine, self.local.restore_began,
                             self.local.earlier.get(record.id))
        for op, fields, base, seen, rev in again:
            self._enqueue(op, record.collection, record.id, record.learner_id, fields, base,
                          seen, mutation_id=rev)
        return len(again)

    def _finish_pull(self, scope):
        # pairing ended: that learner's records leave the device (unless still being sent)
        self.local.drop(lambda record: record.learner_id in scope)
        if self.local.resync_seen is not None:
            seen, self.local.resync_seen = self.local.resync_seen, None
            self.local.drop(lambda record: record.id in seen)
        if self.local.restore_seen is not None:
            # the pull from the start after a restore is done: what this device holds of the
            # learners in scope that it did not bring, the restored server no longer has (or
            # does not show this person: a mentor's copy of an entry made private after the
            # backup); a tombstone is left out, and so is a record still being sent
            seen, self.local.restore_seen = self.local.restore_seen, None
            seen |= {m.record_id for m in self.local.outbox.values()}  # still being sent
            self.local.only_here |= {
                rid for rid, record in self.local.pulled.items()
                if rid not in seen and record.learner_id in scope and not record.deleted}

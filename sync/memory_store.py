"""``MemoryStore``: a complete ``Store`` (``store.py``) in memory, thread-safe, holding one lock
for a whole transaction; the reference for the contract tests and the store of the simulator."""
import copy
import threading
import uuid
from contextlib import contextmanager

from .records import clone
from .store import ChangeRow, WholeRow


class MemoryStore:
    """A ``Store`` in memory, thread-safe: the reference for the contract tests and the store of
    the simulator. ``snapshot``/``restore`` imitate a backup and its restore."""

    def __init__(self, epoch=None):
        self._lock = threading.RLock()
        self._state = {"epoch": epoch or str(uuid.uuid4()), "seq": 0, "purged": 0,
                       "records": {}, "results": {}, "next_seqs": {}}

    def epoch(self):
        """Return the id of this store's life."""
        return self._state["epoch"]

    def max_seq(self):
        """Return the highest committed seq."""
        with self._lock:
            return self._state["seq"]

    def head(self):
        """Return the epoch and the highest committed seq."""
        with self._lock:
            return self._state["epoch"], self._state["seq"]

    def epoch_began(self):
        """Return the epoch and the seq it began at."""
        with self._lock:
            return self._state["epoch"], self._state.get("epoch_seq", 0)

    def purged_through_seq(self):
        """Return the highest seq of a purged tombstone."""
        with self._lock:
            return self._state["purged"]

    @contextmanager
    def transaction(self):
        """Hold the store's lock for the whole transaction; apply its writes only at the end.

        :raises Exception: whatever the block raises, after discarding its writes.
        """
        with self._lock:
            tx = _MemoryTransaction(self._state)
            yield tx
            tx.commit()

    def _after(self, after, until=0):
        hits = [r for r in self._state["records"].values()
                if r.learner_id in after and r.seq > after[r.learner_id]
                and (not until or r.seq <= until)]
        return sorted(hits, key=lambda r: r.seq)

    def changes(self, after, limit, until=0):
        """Return the learners' records changed after their seqs, in seq order.

        :param after: learner id -> the last seq already seen.
        :param limit: the most records to return.
        :param until: if not 0, only records with a seq up to it.
        """
        with self._lock:
            return [ChangeRow.of(r) for r in self._after(after, until)[:limit]]

    def page(self, after, limit, until=0, whole=False):
        """Return the head, the changes after ``after`` and the purge mark, read together.

        :param after: learner id -> the last seq already seen.
        :param limit: the most records to return.
        :param until: if not 0, only records with a seq up to it.
        :param whole: rows as ``WholeRow``s, for a puller who sees these learners' records.
        """
        with self._lock:
            epoch, seq = self.head()
            purged = self._state["purged"]
            row = WholeRow.of if whole else ChangeRow.of
            rows = [row(r) for r in self._after(after, until)[:limit]] if after else []
            return epoch, seq, purged, rows, purged

    def seqs(self, after, limit):
        """Return the seqs of the first ``limit`` records changed after ``after``.

        :param after: learner id -> the last seq already seen.
        :param limit: how many seqs to return.
        """
        with self._lock:
            return [r.seq for r in self._after(after)[:limit]]

    def purge_tombstones(self, older_than, through_seq):
        """Delete old tombstones; see ``Store.purge_tombstones``.

        :param older_than: an ISO time, or ``None``.
        :param through_seq: a seq, or ``None``.
        """
        with self._lock:
            records = self._state["records"]
            gone = [key for key, r in records.items() if r.deleted
                    and (older_than is None or r.updated_at < older_than)
                    and (through_seq is None or r.seq <= through_seq)]
            for key in gone:
                self._state["purged"] = max(self._state["purged"], records.pop(key).seq)
            return len(gone)

    def snapshot(self):
        """Return a deep copy of the whole state, as a backup would hold it."""
        with self._lock:
            return copy.deepcopy(self._state)

    def restore(self, snapshot, new_epoch=True):
        """Replace the state with a snapshot, as the backend's restore command does.

        :param snapshot: what ``snapshot`` returned.
        :param new_epoch: give the restored store a new epoch (what the restore command does);
            ``False`` imitates a restore that forgot to, which pulls detect by seq.
        """
        with self._lock:
            self._state.clear()
            self._state.update(copy.deepcopy(snapshot))
            if new_epoch:
                self._state["epoch"] = str(uuid.uuid4())
                self._state["epoch_seq"] = self._state["seq"]

    def all_records(self):
        """Return copies of every record, tombstones included, in seq order."""
        with self._lock:
            return sorted((r.copy() for r in self._state["records"].values()),
                          key=lambda r: r.seq)

    def stored_result(self, mutation_id):
        """Return the ``StoredResult`` of a processed mutation, or ``None``.

        :param mutation_id: the mutation's id.
        """
        with self._lock:
            return copy.deepcopy(self._state["results"].get(mutation_id))

    def rejected(self, learner_id=None):
        """Return the stored rejected mutations, oldest first.

        :param learner_id: only those of this learner, if given.
        """
        with self._lock:
            return [copy.deepcopy(r) for r in self._state["results"].values()
                    if r.status == "rejected" and learner_id in (None, r.learner_id)]


class _MemoryTransaction:
    """Reads the live state, buffers writes until ``commit`` (so an error rolls back)."""

    def __init__(self, state):
        self._state = state
        self._allocated = 0
        self._records, self._results, self._next_seqs = {}, {}, {}

    def head(self):
        return self._state["epoch"], self._state["seq"] + self._allocated

    def read_ahead(self, replicas, mutation_ids, keys):
        pass  # in memory, each read is as quick as a look-ahead

    def next_seqs(self, replicas):
        return {r: self._next_seqs.get(r, self._state["next_seqs"].get(r, 1)) for r in replicas}

    def stored_results(self, mutation_ids):
        known = self._state["results"]
        return {i: clone(known[i].result) for i in mutation_ids if i in known}

    def kept_payloads(self, mutation_ids):
        known = self._state["results"]
        return {i: clone(known[i].payload) for i in mutation_ids
                if i in known and known[i].payload}

    def records(self, keys):
        known = self._state["records"]
        return {k: known[k].copy() for k in keys if k in known}

    def allocate_seqs(self, n):
        if self._allocated or n < 1:
            raise ValueError("allocate_seqs is called once per transaction, with n >= 1")
        self._allocated = n
        return self._state["seq"] + 1

    def put_records(self, created, updated):
        for record in (*created, *updated):
            self._records[(record.collection, record.id)] = record

    def put_results(self, results):
        for result in results:
            self._results[result.mutation_id] = result

    def set_next_seqs(self, next_seqs):
        self._next_seqs.update(next_seqs)

    def commit(self):
        self._state["seq"] += self._allocated
        self._state["records"].update(self._records)
        self._state["results"].update(self._results)
        self._state["next_seqs"].update(self._next_seqs)

"""A second sync client for What Matters, written from docs/sync-protocol.md alone.

A ``Client`` keeps one replica's durable state (``Local``): the records as the server last sent
them, an outbox of mutations with client-made ids and a per-replica seq, the log of answered
mutations, the mutations a pull has not brought back yet, and the refused ones kept for a
person. ``sync()`` runs the algorithm of "The client algorithm": rounds of a push phase (with
a pull carried on the last batch) and a pull phase (pages fetched ahead), with epoch changes,
expired cursors and the errors that stop a sync.

It speaks HTTP itself through a transport: a callable ``(path, body) -> (status, answer)``
that raises ``NetworkError`` when no answer came.
"""
import copy
import hashlib
import http.client
import json
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from urllib.parse import urlsplit

PROTOCOL = 3
PUSH = "/api/sync/push"
PULL = "/api/sync/pull"
MAX_BATCH = 1000
MAX_ROUNDS = 4
MAX_PASSES = 6
PULL_ERRORS = ("epoch_changed", "cursor_expired")


class NetworkError(Exception):
    """No answer: the connection failed, the answer was lost, or it could not be read."""


class SyncStopped(Exception):
    """An answer that stops a sync ("Errors that stop a sync"); local state is kept as is."""

    def __init__(self, status, error, answer=None):
        super().__init__(f"{status} {error}")
        self.status, self.error, self.answer = status, error, answer


def uuid7():
    """A version 7 UUID: 48 bits of Unix time in milliseconds, then random bits (RFC 9562)."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def profile_id(learner_id):
    """The one profile id of a learner: SHA-256 of ``what-matters/profile/<id>``, as UUID v5."""
    digest = bytearray(hashlib.sha256(f"what-matters/profile/{learner_id}".encode()).digest())
    digest = digest[:16]
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(digest)))


def now_iso():
    """The device clock, ISO 8601 UTC with milliseconds."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def unpack_revs(fields, rev, revs):
    """Full revs from their packed form ("Revs on the wire")."""
    full = {}
    if rev is not None:
        for name in fields:
            full[name] = rev
    for name, value in (revs or {}).items():
        if value is None:
            full.pop(name, None)
        else:
            full[name] = value
    return full


def result_revs(mutation, result):
    """The full revs a push result names, rebuilt against the mutation that was sent."""
    if result.get("revs") is None:
        return None
    return unpack_revs(mutation["fields"], mutation["id"], result["revs"])


class HttpTransport:
    """POSTs a JSON body with a bearer token over a new connection each time."""

    def __init__(self, base_url, token, timeout=20):
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.headers = {"Authorization": f"Bearer {token}",
                        "Content-Type": "application/json"}

    def __call__(self, path, body):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request("POST", path, body=json.dumps(body).encode(), headers=self.headers)
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise NetworkError(str(exc)) from exc
        finally:
            conn.close()
        try:
            answer = json.loads(raw) if raw else None
        except ValueError:
            answer = None
        return response.status, answer


class Local:
    """What one replica keeps in durable storage (the table under "The client algorithm")."""

    def __init__(self):
        self.replica_id = str(uuid.uuid4())
        self.next_seq = 1
        self.pulled = {}        # record id -> the record as last pulled, with full revs
        self.outbox = []        # mutations not yet answered, in seq order
        self.log = {}           # mutation id -> {"mutation", "result"}, answered
        self.unpulled = {}      # record id -> {mutation id: {"mutation", "result"}}
        self.needs_person = {}  # mutation id -> {"mutation", "error"}
        self.dismissed = set()  # refused mutations a person has dismissed
        self.cursor = None
        self.epoch = None
        self.scope = None
        self.resend_log = False
        self.resync_seen = None
        self.last_synced = None
        self.carried = None     # {"cursor": asked with, "answer": (kind, body)}
        self.doomed = set()     # records to forget once the outbox holds no change to them


class SyncReport:
    """How one ``sync()`` ended."""

    def __init__(self):
        self.ok = False
        self.error = None       # the stopping error's name, "network", or None
        self.status = None
        self.rounds = 0
        self.pending = 0        # mutations still in the outbox at the end
        self.epoch_changes = 0
        self.full_resyncs = 0

    def __repr__(self):
        return (f"SyncReport(ok={self.ok}, error={self.error!r}, rounds={self.rounds}, "
                f"pending={self.pending})")


class Client:
    """One replica of one person: write while offline, then ``sync()``."""

    def __init__(self, transport, person_id, *, local=None, batch_size=500, page_size=500,
                 ahead=4, carry_pull=True, parallel_batches=False, protocol=PROTOCOL):
        assert 1 <= batch_size <= MAX_BATCH
        self.transport = transport
        self.person_id = person_id
        self.local = local or Local()
        self.batch_size = batch_size
        self.page_size = page_size
        self.ahead = ahead
        self.carry_pull = carry_pull
        self.parallel_batches = parallel_batches
        self.protocol = protocol

    # ----------------------------------------------------------------- what the person sees

    def record(self, record_id):
        """The record as shown: the pulled copy, then the answered mutations not pulled yet as
        the server applied them, then the outbox. None if the device knows no such record."""
        local = self.local
        pulled = local.pulled.get(record_id)
        answered = sorted(local.unpulled.get(record_id, {}).values(),
                          key=lambda e: (e["result"]["seq"] or 0, e["mutation"]["seq"]))
        pending = [m for m in local.outbox if m["record_id"] == record_id]
        if pulled is None and not answered and not pending:
            return None
        if pulled is not None:
            shown = copy.deepcopy(pulled)
        else:
            first = (answered[0]["mutation"] if answered else pending[0])
            shown = {"id": record_id, "collection": first["collection"],
                     "learner_id": first["learner_id"], "author_id": self.person_id,
                     "fields": {}, "revs": {}, "conflicts": {}, "deleted": False,
                     "seq": None}
        for entry in answered:
            self._lay(shown, entry["mutation"], entry["result"])
        for mutation in pending:
            self._lay(shown, mutation, None)
        return shown

    def record_ids(self):
        local = self.local
        return (set(local.pulled) | {rid for rid, e in local.unpulled.items() if e}
                | {m["record_id"] for m in local.outbox})

    def records(self):
        return {rid: self.record(rid) for rid in self.record_ids()}

    def _lay(self, shown, mutation, result):
        """Lay one mutation over a shown record, as the server applied it (its result), or as
        it will if it applies cleanly (an outbox mutation, no result yet)."""
        status = result["status"] if result else "applied"
        kept_aside = set(result["conflicts"]) if result else set()
        fields = mutation["fields"]
        op = mutation["op"]

        def version(value):
            return {"value": value, "rev": mutation["id"], "author_id": self.person_id,
                    "at": mutation["at"]}

        if op == "resolve":
            for name, seen in (mutation.get("seen_conflicts") or {}).items():
                left = [v for v in shown["conflicts"].get(name, []) if v["rev"] not in seen]
                if left:
                    shown["conflicts"][name] = left
                else:
                    shown["conflicts"].pop(name, None)
        if op == "delete" or (op == "resolve" and fields.get("_deleted") is True):
            if shown["deleted"]:
                return
            if status == "conflict":
                shown["conflicts"].setdefault("_deleted", []).append(version(True))
                return
            shown["fields"] = {k: v for k, v in shown["fields"].items() if k == "visibility"}
            shown["conflicts"] = {}
            shown["revs"]["_deleted"] = mutation["id"]
            shown["deleted"] = True
            return
        if op == "resolve" and fields.get("_deleted") is False and shown["deleted"]:
            seen = (mutation.get("seen_conflicts") or {}).get("_deleted", [])
            if shown["revs"].get("_deleted") in seen:
                shown["deleted"] = False
                shown["revs"]["_deleted"] = mutation["id"]
        for name, value in fields.items():
            if name == "_deleted":
                continue
            if name in kept_aside:
                shown["conflicts"].setdefault(name, []).append(version(value))
                continue
            if value is None:
                shown["fields"].pop(name, None)
            else:
                shown["fields"][name] = copy.deepcopy(value)
            shown["revs"][name] = mutation["id"]

    @property
    def pending_count(self):
        return len(self.local.outbox)

    # ---------------------------------------------------------------------------- writing

    def create(self, collection, learner_id, fields, record_id=None):
        """A new record, with an id made here (version 7). Returns the mutation."""
        return self._queue("upsert", collection, record_id or uuid7(), learner_id,
                           dict(fields), {})

    def write(self, record_id, fields, collection=None, learner_id=None):
        """Change (or create) fields of a record: only the fields the person changed, each
        based on the rev the person saw."""
        shown = self.record(record_id)
        if shown is not None:
            collection, learner_id = shown["collection"], shown["learner_id"]
        revs = shown["revs"] if shown else {}
        base = {name: revs[name] for name in fields if revs.get(name) is not None}
        return self._queue("upsert", collection, record_id, learner_id, dict(fields), base)

    def delete(self, record_id):
        shown = self.record(record_id)
        base, seen = self._everything_seen(shown)
        return self._queue("delete", shown["collection"], record_id, shown["learner_id"], {},
                           base, seen)

    def resolve(self, record_id, choices):
        """Settle conflicts: ``choices`` maps fields to the chosen values; ``_deleted`` True
        deletes, False keeps the record (or restores a tombstone)."""
        shown = self.record(record_id)
        choices = dict(choices)
        if choices.get("_deleted") is True:
            base, seen = self._everything_seen(shown)
            return self._queue("resolve", shown["collection"], record_id,
                               shown["learner_id"], {"_deleted": True}, base, seen)
        revs = shown["revs"]
        base = {name: revs[name] for name in choices
                if name != "_deleted" and revs.get(name) is not None}
        seen = {}
        for name in choices:
            if name == "_deleted":
                continue
            versions = [v["rev"] for v in shown["conflicts"].get(name, [])]
            if versions:
                seen[name] = versions
        if choices.get("_deleted") is False:
            wishes = [v["rev"] for v in shown["conflicts"].get("_deleted", [])]
            if shown["deleted"] and revs.get("_deleted"):
                wishes.append(revs["_deleted"])
            if wishes:
                seen["_deleted"] = wishes
        return self._queue("resolve", shown["collection"], record_id, shown["learner_id"],
                           choices, base, seen)

    @staticmethod
    def _everything_seen(shown):
        base = {name: rev for name, rev in shown["revs"].items() if name != "_deleted"}
        seen = {name: [v["rev"] for v in versions]
                for name, versions in shown["conflicts"].items() if versions}
        return base, seen

    def _queue(self, op, collection, record_id, learner_id, fields, base, seen=None):
        local = self.local
        mutation = {"id": uuid7(), "replica": local.replica_id, "seq": local.next_seq,
                    "op": op, "collection": collection, "record_id": record_id,
                    "learner_id": learner_id, "fields": fields, "base": base,
                    "at": now_iso()}
        if seen:
            mutation["seen_conflicts"] = seen
        local.next_seq += 1
        local.outbox.append(mutation)
        return mutation

    def dismiss(self, mutation_id):
        """A person has seen a refused mutation and let it go."""
        self.local.needs_person.pop(mutation_id, None)
        self.local.dismissed.add(mutation_id)

    def drop_log_through(self, seq):
        """Forget answered mutations up to ``seq`` (older than the server's backups), which
        raises the floor."""
        local = self.local
        local.log = {mid: e for mid, e in local.log.items() if e["mutation"]["seq"] > seq}

    # ---------------------------------------------------------------------------- syncing

    def sync(self):
        report = SyncReport()
        try:
            for _ in range(MAX_ROUNDS):
                report.rounds += 1
                self._push_phase(report)
                if self._pull_phase(report):
                    report.ok = True
                    break
        except NetworkError:
            report.error = "network"
        except SyncStopped as stop:
            report.error, report.status = stop.error, stop.status
        report.pending = len(self.local.outbox)
        return report

    def _floor(self):
        local = self.local
        held = [m["seq"] for m in local.outbox] + [e["mutation"]["seq"]
                                                   for e in local.log.values()]
        return min(held) if held else local.next_seq

    def _call(self, path, body):
        status, answer = self.transport(path, body)
        if status == 200 and isinstance(answer, dict):
            return answer
        if status >= 500 or not isinstance(answer, dict):
            raise NetworkError(f"{status} without an answer of the protocol")
        if path == PULL and status == 409 and answer.get("error") in PULL_ERRORS:
            return answer
        raise SyncStopped(status, answer.get("error"), answer)

    def _push_body(self, batch, carry):
        body = {"protocol": self.protocol, "replica": self.local.replica_id,
                "floor": self._floor(), "mutations": batch}
        if carry:
            body["pull"] = {"cursor": self.local.cursor, "limit": self.page_size}
        return body

    def _send_batches(self, batches):
        """Send every batch (at once when ``parallel_batches``); (batch, answer or error)."""
        bodies = []
        for i, batch in enumerate(batches):
            carry = (self.carry_pull and self.protocol >= 3 and i == len(batches) - 1)
            bodies.append((batch, self._push_body(batch, carry)))

        def send(body):
            try:
                return self._call(PUSH, body)
            except (NetworkError, SyncStopped) as exc:
                return exc

        if self.parallel_batches and len(bodies) > 1:
            with ThreadPoolExecutor(len(bodies)) as pool:
                answers = list(pool.map(send, [body for _, body in bodies]))
        else:
            answers = []
            for _, body in bodies:
                answers.append(send(body))
                if isinstance(answers[-1], Exception):
                    break
        return [(batch, body, answer) for (batch, body), answer in zip(bodies, answers)]

    def _push_phase(self, report):
        local = self.local
        for _ in range(MAX_PASSES):
            with_log = local.resend_log
            queue = list(local.outbox)
            if with_log:
                in_outbox = {m["id"] for m in queue}
                queue += [e["mutation"] for e in local.log.values()
                          if e["mutation"]["id"] not in in_outbox]
            queue.sort(key=lambda m: m["seq"])
            if not queue:
                return
            outbox_ids = {m["id"] for m in local.outbox}
            batches = [queue[i:i + self.batch_size]
                       for i in range(0, len(queue), self.batch_size)]
            epoch_before = local.epoch
            answered_outbox, every_answered, stop = False, True, None
            for batch, body, answer in self._send_batches(batches):
                if isinstance(answer, Exception):
                    stop = stop or answer
                    every_answered = False
                    continue
                if local.epoch is not None and answer["epoch"] != local.epoch:
                    report.epoch_changes += 1
                    self._epoch_change(answer["epoch"])
                if "pull" in body:
                    kind = "error" if answer.get("pull_error") else "page"
                    local.carried = {"cursor": body["pull"]["cursor"],
                                     "answer": (kind, answer.get("pull_error")
                                                or answer.get("pull"))}
                results = answer["results"]
                assert [r["id"] for r in results] == [m["id"] for m in batch]
                for mutation, result in zip(batch, results):
                    if result["status"] == "deferred":
                        every_answered = False
                        continue
                    if mutation["id"] in outbox_ids:
                        answered_outbox = True
                    self._answered(mutation, result)
            self._forget_doomed()
            if stop is not None:
                raise stop
            epoch_changed = local.epoch != epoch_before and epoch_before is not None
            if with_log and every_answered and not epoch_changed:
                local.resend_log = False
            if not answered_outbox and not with_log and outbox_ids:
                local.resend_log = True
            if not local.outbox and not local.resend_log:
                return

    def _answered(self, mutation, result):
        local = self.local
        before = local.log.get(mutation["id"])
        local.outbox = [m for m in local.outbox if m["id"] != mutation["id"]]
        local.log[mutation["id"]] = {"mutation": mutation, "result": result}
        entries = local.unpulled.setdefault(mutation["record_id"], {})
        if result["status"] in ("applied", "conflict"):
            # A mutation of the log sent again after a restore: its effect was pulled back
            # already (unless it was refused before), and laying its old answer over the
            # record again would show a stale value, or bring back a record deleted since.
            if (before is None or mutation["id"] in entries
                    or before["result"]["status"] == "rejected"):
                entries[mutation["id"]] = {"mutation": mutation, "result": result}
            local.needs_person.pop(mutation["id"], None)
        else:
            entries.pop(mutation["id"], None)
            if mutation["id"] not in local.dismissed:
                local.needs_person[mutation["id"]] = {"mutation": mutation,
                                                      "error": result["error"]}
        if not entries:
            local.unpulled.pop(mutation["record_id"], None)

    def _epoch_change(self, epoch):
        """The server was restored: pull from the start and send the whole log again. Nothing
        local is wiped."""
        local = self.local
        local.epoch = epoch
        local.cursor = None
        local.resend_log = True
        local.carried = None
        local.resync_seen = None

    def _pull(self, cursor):
        body = {"protocol": self.protocol, "replica": self.local.replica_id,
                "cursor": cursor, "limit": self.page_size}
        if self.ahead:
            body["ahead"] = self.ahead
        answer = self._call(PULL, body)
        return ("error", answer) if "error" in answer else ("page", answer)

    def _fetch_ahead(self, cursors):
        """The pages of the cursors fetched ahead: all but the last at once, then the last
        once every other one has been answered. An error ends the list there."""

        def fetch(cursor):
            try:
                return self._pull(cursor)
            except (NetworkError, SyncStopped) as exc:
                return ("raise", exc)

        if len(cursors) > 1:
            with ThreadPoolExecutor(len(cursors) - 1) as pool:
                answers = list(pool.map(fetch, cursors[:-1]))
        else:
            answers = []
        for i, (kind, _) in enumerate(answers):
            if kind != "page":
                return answers[:i + 1]
        answers.append(fetch(cursors[-1]))
        return answers

    def _pull_phase(self, report):
        """True when the pull reached its end; False when it stopped early (an epoch change,
        an expired cursor), so that another round follows."""
        local = self.local
        carried, local.carried = local.carried, None
        first = True
        while True:
            if first and carried is not None and carried["cursor"] == local.cursor:
                head = carried["answer"]
            else:
                head = self._pull(local.cursor)
            first = False
            answers = [head]
            if head[0] == "page" and head[1]["more"] and head[1].get("ahead"):
                answers += self._fetch_ahead(head[1]["ahead"])
            last = None
            for kind, answer in answers:
                if kind == "raise":
                    raise answer
                if kind == "error":
                    self._pull_error(answer, report)
                    return False
                if not self._take_page(answer, report):
                    return False
                last = answer
            if not last["more"]:
                break
        self._finish(last["scope"])
        return True

    def _pull_error(self, error, report):
        local = self.local
        if error["error"] == "epoch_changed":
            report.epoch_changes += 1
            self._epoch_change((error.get("details") or {}).get("epoch"))
        elif error["error"] == "cursor_expired":
            report.full_resyncs += 1
            local.cursor = None
            local.resync_seen = set()
        else:
            raise SyncStopped(error.get("code"), error.get("error"), error)

    def _outbox_holds(self, record_id):
        return any(m["record_id"] == record_id for m in self.local.outbox)

    def _forget(self, record_id):
        self.local.pulled.pop(record_id, None)
        self.local.unpulled.pop(record_id, None)
        self.local.doomed.discard(record_id)

    def _forget_unless_pending(self, record_id):
        if not self._outbox_holds(record_id):
            self._forget(record_id)
        else:
            self.local.doomed.add(record_id)

    def _forget_doomed(self):
        for record_id in list(self.local.doomed):
            if not self._outbox_holds(record_id):
                self._forget(record_id)

    def _take_page(self, page, report):
        local = self.local
        if local.epoch is not None and page["epoch"] != local.epoch:
            report.epoch_changes += 1
            self._epoch_change(page["epoch"])
            return False
        local.epoch = page["epoch"]
        for change in page["changes"]:
            record_id = change["id"]
            if change.get("removed"):
                self._forget_unless_pending(record_id)
                continue
            local.doomed.discard(record_id)
            record = {k: v for k, v in change.items() if k not in ("rev", "revs")}
            record["revs"] = unpack_revs(change["fields"], change.get("rev"), change["revs"])
            local.pulled[record_id] = record
            entries = local.unpulled.get(record_id)
            if entries:
                for mid in [mid for mid, e in entries.items()
                            if (e["result"]["seq"] or 0) <= record["seq"]]:
                    del entries[mid]
                if not entries:
                    del local.unpulled[record_id]
            if local.resync_seen is not None:
                local.resync_seen.add(record_id)
        through = page["through"]
        for record_id in list(local.unpulled):
            entries = local.unpulled[record_id]
            for mid in [mid for mid, e in entries.items() if (e["result"]["seq"] or 0) <= through]:
                del entries[mid]
            if not entries:
                del local.unpulled[record_id]
        local.cursor = page["cursor"]
        local.scope = page["scope"]
        return True

    def _finish(self, scope):
        local = self.local
        scope = set(scope)
        known = set(local.pulled) | set(local.unpulled)
        for record_id in known:
            learner = (local.pulled.get(record_id) or {}).get("learner_id")
            if learner is None:
                entry = next(iter(local.unpulled[record_id].values()))
                learner = entry["mutation"]["learner_id"]
            if learner not in scope:
                self._forget_unless_pending(record_id)
        if local.resync_seen is not None:
            for record_id in list(local.pulled):
                if record_id not in local.resync_seen:
                    self._forget_unless_pending(record_id)
            local.resync_seen = None
        local.last_synced = now_iso()

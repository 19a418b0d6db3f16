"""Our server, driven the way the PWA drives it (docs/sync-protocol.md): ``POST /api/sync/push``
with a batch of ``upsert`` mutations from a replica's outbox, ``POST /api/sync/pull`` following
the opaque cursor, ``limit`` a page, while ``more``. A sync's push carries its first pull
(protocol 3), as the PWA's last push of a sync does. A pull asks for the cursors of the pages
after its own (``ahead``), keeps ``AHEAD_CONNECTIONS`` of them in the server at once, and takes
them in order, as the PWA does.

Learners and their tokens are made with the app's own models against the benchmark database,
in this process; the server only ever sees HTTP.
"""
import uuid
from collections import deque
from datetime import datetime, timezone

from sync import time_uuid

from .http import Client

PROTOCOL = 3
COLLECTION = "sessions"
MAX_PAGE = 1000
AHEAD = 16  # cursors of pages after a pull's own to ask for: the most a server answers
AHEAD_CONNECTIONS = 3  # those pages asked for at once, each over its own connection
_NEVER_SEEN = {"fields": {}, "rev": None, "revs": {}}


def utc_now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class OursLearner:
    def __init__(self, person_id, token):
        self.id, self.token = person_id, token
        self.headers = {"Authorization": f"Bearer {token}"}


class OursSide:
    """Our running server on ``database``; ``learners(n)`` signs up n learners in one home."""

    name = "Ours"

    def __init__(self, server, database):
        from backend import create_app

        self.port = server.port
        self.database_url = database.url
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": database.url})
        self._org_id = None

    def settle(self):
        """Let the database catch up with a bulk of writes (``servers.analyze``)."""
        from .servers import analyze

        analyze(self.database_url)

    def learners(self, count):
        from backend.auth.tokens import issue_token
        from backend.extensions import db
        from backend.models import Organisation, Person

        with self.app.app_context():
            if self._org_id is None:
                org = Organisation(name="Benchmark House", kind="care_home")
                db.session.add(org)
                db.session.flush()
                self._org_id = org.id
            people = [Person(organisation_id=self._org_id, role="learner",
                             display_name=f"Learner {n}") for n in range(count)]
            db.session.add_all(people)
            db.session.flush()
            made = [OursLearner(p.id, issue_token(p, label="bench")) for p in people]
            db.session.commit()
        return made

    def device(self, learner):
        return OursDevice(self.port, learner)

    def fill(self, journal, total, learners):
        """Grow the store to ``total`` records with SQL bulk inserts (see ``bench.fill``), then
        check through the API that a filled learner's device gets all of their records."""
        from .fill import fill

        out = fill(self.app, self._org_id, total, learners)
        if out["inserted"]:
            expected = -(-out["inserted"] // learners)  # the first learner gets the remainder
            device = self.device(self._sign_in(out["filled_learner"]))
            count, times = device.pull(MAX_PAGE)
            device.close()
            if count != expected:
                raise RuntimeError(f"a filled learner pulled {count} records, not {expected}")
            out["check_pull"] = {"records": count, "ms": sum(times) * 1000}
        return out

    def _sign_in(self, person_id):
        from backend.auth.tokens import issue_token
        from backend.extensions import db
        from backend.models import Person

        with self.app.app_context():
            token = issue_token(db.session.get(Person, person_id), label="bench")
            db.session.commit()
        return OursLearner(person_id, token)

    def close(self):
        from backend.extensions import db

        with self.app.app_context():
            db.engine.dispose()


class OursDevice:
    """One replica: its outbox seq, its pull cursor, and the revs it has seen per record."""

    def __init__(self, port, learner):
        self.learner = learner
        self.client = Client(port, learner.headers)
        self.replica = str(uuid.uuid4())
        self.next_seq = 1
        self.cursor = None
        # record id -> the record as last seen: a pulled change as it came (the PWA keeps the
        # whole record), or the fields, rev and revs a push result gave
        self.known = {}
        self._port, self._extra = port, None  # connections for pages ahead, opened when needed

    def write(self, batch):
        """Queue ``[(id, fields), ...]`` in this device's outbox, as the PWA queues a person's
        writes when they are made: new records whole, known ones as the fields that changed;
        ``base`` names every rev this device saw of the record, as the PWA's does.

        :returns: the written batch, for ``send``.
        """
        mutations, floor = [], self.next_seq
        for record_id, fields in batch:
            seen = self.known.get(record_id, _NEVER_SEEN)
            old_fields, rev, revs = seen["fields"], seen["rev"], seen["revs"]
            changes = {k: v for k, v in fields.items() if old_fields.get(k) != v}
            # the packed revs of a pulled record or a push result (docs/sync-protocol.md, "Revs
            # on the wire"), unpacked; a field never had from the server is left out of base
            unpacked = {**dict.fromkeys(old_fields, rev), **revs}
            base = {k: v for k, v in unpacked.items() if v is not None and k != "_deleted"}
            mutations.append({
                "id": time_uuid(), "replica": self.replica, "seq": self.next_seq,
                "op": "upsert", "collection": COLLECTION, "record_id": record_id,
                "learner_id": self.learner.id, "fields": changes, "base": base,
                "at": utc_now()})
            self.next_seq += 1
        return batch, mutations, floor

    def send(self, written, page=None):
        """Send a written batch as one push. ``floor`` is the batch's first seq: this device
        keeps no log of answered mutations. With ``page``, the push carries a pull of that
        many changes, taken in as ``pull`` takes a page.

        :returns: seconds the request took (and, with ``page``, whether more changes wait).
        :raises RuntimeError: if any mutation was not applied.
        """
        batch, mutations, floor = written
        request = {"protocol": PROTOCOL, "replica": self.replica, "floor": floor,
                   "mutations": mutations}
        if page:
            request["pull"] = {"cursor": self.cursor, "limit": min(page, MAX_PAGE)}
        seconds, (_, _, body) = self.client.timed("POST", "/api/sync/push", request)
        for (record_id, fields), mutation, result in zip(batch, mutations, body["results"]):
            if result["status"] != "applied":
                raise RuntimeError(f"ours did not apply {record_id}: {result}")
            # a result names only the revs its mutation did not set
            self.known[record_id] = {"fields": fields, "rev": mutation["id"],
                                     "revs": result["revs"]}
        if page:
            return seconds, self._take(body["pull"])
        return seconds

    def push(self, batch):
        """``write`` then ``send``: returns the seconds of the request."""
        return self.send(self.write(batch))

    def sync(self, written, page=None):
        """One sync as the PWA makes it: the push of ``written`` carries the first pull; then
        pull while ``more``.

        :returns: [seconds of each request].
        """
        seconds, more = self.send(written, page or MAX_PAGE)
        return [seconds, *(self.pull(page)[1] if more else [])]

    def pull(self, page=None):
        """Fetch every change since the cursor, ``page`` (at most 1,000) records a request,
        the pages ahead at once.

        :returns: (number of changes received, [seconds of each request]).
        """
        received, times, more = 0, [], True
        limit = min(page or MAX_PAGE, MAX_PAGE)
        while more:
            seconds, (_, _, body) = self.client.timed("POST", "/api/sync/pull", {
                "protocol": PROTOCOL, "replica": self.replica, "cursor": self.cursor,
                "limit": limit, "ahead": AHEAD})
            times.append(seconds)
            received += len(body["changes"])
            more = self._take(body)
            if more and body.get("ahead"):
                for seconds, body in self._fetch_ahead(body["ahead"], limit):
                    times.append(seconds)
                    received += len(body["changes"])
                    more = self._take(body)
        return received, times

    def _fetch_ahead(self, cursors, limit):
        """The pages of ``cursors``: all but the last ``AHEAD_CONNECTIONS`` at a time in the
        server, the last once they are answered (docs/sync-protocol.md, "Pages fetched
        ahead"): once the status of the last of the others has come, before its body is read;
        yielded in order, each as it is read."""
        if self._extra is None:
            self._extra = [Client(self._port, self.learner.headers)
                           for _ in range(AHEAD_CONNECTIONS + 1)]
        *runs, last = cursors
        waiting, runs, free = deque(), deque(runs), deque(self._extra)

        def begin(cursor):
            client = free.popleft()
            client.begin("POST", "/api/sync/pull", {
                "protocol": PROTOCOL, "replica": self.replica, "cursor": cursor,
                "limit": limit})
            waiting.append(client)

        while runs and len(waiting) < AHEAD_CONNECTIONS:
            begin(runs.popleft())
        if not waiting:
            begin(last)
            last = None
        while waiting:
            client = waiting.popleft()
            if last is not None and not waiting and not runs:  # all the others are answered
                client.answered()
                begin(last)
                last = None
            seconds, (_, _, body) = client.end()
            free.append(client)
            if runs:
                begin(runs.popleft())
            yield seconds, body

    def _take(self, body):
        """Take in a pull page; return whether more changes wait."""
        for change in body["changes"]:
            if not change.get("removed"):
                self.known[change["id"]] = change
        self.cursor = body["cursor"]
        return body["more"]

    def close(self):
        self.client.close()
        for client in self._extra or ():
            client.close()

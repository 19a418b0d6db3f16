"""The peer: Kinto driven the way its sync clients drive it (kinto.js, kinto-http).

Each learner is a basic-auth user with a bucket of its own and a ``sessions`` collection.
A push is ``POST /v1/batch`` of ``PUT``s (``If-None-Match: *`` to create, ``If-Match`` with the
record's timestamp to change); a pull is ``GET .../records`` with ``_since`` (the collection
timestamp last seen), unpaged or ``_limit`` a page, following ``Next-Page``.
"""
import base64
from urllib.parse import urlsplit

from .http import Client


class KintoLearner:
    def __init__(self, side, n):
        self.side, self.n = side, n
        token = base64.b64encode(f"learner{n}:secret{n}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}"}
        self.records_path = f"/v1/buckets/l{n}/collections/sessions/records"


class KintoSide:
    """One running Kinto server; ``learners(n)`` makes their buckets and collections."""

    name = "Kinto"

    def __init__(self, server):
        self.port = server.port
        self.database_url = server.database_url
        self._next = 0

    def settle(self):
        """Let the database catch up with a bulk of writes (``servers.analyze``)."""
        from .servers import analyze

        analyze(self.database_url)

    def learners(self, count):
        made = []
        for _ in range(count):
            self._next += 1
            learner = KintoLearner(self, self._next)
            client = Client(self.port, learner.headers)
            client.request("PUT", f"/v1/buckets/l{learner.n}", {"data": {}})
            client.request("PUT", f"/v1/buckets/l{learner.n}/collections/sessions", {"data": {}})
            client.close()
            made.append(learner)
        return made

    def device(self, learner):
        return KintoDevice(self.port, learner)

    def close(self):
        pass


class KintoDevice:
    """One device of one learner: knows each record's timestamp, and the collection's."""

    def __init__(self, port, learner):
        self.learner = learner
        self.client = Client(port, learner.headers)
        self.since = None
        self.timestamps = {}
        self.fields = {}

    def write(self, batch):
        """Note ``[(id, fields), ...]`` as local changes, as kinto.js keeps a person's writes
        until the next sync: a create for an unknown id, a change of a known one (``If-Match``
        its timestamp as this device last saw it).

        :returns: the batch's requests, for ``send``.
        """
        base = self.learner.records_path[len("/v1"):]
        requests = []
        for record_id, fields in batch:
            stamp = self.timestamps.get(record_id)
            header = {"If-Match": f'"{stamp}"'} if stamp else {"If-None-Match": "*"}
            requests.append({"path": f"{base}/{record_id}", "body": {"data": fields},
                             "headers": header})
        return [record_id for record_id, _ in batch], requests

    def send(self, written):
        """Send written changes as one ``POST /v1/batch``.

        :returns: seconds the request took.
        :raises RuntimeError: if any record was not stored.
        """
        ids, requests = written
        seconds, (_, _, body) = self.client.timed(
            "POST", "/v1/batch", {"defaults": {"method": "PUT"}, "requests": requests})
        for record_id, answer in zip(ids, body["responses"]):
            if answer["status"] not in (200, 201):
                raise RuntimeError(f"Kinto refused {record_id}: {answer['status']} "
                                   f"{answer['body']}")
            self.timestamps[record_id] = answer["body"]["data"]["last_modified"]
        return seconds

    def push(self, batch):
        """``write`` then ``send``: returns the seconds of the request."""
        return self.send(self.write(batch))

    def pull(self, page=None):
        """Fetch every change since the last pull, ``page`` records a request (None: unpaged).

        :returns: (number of records received, [seconds of each request]).
        """
        params = []
        if self.since is not None:
            params.append(f"_since={self.since}")
        if page:
            params.append(f"_limit={page}")
        path = self.learner.records_path + ("?" + "&".join(params) if params else "")
        received, times, etag = 0, [], None
        while path:
            seconds, (_, resp, body) = self.client.timed("GET", path)
            times.append(seconds)
            etag = etag or resp.getheader("ETag")
            for record in body["data"]:
                self.timestamps[record["id"]] = record["last_modified"]
            received += len(body["data"])
            next_page = resp.getheader("Next-Page")
            path = _path_of(next_page) if next_page else None
        self.since = etag.strip('"')
        return received, times

    def sync(self, written, page=None):
        """One sync as kinto.js makes it: the batch of ``written`` changes, then the pull.

        :returns: [seconds of each request].
        """
        return [self.send(written), *self.pull(page)[1]]

    def close(self):
        self.client.close()


def _path_of(url):
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")

"""A keep-alive JSON client over ``http.client``: the one client both servers are driven with,
so neither side pays for a heavier library than the other. JSON goes through orjson both ways:
with the standard library's decoder, the client's own decoding was a third to a half of a full
pull's time, for Kinto's records as for ours (docs/performance.md, "How it is run")."""
import http.client
import time

import orjson


class HttpError(Exception):
    def __init__(self, method, path, status, body):
        super().__init__(f"{method} {path} -> {status}: {body[:300]!r}")
        self.status = status


class Client:
    """One persistent connection to ``host:port``; reconnects once if the server closed it."""

    def __init__(self, port, headers=None, host="127.0.0.1", timeout=120):
        self.host, self.port, self.timeout = host, port, timeout
        self.headers = {"Content-Type": "application/json", "Accept": "application/json",
                        **(headers or {})}
        self._conn = None

    def _connection(self):
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._conn

    def request(self, method, path, body=None, headers=None, ok=(200, 201)):
        """Send ``body`` as JSON; return (status, response headers, decoded JSON or None)."""
        data = orjson.dumps(body) if body is not None else None
        all_headers = {**self.headers, **(headers or {})}
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=data, headers=all_headers)
                resp = conn.getresponse()
                raw = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server closed between requests: retry once.
                self.close()
                if attempt == 2:
                    raise
        return self._answer(method, path, resp, raw, ok)

    def _answer(self, method, path, resp, raw, ok):
        if resp.getheader("Connection", "").lower() == "close":
            self.close()
        if resp.status not in ok:
            raise HttpError(method, path, resp.status, raw.decode(errors="replace"))
        return resp.status, resp, (orjson.loads(raw) if raw else None)

    def begin(self, method, path, body):
        """Send a request and return at once; ``end`` waits for its answer. With a few
        clients, one process has several requests in the server at the same time without
        threads (whose turns at the interpreter would add to the times)."""
        self._begun = (method, path, time.perf_counter())
        self._status = None
        self._connection().request(method, path, body=orjson.dumps(body), headers=self.headers)

    def answered(self):
        """Wait for the status line and headers of the request ``begin`` sent, not its body:
        our server has built the whole answer before it sends them."""
        if self._status is None:
            self._status = self._conn.getresponse()

    def end(self, ok=(200, 201)):
        """The answer to the request ``begin`` sent, as ``timed`` returns it."""
        method, path, start = self._begun
        self.answered()
        resp, self._status = self._status, None
        raw = resp.read()
        result = self._answer(method, path, resp, raw, ok)
        return time.perf_counter() - start, result

    def timed(self, method, path, body=None, **kw):
        """``request`` plus the wall time in seconds, measured around the whole exchange."""
        start = time.perf_counter()
        result = self.request(method, path, body, **kw)
        return time.perf_counter() - start, result

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

"""A transport for the reference client (``sync.Client``) over real HTTP."""
import http.client
import json
from urllib.parse import urlsplit

from sync import TransportError


class HttpTransport:
    """POSTs JSON to a live server with a bearer token; a network failure is a
    ``TransportError``, so the client keeps its outbox."""

    def __init__(self, base_url, token, timeout=30):
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def __call__(self, path, body):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request("POST", path, body=json.dumps(body), headers=self.headers)
            resp = conn.getresponse()
            return resp.status, json.loads(resp.read() or b"null")
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise TransportError(str(exc)) from exc
        finally:
            conn.close()

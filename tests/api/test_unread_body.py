"""An answer given before the request's body was read (a stale token's 401, a push over the
body limit's 413) reaches a client that sends its whole body first, as the PWA's fetch and
Python's http.client do, through gunicorn as docs/deployment.md runs it: without it the client
saw a reset connection, took it for a network that is down, and sent the same push again and
again (backend/unread_body.py)."""
import http.client
import json
import uuid

import pytest

from ..live_server import ServerProcess

LIMIT = 1024 * 1024  # the smallest the app may be set to take


@pytest.fixture
def server(app, database_url, tmp_path):
    # the app's settings (MAX_CONTENT_LENGTH among them) come from the environment
    server = ServerProcess(database_url, str(tmp_path), deployed=True,
                           env={"MAX_CONTENT_LENGTH": str(LIMIT)}).start()
    yield server
    server.stop()


def _push(server, token, size, exactly=False):
    """A push whose body is ``size`` bytes of padding more (or, ``exactly``, ``size`` bytes in
    all), sent whole before its answer is read."""
    head = {"protocol": 3, "replica": str(uuid.uuid4()), "floor": 1, "mutations": []}
    if exactly:
        size -= len(json.dumps({**head, "padding": ""}).encode())
    body = json.dumps({**head, "padding": "x" * size}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("POST", "/api/sync/push", body=body, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        answer = conn.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        conn.close()


@pytest.mark.parametrize("size", [LIMIT * 2, 8_000_000, 30_000_000])
def test_a_push_over_the_limit_is_answered_413_however_large(server, make, auth, size):
    token = auth.headers(make.learner(make.org()))["Authorization"].split()[1]
    status, answer = _push(server, token, size)
    assert (status, answer["error"]) == (413, "payload_too_large")


def test_a_large_push_with_a_stale_token_is_answered_401(server, size=30_000_000):
    status, answer = _push(server, "wm_no-such-token", size)
    assert (status, answer["error"]) == (401, "unauthorized")


@pytest.mark.parametrize("size, status", [(LIMIT - 1, 400), (LIMIT, 400), (LIMIT + 1, 413)])
def test_a_push_at_the_limit_is_read_and_answered(server, make, auth, size, status):
    """At the limit, the body is the app's to read; one byte over, a 413. (The padding is an
    unknown key: a 400 naming it shows the body was read.)"""
    token = auth.headers(make.learner(make.org()))["Authorization"].split()[1]
    got, answer = _push(server, token, size, exactly=True)
    assert got == status, answer
    if status == 400:
        assert answer["details"]["field"] == "padding"

"""A transport that calls the engine in-process, as the backend's HTTP views would.

``Client`` accepts any callable ``(path, body) -> (status, body)``; this one lets tests and the
simulator run clients against a ``Store`` without a server. Bodies go through a JSON round trip,
so nothing passes that HTTP could not carry.
"""
import json

from .engine import push
from .errors import ProtocolError
from .pull import pull_page
from .records import utc_now

PUSH_PATH = "/api/sync/push"
PULL_PATH = "/api/sync/pull"


class EngineTransport:
    """Answer push and pull requests from the engine, with the backend's status codes."""

    def __init__(self, store, actor, scope, validate, clock=utc_now):
        """
        :param store: the ``Store`` to sync with.
        :param actor: the ``Actor`` of the person using this transport.
        :param scope: their ``Scope``.
        :param validate: the validator passed to ``push``.
        :param clock: returns the server time as an ISO string.
        """
        self.store, self.actor, self.scope = store, actor, scope
        self.validate, self.clock = validate, clock

    def __call__(self, path, body):
        """Answer one request.

        :param path: ``/api/sync/push`` or ``/api/sync/pull``.
        :param body: the JSON request body.
        :return: ``(status, body)``: 200 and the response, or the error's code and object.
        """
        body = json.loads(json.dumps(body))
        try:
            if path == PUSH_PATH:
                answer = push(self.store, self.actor, body, self.validate, now=self.clock(),
                              scope=self.scope)
            elif path == PULL_PATH:
                return 200, json.loads(pull_page(self.store, self.scope, body).to_json())
            else:
                return 404, {"code": 404, "error": "not_found", "message": "No such endpoint.",
                             "details": {"path": path}}
        except ProtocolError as error:
            return error.code, json.loads(json.dumps(error.to_wire()))
        return 200, json.loads(json.dumps(answer.to_wire()))

"""The sync endpoints (docs/sync-protocol.md): thin views over the engine in ``sync/``."""
from functools import partial, wraps

import orjson
from flask import Blueprint, current_app, g

import sync
from sync.wire import path_of

from ..apidoc import documented
from ..auth.tokens import signed_in
from ..errors import error_response, json_body, unstorable_text
from ..extensions import db
from . import policy, wal
from .schemas import PullIn, PullOut, PushIn, PushOut
from .store import SqlStore
from .writer_turn import writer_turn

bp = Blueprint("sync_api", __name__, url_prefix="/api/sync", cli_group="sync")
TOO_OLD = {426: "protocol_too_old: the client is too old; it keeps its outbox and asks the "
                "person to update"}


@bp.before_request
def _read_outside_a_transaction():
    """On PostgreSQL a sync request's reads (the token, the access rules, a pull page) run in
    autocommit: each is its own transaction, as each statement of a READ COMMITTED transaction
    would see its own snapshot anyway, and no ``BEGIN`` or ``COMMIT`` costs a round trip. A
    push still writes in one transaction (``driver.Pipeline``). SQLite's driver opens no
    transaction for a read in any case."""
    if db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


@bp.errorhandler(sync.ProtocolError)
def _protocol_error(exc):
    details = dict(exc.details)
    if isinstance(exc, sync.InvalidRequest):
        details["fields"] = {details["field"]: [details["reason"]]}
    return error_response(exc.error, exc.message, details, code=exc.code)


def _signed_in(view):
    """Resolve the bearer token to ``g.person`` (a ``tokens.SignedIn``, read in one query
    without the ORM) before the view runs, and commit its last use, if due, first: in the
    writer's turn, since on SQLite a push would otherwise wait behind it for the one write
    lock, in SQLite's sleeping busy loop, behind every push queued in the kernel
    (``writer_turn``)."""

    @wraps(view)
    def wrapped():
        g.person, notes = signed_in()
        if notes:
            with writer_turn(db.engine):
                for statement in notes:
                    db.session.execute(statement)
                db.session.commit()
        return view()

    return wrapped


@bp.post("/push")
@_signed_in
@documented(body=PushIn, response=PushOut, errors={
    **TOO_OLD, 413: "payload_too_large: the body is larger than the server takes "
                    "(MAX_CONTENT_LENGTH): send the batch again in halves"})
def push():
    """Send the outbox: each mutation is applied once, and answered on its own.

    Statuses: applied, conflict (both versions kept), rejected (with the reason; kept on the
    server for a person to see), deferred (an earlier mutation of this replica is missing).
    With ``pull`` (protocol 3), the answer also carries the next page of changes, read after
    the push: one round trip for a whole sync.
    """
    body = _sync_body()
    # on PostgreSQL the push writes on the request's connection, in one round trip with its
    # COMMIT; on SQLite in a transaction of its own, in the writer's turn. The carried pull
    # reads on the request's connection once the push has committed.
    store = SqlStore(db.engine, person_id=g.person.id, device_id=g.person.device_id,
                     reader=db.session.connection())
    answer = sync.push_answer(store, policy.actor_for(g.person), body, policy.validate,
                              scope=lambda: policy.scope_for(g.person))
    db.session.commit()
    response = _json(answer.to_json(orjson.dumps))
    if store.checkpoint_due:
        response.call_on_close(partial(wal.checkpoint, db.engine))
    return response


@bp.post("/pull")
@_signed_in
@documented(body=PullIn, response=PullOut, errors={
    **TOO_OLD, 409: "epoch_changed: the server was restored; cursor_expired: deletions the "
                    "cursor has not seen were purged (docs/sync-protocol.md)"})
def pull():
    """Fetch the changes this person's device may hold, a page at a time, after a cursor."""
    body = _sync_body()
    store = SqlStore(db.engine, reader=db.session.connection())
    page = sync.pull_page(store, policy.scope_for(g.person), body)
    db.session.commit()
    return _json(page.to_bytes())


def _sync_body():
    """The request's JSON body, checked in the protocol's order (docs/sync-protocol.md,
    "Transport"): the protocol version first, so that an old client always learns it must
    update, then text no database can store (a NUL, a lone surrogate), named by its path as
    the protocol's errors name a field."""
    body = json_body(check_text=False)
    sync.check_protocol(body)
    where = unstorable_text(body)
    if where is not None:
        raise sync.InvalidRequest(path_of(where),
                                  "contains characters that cannot be stored")
    return body


def _json(body):
    """A 200 response of JSON text or bytes already encoded (the sync responses are the API's
    largest: a thousand results or records)."""
    return current_app.response_class(body, mimetype="application/json")


@bp.cli.command("new-epoch")
def new_epoch():
    """Make again what the access log holds, then give the database a new epoch: run it right
    after restoring a backup."""
    from .restore import redo_access_changes, start_new_epoch

    for line in redo_access_changes(current_app.config["ACCESS_LOG"]):
        print(line)
    epoch = start_new_epoch()
    print(f"The sync epoch is now {epoch}. Devices will re-send what this database lacks.")


@bp.cli.command("purge-tombstones")
def purge_tombstones():
    """Delete tombstones older than TOMBSTONE_RETENTION_DAYS."""
    from datetime import timedelta

    days = current_app.config["TOMBSTONE_RETENTION_DAYS"]
    count = sync.purge_tombstones(SqlStore(db.engine), retention=timedelta(days=days))
    print(f"Purged {count} deleted entries older than {days} days.")

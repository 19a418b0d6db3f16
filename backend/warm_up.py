"""What a gunicorn worker prepares before its first request (``backend.gunicorn_conf``).

SQLAlchemy compiles a statement the first time it runs, and a push's statements are many: one
per table, and each read by ids in every size its ``IN`` list is padded to. Each worker compiled
them while answering its first push, as well as the queries that read a bearer token with its
person and device: about 10 ms more for that push, and a sync after a restart waited for it on
each of the workers in turn. A worker now does this as it starts.
"""
import logging

from .auth.tokens import sign_in_with_hash, token_with_hash
from .extensions import db
from .sync_api.store import compile_statements

log = logging.getLogger(__name__)


def warm_up(app):
    """Compile the sync statements and the token query for ``app``'s database. It never
    raises: a worker whose database is not up yet starts all the same, and compiles them on
    first use."""
    try:
        with app.app_context():
            compile_statements(db.engine.dialect)
            # a real lookup (of a hash no token has), so the ORM caches the compiled query
            token_with_hash("")
            sign_in_with_hash("")
            db.session.remove()
    except Exception as exc:  # the database may be starting; the first requests will compile
        log.warning("Starting without compiling the sync statements ahead: %s", exc)

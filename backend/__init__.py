"""What Matters: the Flask application factory."""
import os

from flask import Flask, jsonify
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .apidoc import public
from .config import Config
from .errors import register_error_handlers
from .extensions import db, migrate
from .no_cookies import NoCookieSessions
from . import unread_body

MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")
SQLITE_PAGE_SIZE = 16384


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    # SQLite: enforce foreign keys; WAL lets pulls read while a push writes.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        # 16 KiB pages for a new database (an existing one keeps its own, docs/deployment.md):
        # a journal row with its wire text is about 2 KB, two to a default page of 4 KiB
        cur.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        # Read pages through a shared memory map instead of copying them into each
        # connection's small cache: every worker reads the same journal (docs/performance.md).
        cur.execute("PRAGMA mmap_size=1073741824")
        cur.close()


def create_app(test_config=None):
    """Create and configure the app: defaults, then the environment, then ``test_config``."""
    app = Flask(__name__, instance_path=os.environ.get("INSTANCE_PATH") or None,
                instance_relative_config=True, static_folder=None)
    app.session_interface = NoCookieSessions()
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(Config(app.instance_path).as_dict())
    app.config.from_pyfile("config.py", silent=True)
    if test_config:
        app.config.from_mapping(test_config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # a file on this machine: there is no connection to go stale, so no ping before use
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_pre_ping": False}

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    register_error_handlers(app)
    unread_body.init_app(app)
    _register_blueprints(app)

    from . import cli
    cli.init_app(app)

    @app.get("/api/health")
    @public
    def health():
        """Whether the service and its database answer."""
        db.session.execute(db.select(1))
        return jsonify({"status": "ok"})

    return app


def _register_blueprints(app):
    from .auth.views import bp as auth_bp
    from .org.views import bp as org_bp
    from .journal.views import bp as journal_bp
    from .docs.views import bp as docs_bp
    from .sync_api.views import bp as sync_bp
    from .shell.views import bp as shell_bp
    from .review.views import bp as review_bp
    from .push.views import bp as push_bp

    for bp in (auth_bp, org_bp, journal_bp, sync_bp, review_bp, push_bp, docs_bp, shell_bp):
        app.register_blueprint(bp)

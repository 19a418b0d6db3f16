"""A throwaway database per test run, on SQLite or on the PostgreSQL named by DATABASE_URL."""
import os
import tempfile
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def is_postgres():
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


def create_test_database():
    """Return (url, drop) for a fresh, empty database that no other run is using."""
    if not is_postgres():
        folder = tempfile.mkdtemp(prefix="wm-test-")
        return f"sqlite:///{folder}/test.sqlite", lambda: None
    server = make_url(os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"))
    name = f"wm_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop

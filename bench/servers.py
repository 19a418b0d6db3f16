"""Start each server as a real HTTP subprocess on a free loopback port, and stop it again.

Ours runs under gunicorn on a fresh database (SQLite in a temporary instance folder, or a
throwaway PostgreSQL database) migrated with ``flask db upgrade``. Kinto runs with ``kinto
start`` from its own virtualenv (``.venv/kinto``) on a generated ini, memory or PostgreSQL.
"""
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from .http import Client

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
KINTO_VENV = Path(os.environ.get("KINTO_VENV", ROOT / ".venv" / "kinto"))
# Ours: as docs/deployment.md runs it, with the workers backend/gunicorn_conf.py chooses for the
# database (one per core with SQLite, two with PostgreSQL), or BENCH_WORKERS of them.
GUNICORN_ARGS = ("--config", "python:backend.gunicorn_conf",
                 *(("--workers", os.environ["BENCH_WORKERS"]) if os.environ.get("BENCH_WORKERS")
                   else ()))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def pg_database(prefix):
    """A throwaway PostgreSQL database; yields its name and drops it afterwards."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{PG_ADMIN}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(f"{PG_ADMIN}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Server:
    """A subprocess serving HTTP on ``port``; its output goes to ``log``."""

    def __init__(self, name, argv, port, env, health, workdir, cwd=None):
        self.name, self.port, self.health = name, port, health
        self.log_path = Path(workdir) / f"{name}.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, env=env, cwd=cwd or workdir, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_tail()}")
            try:
                Client(self.port, timeout=2).request("GET", self.health)
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer within {timeout}s: {self.log_tail()}")

    def log_tail(self, lines=30):
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self):
        if self.proc.poll() is None:
            # The whole process group: gunicorn's workers go with their arbiter.
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()


class OursDatabase:
    """A fresh, migrated database for our server: its URL and the env that names it."""

    def __init__(self, kind, workdir):
        self.kind, self.workdir = kind, Path(workdir)
        self.instance = self.workdir / f"instance-{kind}-{uuid.uuid4().hex[:6]}"
        self.instance.mkdir()
        self._pg = None
        if kind == "postgresql":
            self._pg = pg_database("bench_ours")
            name = self._pg.__enter__()
            self.url = f"{PG_ADMIN.replace('postgresql://', 'postgresql+psycopg://')}/{name}"
        else:
            self.url = f"sqlite:///{self.instance / 'bench.sqlite'}"
        self.env = {**os.environ, "FLASK_APP": "backend", "INSTANCE_PATH": str(self.instance),
                    "DATABASE_URL": self.url, "SECRET_KEY": secrets.token_hex(16)}
        subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], env=self.env,
                       cwd=ROOT, check=True, capture_output=True)

    def drop(self):
        if self._pg is not None:
            self._pg.__exit__(None, None, None)
        shutil.rmtree(self.instance, ignore_errors=True)


@contextmanager
def ours_server(kind, workdir):
    """Our server on a fresh database of ``kind``; yields (server, database)."""
    database = OursDatabase(kind, workdir)
    try:
        server = start_ours(database, workdir)
        try:
            yield server, database
        finally:
            server.stop()
    finally:
        database.drop()


def start_ours(database, workdir):
    port = free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    argv = [gunicorn, *GUNICORN_ARGS, "--bind", f"127.0.0.1:{port}", "--timeout", "300",
            "backend:create_app()"]
    return Server(f"ours-{database.instance.name}", argv, port, database.env, "/api/health",
                  workdir, cwd=ROOT).wait_ready()


KINTO_INI = """\
[server:main]
use = egg:waitress#main
host = 127.0.0.1
port = {port}

[app:main]
use = egg:kinto
kinto.includes =
kinto.storage_backend = kinto.core.storage.{backend}
kinto.storage_url = {url}
kinto.permission_backend = kinto.core.permission.{backend}
kinto.permission_url = {url}
kinto.cache_backend = kinto.core.cache.memory
kinto.cache_url =
kinto.userid_hmac_secret = {secret}
multiauth.policies = basicauth
kinto.bucket_create_principals = system.Authenticated
kinto.batch_max_requests = 1000
# Unpaged really means one response: fetch up to this many records at once.
kinto.storage_max_fetch_size = 1000000
kinto.storage_pool_size = 10
kinto.permission_pool_size = 10

[loggers]
keys = root, kinto

[handlers]
keys = console

[formatters]
keys = plain

[logger_root]
level = WARNING
handlers = console

[logger_kinto]
level = WARNING
handlers = console
qualname = kinto
propagate = 0

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = plain

[formatter_plain]
format = %(asctime)s %(levelname)s %(name)s %(message)s
"""


def kinto_bin(name="kinto"):
    path = KINTO_VENV / "bin" / name
    if not path.exists():
        raise RuntimeError(f"Kinto is not installed in {KINTO_VENV}: run `make bench-kinto`.")
    return str(path)


@contextmanager
def kinto_server(kind, workdir):
    """Kinto on its memory backend, or on PostgreSQL in a throwaway database."""
    port = free_port()
    with (pg_database("bench_kinto") if kind == "postgresql" else _nothing()) as dbname:
        url = f"{PG_ADMIN}/{dbname}" if dbname else ""
        ini = Path(workdir) / f"kinto-{kind}.ini"
        ini.write_text(KINTO_INI.format(port=port, url=url, secret=secrets.token_hex(32),
                                        backend="postgresql" if dbname else "memory"))
        if dbname:
            subprocess.run([kinto_bin(), "migrate", "--ini", str(ini)], cwd=workdir, check=True,
                           capture_output=True)
        server = Server(f"kinto-{kind}", [kinto_bin(), "start", "--ini", str(ini)], port,
                        os.environ.copy(), "/v1/", workdir)
        server.database_url = url or None
        try:
            yield server.wait_ready()
        finally:
            server.stop()


def analyze(url):
    """``ANALYZE`` a PostgreSQL database, as autovacuum does within its next minute or so after
    a table has grown by a tenth: the planner then knows how many rows each table holds. Any
    other ``url`` (SQLite, which keeps no statistics unless asked and plans on its indexes
    alone; none, for Kinto's memory backend) is left as it is."""
    if not (url or "").startswith("postgresql"):
        return
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as conn:
        conn.execute("ANALYZE")


@contextmanager
def _nothing():
    yield None


@contextmanager
def workdir():
    path = tempfile.mkdtemp(prefix="wm-bench-")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)

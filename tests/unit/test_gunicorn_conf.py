"""How many gunicorn workers ``backend/gunicorn_conf.py`` starts (docs/deployment.md, section 4):
one per core with SQLite, two per core with PostgreSQL, at least two, unless told."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.gunicorn_conf import database_url, default_workers

GUNICORN = str(Path(sys.executable).parent / "gunicorn")


@pytest.mark.parametrize("url, cores, expected", [
    ("", 2, 2),
    ("sqlite:////var/lib/what-matters/what-matters.sqlite", 8, 8),
    ("sqlite:////var/lib/what-matters/what-matters.sqlite", 1, 2),
    ("postgresql+psycopg://what_matters@127.0.0.1/what_matters", 2, 4),
    ("postgresql+psycopg://what_matters@127.0.0.1/what_matters", 1, 2),
    ("postgres://what_matters@127.0.0.1/what_matters", 4, 8),
])
def test_workers_follow_the_database_and_the_cores(url, cores, expected):
    assert default_workers(url, cores) == expected


def test_the_instance_config_names_the_database_before_the_environment(tmp_path):
    # create_app reads config.py after the environment, so config.py wins, as here
    (tmp_path / "config.py").write_text(
        'SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://what_matters@db/what_matters"\n')
    env = {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite:////tmp/other.sqlite"}
    assert database_url(env) == "postgresql+psycopg://what_matters@db/what_matters"


def test_without_it_in_config_the_environment_names_it(tmp_path):
    (tmp_path / "config.py").write_text('SECRET_KEY = "not-the-database"\n')
    assert database_url({"INSTANCE_PATH": str(tmp_path),
                         "DATABASE_URL": "postgresql://db/wm"}) == "postgresql://db/wm"
    assert database_url({"INSTANCE_PATH": str(tmp_path)}) == ""
    assert database_url({"INSTANCE_PATH": str(tmp_path / "no-such-folder")}) == ""


def _setting_gunicorn_runs(tmp_path, name, *args, **env):
    """A setting as gunicorn itself reads it from our config (``--print-config``)."""
    environ = {k: v for k, v in os.environ.items()
               if k not in ("DATABASE_URL", "WEB_CONCURRENCY", "INSTANCE_PATH")}
    environ.update(INSTANCE_PATH=str(tmp_path), **env)
    out = subprocess.run([GUNICORN, "--print-config", "-c", "python:backend.gunicorn_conf",
                          *args, "backend:create_app()"], env=environ, cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout
    [line] = [line for line in out.splitlines() if line.split("=")[0].strip() == name]
    return line.split("=")[1].strip()


def _workers_gunicorn_runs(tmp_path, *args, **env):
    return int(_setting_gunicorn_runs(tmp_path, "workers", *args, **env))


def test_gunicorn_starts_that_many_unless_told(tmp_path):
    cores = len(os.sched_getaffinity(0))
    assert _workers_gunicorn_runs(tmp_path) == max(2, cores)
    assert _workers_gunicorn_runs(tmp_path, DATABASE_URL="postgresql+psycopg://db/wm") \
        == max(2, 2 * cores)
    assert _workers_gunicorn_runs(tmp_path, WEB_CONCURRENCY="5") == 5
    assert _workers_gunicorn_runs(tmp_path, "-w", "3", WEB_CONCURRENCY="5") == 3


def test_gunicorn_makes_no_control_socket_in_the_users_home(tmp_path):
    assert _setting_gunicorn_runs(tmp_path, "control_socket_disable") == "True"

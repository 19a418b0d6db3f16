"""A real server process for tests that need one: gunicorn on a free loopback port."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """``start()`` a gunicorn serving ``create_app()`` on ``database_url``; ``kill()`` it with
    SIGKILL, as a crash would."""

    def __init__(self, database_url, instance_path, workers=1, threads=4, deployed=False,
                 env=None):
        """:param deployed: run with the settings docs/deployment.md runs (its sync workers),
        not ``workers`` and ``threads``.
        :param env: more environment variables for the app (its settings)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DATABASE_URL": database_url, "INSTANCE_PATH": instance_path,
                    "SECRET_KEY": "test", **(env or {})}
        workers = (["--config", "python:backend.gunicorn_conf"] if deployed
                   else ["-w", str(workers), "--threads", str(threads)])
        self.args = [sys.executable, "-m", "gunicorn", *workers, "-b",
                     f"127.0.0.1:{self.port}", "--log-level", "warning", "backend:create_app()"]
        self.proc = None

    def start(self, timeout=30):
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/api/health", timeout=1):
                    return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("the server exited at start-up")
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def kill(self):
        """SIGKILL the whole process group: no clean shutdown, no flush."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

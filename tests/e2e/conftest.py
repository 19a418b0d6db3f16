"""End-to-end fixtures: the real app served on a free local port from a background thread, and
Debian's Chromium driven through Playwright's sync API (``playwright install`` cannot download
browsers here, so the system one is used)."""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from backend import create_app
from backend.extensions import db

from .. import factories
from ..conftest import _empty_tables

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
PWA_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "pwa")


class LiveServer:
    """The app on 127.0.0.1 in a thread; ``stop()`` and ``start()`` keep the same port (the
    origin, so the service worker and IndexedDB, stays the same). ``requests`` lists the paths
    served, so a test can see what the browser fetched. ``stop()`` waits a while for the
    requests still being answered (each in a thread of its own): one that ended after the
    test's database engine was disposed would give its connection back to the disposed pool,
    to be garbage-collected open, a ResourceWarning in some later test."""

    def __init__(self, app):
        self.app, self.port, self.requests = app, 0, []
        self._server = self._thread = None
        self._answering, self._idle = 0, threading.Condition()

    def _logging(self, environ, start_response):
        query = environ.get("QUERY_STRING")
        self.requests.append(environ["PATH_INFO"] + (f"?{query}" if query else ""))
        with self._idle:
            self._answering += 1
        try:
            # the app's context, and its database session, end before the app returns (the
            # server may never close a response whose client reset its connection)
            return self.app.wsgi_app(environ, start_response)
        finally:
            with self._idle:
                self._answering -= 1
                self._idle.notify_all()

    def start(self):
        self._server = make_server("127.0.0.1", self.port, self._logging, threaded=True)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = None
        with self._idle:  # at most a while: a request may wait on a client that went away
            self._idle.wait_for(lambda: self._answering == 0, timeout=10)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"


def _serve(app):
    server = LiveServer(app).start()
    return server


@pytest.fixture
def pwa_copy(tmp_path):
    """A copy of ``pwa/`` that a test may change, as a deployment would."""
    folder = tmp_path / "pwa"
    shutil.copytree(PWA_DIR, folder)
    return folder


@pytest.fixture
def live_server(app):
    server = _serve(app)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def module_app(database_url):
    """An app whose data lives for a whole module (the screens tests share one sign-in)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True,
                      "SECRET_KEY": "test"})
    with app.app_context():
        _empty_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def module_make(module_app):
    return factories.Factories(module_app)


@pytest.fixture(scope="module")
def module_server(module_app):
    server = _serve(module_app)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as pw:
        yield pw


# Errors that a page's own code left uncaught (an exception, a rejected promise), in every
# context the tests open: a person would have met a screen that stopped. Each test fails if
# one came while it ran, whatever it looked at (``no_uncaught_errors``).
UNCAUGHT = []


def watch(context):
    """Note each uncaught error of ``context``'s pages in ``UNCAUGHT``; returns the context."""
    def page_opened(page):
        page.on("pageerror", lambda error: UNCAUGHT.append(f"{page.url}: {error}"))
    for page in context.pages:
        page_opened(page)
    context.on("page", page_opened)
    return context


@pytest.fixture(autouse=True)
def no_uncaught_errors():
    start = len(UNCAUGHT)
    yield
    found = UNCAUGHT[start:]
    if found:
        pytest.fail("errors no code of the page caught:\n" + "\n".join(found), pytrace=False)


@pytest.fixture(scope="session")
def browser(playwright):
    """Chromium, each of whose contexts is watched for uncaught errors, however a test or
    fixture opens it."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    opened = browser.new_context
    browser.new_context = lambda **kw: watch(opened(**kw))
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser):
    """Contexts at tablet size (each one a separate tablet), closed after the test."""
    contexts = []

    def make(**kw):
        context = browser.new_context(**{"viewport": TABLET, **kw})
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        # a page may still be syncing through a test's routes (a retry on its timer): let go of
        # them first, or their handlers fail as the context closes, in the next test's time
        for page in context.pages:
            page.unroute_all(behavior="ignoreErrors")
        context.unroute_all(behavior="ignoreErrors")
        context.close()


@pytest.fixture
def persistent(playwright, tmp_path):
    """``persistent()`` launches Chromium with a profile kept on disk: close it and launch
    again for "the browser was restarted"."""
    profile = tmp_path / "profile"
    opened = []

    def launch():
        context = watch(playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=ARGS, viewport=TABLET))
        opened.append(context)
        return context

    yield launch
    for context in opened:
        try:
            context.close()
        except Exception:  # already closed by the test
            pass

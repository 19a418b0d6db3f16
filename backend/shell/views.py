"""Serves the progressive web app in ``pwa/`` from our own origin.

The service worker precaches the shell under each file's content hash: ``/sw.js`` is served
with the manifest ``{path: sha256}`` written into its first line, so any change to any shell
file changes ``sw.js`` and the browser installs the new version; a file whose hash did not
change is already cached and is never fetched again.
"""
import hashlib
import os

from flask import Blueprint, abort, current_app, json, request
from werkzeug.routing import PathConverter
from werkzeug.security import safe_join

from .manifest import SHELL_TYPES, ShellManifest

bp = Blueprint("shell", __name__)


class ShellPath(PathConverter):
    """A path outside ``/api/``: an unknown API route stays a 404 (not a 405) for every method."""

    regex = r"(?!api/)[^/].*?"


bp.record_once(lambda state: state.app.url_map.converters.setdefault("shell", ShellPath))

DEFAULT_PWA_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "pwa")
# The page is our own code only: no inline script, no third party, nothing framing us.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; "
       "media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
YEAR = 365 * 24 * 3600


def _manifest():
    folder = os.path.abspath(current_app.config.get("PWA_DIR") or DEFAULT_PWA_DIR)
    cache = current_app.extensions.setdefault("shell_manifests", {})
    if folder not in cache:
        cache[folder] = ShellManifest(folder)
    return cache[folder]


def _secure(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Permissions-Policy"] = ("microphone=(self), camera=(self), "
                                              "geolocation=(), interest-cohort=()")
    return response


def _serve(rel_path):
    manifest = _manifest()
    path = safe_join(manifest.folder, rel_path)
    ext = os.path.splitext(rel_path)[1]
    if path is None or ext not in SHELL_TYPES or not os.path.isfile(path):
        abort(404)
    # Shell files are small: read whole, so no file handle outlives the request.
    with open(path, "rb") as handle:
        body = handle.read()
    digest = manifest.files().get("/" + rel_path)
    response = current_app.response_class(body, mimetype=SHELL_TYPES[ext])
    response.set_etag(digest or hashlib.sha256(body).hexdigest()[:20])
    if digest and request.args.get("h") == digest:
        # The worker asks for ``?h=<hash>``: that exact content never changes.
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    return _secure(response.make_conditional(request))


@bp.get("/")
@bp.get("/index.html")
def index():
    """The app's one page; its routes live after ``#``."""
    return _serve("index.html")


@bp.get("/sw.js")
def service_worker():
    """The service worker, with the shell manifest written into its first line."""
    manifest = _manifest()
    with open(os.path.join(manifest.folder, "sw.js"), encoding="utf-8") as handle:
        source = handle.read()
    shell = {"version": manifest.version(), "files": manifest.files()}
    body = f"self.SHELL = {json.dumps(shell, sort_keys=True)};\n{source}"
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return _secure(response)


@bp.get("/shell-manifest.json")
def shell_manifest():
    """The shell's files and their hashes (what ``sw.js`` carries), for tools and tests."""
    manifest = _manifest()
    response = current_app.response_class(
        json.dumps({"version": manifest.version(), "files": manifest.files(),
                    "gzip_bytes": manifest.gzip_size()}),
        mimetype="application/json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/<shell:rel_path>")
def shell_file(rel_path):
    """A file of the shell (scripts, styles, icons, the web app manifest)."""
    return _serve(rel_path)

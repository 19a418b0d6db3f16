"""The shell manifest: every file the service worker precaches, with its content hash.

Hashes are recomputed only for files whose size or modification time changed, so asking for
the manifest on every ``/sw.js`` request costs a few ``stat`` calls, and a file changed on disk
(a deployment, or a test) reaches the tablets without restarting the server.
"""
import gzip
import hashlib
import os
import threading

SHELL_TYPES = {
    # Flask adds "; charset=utf-8" to text types itself.
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
# The worker's own scripts are checked by the browser itself on every update; the staff review
# (pwa/review/) is an online page of its own, not part of the journal's offline shell.
NOT_PRECACHED = ("/sw.js", "/sw/", "/review/")  # a file, or a folder ending in "/"
HASH_CHARS = 20


def precached(url):
    """Whether the service worker precaches this shell path."""
    return not any(url == p or (p.endswith("/") and url.startswith(p)) for p in NOT_PRECACHED)


class ShellManifest:
    """The hashes of the shell files under ``folder``."""

    def __init__(self, folder):
        self.folder = folder
        self._known = {}  # path -> (size, mtime_ns, digest)
        self._lock = threading.Lock()

    def _paths(self):
        for root, dirs, names in os.walk(self.folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if os.path.splitext(name)[1] in SHELL_TYPES and not name.startswith("."):
                    full = os.path.join(root, name)
                    yield "/" + os.path.relpath(full, self.folder).replace(os.sep, "/"), full

    def files(self):
        """{url path: sha256 prefix} of every precached file."""
        with self._lock:
            current = {}
            for url, full in self._paths():
                if not precached(url):
                    continue
                stat = os.stat(full)
                known = self._known.get(url)
                if known is None or known[:2] != (stat.st_size, stat.st_mtime_ns):
                    with open(full, "rb") as handle:
                        digest = hashlib.sha256(handle.read()).hexdigest()[:HASH_CHARS]
                    known = (stat.st_size, stat.st_mtime_ns, digest)
                current[url] = known
            self._known = current
            return {url: known[2] for url, known in current.items()}

    def version(self):
        """One hash of the whole shell: it changes when any file does."""
        text = "".join(f"{url}={digest}\n" for url, digest in sorted(self.files().items()))
        return hashlib.sha256(text.encode()).hexdigest()[:HASH_CHARS]

    def gzip_size(self):
        """Bytes of the code (HTML, CSS, JS, manifest and the worker) when gzipped one by one."""
        total = 0
        for url, full in self._paths():
            is_worker = url == "/sw.js" or url.startswith("/sw/")
            if (precached(url) or is_worker) and os.path.splitext(url)[1] in (".html", ".js", ".css", ".webmanifest"):
                with open(full, "rb") as handle:
                    total += len(gzip.compress(handle.read(), 9))
        return total

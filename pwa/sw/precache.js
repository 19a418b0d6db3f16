/* The app shell in Cache Storage, one entry per file under its content hash
 * ("/app.js?h=<sha256>"): an unchanged file is never fetched again, a changed one always is. */
(() => {
  const CACHE = 'wm-shell';

  /** The cache key of a shell path at the given hash. */
  const keyFor = (path, hash) => `${path}?h=${hash}`;

  async function sha256Prefix(buffer, length) {
    const digest = await crypto.subtle.digest('SHA-256', buffer);
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
      .slice(0, length);
  }

  /** Fetch and keep every file whose hash is not cached yet; checks each body against its hash. */
  async function install(shell) {
    const cache = await caches.open(CACHE);
    const have = new Set((await cache.keys()).map((r) => new URL(r.url).pathname + new URL(r.url).search));
    for (const [path, hash] of Object.entries(shell.files)) {
      const key = keyFor(path, hash);
      if (have.has(key)) continue;
      const response = await fetch(key, { cache: 'no-cache', credentials: 'same-origin' });
      if (!response.ok) throw new Error(`precache: ${path} answered ${response.status}`);
      // A file changed again between the manifest and this fetch: fail, the next update retries.
      const body = await response.clone().arrayBuffer();
      if (await sha256Prefix(body, hash.length) !== hash) throw new Error(`precache: ${path} changed`);
      await cache.put(key, response);
    }
  }

  /** Delete entries of files no longer in the shell, and caches of other names. */
  async function activate(shell) {
    const wanted = new Set(Object.entries(shell.files).map(([p, h]) => keyFor(p, h)));
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name);
    }
    const cache = await caches.open(CACHE);
    for (const request of await cache.keys()) {
      const url = new URL(request.url);
      if (!wanted.has(url.pathname + url.search)) await cache.delete(request);
    }
  }

  /** The cached response for a shell path, or undefined. */
  async function match(path, shell) {
    const hash = shell.files[path];
    if (!hash) return undefined;
    const cache = await caches.open(CACHE);
    return cache.match(keyFor(path, hash));
  }

  self.precache = { install, activate, match, keyFor };
})();

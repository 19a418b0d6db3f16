/* How the worker answers requests. /api/ always goes to the network, never to a cache. */
(() => {
  const SYNC_TAG = 'wm-sync';
  const APP_PAGES = new Set(['/', '/index.html']);

  async function shellFirst(request, path, shell) {
    const cached = await self.precache.match(path, shell);
    return cached || fetch(request);
  }

  /** A promise of the response for this request, or null to let the browser fetch it itself. */
  function route(request, shell) {
    if (request.method !== 'GET' || !shell) return null;
    const url = new URL(request.url);
    if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return null;
    if (request.mode === 'navigate') {
      // The app's routes live after "#", so its one page is "/": answer it from the cache.
      return APP_PAGES.has(url.pathname) ? shellFirst(request, '/index.html', shell) : null;
    }
    if (url.search === '' && shell.files[url.pathname]) {
      return shellFirst(request, url.pathname, shell);
    }
    return null;
  }

  /** Background Sync fired: ask the open pages to sync (only they hold the unlocked keys). */
  async function askPagesToSync() {
    const pages = await self.clients.matchAll({ type: 'window' });
    for (const page of pages) page.postMessage({ type: 'sync' });
  }

  self.strategies = { route, askPagesToSync, SYNC_TAG };
})();

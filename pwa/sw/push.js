/* Reminders by web push: show the notification; a tap opens the app on the right screen.
 * A push carries general words only (backend/push/reminders.py), never journal content or a
 * name: tablets are shared, and a notification shows on a locked screen. */
(() => {
  const ICON = '/icons/icon-192.png';
  const FALLBACK = { title: 'What Matters', body: 'You have a reminder.', url: '/', tag: 'wm-reminder' };
  const APP_PAGES = new Set(['/', '/index.html']);

  /** A path on our own origin; anything else becomes the app's start. */
  function ownPath(url) {
    try {
      const target = new URL(url, self.location.origin);
      return target.origin === self.location.origin ? target.pathname + target.search + target.hash : '/';
    } catch {
      return '/';
    }
  }

  /** The push's words, with the general fallback for anything missing or unreadable. */
  function payloadOf(event) {
    let data = {};
    try {
      data = (event.data && event.data.json()) || {};
    } catch {
      data = {};
    }
    const text = (name) => (typeof data[name] === 'string' && data[name] ? data[name] : FALLBACK[name]);
    return { title: text('title'), body: text('body'), url: ownPath(text('url')), tag: text('tag') };
  }

  /** Show it; the tag makes a repeat replace the one before instead of piling up. */
  function show(payload) {
    return self.registration.showNotification(payload.title, {
      body: payload.body, icon: ICON, badge: ICON, tag: payload.tag, lang: 'en-GB',
      data: { url: payload.url },
    });
  }

  const samePage = (a, b) => a === b || (APP_PAGES.has(a) && APP_PAGES.has(b));

  /** Focus an open window of the app and show it the screen, or open the app there. */
  async function open(url) {
    const target = new URL(ownPath(url), self.location.origin);
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const page = windows.find((w) => samePage(new URL(w.url).pathname, target.pathname));
    if (!page) return self.clients.openWindow(target.href);
    // A message, not navigate(): reloading would close a journal that is open (its key is
    // only in memory), and the person would have to open it again.
    page.postMessage({ type: 'open', url: target.pathname + target.search + target.hash });
    return page.focus().catch(() => page); // only a real tap may focus; see tests/e2e/test_push.py
  }

  self.push = { payloadOf, show, open };
})();

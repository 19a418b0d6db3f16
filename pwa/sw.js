/* What Matters service worker: it only wires events; the work lives in sw/.
 * The server writes `self.SHELL = {version, files: {path: hash}}` above this line. */
importScripts('/sw/precache.js', '/sw/strategies.js', '/sw/push.js');

self.addEventListener('install', (event) => {
  event.waitUntil(self.precache.install(self.SHELL));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.precache.activate(self.SHELL).then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const answer = self.strategies.route(event.request, self.SHELL);
  if (answer) event.respondWith(answer);
});

self.addEventListener('message', (event) => {
  // The page sends this only after the person agreed to update.
  if (event.data && event.data.type === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('sync', (event) => {
  if (event.tag === self.strategies.SYNC_TAG) event.waitUntil(self.strategies.askPagesToSync());
});

self.addEventListener('push', (event) => {
  event.waitUntil(self.push.show(self.push.payloadOf(event)));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const opening = self.push.open(event.notification.data && event.notification.data.url);
  event.waitUntil(opening);
});

// Knobs service worker: keeps a copy of the app's own files so the app starts without a network after
// one visit. Registered by knobs-glue.js once the app runs (docs/embedding.md, "Offline").
//
// Network first, cache second: online, every request goes to the server as if this worker were not
// there (so a new version is picked up on the next load, and nothing is ever served stale while the
// server answers), and each good answer refreshes the copy. Offline, the copy answers.
//
// Everything is relative to this file, so the app works the same from a subfolder of any static host.
// Only GET requests for this site's own files are touched; anything else is left to the browser (the app
// requests nothing from other origins anyway).
'use strict';

const CACHE = 'knobs-app-v1';

// What the app needs to start and run, and to train in its training worker (fetched only when training
// starts, so offline training must not depend on having trained online before). The shipped model is
// optional (the app runs without it), so a host that leaves it out still gets an installed worker.
const APP_FILES = ['./', 'index.html', 'knobs.css', 'knobs-glue.js', 'knobs.js', 'knobs.wasm', 'favicon.svg',
  'train-worker.js', 'knobs_train_worker.js', 'knobs_train_worker.wasm'];
const OPTIONAL_FILES = ['models/default.knobs'];

const SCOPE = new URL('./', self.location.href).href;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(APP_FILES);
    await Promise.all(OPTIONAL_FILES.map((file) => cache.add(file).catch(() => {})));
    // A new worker takes over from the next page load on; it never changes a page that is running.
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  // Copies left by older versions of this worker are dropped.
  event.waitUntil(caches.keys().then((names) =>
    Promise.all(names.filter((name) => name.startsWith('knobs-app-') && name !== CACHE).map((name) => caches.delete(name)))));
});

function ours(request) {
  return request.method === 'GET' && request.url.startsWith(SCOPE);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (!ours(request)) return;
  event.respondWith((async () => {
    try {
      const response = await fetch(request);
      // Only complete, successful answers are kept (not errors, not partial ranges).
      if (response.ok && response.status === 200 && response.type === 'basic') {
        const copy = response.clone();
        event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)).catch(() => {}));
      }
      return response;
    } catch (networkError) {
      const cache = await caches.open(CACHE);
      // The page's address carries its state in the fragment (never sent) and sometimes a query
      // (corpus=, content=): the app's page is the same file whatever the query.
      const cached = await cache.match(request) ||
        (request.mode === 'navigate' ? await cache.match('index.html') || await cache.match('./') : undefined);
      if (!cached) throw networkError;
      // A copy stored from a redirected answer (a host that sends /knobs/ to /knobs/index.html) cannot
      // answer a page load as it is; the same bytes in a fresh response can.
      return cached.redirected ? new Response(cached.body, { status: cached.status, statusText: cached.statusText, headers: cached.headers }) : cached;
    }
  })());
});

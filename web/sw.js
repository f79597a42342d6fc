// Knobs service worker: keeps a copy of one build of the app so the app starts without a network, or with
// a server that does not answer, after one visit. Registered by knobs-glue.js once the app runs, as
// "sw.js?v=<build id>" (docs/embedding.md, "Offline").
//
// One copy per build, never a mix. cmake/copy_web.cmake stamps the build id (a SHA-256 prefix of the
// site's files) into index.html (<meta name="knobs-build">), the glue, this file and train-worker.js, and
// the page asks for every other file with "?v=<id>". So:
//   - the page (index.html) always goes to the server first, past the HTTP cache (a host that keeps old
//     file times answers a revalidation with "not modified" and the browser would hand back the old page);
//     only when the server gives no answer within NETWORK_TIMEOUT_MS, or the network fails, does the
//     stored page answer, and only if there is one;
//   - a file asked for with this worker's build id comes from this build's copy: the same address cannot
//     hold other bytes, since a change to any file gives a new id. What the copy lacks comes from the server;
//   - another build's files (a new page while this worker still runs, an old page after a deploy) go to
//     the server, past the HTTP cache, and are never stored here;
//   - the copy is written once, at install, from answers that bypass the HTTP cache, and only if the
//     server's index.html, glue and training worker carry this worker's build id. It is never written
//     afterwards, so an old worker can never store a new build's files.
//
// Everything is relative to this file, so the app works the same from a subfolder of any static host.
// Only GET requests for this folder are touched, and of those only the app's page and the files the page
// asks for by build; the rest (embed.js and the course example) is left to the browser.
'use strict';

const BUILD_ID = '@KNOBS_BUILD_ID@';
const SCOPE = new URL('./', self.location.href).href;
// Caches belong to the origin, not to the folder: the folder is in the name so that two copies of the app
// in two folders of one host leave each other's copies alone.
const CACHE_PREFIX = 'knobs-';
const CACHE = `${CACHE_PREFIX}${BUILD_ID} ${SCOPE}`;
// The name the worker before builds had ids used, for every folder.
const LEGACY_CACHE = 'knobs-app-v1';

// How long a page load waits for the server before the stored page answers. A few seconds: a server that
// answers at all sends its first bytes sooner, and a learner should not stare at a blank tab for longer.
const NETWORK_TIMEOUT_MS = 4000;

// The page is stored under one key, whatever address it was asked for by (the folder, index.html, either
// with a query such as corpus= or content=, which the page reads itself).
const PAGE_KEY = new URL('index.html', SCOPE).href;
const PAGE_PATHS = [new URL(SCOPE).pathname, new URL(PAGE_KEY).pathname];

// What the app needs to start and run, and to train in its training worker (fetched only when training
// starts, so offline training must not depend on having trained online before). The shipped model is
// optional (the app runs without it), so a host that leaves it out still gets an installed worker.
const APP_FILES = ['knobs.css', 'knobs-glue.js', 'knobs.js', 'knobs.wasm', 'favicon.svg',
  'train-worker.js', 'knobs_train_worker.js', 'knobs_train_worker.wasm'];
const OPTIONAL_FILES = ['models/default.knobs'];
// Files that carry the build id in their text, checked at install against a deploy that lands meanwhile.
const STAMPED_FILES = ['knobs-glue.js', 'train-worker.js'];

function ofThisBuild(file) {
  return new URL(`${file}?v=${BUILD_ID}`, SCOPE).href;
}

// The build a page's text says it is, or null.
function buildOfPage(text) {
  const match = /<meta name="knobs-build" content="([^"]*)">/.exec(text);
  return match ? match[1] : null;
}

// Only complete, successful answers are kept (not errors, not partial ranges, not redirects).
function complete(response) {
  return response.ok && response.status === 200 && response.type === 'basic';
}

async function fetchPastHttpCache(url) {
  const response = await fetch(url, { cache: 'reload', credentials: 'same-origin' });
  if (!complete(response)) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    // Everything is downloaded and checked before anything is stored, so a failed install leaves no
    // half copy, and the worker before this one keeps serving its own complete build.
    const page = await fetchPastHttpCache(SCOPE);
    const pageText = await page.text();
    const pageBuild = buildOfPage(pageText);
    if (pageBuild !== BUILD_ID) throw new Error(`the server's page is build ${pageBuild}, this worker is build ${BUILD_ID}`);
    const files = await Promise.all(APP_FILES.map(async (file) => [file, await fetchPastHttpCache(ofThisBuild(file))]));
    for (const [file, response] of files) {
      if (STAMPED_FILES.includes(file) && !(await response.clone().text()).includes(BUILD_ID)) {
        throw new Error(`the server's ${file} is not build ${BUILD_ID}`);
      }
    }
    const optional = await Promise.all(OPTIONAL_FILES.map((file) =>
      fetchPastHttpCache(ofThisBuild(file)).then((response) => [file, response], () => null)));

    const cache = await caches.open(CACHE);
    // Stored as a fresh answer: one that came through a redirect (a host that sends /knobs/ to
    // /knobs/index.html) could not answer a page load as it is.
    // Its headers stay (a Content-Security-Policy among them), except those that described the bytes on
    // the wire rather than this text.
    const headers = new Headers(page.headers);
    for (const name of ['Content-Length', 'Content-Encoding']) headers.delete(name);
    await cache.put(PAGE_KEY, new Response(pageText, { status: 200, statusText: page.statusText, headers }));
    await Promise.all([...files, ...optional.filter(Boolean)].map(([file, response]) => cache.put(ofThisBuild(file), response)));
    // A new worker takes over at once: its build's page is what the server serves now, and a running page
    // of the old build keeps its engine (its files are loaded; train-worker.js refuses to mix builds).
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  // Other builds' copies of this folder, and the copy of the worker before builds had ids, are dropped.
  event.waitUntil(caches.keys().then((names) => Promise.all(names
    .filter((name) => name === LEGACY_CACHE || (name.startsWith(CACHE_PREFIX) && name.endsWith(` ${SCOPE}`) && name !== CACHE))
    .map((name) => caches.delete(name)))));
});

// The network's answer, or the stored copy when the network fails or gives no answer within
// NETWORK_TIMEOUT_MS. With no stored copy there is nothing better to offer, so it waits for the network
// as long as the browser does.
async function networkWithin(request, stored) {
  if (!stored) return fetch(request);
  const abort = new AbortController();
  const network = fetch(request, { signal: abort.signal });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      abort.abort();
      resolve(stored);
    }, NETWORK_TIMEOUT_MS);
    network.then((response) => {
      clearTimeout(timer);
      resolve(response);
    }, () => {
      clearTimeout(timer);
      resolve(stored);
    });
  });
}

async function appPage(request) {
  const stored = await (await caches.open(CACHE)).match(PAGE_KEY);
  // The navigation as the browser made it (redirects stay the browser's to follow), but past the HTTP
  // cache: a reload's revalidation would get "not modified" from a host that keeps old file times.
  return networkWithin(new Request(request, { cache: 'reload' }), stored);
}

async function ownFile(request) {
  const stored = await (await caches.open(CACHE)).match(request);
  return stored || fetch(new Request(request, { cache: 'reload' }));
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || !request.url.startsWith(SCOPE)) return;
  const url = new URL(request.url);
  if (request.mode === 'navigate') {
    if (PAGE_PATHS.includes(url.pathname)) event.respondWith(appPage(request));
    return;
  }
  const build = url.searchParams.get('v');
  if (build === null) return;
  event.respondWith(build === BUILD_ID ? ownFile(request) : fetch(new Request(request, { cache: 'reload' })));
});

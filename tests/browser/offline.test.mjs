// The offline layer (web/sw.js) on the real build, against hosts that misbehave the way real ones do
// (docs/embedding.md, "Offline"):
//   * a server that accepts connections and never answers: after one visit the page starts from the stored
//     copy instead of waiting for the network forever;
//   * a host that sends no Cache-Control and keeps old file times (a revalidation gets "304 Not
//     Modified", like Python's http.server): after build B is deployed over build A, a reload and a new tab
//     run build B only, every file of it, and the worker keeps build B's copy only.
// Each test serves the site from a small server written here, on one port for the whole test, so the
// origin (and the service worker registered for it) stays the same when the host changes behind it.
// Nothing here waits for a number of milliseconds: each step waits for the state it needs, with generous
// timeouts, and the worker's own network timeout decides nothing but how soon the copy answers.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, createReadStream } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LOAD_TIMEOUT_MS, VIEWPORTS, browserFrames, launchBrowser, waitForBoot, waitForReady, withPage } from './lib/harness.mjs';

const SITE_DIR = process.env.KNOBS_SITE_DIR;
if (!SITE_DIR) throw new Error('KNOBS_SITE_DIR is not set: run through tests/browser/run.mjs SITE_DIR');

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.knobs': 'application/octet-stream',
};
// Every file of every build claims this time, as on a host that keeps the first upload's file times.
const OLD_TIME = new Date(Date.UTC(2020, 0, 1));

// A static host without Cache-Control or ETag: Last-Modified is always OLD_TIME, and a request with
// If-Modified-Since at or after it gets 304 and no body, whatever the file holds now (Python's
// http.server answers the same way). `root` may be changed while it runs: that is a deploy. `silence()`
// swaps it, on the same port, for a server that accepts every connection and never answers.
async function startHost(root) {
  const host = { root, log: [], accepted: 0 };
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://host');
    const relative = decodeURIComponent(url.pathname).replace(/\/$/, '/index.html');
    const file = path.join(host.root, relative);
    if (!file.startsWith(host.root + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      host.log.push({ path: url.pathname, v: url.searchParams.get('v'), status: 404 });
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not here');
      return;
    }
    const since = Date.parse(req.headers['if-modified-since'] || '');
    const status = since >= OLD_TIME.getTime() ? 304 : 200;
    host.log.push({ path: url.pathname, v: url.searchParams.get('v'), status });
    if (status === 304) {
      res.writeHead(304, { 'Last-Modified': OLD_TIME.toUTCString() }).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
      'Content-Length': statSync(file).size,
      'Last-Modified': OLD_TIME.toUTCString(),
    });
    createReadStream(file).pipe(res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  let silent = null;
  host.url = `http://127.0.0.1:${port}/`;
  host.silence = async () => {
    // Open connections go too: the browser would otherwise keep asking the old server over them.
    await new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
    silent = net.createServer((socket) => {
      host.accepted++;
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise((resolve, reject) => {
      silent.once('error', reject);
      silent.listen(port, '127.0.0.1', resolve);
    });
  };
  host.close = async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all([server, silent].filter(Boolean).map((s) => new Promise((resolve) => s.close(() => resolve()))));
  };
  return host;
}

function buildOf(html) {
  return html.match(/<meta name="knobs-build" content="([0-9a-f]+)">/)?.[1] || null;
}

// Waits until `check(arg)`, an async function run in the page, resolves to true (page.waitForFunction
// would take the promise it returns for a truthy answer). Checked again every few of the browser's frames,
// up to the load timeout.
async function waitInPage(page, check, arg, what) {
  const deadline = Date.now() + LOAD_TIMEOUT_MS;
  while (!(await page.evaluate(check, arg))) {
    if (Date.now() > deadline) throw new Error(`waited ${LOAD_TIMEOUT_MS} ms for ${what}`);
    await browserFrames(page, 5);
  }
}

// Waits until the service worker that controls the page is the one of `build`, with its copy stored and
// every other build's copy gone.
async function waitForWorkerOf(page, build) {
  await waitInPage(page, async (id) => {
    const controller = navigator.serviceWorker.controller;
    if (!controller || new URL(controller.scriptURL).searchParams.get('v') !== id) return false;
    const names = (await caches.keys()).filter((name) => name.startsWith('knobs-'));
    return names.length === 1 && names[0].startsWith(`knobs-${id} `);
  }, build, `build ${build}'s worker and its copy only`);
}

// What a page says about the build of each text file it ran: the page (its meta tags), the glue (the id it
// writes on <html>), the marks the test put into each script of build B, and the stylesheet's mark.
function pageReport(page) {
  return page.evaluate(() => ({
    page: document.querySelector('meta[name="knobs-build"]')?.content,
    pageMark: document.querySelector('meta[name="knobs-test-mark"]')?.content || null,
    glue: document.documentElement.dataset.knobsBuild,
    marks: (window.__knobsTestMarks || []).slice().sort(),
    cssMark: getComputedStyle(document.documentElement).getPropertyValue('--knobs-test-mark').trim() || null,
    // Every file the page asked for, with the build its address names.
    resources: performance.getEntriesByType('resource')
      .map((entry) => new URL(entry.name))
      .filter((url) => url.origin === location.origin)
      .map((url) => `${url.pathname} v=${url.searchParams.get('v')}`),
  }));
}

// Build B: a copy of build A with another build id stamped wherever A's is, and in each file a mark only
// B has: a meta tag in the page, a statement at the end of each script, a custom property in the
// stylesheet, and a custom section at the end of each wasm (valid WebAssembly, ignored by the engine).
// A copy of the site (build A) served by startHost, and build B made beside it, ready to be deployed.
async function hostBuildAWithB() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'knobs-deploy-'));
  const dirA = path.join(root, 'a');
  const dirB = path.join(root, 'b');
  cpSync(SITE_DIR, dirA, { recursive: true });
  const { idA, idB } = makeBuildB(dirA, dirB);
  return { root, dirA, dirB, idA, idB, host: await startHost(dirA) };
}

function makeBuildB(dirA, dirB) {
  cpSync(dirA, dirB, { recursive: true });
  const idA = buildOf(readFileSync(path.join(dirA, 'index.html'), 'utf8'));
  assert.match(idA || '', /^[0-9a-f]{16}$/, 'build A names its build in index.html');
  const idB = createHash('sha256').update(`B after ${idA}`).digest('hex').slice(0, 16);
  const edit = (file, change) => {
    const full = path.join(dirB, file);
    writeFileSync(full, change(readFileSync(full, 'utf8').split(idA).join(idB)));
  };
  edit('index.html', (text) => text.replace('<head>', `<head>\n  <meta name="knobs-test-mark" content="${idB}">`));
  for (const script of ['knobs-glue.js', 'knobs.js', 'sw.js', 'train-worker.js', 'knobs_train_worker.js']) {
    edit(script, (text) => `${text}\n;(self.__knobsTestMarks = self.__knobsTestMarks || []).push('${script} ${idB}');\n`);
  }
  edit('knobs.css', (text) => `${text}\n:root { --knobs-test-mark: "${idB}"; }\n`);
  for (const wasm of ['knobs.wasm', 'knobs_train_worker.wasm']) {
    const name = Buffer.from('knobs-test-mark');
    const payload = Buffer.concat([Buffer.from([name.length]), name, Buffer.from(idB)]);
    const full = path.join(dirB, wasm);
    writeFileSync(full, Buffer.concat([readFileSync(full), Buffer.from([0, payload.length]), payload]));
  }
  return { idA, idB };
}

describe('offline: a server that never answers', () => {
  it('offline: after one visit, a server that accepts connections and never answers: the page starts from the stored copy', async (t) => {
    const host = await startHost(SITE_DIR);
    try {
      await withPage(browser, t, VIEWPORTS.desktop, async (page) => {
        await page.goto(host.url + '#v=2&panel=lifecycle,pretrain');
        await waitForReady(page);
        const build = buildOf(readFileSync(path.join(SITE_DIR, 'index.html'), 'utf8'));
        // The copy is complete once the worker has installed and activated.
        await page.waitForFunction(() => document.documentElement.dataset.knobsOffline === 'ready', null, { timeout: LOAD_TIMEOUT_MS });

        await host.silence();
        // The navigation commits only once the worker gives up on the server; the load itself may then
        // take as long as the app does, so the wait is for the app's own state.
        await page.reload({ waitUntil: 'commit', timeout: LOAD_TIMEOUT_MS * 2 });
        assert.equal(await waitForBoot(page), 'ready', 'the app starts from its stored copy');
        assert.ok(host.accepted > 0, 'the page load did reach the server that never answers');
        const report = await pageReport(page);
        assert.equal(report.page, build, 'the stored page is the build that was visited');
        assert.equal(report.glue, build, 'and so is its glue');
        assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the worker answered');
        await page.waitForFunction(() => ['loaded', 'missing', 'refused'].includes(document.documentElement.dataset.knobsModel),
          null, { timeout: LOAD_TIMEOUT_MS });
        assert.equal(await page.evaluate(() => document.documentElement.dataset.knobsModel), 'loaded', 'the shipped model came from the copy');
      });
    } finally {
      await host.close();
    }
  });
});

describe('offline: a deploy', () => {
  it('offline: build B deployed over build A on a host with old file times and no Cache-Control: a reload and a new tab run build B only', async (t) => {
    const { root, dirB, idA, idB, host } = await hostBuildAWithB();
    try {
      await withPage(browser, t, VIEWPORTS.desktop, async (page, context) => {
        // Build A, visited twice: the second load runs under build A's worker, and the browser's HTTP
        // cache holds build A's files from the first.
        await page.goto(host.url + '#v=2&panel=lifecycle,pretrain');
        await waitForReady(page);
        // On the first visit nothing controls the page yet; the second load is controlled.
        await page.waitForFunction(() => document.documentElement.dataset.knobsOffline === 'ready', null, { timeout: LOAD_TIMEOUT_MS });
        await page.reload();
        await waitForReady(page);
        await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: LOAD_TIMEOUT_MS });
        const a = await pageReport(page);
        assert.equal(a.page, idA);
        assert.equal(a.glue, idA);

        // The deploy: same addresses, same old file times, new bytes.
        host.root = dirB;
        const deployedAt = host.log.length;
        await page.reload();
        await waitForReady(page);

        const wanted = ['knobs-glue.js', 'knobs.js', 'sw.js', 'train-worker.js', 'knobs_train_worker.js'];
        const assertBuildB = async (target, label) => {
          const report = await pageReport(target);
          assert.equal(report.page, idB, `${label}: index.html is build B`);
          assert.equal(report.pageMark, idB, `${label}: index.html has build B's bytes`);
          assert.equal(report.glue, idB, `${label}: knobs-glue.js is build B`);
          assert.deepEqual(report.marks, [`knobs-glue.js ${idB}`, `knobs.js ${idB}`], `${label}: the page's scripts have build B's bytes`);
          assert.equal(report.cssMark, `"${idB}"`, `${label}: knobs.css has build B's bytes`);
          for (const file of ['/knobs-glue.js', '/knobs.css', '/knobs.js', '/knobs.wasm', '/models/default.knobs']) {
            assert.ok(report.resources.includes(`${file} v=${idB}`), `${label}: ${file} was asked for as build B (${report.resources.join(', ')})`);
          }
          const others = report.resources.filter((entry) => !entry.endsWith(` v=${idB}`));
          assert.deepEqual(others, [], `${label}: nothing of another build, or of no build`);
        };
        await assertBuildB(page, 'the reload');

        // What the host answered since the deploy: every file by build B's address, and never a
        // "not modified" that would have let the browser reuse a build A body.
        const since = host.log.slice(deployedAt);
        assert.deepEqual(since.filter((entry) => entry.status !== 200), [], 'no 304 or 404 since the deploy');
        assert.deepEqual(since.filter((entry) => entry.v !== null && entry.v !== idB), [], 'no build A address since the deploy');
        for (const file of ['/', '/knobs.wasm']) {
          assert.ok(since.some((entry) => entry.path === file), `${file} came from the host after the deploy`);
        }

        // Build B's worker takes over and keeps build B's copy only.
        await waitForWorkerOf(page, idB);
        const stored = await page.evaluate(async (id) => {
          const name = (await caches.keys()).find((n) => n.startsWith(`knobs-${id} `));
          const cache = await caches.open(name);
          const text = async (file) => (await cache.match(new URL(file, location.href).href))?.text();
          const wasm = new Uint8Array(await (await cache.match(new URL(`knobs.wasm?v=${id}`, location.href).href))?.arrayBuffer() || []);
          return {
            keys: (await cache.keys()).map((request) => new URL(request.url).pathname + new URL(request.url).search).sort(),
            page: await text('index.html'),
            glue: await text(`knobs-glue.js?v=${id}`),
            wasmTail: new TextDecoder().decode(wasm.slice(wasm.length - id.length)),
          };
        }, idB);
        const expected = ['/index.html', ...['favicon.svg', 'knobs-glue.js', 'knobs.css', 'knobs.js', 'knobs.wasm', 'knobs_train_worker.js',
          'knobs_train_worker.wasm', 'models/default.knobs', 'train-worker.js'].map((file) => `/${file}?v=${idB}`)].sort();
        assert.deepEqual(stored.keys, expected, 'the copy holds build B\'s files, by build B\'s addresses');
        assert.equal(buildOf(stored.page), idB, 'the stored page is build B');
        assert.ok(stored.page.includes(`<meta name="knobs-test-mark" content="${idB}">`), 'with build B\'s bytes');
        assert.ok(stored.glue.includes(`push('knobs-glue.js ${idB}')`), 'the stored glue has build B\'s bytes');
        assert.equal(stored.wasmTail, idB, 'the stored knobs.wasm has build B\'s bytes');
        const worker = context.serviceWorkers().find((w) => new URL(w.url()).searchParams.get('v') === idB);
        assert.ok(worker, 'build B\'s worker runs');
        assert.deepEqual(await worker.evaluate(() => self.__knobsTestMarks), [`sw.js ${idB}`], 'sw.js has build B\'s bytes');

        // A new tab, which also trains in the training worker (fetched only when training starts).
        const tab = await context.newPage();
        try {
          await tab.goto(host.url + '#v=2&panel=lifecycle,pretrain&size=S&corpus=english&seed=11&run=2');
          await waitForReady(tab);
          await assertBuildB(tab, 'a new tab');
          await tab.waitForFunction(() => {
            const p = window.knobs.state().lab.pretrain;
            return p.step >= 2 && !p.running;
          }, null, { timeout: LOAD_TIMEOUT_MS * 2, polling: 100 });
          assert.equal((await tab.evaluate(() => window.knobs.state())).lab.pretrain.in_worker, true, 'it trained in the training worker');
          const trainer = tab.workers().find((w) => new URL(w.url()).pathname === '/train-worker.js');
          assert.ok(trainer, 'the training worker runs');
          assert.equal(new URL(trainer.url()).searchParams.get('v'), idB, 'train-worker.js was asked for as build B');
          const inWorker = await trainer.evaluate(() => ({
            marks: (self.__knobsTestMarks || []).slice().sort(),
            resources: performance.getEntriesByType('resource').map((e) => new URL(e.name)).map((u) => `${u.pathname} v=${u.searchParams.get('v')}`),
          }));
          assert.deepEqual(inWorker.marks, [`knobs_train_worker.js ${idB}`, `train-worker.js ${idB}`], 'the training worker\'s scripts have build B\'s bytes');
          assert.ok(inWorker.resources.includes(`/knobs_train_worker.wasm v=${idB}`), `its engine was asked for as build B (${inWorker.resources.join(', ')})`);
        } finally {
          await tab.close();
        }
      });
    } finally {
      await host.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('offline: a page that keeps running across a deploy', () => {
  it('offline: a page of build A that starts training after build B is deployed refuses B\'s training worker and trains in its frames', async (t) => {
    const { root, dirB, idA, idB, host } = await hostBuildAWithB();
    try {
      // No service worker, as on a plain http:// host: nothing keeps build A's training worker, and the host
      // hands out build B's at build A's address.
      await withPage(browser, t, { ...VIEWPORTS.desktop, config: { serviceWorker: false } }, async (page) => {
        await page.goto(host.url + '#v=2&panel=lifecycle,pretrain&size=S&corpus=english&seed=11');
        await waitForReady(page);
        assert.equal((await pageReport(page)).glue, idA);
        host.root = dirB;
        assert.deepEqual(await page.evaluate(() => window.knobs.command('load_link', { fragment: '#v=2&panel=lifecycle,pretrain&size=S&corpus=english&seed=11&run=2' })), { ok: true });
        await page.waitForFunction(() => {
          const p = window.knobs.state().lab.pretrain;
          return p.step >= 2 && !p.running;
        }, null, { timeout: LOAD_TIMEOUT_MS * 2, polling: 100 });
        const pretrain = (await page.evaluate(() => window.knobs.state())).lab.pretrain;
        assert.equal(pretrain.in_worker, false, 'the steps ran in the page');
        assert.ok(pretrain.losses.every(Number.isFinite), 'and trained');
        assert.ok(host.log.some((entry) => entry.path === '/train-worker.js' && entry.v === idA && entry.status === 200),
          'the host did hand out its train-worker.js (build B\'s) for build A\'s address');
        const refusal = page.knobsLog.find((line) => line.includes('the training worker stopped'));
        assert.ok(refusal && refusal.includes(`the page is build ${idA} and this training worker is build ${idB}`),
          `the page was told why: ${refusal}`);
      });
    } finally {
      await host.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

// H5P's iframe resizer, child side (web/glue/67-h5p-resizer.js; docs/embedding.md, "Pages that load
// h5p-resizer.js"). The host page here plays the parent: written for this test from H5P's documented
// message sequence (hello -> hello; prepareResize -> frame set to clientHeight, resizePrepared; resize ->
// frame set to scrollHeight; a window resize -> resize to the frame), with no Knobs script on it.
// It runs on another origin than the app, as a course site would.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, browserFrames, launchBrowser, saveArtifact, withPage } from './lib/harness.mjs';

const { startServer } = createRequire(import.meta.url)(path.join(REPO_ROOT, 'scripts/serve'));

const SITE_URL = process.env.KNOBS_SITE_URL;
if (!SITE_URL) throw new Error('KNOBS_SITE_URL is not set: run these tests through tests/browser/run.mjs SITE_DIR');

// The course page: http://localhost:B, while the app is at http://127.0.0.1:A.
let hostDir;
let hostServer;
const hostUrl = () => hostServer.url.replace('127.0.0.1', 'localhost');

// The parent side, as h5p-resizer.js behaves: it answers only frames it finds by event.source, and only
// messages with context 'h5p'. Every message it gets and every height it sets are kept for the test.
const HOST_SCRIPT = `
window.__h5p = { received: [], set: [] };
const handlers = {
  hello(frame, data, respond) {
    frame.style.width = '100%';
    window.addEventListener('resize', () => respond('resize'));
    respond('hello');
  },
  prepareResize(frame, data, respond) {
    if (frame.clientHeight !== data.scrollHeight || data.scrollHeight !== data.clientHeight) {
      frame.style.height = data.clientHeight + 'px';
      window.__h5p.set.push(['prepared', data.clientHeight]);
      respond('resizePrepared');
    }
  },
  resize(frame, data) {
    frame.style.height = data.scrollHeight + 'px';
    window.__h5p.set.push(['resize', data.scrollHeight]);
  },
};
window.addEventListener('message', (event) => {
  if (!event.data || event.data.context !== 'h5p') return;
  const frame = Array.from(document.getElementsByTagName('iframe')).find((f) => f.contentWindow === event.source);
  if (!frame) return;
  window.__h5p.received.push(event.data.action);
  const handler = handlers[event.data.action];
  if (handler) handler(frame, event.data, (action, data) => event.source.postMessage(Object.assign({}, data, { action, context: 'h5p' }), event.origin));
});`;

function hostPage(src) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>H5P host</title>
<style>body { margin: 0; font: 14px sans-serif; } p { margin: 8px; } iframe { display: block; border: 0; width: 100%; height: 200px; }</style>
<script>${HOST_SCRIPT}</script></head>
<body><p>A course page that loads H5P's resizer.</p><iframe id="knobs" title="Knobs" src="${src}"></iframe><p>After the frame.</p></body></html>`;
}

// The same page with the resizer started only when the test says so (a script that loads late).
function lateHostPage(src) {
  return hostPage(src).replace(`<script>${HOST_SCRIPT}</script>`, `<script>window.startResizer = () => { ${HOST_SCRIPT} };</script>`);
}

let browser;
before(async () => {
  hostDir = mkdtempSync(path.join(tmpdir(), 'knobs-h5p-host-'));
  writeFileSync(path.join(hostDir, 'course.html'), hostPage(SITE_URL + '#v=2&embed=1&panel=quiz'));
  writeFileSync(path.join(hostDir, 'late.html'), lateHostPage(SITE_URL + '#v=2&embed=1&panel=quiz'));
  hostServer = await startServer({ root: hostDir, port: 0 });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await hostServer?.close();
  if (hostDir) rmSync(hostDir, { recursive: true, force: true });
});

const frameHeight = (page) => page.evaluate(() => document.getElementById('knobs').getBoundingClientRect().height);
const contentHeight = (frame) => frame.evaluate(() => Math.ceil(window.knobs.state().embed.content_height));

// The Knobs frame in the host page, once the app runs and knows its content's height.
async function knobsFrame(page) {
  const frame = page.frames().find((f) => f.url().startsWith(SITE_URL));
  await frame.waitForFunction(() => window.knobs && window.knobs.isReady() && window.knobs.state().embed.content_height > 0,
    null, { timeout: 60000 });
  return frame;
}

describe('h5p: a page with h5p-resizer.js sizes a Knobs frame', () => {
  it('h5p: the frame follows the content within one resize of a panel change, and settles', async (t) => {
    await withPage(browser, t, { width: 900, height: 700 }, async (page) => {
      await page.goto(hostUrl() + 'course.html');
      await page.waitForFunction(() => window.__h5p.received.includes('hello'), null, { timeout: 60000 });
      const frame = await knobsFrame(page);

      // Sized to the quiz's content: through prepareResize -> resizePrepared -> resize.
      const quizHeight = await contentHeight(frame);
      await page.waitForFunction((h) => document.getElementById('knobs').getBoundingClientRect().height === h, quizHeight, { timeout: 30000 });
      let log = await page.evaluate(() => window.__h5p);
      const prepared = log.received.indexOf('prepareResize');
      assert.ok(prepared > 0 && log.received.slice(0, prepared).every((a) => a === 'hello'), `hello first: ${log.received}`);
      assert.equal(log.received[prepared + 1], 'resize');
      assert.deepEqual(log.set.at(-1), ['resize', quizHeight]);
      assert.notEqual(quizHeight, 200, 'the frame did not start at the content height');

      // Another panel: one more exchange, and the frame has the new content's height.
      const before = log.set.filter(([kind]) => kind === 'resize').length;
      assert.deepEqual(await frame.evaluate(() => window.knobs.command('load_link', { fragment: '#v=2&embed=1&panel=about' })), { ok: true });
      await frame.waitForFunction((h) => Math.ceil(window.knobs.state().embed.content_height) !== h, quizHeight, { timeout: 30000 });
      const aboutHeight = await contentHeight(frame);
      await page.waitForFunction((h) => document.getElementById('knobs').getBoundingClientRect().height === h, aboutHeight, { timeout: 30000 });
      log = await page.evaluate(() => window.__h5p);
      const resizes = log.set.filter(([kind]) => kind === 'resize').slice(before);
      assert.deepEqual(resizes, [['resize', aboutHeight]], 'one resize after the panel change');
      t.diagnostic(`quiz ${quizHeight} px, about ${aboutHeight} px`);

      // Settled: the page's window changes width (the parent sends 'resize'), and the frame ends at its
      // content's height again, without growing on its own.
      await page.setViewportSize({ width: 700, height: 700 });
      // The frame's new width may change the content's height once more: wait for the frame to match it.
      await browserFrames(frame, 10);
      const wanted = await contentHeight(frame);
      await page.waitForFunction((h) => document.getElementById('knobs').getBoundingClientRect().height === h, wanted, { timeout: 30000 });
      const settled = await frameHeight(page);
      const count = (await page.evaluate(() => window.__h5p.set.length));
      // Many of the app's frames and several of its looks at the state later, nothing has moved.
      const polls = await frame.evaluate(() => window.knobs.state().frame);
      await frame.waitForFunction((n) => window.knobs.state().frame >= n + 60, polls, { timeout: 60000, polling: 'raf' });
      await browserFrames(page, 30);
      assert.equal(await frameHeight(page), settled, 'the frame keeps its height');
      assert.equal(await contentHeight(frame), settled, 'which is the content height');
      assert.equal((await page.evaluate(() => window.__h5p.set.length)), count, 'no further resizing');
      saveArtifact('screens/h5p-resizer-host.png', await page.screenshot({ fullPage: true }));
    });
  });

  it('h5p: messages from a page other than the parent, or without context h5p, change nothing', async (t) => {
    await withPage(browser, t, { width: 900, height: 700 }, async (page) => {
      await page.goto(hostUrl() + 'course.html');
      const frame = await knobsFrame(page);
      const height = await contentHeight(frame);
      await page.waitForFunction((h) => document.getElementById('knobs').getBoundingClientRect().height === h, height, { timeout: 30000 });
      const count = await page.evaluate(() => window.__h5p.received.length);
      // 'ready' asks the frame to say hello again; it counts only from the parent, with context 'h5p'.
      await frame.evaluate(() => window.postMessage({ context: 'h5p', action: 'ready' }, '*'));
      await page.evaluate(() => document.getElementById('knobs').contentWindow.postMessage({ action: 'ready' }, '*'));
      await browserFrames(frame, 30);
      await browserFrames(page, 10);
      assert.equal(await page.evaluate(() => window.__h5p.received.length), count, 'the frame sent nothing more');
      // The same from the parent with the context: the frame greets again (so the two above were refused).
      await page.evaluate(() => document.getElementById('knobs').contentWindow.postMessage({ context: 'h5p', action: 'ready' }, '*'));
      await page.waitForFunction((n) => window.__h5p.received.length > n && window.__h5p.received.at(-1) === 'hello', count, { timeout: 30000 });
    });
  });

  it('h5p: a resizer that starts after the frame said hello still sizes it at the next content change', async (t) => {
    await withPage(browser, t, { width: 900, height: 700 }, async (page) => {
      await page.goto(hostUrl() + 'late.html');
      const frame = await knobsFrame(page);
      await browserFrames(frame, 30);
      await page.evaluate(() => window.startResizer());
      assert.equal(await frameHeight(page), 200, 'nobody has sized the frame yet');
      assert.deepEqual(await frame.evaluate(() => window.knobs.command('load_link', { fragment: '#v=2&embed=1&panel=about' })), { ok: true });
      await frame.waitForFunction(() => window.knobs.state().lesson && window.knobs.state().embed.content_height > 700, null, { timeout: 30000 });
      const height = await contentHeight(frame);
      await page.waitForFunction((h) => document.getElementById('knobs').getBoundingClientRect().height === h, height, { timeout: 30000 });
      assert.equal((await page.evaluate(() => window.__h5p.received))[0], 'hello');
    });
  });
});

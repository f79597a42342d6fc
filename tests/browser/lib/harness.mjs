// Shared helpers for the browser tests: launching Debian's Chromium through playwright-core,
// pages with a given viewport / DPR / touch, waiting for the app, and failure screenshots.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePng, fractionDifferent, imageStats } from './png.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const ARTIFACTS = process.env.KNOBS_ARTIFACTS || path.join(REPO_ROOT, 'artifacts');
export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
export const CHROMIUM = process.env.KNOBS_CHROMIUM || '/usr/bin/chromium';

// Flags from docs (toolchain notes): software WebGL through SwiftShader, and no background traffic
// toward a network this machine does not have.
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--enable-unsafe-swiftshader', '--use-angle=swiftshader',
];

// The longest we wait for the app to load. SwiftShader is slow, and the machine is shared.
export const LOAD_TIMEOUT_MS = Number(process.env.KNOBS_LOAD_TIMEOUT_MS) || 60000;

let playwright = null;
async function loadPlaywright() {
  if (playwright) return playwright;
  try {
    playwright = await import('playwright-core');
  } catch (error) {
    throw new Error('playwright-core is not installed: run `npm ci` (scripts/setup does it). ' + error.message);
  }
  return playwright;
}

// Launches Chromium. Playwright gives every launch a fresh temporary profile (--user-data-dir)
// and deletes it on close, so no state leaks between runs.
export async function launchBrowser() {
  const { chromium } = await loadPlaywright();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    timeout: 60000,
  });
}

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800, dpr: 1 },
  desktop2x: { width: 1280, height: 800, dpr: 2 },
  phone: { width: 390, height: 844, dpr: 3, mobile: true, touch: true },
};

export async function newPage(browser, { width = 1280, height = 800, dpr = 1, mobile = false, touch = false,
  config = null, locale = 'en-US', init = null } = {}) {
  const context = await browser.newContext({
    viewport: { width, height },
    deviceScaleFactor: dpr,
    isMobile: mobile,
    hasTouch: touch,
    locale,
    colorScheme: 'dark',
    reducedMotion: 'reduce',
  });
  if (config) {
    await context.addInitScript((value) => { window.KNOBS_CONFIG = value; }, config);
  }
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  const log = [];
  page.on('console', (message) => log.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => log.push(`[pageerror] ${error.stack || error.message}`));
  page.on('requestfailed', (request) => log.push(`[requestfailed] ${request.url()} ${request.failure()?.errorText}`));
  page.knobsLog = log;
  return { context, page };
}

function slug(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80);
}

// Runs `body(page, context)` in a fresh context; on failure saves a screenshot and the console log
// to artifacts/failures/, then rethrows.
export async function withPage(browser, testContext, options, body) {
  const { context, page } = await newPage(browser, options);
  try {
    return await body(page, context);
  } catch (error) {
    const dir = path.join(ARTIFACTS, 'failures');
    mkdirSync(dir, { recursive: true });
    const base = path.join(dir, slug(testContext.name || 'test'));
    try {
      await page.screenshot({ path: base + '.png', timeout: 10000 });
    } catch { /* the page may be gone; the log still helps */ }
    writeFileSync(base + '.log', page.knobsLog.join('\n') + '\n');
    error.message += `\n(screenshot and console log: ${path.relative(REPO_ROOT, base)}.{png,log})`;
    throw error;
  } finally {
    await context.close().catch(() => {});
  }
}

// Waits until the glue reports a final state; returns it ('ready', 'error', 'context-lost').
export async function waitForBoot(page) {
  await page.waitForFunction(() => document.documentElement.dataset.knobsState !== 'loading', null,
    { timeout: LOAD_TIMEOUT_MS, polling: 50 });
  return page.evaluate(() => document.documentElement.dataset.knobsState);
}

export async function waitForReady(page) {
  const state = await waitForBoot(page);
  if (state !== 'ready') {
    const title = await page.evaluate(() => document.getElementById('error-title')?.textContent);
    const details = await page.evaluate(() => document.getElementById('error-details-text')?.textContent);
    throw new Error(`the app did not become ready (state "${state}"): ${title}\n${details}\n` +
      page.knobsLog.slice(-15).join('\n'));
  }
  return page.evaluate(() => window.knobs.state());
}

// Waits until the app has drawn `count` more frames (input is processed by ImGui on frames).
// The accessibility mirror's tests: a page that polls the app's capture every 100 ms (the shipped default
// is 750 ms, which would make them slow), loaded and with its first capture in the DOM.
export const MIRROR_CONFIG = { a11yPollMs: 100 };

export async function withMirroredApp(browser, testContext, url, options, body) {
  return withPage(browser, testContext, { config: MIRROR_CONFIG, ...options }, async (page) => {
    await page.goto(url);
    await waitForReady(page);
    await mirrorUpdated(page);
    return body(page);
  });
}

// Waits for a capture newer than the one the mirror shows now (or for the first one), `times` over.
export async function mirrorUpdated(page, times = 1) {
  for (let i = 0; i < times; i++) {
    const frame = await page.evaluate(() => Number(document.getElementById('a11y-mirror').dataset.knobsFrame || 0));
    await page.waitForFunction((seen) => Number(document.getElementById('a11y-mirror').dataset.knobsFrame || 0) > seen,
      frame, { timeout: 30000, polling: 50 });
  }
}

export async function waitFrames(page, count) {
  const start = await page.evaluate(() => window.knobs.state().frame);
  await page.waitForFunction((target) => window.knobs.state().frame >= target, start + count,
    { timeout: 30000, polling: 'raf' });
}

// An init script (page.addInitScript(recordLargeCopies, minBytes)): window.__copies lists the length of
// every typed-array copy (TypedArray.prototype.set) of at least `minBytes` elements the page makes, so a
// test can count how often a file's bytes were copied instead of timing it (make bench times it).
export function recordLargeCopies(minBytes) {
  window.__copies = [];
  const typedArray = Object.getPrototypeOf(Uint8Array.prototype);
  const set = typedArray.set;
  typedArray.set = function (source, offset) {
    if (source && source.length >= minBytes) window.__copies.push(source.length);
    return set.call(this, source, offset);
  };
}

// Waits until the browser has run `count` animation frames in `target` (a page or a frame): input sent
// before has been dispatched, and whatever a frame would start has started. For checks that something did
// NOT happen: counted in the browser's frames, so a slow machine waits longer instead of failing.
export function browserFrames(target, count) {
  return target.evaluate((n) => new Promise((resolve) => {
    let left = n;
    const tick = () => (--left <= 0 ? resolve() : requestAnimationFrame(tick));
    requestAnimationFrame(tick);
  }), count);
}

// Virtual time for the page's own timers (Playwright's clock, installed before the page loads): time
// flows as usual until pauseClock(page); from then on setTimeout, setInterval, Date, performance.now and
// requestAnimationFrame move only by page.clock.runFor(ms). Tests of what the glue does after a delay, or
// at most every so often, run those timers exactly instead of sleeping and measuring.
export async function pauseClock(page) {
  const now = await page.evaluate(() => Date.now());
  await page.clock.pauseAt(now + 1000);
}

export function center(rect) {
  const [x, y, w, h] = rect;
  return { x: x + w / 2, y: y + h / 2 };
}

export async function screenshotStats(page, options = {}) {
  const png = await page.screenshot({ type: 'png', ...options });
  const image = decodePng(png);
  return { png, image, ...imageStats(image) };
}

export { fractionDifferent };

export function saveArtifact(relativePath, data) {
  const target = path.join(ARTIFACTS, relativePath);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, data);
  return target;
}

// A route matcher for one of the site's files whatever build id its address carries: the page asks for
// them as "knobs.wasm?v=<build id>" (cmake/copy_web.cmake), and a test routes the file, not one build.
export function siteFile(baseUrl, file) {
  const wanted = new URL(file, baseUrl);
  return (url) => url.origin === wanted.origin && url.pathname === wanted.pathname;
}

// A host page that embeds the app in an iframe between two buttons, tall enough to scroll.
// Served by route interception at `${base}__host.html`, same origin as the app.
export function hostPageHtml(appPath = 'index.html') {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>host</title>
<link rel="stylesheet" href="__host.css"></head>
<body>
<button id="before">before</button>
<iframe id="app" src="${appPath}" title="Knobs"></iframe>
<button id="after">after</button>
<div id="spacer"></div>
</body></html>`;
}

export const HOST_CSS = `body { margin: 0; font: 14px sans-serif; }
button { display: block; margin: 8px; }
iframe { display: block; width: 800px; height: 500px; border: 0; }
#spacer { height: 3000px; }`;

export async function routeHostPage(page, baseUrl, appPath) {
  await page.route(baseUrl + '__host.html', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: hostPageHtml(appPath) }));
  await page.route(baseUrl + '__host.css', (route) =>
    route.fulfill({ status: 200, contentType: 'text/css; charset=utf-8', body: HOST_CSS }));
}

// Dispatches a drag-and-drop of `files` ([{name, text, type}]) onto the canvas, as the browser does for
// files dragged from the desktop. Returns which events the page accepted and whether the hint showed.
export function dropFiles(page, files, { drop = true } = {}) {
  return page.evaluate(({ list, drop }) => {
    const data = new DataTransfer();
    for (const { name, text, type } of list) data.items.add(new File([text], name, { type: type || '' }));
    const canvas = document.getElementById('canvas');
    const fire = (type) => {
      const event = new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true, clientX: 300, clientY: 300 });
      canvas.dispatchEvent(event);
      return event.defaultPrevented;
    };
    const accepted = { enter: fire('dragenter'), over: fire('dragover') };
    accepted.hintShown = !document.getElementById('drop-hint').hidden;
    if (drop) accepted.drop = fire('drop');
    accepted.hintAfter = !document.getElementById('drop-hint').hidden;
    return accepted;
  }, { list: files, drop });
}

// A copy of the built site in a fresh temporary folder, at `subfolder` below the server's root, served on a
// free port: for tests that add files beside the app or host it somewhere other than the root.
// Returns {root, site, server, close()}; close() stops the server and deletes the folder.
export async function serveSiteCopy(siteDir, subfolder = '') {
  const { startServer } = createRequire(import.meta.url)(path.join(REPO_ROOT, 'scripts/serve'));
  const root = mkdtempSync(path.join(os.tmpdir(), 'knobs-site-'));
  const site = path.join(root, subfolder);
  cpSync(siteDir, site, { recursive: true });
  const server = await startServer({ root, port: 0 });
  return {
    root, site, server,
    async close() {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

// The page's security and its promises about the network, on the real build:
//   * it runs under the Content-Security-Policy docs/security.md documents, with no violation, and that
//     policy is as tight as it can be (without 'wasm-unsafe-eval' the engine cannot start);
//   * it asks nothing of any origin but its own, while loading and while it trains, generates and
//     loads presets;
//   * the same link gives the same run, bit for bit, in two fresh pages, and the same again in a page
//     without Web Workers (training in the frames instead of the training worker);
//   * after one visit it starts and trains offline (web/sw.js), also when served from a subfolder.
// The origin checks on postMessage, from a second origin, are in embed.test.mjs.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  REPO_ROOT, VIEWPORTS, launchBrowser, screenshotStats, waitForBoot, waitForReady, waitFrames, withPage,
} from './lib/harness.mjs';

const require = createRequire(import.meta.url);
const { startServer } = require(path.join(REPO_ROOT, 'scripts/serve'));

const SITE_URL = process.env.KNOBS_SITE_URL;
const SITE_DIR = process.env.KNOBS_SITE_DIR;
if (!SITE_URL || !SITE_DIR) throw new Error('KNOBS_SITE_URL/KNOBS_SITE_DIR are not set: run through tests/browser/run.mjs SITE_DIR');

// The policy as docs/security.md states it, read from the doc so the two cannot drift apart.
function documentedPolicy() {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs/security.md'), 'utf8');
  const match = doc.match(/<!-- csp -->\s*```[a-z]*\n([^\n]+)\n```/);
  if (!match) throw new Error('docs/security.md has no policy block after <!-- csp -->');
  return match[1].trim();
}

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

// Collects CSP violations from the first script on.
function recordViolations() {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation',
    (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
}

async function command(page, name, args) {
  return page.evaluate(([n, a]) => window.knobs.command(n, a), [name, args]);
}

async function trainOneStep(page) {
  const before = (await page.evaluate(() => window.knobs.state())).lab.pretrain.step;
  assert.deepEqual(await command(page, 'lab_step'), { ok: true });
  await page.waitForFunction((n) => window.knobs.state().lab.pretrain.step > n, before, { timeout: 60000 });
  const pretrain = (await page.evaluate(() => window.knobs.state())).lab.pretrain;
  assert.ok(Number.isFinite(pretrain.loss), `a trained step reports a loss (${pretrain.loss})`);
  return pretrain;
}

async function assertRenders(page, label) {
  await waitFrames(page, 2);
  const shot = await screenshotStats(page);
  assert.ok(shot.nonBackgroundFraction > 0.01 && shot.distinctColors > 16,
    `${label}: the canvas shows panels (${(shot.nonBackgroundFraction * 100).toFixed(2)}% drawn, ${shot.distinctColors} colours)`);
}

describe('security: Content-Security-Policy', () => {
  it('security: the documented CSP: loads, renders, trains, installs the offline copy, no violation', async (t) => {
    const csp = documentedPolicy();
    assert.match(csp, /default-src 'none'/, 'the policy denies by default');
    const strict = await startServer({ root: SITE_DIR, port: 0, headers: { 'Content-Security-Policy': csp } });
    try {
      await withPage(browser, t, VIEWPORTS.desktop, async (page) => {
        await page.addInitScript(recordViolations);
        const response = await page.goto(strict.url);
        assert.equal(response.headers()['content-security-policy'], csp, 'the page is served with the policy');
        await waitForReady(page);
        await assertRenders(page, 'under the CSP');
        await trainOneStep(page);
        await page.waitForFunction(() => document.documentElement.dataset.knobsModel === 'loaded', null, { timeout: 30000 });
        await page.waitForFunction(() => document.documentElement.dataset.knobsOffline === 'ready', null, { timeout: 30000 });
        assert.deepEqual(await page.evaluate(() => window.__violations), [], 'no CSP violation');
      });
    } finally {
      await strict.close();
    }
  });

  it('security: without \'wasm-unsafe-eval\' the engine cannot start, and the page says so', async (t) => {
    // The one exception the policy makes is needed: this is what a stricter policy does to the app.
    const stricter = documentedPolicy().replace(" 'wasm-unsafe-eval'", '');
    const server = await startServer({ root: SITE_DIR, port: 0, headers: { 'Content-Security-Policy': stricter } });
    try {
      await withPage(browser, t, VIEWPORTS.desktop, async (page) => {
        await page.addInitScript(recordViolations);
        await page.goto(server.url);
        assert.equal(await waitForBoot(page), 'error', 'the page shows its error screen instead of hanging');
        assert.ok(await page.isVisible('#error'));
        const violations = await page.evaluate(() => window.__violations);
        assert.ok(violations.some((v) => v.startsWith('script-src')), `the browser blocked the wasm compile: ${violations.join(' | ')}`);
      });
    } finally {
      await server.close();
    }
  });
});

describe('security: no HTML or code from strings', () => {
  it('security: the page\'s scripts never parse strings as HTML or code', () => {
    // Whatever a link, a message or a file holds reaches the DOM as text (textContent, attributes one by
    // one), never through an HTML or code sink. Checked on the source, comments included: even a mention
    // would need a look.
    const sinks = /\binnerHTML\b|\bouterHTML\b|\binsertAdjacentHTML\b|\bdocument\.write(ln)?\s*\(|\beval\s*\(|\bnew\s+Function\s*\(|\bset(Timeout|Interval)\s*\(\s*['"`]|\bcreateContextualFragment\b|\bsrcdoc\b/;
    // The page glue's source is its pieces (web/glue/, joined into the site's knobs-glue.js by the build).
    const files = [
      ...readdirSync(path.join(REPO_ROOT, 'web')).filter((name) => /\.(js|html)$/.test(name)),
      ...readdirSync(path.join(REPO_ROOT, 'web/glue')).filter((name) => name.endsWith('.js')).map((name) => 'glue/' + name),
    ];
    assert.ok(files.some((name) => name.startsWith('glue/')) && files.includes('embed.js') && files.includes('sw.js'), files.join(', '));
    const found = [];
    for (const name of files) {
      readFileSync(path.join(REPO_ROOT, 'web', name), 'utf8').split('\n').forEach((line, i) => {
        if (sinks.test(line)) found.push(`web/${name}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(found, []);
    // The engine's generated JavaScript needs no eval either (the CSP above would block it).
    const engine = readFileSync(path.join(SITE_DIR, 'knobs.js'), 'utf8');
    assert.ok(!/\beval\s*\(|\bnew\s+Function\s*\(/.test(engine), 'knobs.js calls neither eval nor new Function');
  });
});

describe('security: network', () => {
  it('security: the page asks nothing of any other origin while it loads, trains, generates and loads presets', async (t) => {
    const origin = new URL(SITE_URL).origin;
    await withPage(browser, t, VIEWPORTS.desktop, async (page, context) => {
      const requests = [];
      context.on('request', (request) => requests.push(request.url()));
      await page.goto(SITE_URL + '#v=2&panel=lifecycle,pretrain&seed=3');
      await waitForReady(page);
      await page.waitForFunction(() => document.documentElement.dataset.knobsModel === 'loaded', null, { timeout: 30000 });
      await trainOneStep(page);
      assert.deepEqual(await command(page, 'lab_generate', { prompt: 'the cat ', tokens: 8 }), { ok: true });
      assert.deepEqual(await command(page, 'load_preset', { id: 'temperature' }), { ok: true });
      for (const panel of ['weights', 'cost', 'finetune', 'quiz', 'table']) {
        assert.deepEqual(await command(page, 'open_panel', { panel }), { ok: true });
        await waitFrames(page, 2);
      }
      await page.waitForFunction(() => document.documentElement.dataset.knobsOffline === 'ready', null, { timeout: 30000 });
      await waitFrames(page, 5);
      assert.ok(requests.length >= 4, `the load was recorded (${requests.length} requests)`);
      const foreign = requests.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin);
      assert.deepEqual(foreign, [], `every request goes to ${origin}`);
    });
  });
});

describe('security: determinism', () => {
  it('security: the same link trains the same curve and weights, bit for bit, in two fresh pages and without a worker', async (t) => {
    const steps = 12;
    const link = `${SITE_URL}#v=2&panel=lifecycle,pretrain&size=S&corpus=english&lr=0.01&seed=11&run=${steps}`;
    const runs = [];
    // Two pages train in the training worker; a third has no Worker, so it trains in its frames.
    for (const worker of [true, true, false]) {
      await withPage(browser, t, VIEWPORTS.desktop, async (page) => {
        if (!worker) await page.addInitScript(() => { delete window.Worker; });
        await page.goto(link);
        await waitForReady(page);
        await page.waitForFunction((n) => {
          const p = window.knobs.state().lab.pretrain;
          return p.step >= n && !p.running;
        }, steps, { timeout: 120000, polling: 100 });
        runs.push((await page.evaluate(() => window.knobs.state())).lab.pretrain);
      });
    }
    const [a, b, inFrames] = runs;
    assert.equal(a.in_worker, true, 'the run trained in the worker');
    assert.equal(inFrames.in_worker, false, 'without a Worker the run trained in the frames');
    assert.equal(a.step, steps, 'run=N stops at exactly step N');
    assert.equal(a.losses.length, steps, 'one loss per step');
    assert.ok(a.losses.every(Number.isFinite), 'the losses are numbers');
    assert.match(a.checksum, /^[0-9a-f]{16}$/);
    assert.equal(b.step, a.step);
    // Compared as the exact doubles the app reports (JSON keeps every bit of a float's value).
    assert.deepEqual(b.losses, a.losses, 'the loss curves are identical');
    assert.equal(b.checksum, a.checksum, 'the weights are identical');
    assert.equal(inFrames.step, a.step);
    assert.deepEqual(inFrames.losses, a.losses, 'training in the frames gives the same curve');
    assert.equal(inFrames.checksum, a.checksum, 'and the same weights');
  });
});

describe('security: offline', () => {
  it('security: after one visit the app starts and trains offline, served from a subfolder', async (t) => {
    // A static host with the app in /course/knobs/ and nothing at its root.
    const root = mkdtempSync(path.join(os.tmpdir(), 'knobs-offline-'));
    cpSync(SITE_DIR, path.join(root, 'course', 'knobs'), { recursive: true });
    const server = await startServer({ root, port: 0 });
    const appUrl = server.url + 'course/knobs/';
    try {
      await withPage(browser, t, VIEWPORTS.desktop, async (page, context) => {
        await page.goto(appUrl + '#v=2&panel=lifecycle,pretrain');
        await waitForReady(page);
        await page.waitForFunction(() => document.documentElement.dataset.knobsOffline === 'ready', null, { timeout: 60000 });
        const scope = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).scope);
        assert.equal(scope, appUrl, 'the worker covers the app\'s folder only');

        await context.setOffline(true);
        await server.close();   // and the server is gone too: nothing can come from the network
        await page.reload();
        assert.equal(await waitForBoot(page), 'ready', 'the app starts from its offline copy');
        assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the worker served the page');
        await page.waitForFunction(() => ['loaded', 'missing', 'refused'].includes(document.documentElement.dataset.knobsModel),
          null, { timeout: 30000 });
        assert.equal(await page.evaluate(() => document.documentElement.dataset.knobsModel), 'loaded', 'the shipped model came from the copy');
        await assertRenders(page, 'offline');
        await trainOneStep(page);
        const lab = (await page.evaluate(() => window.knobs.state())).lab;
        assert.deepEqual(lab.pretrain.error, '', 'no error offline');
      });
    } finally {
      await server.close().catch(() => {});
      rmSync(root, { recursive: true, force: true });
    }
  });
});

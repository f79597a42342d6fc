// Issue 21: the same short journey in the two other engines learners use, Firefox (ESR) and WebKit
// (WebKitGTK), with real clicks: load; Play; Generate; one quiz answer; one matching pair; and the run=40
// link's weights checksum equal to Chromium's. Neither has WebGL headless here, so both run headful on a
// private Xvfb display. Firefox is driven over WebDriver BiDi (its own WebSocket, through the `ws` package),
// WebKitGTK over W3C WebDriver (WebKitWebDriver, plain HTTP). Both are Debian packages that scripts/setup
// installs (firefox-esr, webkit2gtk-driver, xvfb).
//
// Every step waits for the app's state with a generous timeout; nothing is timed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { VIEWPORTS, launchBrowser, saveArtifact, waitForReady, withPage } from './lib/harness.mjs';

const SITE_URL = process.env.KNOBS_SITE_URL;
if (!SITE_URL) throw new Error('KNOBS_SITE_URL is not set: run through tests/browser/run.mjs SITE_DIR');

const FIREFOX = process.env.KNOBS_FIREFOX || '/usr/bin/firefox-esr';
const WEBKIT_DRIVER = process.env.KNOBS_WEBKIT_DRIVER || '/usr/bin/WebKitWebDriver';
const MINIBROWSER = process.env.KNOBS_MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const XVFB = '/usr/bin/Xvfb';
const STEP_MS = 120000;   // a generous wait for any one state: software GL on a busy machine
const RUN_LINK = '#v=2&panel=lifecycle,pretrain&size=S&corpus=english&lr=0.01&seed=11&run=40';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

// ---- a private X display ---------------------------------------------------------------------------
let xvfb = null;
let display = null;

async function startXvfb() {
  // -displayfd: Xvfb picks a free display itself and writes its number to the pipe.
  xvfb = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1400x1000x24', '-nolisten', 'tcp'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  const number = await new Promise((resolve, reject) => {
    let text = '';
    xvfb.stdio[3].on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.trim());
    });
    xvfb.on('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it started`)));
  });
  display = `:${number}`;
}

// ---- the app's state, the same way in every engine ---------------------------------------------------
// `evaluate(expression)` returns the JSON-able value of an expression in the page; `click(x, y)` is a real
// pointer click at CSS px in the viewport.
async function waitFor(driver, expression, what, timeout = STEP_MS) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await driver.evaluate(expression);
      if (last) return last;
    } catch (error) {
      last = error.message;
    }
    await sleep(250);
  }
  throw new Error(`${driver.name}: waiting for ${what}: still ${JSON.stringify(last)}`);
}

const STATE = '(window.knobs && window.knobs.state())';

async function hitCentre(driver, id) {
  const r = await waitFor(driver, `${STATE}.hit[${JSON.stringify(id)}]`, `${id} on screen`);
  return { x: Math.round(r[0] + r[2] / 2), y: Math.round(r[1] + r[3] / 2) };
}

async function clickHit(driver, id) {
  const { x, y } = await hitCentre(driver, id);
  await driver.click(x, y);
}

const command = (driver, name, args) =>
  driver.evaluate(`JSON.stringify(window.knobs.command(${JSON.stringify(name)}, ${JSON.stringify(args)}))`);

async function journey(driver) {
  await driver.navigate(SITE_URL);
  await waitFor(driver, 'document.documentElement.dataset.knobsState === "ready"', 'the app to load', 180000);
  // Play by a real click; then Pause the same way.
  await command(driver, 'open_panel', { panel: 'pretrain' });
  await clickHit(driver, 'pretrain.play');
  await waitFor(driver, `${STATE}.lab.pretrain.step > 0`, 'training to start after a click on Play');
  await clickHit(driver, 'pretrain.play');
  await waitFor(driver, `!${STATE}.lab.pretrain.running`, 'training to pause after a click on Pause');
  // Generate, by a real click, with the shipped model.
  await command(driver, 'open_panel', { panel: 'inference' });
  await clickHit(driver, 'inference.generate');
  await waitFor(driver, `${STATE}.lab.inference.tokens > 0 && !${STATE}.lab.inference.generating`, 'generated text');
  // One quiz answer: an option, then Check.
  await command(driver, 'open_panel', { panel: 'quiz' });
  const option = await waitFor(driver, `${STATE}.lesson.quiz && ${STATE}.lesson.quiz.options[0].id`, 'the quiz');
  await clickHit(driver, `quiz.option.${option}`);
  await waitFor(driver, `${STATE}.lesson.quiz.options[0].selected`, 'the option selected by a click');
  await clickHit(driver, 'quiz.check');
  await waitFor(driver, `${STATE}.lesson.quiz.checked`, 'the answer checked by a click');
  // One matching pair.
  await command(driver, 'open_panel', { panel: 'matching' });
  const pair = await waitFor(driver, `(() => { const c = ${STATE}.lesson.matching.cards; const t = c.find((x) => x.side === 'term');
    const d = c.find((x) => x.side === 'definition' && x.concept === t.concept); return [t.id, d.id]; })()`, 'the cards');
  await clickHit(driver, `match.card.${pair[0]}`);
  await waitFor(driver, `${STATE}.lesson.matching.cards.find((c) => c.id === ${JSON.stringify(pair[0])}).selected`, 'a card selected');
  await clickHit(driver, `match.card.${pair[1]}`);
  await waitFor(driver, `${STATE}.lesson.matching.matched === 1`, 'one pair matched by clicks');
  // The seeded link's weights.
  // A fresh page for the link (a new hash alone would not reload the app).
  await driver.navigate('about:blank');
  await driver.navigate(SITE_URL + RUN_LINK);
  await waitFor(driver, 'document.documentElement.dataset.knobsState === "ready"', 'the app to load the link', 180000);
  await waitFor(driver, `${STATE}.lab.pretrain.step >= 40 && !${STATE}.lab.pretrain.running`, 'run=40 to finish', 300000);
  return driver.evaluate(`${STATE}.lab.pretrain.checksum`);
}

// ---- Firefox over WebDriver BiDi ---------------------------------------------------------------------
class Bidi {
  constructor(url) {
    this.name = 'Firefox';
    this.ws = new WebSocket(url);
    this.next = 1;
    this.pending = new Map();
    this.ws.on('message', (data) => {
      const message = JSON.parse(data.toString());
      const waiter = message.id && this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.type === 'error') waiter.reject(new Error(`${message.error}: ${message.message}`));
      else waiter.resolve(message.result);
    });
  }

  opened() {
    return new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
  }

  send(method, params = {}) {
    const id = this.next++;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  async start() {
    await this.opened();
    await this.send('session.new', { capabilities: {} });
    const tree = await this.send('browsingContext.getTree', {});
    this.context = tree.contexts[0].context;
    await this.send('browsingContext.setViewport', { context: this.context, viewport: { width: 1280, height: 800 } });
  }

  async navigate(url) {
    await this.send('browsingContext.navigate', { context: this.context, url, wait: 'complete' });
  }

  async evaluate(expression) {
    const r = await this.send('script.evaluate', {
      expression: `JSON.stringify(${expression})`, target: { context: this.context }, awaitPromise: true,
    });
    if (r.type === 'exception') throw new Error(r.exceptionDetails.text);
    return r.result.type === 'string' ? JSON.parse(r.result.value) : undefined;
  }

  async click(x, y) {
    await this.send('input.performActions', {
      context: this.context,
      actions: [{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' }, actions: [
        { type: 'pointerMove', x, y }, { type: 'pause', duration: 50 },
        { type: 'pointerDown', button: 0 }, { type: 'pause', duration: 50 }, { type: 'pointerUp', button: 0 },
      ] }],
    });
    await this.send('input.releaseActions', { context: this.context });
  }

  async screenshot() {
    return Buffer.from((await this.send('browsingContext.captureScreenshot', { context: this.context })).data, 'base64');
  }

  close() {
    try { this.ws.close(); } catch { /* gone */ }
  }
}

async function startFirefox() {
  const profile = mkdtempSync(path.join(tmpdir(), 'knobs-firefox-'));
  // Quiet on a closed network: no first-run pages, updates, telemetry or default-browser check.
  writeFileSync(path.join(profile, 'user.js'), [
    'user_pref("browser.shell.checkDefaultBrowser", false);',
    'user_pref("browser.startup.homepage_override.mstone", "ignore");',
    'user_pref("browser.aboutwelcome.enabled", false);',
    'user_pref("datareporting.policy.dataSubmissionEnabled", false);',
    'user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);',
    'user_pref("app.update.disabledForTesting", true);',
    'user_pref("network.captive-portal-service.enabled", false);',
    'user_pref("browser.safebrowsing.update.enabled", false);',
    'user_pref("dom.events.asyncClipboard.clipboardItem", true);',
  ].join('\n') + '\n');
  const child = spawn(FIREFOX, ['--no-remote', '--profile', profile, '--remote-debugging-port', '0', 'about:blank'],
    { env: { ...process.env, DISPLAY: display, MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise((resolve, reject) => {
    let text = '';
    child.stderr.on('data', (chunk) => {
      text += chunk;
      const m = text.match(/WebDriver BiDi listening on (ws:\/\/[^\s]+)/);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`Firefox exited (${code}): ${text.slice(-500)}`)));
  });
  const driver = new Bidi(url.replace(/\/$/, '') + '/session');
  await driver.start();
  return { driver, stop: () => { driver.close(); child.kill(); rmSync(profile, { recursive: true, force: true }); } };
}

// ---- WebKitGTK over W3C WebDriver --------------------------------------------------------------------
class WebDriverClassic {
  constructor(base) {
    this.name = 'WebKitGTK';
    this.base = base;
  }

  async request(method, route, body) {
    const response = await fetch(this.base + route, {
      method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${method} ${route}: ${json.value?.error}: ${json.value?.message}`);
    return json.value;
  }

  async start() {
    const session = await this.request('POST', '/session', { capabilities: { alwaysMatch: {
      browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
    } } });
    this.session = `/session/${session.sessionId}`;
    // 838 px of window give a 1280x800 viewport (MiniBrowser's toolbar).
    await this.request('POST', `${this.session}/window/rect`, { width: 1280, height: 838 });
  }

  navigate(url) { return this.request('POST', `${this.session}/url`, { url }); }

  async evaluate(expression) {
    const text = await this.request('POST', `${this.session}/execute/sync`,
      { script: `return JSON.stringify(${expression});`, args: [] });
    return text === undefined || text === null ? undefined : JSON.parse(text);
  }

  async screenshot() {
    return Buffer.from(await this.request('GET', `${this.session}/screenshot`), 'base64');
  }

  async click(x, y) {
    await this.request('POST', `${this.session}/actions`, { actions: [{
      type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' }, actions: [
        { type: 'pointerMove', x, y, origin: 'viewport' }, { type: 'pause', duration: 50 },
        { type: 'pointerDown', button: 0 }, { type: 'pause', duration: 50 }, { type: 'pointerUp', button: 0 },
      ],
    }] });
    await this.request('DELETE', `${this.session}/actions`);
  }
}

async function startWebKit() {
  const port = await freePort();
  const child = spawn(WEBKIT_DRIVER, [`--port=${port}`], { env: { ...process.env, DISPLAY: display }, stdio: 'ignore' });
  const driver = new WebDriverClassic(`http://127.0.0.1:${port}`);
  // The driver listens once it has started; until then the connection is refused.
  for (let i = 0; ; i++) {
    try {
      await driver.request('GET', '/status');
      break;
    } catch (error) {
      if (i > 600) throw new Error(`WebKitWebDriver did not start: ${error.message}`);
      await sleep(100);
    }
  }
  await driver.start();
  return {
    driver,
    stop: async () => {
      await driver.request('DELETE', driver.session).catch(() => {});
      child.kill();
    },
  };
}

// ---- the journeys ------------------------------------------------------------------------------------
const missing = [FIREFOX, WEBKIT_DRIVER, MINIBROWSER, XVFB].filter((file) => !existsSync(file));
let chromiumChecksum = null;

before(async () => {
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: run scripts/setup (firefox-esr, webkit2gtk-driver, xvfb)`);
  await startXvfb();
  // Chromium's checksum for the same link, the reference both engines must reach bit for bit.
  const browser = await launchBrowser();
  try {
    await withPage(browser, { name: 'engines: chromium reference' }, VIEWPORTS.desktop, async (page) => {
      await page.goto(SITE_URL + RUN_LINK);
      await waitForReady(page);
      await page.waitForFunction(() => {
        const p = window.knobs.state().lab.pretrain;
        return p.step >= 40 && !p.running;
      }, null, { timeout: 300000, polling: 100 });
      chromiumChecksum = await page.evaluate(() => window.knobs.state().lab.pretrain.checksum);
    });
  } finally {
    await browser.close();
  }
});

after(() => {
  if (xvfb) xvfb.kill();
});

describe('engines', () => {
  for (const [name, start] of [['Firefox ESR', startFirefox], ['WebKitGTK', startWebKit]]) {
    it(`engines: ${name}: load, Play, Generate, a quiz answer and a matching pair by real clicks; run=40 as in Chromium`,
      { timeout: 900000 }, async () => {
        const { driver, stop } = await start();
        try {
          const checksum = await journey(driver);
          assert.match(chromiumChecksum, /^[0-9a-f]{16}$/);
          assert.equal(checksum, chromiumChecksum, `${name}'s weights after run=40 are Chromium's, bit for bit`);
        } catch (error) {
          const file = `failures/engines-${name.replace(/\W+/g, '-').toLowerCase()}.png`;
          try {
            saveArtifact(file, await driver.screenshot());
            error.message += ` (screenshot: artifacts/${file})`;
          } catch { /* the browser may be gone */ }
          throw error;
        } finally {
          await stop();
        }
      });
  }
});

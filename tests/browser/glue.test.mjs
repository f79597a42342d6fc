// The web glue (knobs-glue.js, from web/glue/) against a test double of the engine (fixtures/fake-knobs.js),
// which reproduces Emscripten 3.1.6's runtime and GLFW listeners and records what reaches them.
// These tests pin down the glue's behaviour exactly; app.test.mjs checks the same things end to end.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, browserFrames, launchBrowser, pauseClock, routeHostPage, siteFile, waitForBoot, waitForReady, withPage } from './lib/harness.mjs';
import { createFakeSite } from './lib/fake-site.mjs';

const require = createRequire(import.meta.url);
const { startServer } = require(path.join(REPO_ROOT, 'scripts/serve'));

const SITE_DIR = process.env.KNOBS_SITE_DIR;
if (!SITE_DIR) throw new Error('KNOBS_SITE_DIR is not set: run these tests through tests/browser/run.mjs SITE_DIR');

let browser;
let site;
let server;
let base;

before(async () => {
  site = createFakeSite(SITE_DIR);
  server = await startServer({ root: site.dir, port: 0 });
  base = server.url;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  site?.remove();
});

// Opens the fake site and waits for its first frame.
async function openReady(t, options, body) {
  return withPage(browser, t, options, async (page, context) => {
    await page.goto(base);
    await waitForReady(page);
    return body(page, context);
  });
}

// Waits until the page has not scrolled for a few frames (smooth scrolling animates).
async function settleScroll(page) {
  await page.evaluate(() => new Promise((resolve) => {
    let last = window.scrollY;
    let still = 0;
    const check = () => {
      still = window.scrollY === last ? still + 1 : 0;
      last = window.scrollY;
      if (still >= 10) resolve();
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  }));
}
const fakeState = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.__fake)));

// The app iframe inside the host page (see harness.hostPageHtml).
async function openInHost(t, options, body) {
  return withPage(browser, t, options, async (page, context) => {
    await routeHostPage(page, base, 'index.html');
    await page.goto(base + '__host.html');
    const frame = page.frame({ url: /\/index\.html$/ });
    assert.ok(frame, 'the app iframe is on the host page');
    await frame.waitForFunction(() => document.documentElement.dataset.knobsState === 'ready', null, { timeout: 30000 });
    const box = await page.locator('#app').boundingBox();
    return body(page, frame, box, context);
  });
}

describe('glue: boot', () => {
  it('glue: the loader shows real download progress, then hides at the first frame', async (t) => {
    await withPage(browser, t, {}, async (page, context) => {
      // Record every value the progress bar takes, from the start.
      await page.addInitScript(() => {
        window.__progress = [];
        document.addEventListener('DOMContentLoaded', () => {
          const bar = document.getElementById('progress');
          new MutationObserver(() => {
            const value = bar.getAttribute('aria-valuenow');
            if (value !== null) window.__progress.push(Number(value));
            window.__amounts = (window.__amounts || new Set()).add(document.getElementById('status-amount').textContent);
          }).observe(bar, { attributes: true, attributeFilter: ['aria-valuenow'] });
        });
      });
      // 3 MB at 1.5 MB/s: long enough for many progress steps.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false, latency: 20, downloadThroughput: 1.5 * 1024 * 1024, uploadThroughput: -1,
      });
      await page.goto(base);
      assert.equal(await page.isVisible('#loader'), true, 'the loader is visible while loading');
      assert.equal(await waitForBoot(page), 'ready');

      const progress = await page.evaluate(() => window.__progress);
      const during = progress.filter((value) => value > 0 && value < 90);
      assert.ok(new Set(during).size >= 5, `the bar moved through many download steps: ${progress.join(',')}`);
      for (let i = 1; i < progress.length; i++) assert.ok(progress[i] >= progress[i - 1], `never moves back: ${progress.join(',')}`);
      assert.equal(progress.at(-1), 100);
      const amounts = await page.evaluate(() => Array.from(window.__amounts));
      assert.ok(amounts.some((text) => /MB of 3\.0 MB$/.test(text)), `shows bytes of total: ${amounts.join(' | ')}`);

      await page.waitForSelector('#loader', { state: 'hidden' });
      assert.equal(await page.evaluate(() => window.knobs.isReady()), true);
      assert.equal(await page.evaluate(() => window.knobs.ready.then((api) => api === window.knobs)), true);
      const timings = await page.evaluate(() => window.knobs.timings());
      for (const name of ['glueStarted', 'wasmDownloaded', 'wasmCompiled', 'runtimeInitialized', 'mainStarted', 'firstFrame']) {
        assert.equal(typeof timings[name], 'number', `timing ${name} recorded`);
      }
      assert.ok(timings.glueStarted <= timings.wasmCompiled && timings.wasmCompiled <= timings.firstFrame);
    });
  });

  it('glue: a Portuguese browser gets a Portuguese loader and messages', async (t) => {
    await withPage(browser, t, { locale: 'pt-BR' }, async (page) => {
      await page.route(siteFile(base, 'knobs.wasm'), (route) => route.fulfill({ status: 404, body: 'no' }));
      await page.goto(base);
      assert.equal(await waitForBoot(page), 'error');
      assert.equal(await page.getAttribute('html', 'lang'), 'pt-BR');
      assert.match(await page.textContent('#tagline'), /modelo de linguagem/);
      assert.equal(await page.textContent('#error-title'), 'Não foi possível baixar o Knobs');
      assert.equal(await page.textContent('#error-reload'), 'Recarregar');
    });
  });
});

describe('glue: canvas size', () => {
  it('glue: canvas pixels are CSS size x DPR and follow resizes and DPR changes', async (t) => {
    await openReady(t, { width: 1280, height: 800, dpr: 2, init: () => {
      // Keep the resolution queries the glue creates, to deliver their change events.
      window.__resolutionQueries = [];
      const matchMedia = window.matchMedia.bind(window);
      window.matchMedia = (query) => {
        const list = matchMedia(query);
        if (query.startsWith('(resolution:')) window.__resolutionQueries.push(list);
        return list;
      };
    } }, async (page, context) => {
      const size = () => page.evaluate(() => {
        const c = document.getElementById('canvas');
        const r = c.getBoundingClientRect();
        return { w: c.width, h: c.height, cssW: r.width, cssH: r.height, last: window.__fake.resizes.at(-1) };
      });
      assert.deepEqual(await size(), { w: 2560, h: 1600, cssW: 1280, cssH: 800, last: [1280, 800, 2] });
      const state = await page.evaluate(() => window.knobs.state());
      assert.deepEqual(state.canvas, { w: 1280, h: 800 });

      await page.setViewportSize({ width: 700, height: 500 });
      await page.waitForFunction(() => window.__fake.resizes.at(-1)[0] === 700);
      assert.deepEqual(await size(), { w: 1400, h: 1000, cssW: 700, cssH: 500, last: [700, 500, 2] });

      // A DPR change alone (moving to another monitor): the CSS size stays the same. Chromium's
      // emulation changes devicePixelRatio but fires no media-query change until the next resize,
      // so the test delivers the change event the browser would send, on the glue's own query.
      const cdp = await context.newCDPSession(page);
      // 5 (e.g. 250% zoom on a 2x screen) is beyond what the app renders at: both sides use 4.
      for (const [dpr, used] of [[3, 3], [1.5, 1.5], [5, 4], [2, 2]]) {
        await cdp.send('Emulation.setDeviceMetricsOverride', { width: 700, height: 500, deviceScaleFactor: dpr, mobile: false });
        await page.waitForFunction((value) => window.devicePixelRatio === value, dpr);
        await page.evaluate(() => window.__resolutionQueries.at(-1).dispatchEvent(new Event('change')));
        await page.waitForFunction((value) => window.__fake.resizes.at(-1)[2] === value, used);
        assert.deepEqual(await size(), { w: 700 * used, h: 500 * used, cssW: 700, cssH: 500, last: [700, 500, used] });
      }
      const queries = await page.evaluate(() => window.__resolutionQueries.map((query) => query.media));
      assert.deepEqual(queries.slice(-5),
        ['(resolution: 2dppx)', '(resolution: 3dppx)', '(resolution: 1.5dppx)', '(resolution: 5dppx)', '(resolution: 2dppx)'],
        'the glue re-arms its query for each new ratio');
    });
  });
});

describe('glue: input', () => {
  it('glue: a touch tap reaches GLFW as exactly one press and one release', async (t) => {
    await openReady(t, { width: 390, height: 844, dpr: 3, mobile: true, touch: true }, async (page) => {
      const [x, y, w, h] = (await page.evaluate(() => window.knobs.state())).hit['topbar.theme'];
      await page.touchscreen.tap(x + w / 2, y + h / 2);
      await page.waitForFunction(() => window.__fake.releases >= 1);
      await browserFrames(page, 5);   // any late, doubled press would have been dispatched by now
      let f = await fakeState(page);
      assert.equal(f.presses, 1, 'one press');
      assert.equal(f.releases, 1, 'one release');
      assert.equal(f.touchPresses, 0, 'GLFW never sees the raw touch events');
      assert.equal(f.theme, 'light', 'the tap clicked the button once');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'canvas', 'a tap focuses the canvas');

      await page.touchscreen.tap(x + w / 2, y + h / 2);
      await page.waitForFunction(() => window.__fake.releases >= 2);
      await browserFrames(page, 5);
      f = await fakeState(page);
      assert.equal(f.presses, 2);
      assert.equal(f.theme, 'dark', 'a second tap toggles back');
      assert.equal(f.coarse, true, 'the app was told the pointer is coarse');
    });
  });

  it('glue: a touch drag becomes a mouse drag with one press and one release', async (t) => {
    await openReady(t, { width: 390, height: 844, dpr: 3, mobile: true, touch: true }, async (page, context) => {
      const cdp = await context.newCDPSession(page);
      const point = (x, y) => [{ x, y, id: 1 }];
      const movesBefore = (await fakeState(page)).moves;
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: point(100, 300) });
      for (let i = 1; i <= 5; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: point(100 + 20 * i, 300) });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      await page.waitForFunction(() => window.__fake.releases >= 1);
      const f = await fakeState(page);
      assert.equal(f.presses, 1);
      assert.equal(f.releases, 1);
      assert.ok(f.moves - movesBefore >= 6, `moves reached GLFW as mouse moves (${f.moves - movesBefore})`);
      assert.deepEqual(f.lastPointer, { x: 200, y: 300 }, 'the last position is where the finger lifted');
    });
  });

  it('glue: a mouse click on the canvas is one press and one release', async (t) => {
    await openReady(t, {}, async (page) => {
      const [x, y, w, h] = (await page.evaluate(() => window.knobs.state())).hit['topbar.theme'];
      await page.mouse.click(x + w / 2, y + h / 2);
      await page.waitForFunction(() => window.__fake.releases >= 1);
      const f = await fakeState(page);
      assert.equal(f.presses, 1);
      assert.equal(f.theme, 'light');
      assert.equal(f.coarse, false, 'the app was told the pointer is fine');
    });
  });

  it('glue: Tab and Shift+Tab leave the canvas unless the app is using the keyboard', async (t) => {
    await openInHost(t, {}, async (page, frame, box) => {
      await page.mouse.click(box.x + 200, box.y + 300);   // focus the canvas inside the iframe
      assert.equal(await frame.evaluate(() => document.activeElement.id), 'canvas');

      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'after', 'Tab moved focus to the host page');
      await page.keyboard.press('Shift+Tab');
      assert.equal(await frame.evaluate(() => document.activeElement.id), 'canvas', 'Shift+Tab came back');
      await page.keyboard.press('Shift+Tab');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'before', 'Shift+Tab left backwards');
      const f = await frame.evaluate(() => window.__fake.keysDown);
      assert.ok(!f.includes('Tab'), `GLFW never saw Tab: ${f.join(',')}`);

      // When ImGui uses the keyboard (a text field is active), Tab belongs to the app.
      await page.mouse.click(box.x + 200, box.y + 300);
      await frame.evaluate(() => { window.__fake.wantsKeyboard = 1; });
      await page.keyboard.press('Tab');
      assert.equal(await frame.evaluate(() => document.activeElement.id), 'canvas', 'focus stays in the app');
      assert.ok((await frame.evaluate(() => window.__fake.keysDown)).includes('Tab'), 'GLFW got the Tab');
    });
  });

  it('glue: keys reach the app only while the canvas has focus, and held keys are released on blur', async (t) => {
    await openReady(t, {}, async (page) => {
      assert.equal(await page.evaluate(() => document.activeElement.id), 'canvas', 'a top-level page focuses the canvas');
      await page.keyboard.type('ab');
      await page.evaluate(() => document.getElementById('canvas').blur());
      await page.keyboard.type('cd');
      let f = await fakeState(page);
      assert.deepEqual(f.keysDown, ['a', 'b']);
      assert.equal(f.chars, 'ab');

      await page.evaluate(() => document.getElementById('canvas').focus());
      await page.keyboard.down('Shift');
      await page.evaluate(() => document.getElementById('canvas').blur());
      f = await fakeState(page);
      assert.equal(f.keysUp.filter((key) => key === 'Shift').length, 1, 'blur released the held Shift');
      await page.keyboard.up('Shift');
      f = await fakeState(page);
      assert.equal(f.keysUp.filter((key) => key === 'Shift').length, 1, 'the late real keyup is not sent twice');
    });
  });

  it('glue: Space and arrow keys do not scroll the host page, and Space still types', async (t) => {
    await openInHost(t, {}, async (page, frame, box) => {
      // The host page does scroll with these keys when the app does not have focus.
      await page.evaluate(() => document.activeElement.blur());
      await page.keyboard.press('PageDown');
      await page.waitForFunction(() => window.scrollY > 0);
      await settleScroll(page);
      await page.evaluate(() => window.scrollTo(0, 0));
      await settleScroll(page);
      assert.equal(await page.evaluate(() => window.scrollY), 0);

      await page.mouse.click(box.x + 200, box.y + 300);
      for (const key of ['Space', 'ArrowDown', 'PageDown', 'End', 'ArrowUp']) await page.keyboard.press(key);
      await browserFrames(page, 5);   // smooth scrolling would have started by now
      await settleScroll(page);
      assert.equal(await page.evaluate(() => window.scrollY), 0, 'the host page did not scroll');
      const f = await frame.evaluate(() => ({ chars: window.__fake.chars, keys: window.__fake.keysDown }));
      assert.equal(f.chars, ' ', 'Space reached the app as a character');
      assert.deepEqual(f.keys, [' ', 'ArrowDown', 'PageDown', 'End', 'ArrowUp']);
    });
  });

  it('glue: the wheel scrolls the page unless the app wants it', async (t) => {
    await openInHost(t, {}, async (page, frame, box) => {
      await page.mouse.move(box.x + 200, box.y + 300);
      await page.mouse.wheel(0, 400);
      await page.waitForFunction(() => window.scrollY > 0, null, { timeout: 30000 });
      assert.equal(await frame.evaluate(() => window.__fake.wheels), 0, 'GLFW did not get the wheel');

      await page.evaluate(() => window.scrollTo(0, 0));
      await frame.evaluate(() => { window.__fake.wantsWheel = 1; });
      const after = await page.locator('#app').boundingBox();
      await page.mouse.move(after.x + 200, after.y + 300);
      await page.mouse.wheel(0, 400);
      await frame.waitForFunction(() => window.__fake.wheels >= 1);
      await browserFrames(page, 5);
      await settleScroll(page);
      assert.equal(await page.evaluate(() => window.scrollY), 0, 'the page did not scroll under a scrollable app area');
    });
  });

  it('glue: paste hands the text to the app, also large and non-ASCII text', async (t) => {
    await openReady(t, {}, async (page) => {
      const big = 'olá, ações ✓ '.repeat(30000);   // ~400 KB of UTF-8: more than the wasm stack
      const pasted = await page.evaluate(async (text) => {
        const send = (value) => {
          const data = new DataTransfer();
          data.setData('text/plain', value);
          document.getElementById('canvas').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
        };
        send('Olá, mundo');
        send(text);
        document.getElementById('canvas').blur();
        send('not for the app');
        return window.__fake.pasted;
      }, big);
      assert.equal(pasted.length, 2, 'a paste while the canvas is not focused is ignored');
      assert.equal(pasted[0], 'Olá, mundo');
      assert.equal(pasted[1], big);
    });
  });

  it('glue: copyText writes the clipboard, with the selection fallback when the API is missing', async (t) => {
    await openReady(t, {}, async (page, context) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base.replace(/\/$/, '') });
      await page.keyboard.press('a');   // a user activation, as when ImGui copies after Ctrl+C
      await page.evaluate(() => { window.__fake.pendingCopy = 'copiado: ✓ 42'; });
      await page.waitForFunction(() => window.__fake.pendingCopy === null);
      await page.waitForFunction(async () => (await navigator.clipboard.readText()) === 'copiado: ✓ 42', null, { timeout: 30000 });
    });
    await withPage(browser, t, {}, async (page) => {
      await page.addInitScript(() => {
        Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });
        document.addEventListener('copy', () => {
          const field = document.activeElement;
          window.__copied = field && field.value !== undefined ? field.value.slice(field.selectionStart, field.selectionEnd) : null;
        });
      });
      await page.goto(base);
      await waitForReady(page);
      await page.keyboard.press('a');
      await page.evaluate(() => { window.__fake.pendingCopy = 'fallback text'; });
      await page.waitForFunction(() => window.__copied !== undefined, null, { timeout: 30000 });
      assert.equal(await page.evaluate(() => window.__copied), 'fallback text');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'canvas', 'focus went back to the canvas');
      assert.equal(await page.evaluate(() => document.querySelectorAll('textarea').length), 0, 'the helper is removed');
    });
  });
});

describe('glue: lifecycle', () => {
  it('glue: hiding and showing the page pauses and resumes the app', async (t) => {
    await openReady(t, {}, async (page) => {
      const setVisibility = (state) => page.evaluate((value) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value });
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => value === 'hidden' });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
      assert.deepEqual(await page.evaluate(() => window.__fake.visible), [1], 'told visible at start');
      await setVisibility('hidden');
      await setVisibility('visible');
      assert.deepEqual(await page.evaluate(() => window.__fake.visible), [1, 0, 1]);
    });
  });

  it('glue: a lost WebGL context is reported, and explained with a reload button if not restored', async (t) => {
    await withPage(browser, t, { config: { contextRestoreTimeoutMs: 400 } }, async (page) => {
      // The glue's 400 ms run on the page's clock, moved by hand: how fast the machine is changes nothing.
      await page.clock.install();
      await page.goto(base);
      await waitForReady(page);
      await pauseClock(page);
      await page.evaluate(() => {
        window.__events = [];
        window.__states = [];
        new MutationObserver(() => window.__states.push(document.documentElement.dataset.knobsState))
          .observe(document.documentElement, { attributes: true, attributeFilter: ['data-knobs-state'] });
        window.knobs.on('contextlost', () => window.__events.push('lost'));
        window.knobs.on('contextrestored', () => window.__events.push('restored'));
        window.__lose = document.getElementById('canvas').getContext('webgl2').getExtension('WEBGL_lose_context');
        window.__lose.loseContext();
      });
      await page.waitForFunction(() => window.__fake.contextLost === 1);
      await page.clock.runFor(399);
      await page.evaluate(() => window.__lose.restoreContext());
      await page.waitForFunction(() => window.__fake.contextRestored === 1);
      await page.clock.runFor(1000);
      assert.deepEqual(await page.evaluate(() => window.__states), [], 'a restore within the time shows no message, then or later');
      assert.equal(await page.isVisible('#error'), false);

      await page.evaluate(() => window.__lose.loseContext());
      await page.waitForFunction(() => window.__fake.contextLost === 2);
      await page.clock.runFor(399);
      assert.equal(await page.isVisible('#error'), false, 'no message before the time is up');
      await page.clock.runFor(1);
      await page.waitForSelector('#error', { state: 'visible' });
      assert.equal(await page.textContent('#error-title'), 'The graphics context was lost');
      assert.equal(await page.isVisible('#error-reload'), true);
      assert.equal(await page.evaluate(() => document.documentElement.dataset.knobsState), 'context-lost');

      await page.clock.resume();
      await page.evaluate(() => window.__lose.restoreContext());
      await page.waitForSelector('#error', { state: 'hidden' });
      assert.equal(await page.evaluate(() => document.documentElement.dataset.knobsState), 'ready');
      await page.waitForFunction(() => window.__events.length === 4);
      assert.deepEqual(await page.evaluate(() => window.__events), ['lost', 'restored', 'lost', 'restored']);
    });
  });

  it('glue: the reload button reloads the page', async (t) => {
    await openReady(t, { config: { contextRestoreTimeoutMs: 100 } }, async (page) => {
      await page.evaluate(() => document.getElementById('canvas').getContext('webgl2').getExtension('WEBGL_lose_context').loseContext());
      await page.waitForSelector('#error-reload', { state: 'visible' });
      await Promise.all([page.waitForEvent('load'), page.click('#error-reload')]);
      await waitForReady(page);
    });
  });
});

describe('glue: errors', () => {
  const cases = [
    { name: 'no WebAssembly', kind: 'no-wasm', title: 'Your browser cannot run WebAssembly',
      init: () => { delete window.WebAssembly; } },
    { name: 'no WebAssembly SIMD', kind: 'no-simd', title: 'Your browser is too old for Knobs',
      init: () => { WebAssembly.validate = () => false; } },
    { name: 'no WebGL 2', kind: 'no-webgl2', title: 'WebGL 2 is not available',
      init: () => {
        const original = HTMLCanvasElement.prototype.getContext;
        HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
          return type === 'webgl2' ? null : original.call(this, type, ...rest);
        };
      } },
    { name: 'knobs.wasm answers 404', kind: 'http', title: 'Knobs could not be downloaded', message: /404/,
      route: ['knobs.wasm', (route) => route.fulfill({ status: 404, body: 'not here' })] },
    { name: 'the network fails', kind: 'network', title: 'Knobs could not be downloaded', message: /network failed/,
      route: ['knobs.wasm', (route) => route.abort('connectionreset')] },
    { name: 'knobs.wasm is not WebAssembly', kind: 'compile', title: 'Knobs could not start', message: /not valid WebAssembly/,
      route: ['knobs.wasm', (route) => route.fulfill({ status: 200, contentType: 'application/wasm', body: Buffer.from('<html>oops</html>') })] },
    { name: 'knobs.js answers 404', kind: 'script', title: 'Knobs could not be downloaded', message: /knobs\.js \(404\)/,
      route: ['knobs.js', (route) => route.fulfill({ status: 404, body: 'not here' })] },
  ];
  for (const c of cases) {
    it(`glue: a clear message when ${c.name}`, async (t) => {
      await withPage(browser, t, {}, async (page) => {
        if (c.init) await page.addInitScript(c.init);
        if (c.route) await page.route(siteFile(base, c.route[0]), c.route[1]);
        await page.goto(base);
        const rejection = page.evaluate(() => window.knobs.ready.then(() => 'resolved', (error) => error.kind));
        assert.equal(await waitForBoot(page), 'error');
        assert.equal(await rejection, c.kind, 'knobs.ready rejects with the kind');
        assert.equal(await page.isVisible('#error'), true);
        assert.equal(await page.isVisible('#loader'), false);
        assert.equal(await page.textContent('#error-title'), c.title);
        if (c.message) assert.match(await page.textContent('#error-message'), c.message);
        assert.ok((await page.textContent('#error-hint')).length > 20, 'says what to do next');
        assert.equal(await page.evaluate(() => document.activeElement.id), 'error-reload', 'focus is on the action');
      });
    });
  }

  for (const [what, setup, kind, detail] of [
    ['an abort', () => { window.__fake.pendingAbort = 'out of memory (test)'; }, 'abort', /out of memory \(test\)/],
    ['a trap in the main loop', () => { window.__fake.pendingTrap = true; }, 'crash', /RuntimeError: unreachable/],
  ]) {
    it(`glue: ${what} after start shows a message and emits an error event`, async (t) => {
      await openReady(t, {}, async (page) => {
        await page.evaluate(() => { window.__errors = []; window.knobs.on('error', (e) => window.__errors.push(e.kind)); });
        await page.evaluate(setup);
        await page.waitForSelector('#error', { state: 'visible' });
        assert.equal(await page.textContent('#error-title'), 'Knobs stopped unexpectedly');
        assert.match(await page.textContent('#error-details-text'), detail);
        assert.deepEqual(await page.evaluate(() => window.__errors), [kind]);
        assert.deepEqual(await page.evaluate(() => window.knobs.command('set_theme', { theme: 'light' })),
          { ok: false, error: `Knobs is not running (${kind})` });
      });
    });
  }
});

describe('glue: page API', () => {
  it('glue: version, state and command forward to the app', async (t) => {
    await openReady(t, {}, async (page) => {
      assert.equal(await page.evaluate(() => window.knobs.version), '0.0.0-fake');
      const state = await page.evaluate(() => window.knobs.state());
      assert.equal(state.ready, true);
      assert.equal(state.theme, 'dark');
      assert.deepEqual(await page.evaluate(() => window.knobs.command('set_theme', { theme: 'light' })), { ok: true });
      assert.equal(await page.evaluate(() => window.knobs.state().theme), 'light');
      assert.deepEqual(await page.evaluate(() => window.knobs.command('echo', { text: 'ação ✓ "quoted"' })),
        { ok: true, echo: 'ação ✓ "quoted"' });
      assert.deepEqual(await page.evaluate(() => window.knobs.command('no_such_command')),
        { ok: false, error: 'unknown command "no_such_command"' });
      assert.deepEqual(await page.evaluate(() => window.__fake.commands.at(-1)), { cmd: 'no_such_command' });
    });
  });

  it('glue: bad arguments get a clear TypeError', async (t) => {
    await openReady(t, {}, async (page) => {
      const errors = await page.evaluate(() => {
        const attempts = [
          () => window.knobs.command(''),
          () => window.knobs.command(42),
          () => window.knobs.command('set_theme', 'light'),
          () => window.knobs.command('set_theme', ['light']),
          () => window.knobs.command('set_theme', { cmd: 'other' }),
          () => window.knobs.on('ready', 'not a function'),
          () => window.knobs.on('', () => {}),
        ];
        return attempts.map((attempt) => {
          try {
            attempt();
            return 'no error';
          } catch (error) {
            return `${error.name}: ${error.message}`;
          }
        });
      });
      for (const message of errors) assert.match(message, /^TypeError: knobs\.(command|on)\(/);
    });
  });

  it('glue: app events reach listeners after the frame that emitted them; a bad listener harms nobody', async (t) => {
    await openReady(t, {}, async (page) => {
      const result = await page.evaluate(async () => {
        const seen = { tick: [], any: [], inFrame: [] };
        window.knobs.on('tick', () => { throw new Error('a broken listener'); });
        const off = window.knobs.on('tick', (payload) => {
          seen.tick.push(payload.frame);
          seen.inFrame.push(window.__fake.inFrame);
          window.knobs.state();   // calling back into the app from a listener is safe
        });
        window.knobs.on('*', (name, payload) => seen.any.push(name));
        window.__fake.emitEachFrame = true;
        await new Promise((resolve) => { const wait = () => (seen.tick.length >= 3 ? resolve() : requestAnimationFrame(wait)); wait(); });
        off();
        const countAfterOff = seen.tick.length;
        // Three more frames that each emit a tick: none of them may reach the listener that is off.
        const frame = window.__fake.frame;
        await new Promise((resolve) => { const wait = () => (window.__fake.frame >= frame + 3 ? resolve() : requestAnimationFrame(wait)); wait(); });
        window.__fake.emitEachFrame = false;
        window.knobsGlue.emit('raw', '{not json');
        window.knobsGlue.emit('empty', '');
        let raw;
        let empty;
        window.knobs.on('raw', (payload) => { raw = payload; });
        window.knobs.on('empty', (payload) => { empty = payload; });
        window.knobsGlue.emit('raw', '{not json');
        window.knobsGlue.emit('empty', '');
        await Promise.resolve();
        await new Promise((resolve) => setTimeout(resolve, 0));
        return { ...seen, countAfterOff, finalCount: seen.tick.length, raw, empty };
      });
      assert.ok(result.tick.length >= 3);
      assert.ok(result.inFrame.every((value) => value === false), 'listeners never run inside the frame');
      assert.equal(result.finalCount, result.countAfterOff, 'off() stops delivery');
      assert.ok(result.any.includes('tick') && result.any.includes('raw'), 'the "*" listener sees every event');
      assert.equal(result.raw, '{not json', 'invalid JSON arrives as the raw text');
      assert.equal(result.empty, null, 'an empty payload arrives as null');
    });
  });
});

describe('glue: content security policy', () => {
  it('glue: the shell runs under a strict CSP without violations', async (t) => {
    const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
      "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";
    const strict = await startServer({ root: site.dir, port: 0, headers: { 'Content-Security-Policy': csp } });
    try {
      await withPage(browser, t, {}, async (page) => {
        await page.addInitScript(() => {
          window.__violations = [];
          document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
        });
        const response = await page.goto(strict.url);
        assert.equal(response.headers()['content-security-policy'], csp);
        await waitForReady(page);
        assert.deepEqual(await page.evaluate(() => window.__violations), []);
        // The policy is really enforced: an inline script is blocked and reported.
        await page.evaluate(() => {
          const script = document.createElement('script');
          script.textContent = 'window.__inlineRan = true';
          document.body.appendChild(script);
        });
        await page.waitForFunction(() => window.__violations.length > 0);
        assert.equal(await page.evaluate(() => window.__inlineRan), undefined);
      });
    } finally {
      await strict.close();
    }
  });
});

// End-to-end: the real build (knobs.js + knobs.wasm + the web shell) in Debian's Chromium.
// Screenshots at the three reference sizes go to artifacts/screens/ on every run.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  REPO_ROOT, VIEWPORTS, browserFrames, center, fractionDifferent, launchBrowser, routeHostPage, saveArtifact, screenshotStats, siteFile,
  waitForBoot, waitForReady, waitFrames, withPage,
} from './lib/harness.mjs';

const require = createRequire(import.meta.url);
const { startServer } = require(path.join(REPO_ROOT, 'scripts/serve'));

const SITE_URL = process.env.KNOBS_SITE_URL;
const SITE_DIR = process.env.KNOBS_SITE_DIR;
if (!SITE_URL || !SITE_DIR) throw new Error('KNOBS_SITE_URL/KNOBS_SITE_DIR are not set: run through tests/browser/run.mjs SITE_DIR');

let browser;

before(async () => {
  for (const file of ['knobs.js', 'knobs.wasm', 'index.html', 'knobs-glue.js']) {
    if (!existsSync(path.join(SITE_DIR, file))) {
      throw new Error(`${file} is missing from ${SITE_DIR}: build the site first (make web)`);
    }
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

async function openApp(t, options, body) {
  return withPage(browser, t, options, async (page, context) => {
    await page.goto(SITE_URL);
    const state = await waitForReady(page);
    return body(page, state, context);
  });
}

const canvasPixels = (page) => page.evaluate(() => {
  const canvas = document.getElementById('canvas');
  return { w: canvas.width, h: canvas.height };
});

// A screenshot of what a person sees, checked for content (text, panels), not a blank canvas, and
// drawn where the app says it is: each top-bar button's hit rectangle must show the button, which
// fails if the app renders into a viewport that does not match the canvas.
async function assertDrawn(page, label, savePath) {
  await waitFrames(page, 2);
  const state = await page.evaluate(() => window.knobs.state());
  const shot = await screenshotStats(page);
  if (savePath) saveArtifact(savePath, shot.png);   // before the checks: people look at failures too
  assert.ok(shot.nonBackgroundFraction > 0.01,
    `${label}: more than 1% of the pixels differ from the background (${(shot.nonBackgroundFraction * 100).toFixed(2)}%)`);
  assert.ok(shot.distinctColors > 16, `${label}: the frame has text and shapes (${shot.distinctColors} colours)`);
  const scale = shot.image.width / state.canvas.w;   // screenshots are in device pixels
  for (const id of ['topbar.theme', 'topbar.lang', 'topbar.help']) {
    const rect = state.hit[id];
    assert.ok(Array.isArray(rect), `${label}: hit["${id}"] is reported`);
    const [x, y, w, h] = rect.map((value) => value * scale);
    const inside = fractionDifferent(shot.image, { x, y, width: w, height: h }, shot.background);
    assert.ok(inside > 0.05, `${label}: ${id} is drawn where hit[] says (${(inside * 100).toFixed(1)}% non-background in ` +
      `[${rect.join(', ')}])`);
  }
  return shot;
}

describe('app: first frame', () => {
  it('app: the page loads and the first frame renders (1280x800 at DPR 1)', async (t) => {
    await openApp(t, VIEWPORTS.desktop, async (page, state) => {
      assert.equal(await page.isVisible('#loader'), false, 'the loader is gone');
      assert.equal(await page.isVisible('#error'), false, 'no error');
      // Keyboard and screen-reader users can reach the canvas and hear what it is.
      assert.equal(await page.getAttribute('#canvas', 'tabindex'), '0');
      assert.equal(await page.getByRole('application', { name: /Knobs playground/ }).count(), 1);
      assert.equal(await page.evaluate(() => document.activeElement.id), 'canvas', 'the stand-alone page focuses the app');
      assert.match(await page.evaluate(() => window.knobs.version), /^\d+\.\d+\.\d+/);
      assert.equal(state.ready, true);
      assert.deepEqual(state.canvas, { w: 1280, h: 800 });
      assert.equal(state.dpr, 1);
      assert.deepEqual(await canvasPixels(page), { w: 1280, h: 800 });
      await assertDrawn(page, '1280x800@1', 'screens/desktop-1280x800@1x.png');
    });
  });

  it('app: crisp at DPR 2 (1280x800): canvas pixels are twice the CSS size', async (t) => {
    await openApp(t, VIEWPORTS.desktop2x, async (page, state) => {
      assert.equal(state.dpr, 2);
      assert.deepEqual(state.canvas, { w: 1280, h: 800 });
      assert.deepEqual(await canvasPixels(page), { w: 2560, h: 1600 });
      await assertDrawn(page, '1280x800@2', 'screens/desktop-1280x800@2x.png');
    });
  });
});

describe('app: layout', () => {
  it('app: a phone (390x844, DPR 3) gets the tabs layout', async (t) => {
    await openApp(t, VIEWPORTS.phone, async (page, state) => {
      assert.equal(state.layout, 'tabs');
      assert.equal(state.dpr, 3);
      assert.deepEqual(state.canvas, { w: 390, h: 844 });
      assert.deepEqual(await canvasPixels(page), { w: 1170, h: 2532 });
      await assertDrawn(page, '390x844@3', 'screens/phone-390x844@3x.png');
    });
  });

  it('app: a desktop (1280x800) gets two columns, and the layout follows resizes', async (t) => {
    await openApp(t, VIEWPORTS.desktop, async (page, state) => {
      assert.equal(state.layout, 'two-column');
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForFunction(() => window.knobs.state().layout === 'tabs');
      assert.deepEqual((await page.evaluate(() => window.knobs.state())).canvas, { w: 390, h: 844 });
      assert.deepEqual(await canvasPixels(page), { w: 390, h: 844 });
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.waitForFunction(() => window.knobs.state().layout === 'two-column');
      await assertDrawn(page, 'after resizing back');
    });
  });
});

describe('app: input', () => {
  it('app: a real mouse click on hit["topbar.theme"] changes the theme', async (t) => {
    await openApp(t, VIEWPORTS.desktop, async (page, state) => {
      const rect = state.hit['topbar.theme'];
      assert.ok(Array.isArray(rect) && rect.length === 4, 'the theme button reports its rectangle');
      const before = state.theme;
      const { x, y } = center(rect);
      await page.mouse.move(x, y);
      await waitFrames(page, 2);
      await page.mouse.down();
      await waitFrames(page, 2);
      await page.mouse.up();
      await page.waitForFunction((old) => window.knobs.state().theme !== old, before, { timeout: 30000 });
    });
  });

  it('app: a touch tap is exactly one click', async (t) => {
    await openApp(t, VIEWPORTS.phone, async (page, state) => {
      const before = state.theme;
      const other = before === 'dark' ? 'light' : 'dark';
      const tapTheme = async () => {
        const { x, y } = center((await page.evaluate(() => window.knobs.state())).hit['topbar.theme']);
        await page.touchscreen.tap(x, y);
        // A doubled click would toggle twice within a few frames; wait well past that.
        await waitFrames(page, 8);
      };
      await tapTheme();
      assert.equal(await page.evaluate(() => window.knobs.state().theme), other, 'one tap toggled the theme once');
      await tapTheme();
      assert.equal(await page.evaluate(() => window.knobs.state().theme), before, 'a second tap toggled it back');
      assert.equal(await page.evaluate(() => window.knobs.state().coarse_pointer), true, 'touch devices get coarse targets');
    });
  });

  it('app: Tab and Shift+Tab leave the canvas and its text version inside an iframe (no keyboard trap)', async (t) => {
    await withPage(browser, t, VIEWPORTS.desktop, async (page) => {
      await routeHostPage(page, SITE_URL, 'index.html');
      await page.goto(SITE_URL + '__host.html');
      const frame = page.frame({ url: /\/index\.html$/ });
      await frame.waitForFunction(() => document.documentElement.dataset.knobsState !== 'loading', null, { timeout: 60000 });
      assert.equal(await frame.evaluate(() => document.documentElement.dataset.knobsState), 'ready');
      assert.notEqual(await frame.evaluate(() => document.activeElement.id), 'canvas', 'an embedded app does not steal focus');
      const box = await page.locator('#app').boundingBox();
      // Click an empty spot low in the app, away from buttons and text fields.
      await page.mouse.click(box.x + box.width / 2, box.y + box.height - 6);
      assert.equal(await frame.evaluate(() => document.activeElement.id), 'canvas');
      // After the canvas come the accessibility mirror's Tab stops (its selected tabs; tests/browser/
      // a11y.test.mjs), then the host page. A handful of presses must get there: no trap.
      await frame.waitForFunction(() => Number(document.getElementById('a11y-mirror').dataset.knobsFrame || 0) > 0, null,
        { timeout: 30000, polling: 50 });
      const where = () => page.evaluate(() => document.activeElement.id);
      const inFrame = () => frame.evaluate(() => document.activeElement.id || document.activeElement.tagName);
      const path = [];
      for (let i = 0; i < 12 && (await where()) !== 'after'; i++) {
        await page.keyboard.press('Tab');
        path.push(`${await where()}/${await inFrame()}`);
      }
      assert.equal(await where(), 'after', `Tab reached the host page (${path.join(' ')})`);
      let sawCanvas = false;
      path.length = 0;
      for (let i = 0; i < 12 && (await where()) !== 'before'; i++) {
        await page.keyboard.press('Shift+Tab');
        path.push(`${await where()}/${await inFrame()}`);
        if ((await where()) === 'app' && (await inFrame()) === 'canvas') sawCanvas = true;
      }
      assert.equal(await where(), 'before', `Shift+Tab went back through the app to the host page (${path.join(' ')})`);
      assert.ok(sawCanvas, 'Shift+Tab passed the canvas on the way');
    });
  });

  it('app: the wheel over a part of the app that does not scroll scrolls the host page', async (t) => {
    await withPage(browser, t, VIEWPORTS.desktop, async (page) => {
      await routeHostPage(page, SITE_URL, 'index.html');
      await page.goto(SITE_URL + '__host.html');
      const frame = page.frame({ url: /\/index\.html$/ });
      await frame.waitForFunction(() => document.documentElement.dataset.knobsState !== 'loading', null, { timeout: 60000 });
      const rect = await frame.evaluate(() => window.knobs.state().hit['topbar.theme']);
      const box = await page.locator('#app').boundingBox();
      const { x, y } = center(rect);
      await page.mouse.move(box.x + x, box.y + y);
      await frame.waitForFunction(() => window.knobs.state().frame > 0);
      await waitFrames(frame, 2);   // so the app knows where the pointer is
      await page.mouse.wheel(0, 300);
      await page.waitForFunction(() => window.scrollY > 0, null, { timeout: 30000 });
    });
  });
});

describe('app: errors', () => {
  for (const [name, handler, title] of [
    ['answers 404', (route) => route.fulfill({ status: 404, body: 'gone' }), 'Knobs could not be downloaded'],
    ['is unreachable', (route) => route.abort('connectionrefused'), 'Knobs could not be downloaded'],
    ['is damaged', (route) => route.fulfill({ status: 200, contentType: 'application/wasm', body: Buffer.from('\0asm\x01\0\0\0garbage') }), 'Knobs could not start'],
  ]) {
    it(`app: a clear message when knobs.wasm ${name}`, async (t) => {
      await withPage(browser, t, VIEWPORTS.desktop, async (page) => {
        await page.route(siteFile(SITE_URL, 'knobs.wasm'), handler);
        await page.goto(SITE_URL);
        assert.equal(await waitForBoot(page), 'error');
        assert.equal(await page.isVisible('#error'), true);
        assert.equal(await page.textContent('#error-title'), title);
        assert.equal(await page.isVisible('#error-reload'), true);
        assert.equal(await page.evaluate(() => window.knobs.isReady()), false);
      });
    });
  }
});

describe('app: page API and lifecycle', () => {
  it('app: commands change the app, and bad ones are refused with a reason', async (t) => {
    await openApp(t, VIEWPORTS.desktop, async (page) => {
      assert.deepEqual(await page.evaluate(() => window.knobs.command('set_lang', { lang: 'pt-BR' })), { ok: true });
      await waitFrames(page, 1);
      assert.equal(await page.evaluate(() => window.knobs.state().lang), 'pt-BR');
      assert.deepEqual(await page.evaluate(() => window.knobs.command('set_theme', { theme: 'light' })), { ok: true });
      assert.equal(await page.evaluate(() => window.knobs.state().theme), 'light');
      const unknown = await page.evaluate(() => window.knobs.command('no_such_command'));
      assert.equal(unknown.ok, false);
      assert.match(unknown.error, /unknown command/);
      const bad = await page.evaluate(() => window.knobs.command('set_theme', { theme: 'purple' }));
      assert.equal(bad.ok, false);
      assert.deepEqual(await page.evaluate(() => window.knobs.command('open_panel', { panel: 'about' })), { ok: true });
      await waitFrames(page, 2);
      assert.ok((await page.evaluate(() => window.knobs.state().panels)).includes('about'));
    });
  });

  it('app: a hidden page stops drawing and a visible one resumes', async (t) => {
    await openApp(t, VIEWPORTS.desktop, async (page) => {
      const setVisibility = (value) => page.evaluate((state) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => state === 'hidden' });
        document.dispatchEvent(new Event('visibilitychange'));
      }, value);
      await setVisibility('hidden');
      const hidden = await page.evaluate(() => window.knobs.state());
      assert.equal(hidden.visible, false);
      await browserFrames(page, 10);   // ten display frames in which a visible app would have drawn
      assert.equal(await page.evaluate(() => window.knobs.state().frame), hidden.frame, 'no frames while hidden');
      await setVisibility('visible');
      await waitFrames(page, 3);
      assert.equal(await page.evaluate(() => window.knobs.state().visible), true);
    });
  });

  it('app: after a lost and restored WebGL context the app draws again', async (t) => {
    await openApp(t, VIEWPORTS.desktop, async (page) => {
      await page.evaluate(() => new Promise((resolve) => {
        const canvas = document.getElementById('canvas');
        canvas.addEventListener('webglcontextlost', resolve, { once: true });
        window.__lose = canvas.getContext('webgl2').getExtension('WEBGL_lose_context');
        window.__lose.loseContext();
      }));
      await browserFrames(page, 3);   // the app runs a few frames without its context
      await page.evaluate(() => window.__lose.restoreContext());
      await page.waitForFunction(() => !document.getElementById('canvas').getContext('webgl2').isContextLost());
      await waitFrames(page, 3);
      assert.equal(await page.isVisible('#error'), false);
      await assertDrawn(page, 'after the context came back');
    });
  });

  it('app: runs under a strict Content-Security-Policy', async (t) => {
    const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
      "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";
    const strict = await startServer({ root: SITE_DIR, port: 0, headers: { 'Content-Security-Policy': csp } });
    try {
      await withPage(browser, t, VIEWPORTS.desktop, async (page) => {
        await page.addInitScript(() => {
          window.__violations = [];
          document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
        });
        await page.goto(strict.url);
        await waitForReady(page);
        await waitFrames(page, 2);
        assert.deepEqual(await page.evaluate(() => window.__violations), []);
      });
    } finally {
      await strict.close();
    }
  });
});

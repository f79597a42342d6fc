// Issue 8, visual: the system's reduced-motion preference reaches the app, the display settings (UI scale,
// motion) persist in this browser, and at 200% the Help panel with those settings is drawn in place.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VIEWPORTS, launchBrowser, saveArtifact, screenshotStats, waitForReady, waitFrames, withPage } from './lib/harness.mjs';

const SITE_URL = process.env.KNOBS_SITE_URL;
if (!SITE_URL) throw new Error('KNOBS_SITE_URL is not set: run through tests/browser/run.mjs SITE_DIR');

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const state = (page) => page.evaluate(() => window.knobs.state());

describe('display', () => {
  it('display: prefers-reduced-motion reaches the app, at start and when it changes', async (t) => {
    await withPage(browser, t, VIEWPORTS.desktop, async (page) => {
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await page.goto(SITE_URL);
      await waitForReady(page);
      let s = await state(page);
      assert.equal(s.reduced_motion, true, 'the app reports reduced motion');
      assert.deepEqual(s.motion, { setting: 'system', system_reduced: true });
      await page.emulateMedia({ reducedMotion: 'no-preference' });
      await page.waitForFunction(() => window.knobs.state().reduced_motion === false, null, { timeout: 30000 });
      // The learner's own choice wins over the system's.
      assert.equal((await page.evaluate(() => window.knobs.command('set_motion', { motion: 'reduce' }))).ok, true);
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await page.emulateMedia({ reducedMotion: 'no-preference' });
      await waitFrames(page, 2);
      s = await state(page);
      assert.equal(s.reduced_motion, true);
      assert.deepEqual(s.motion, { setting: 'reduce', system_reduced: false });
    });
  });

  it('display: the UI scale and the motion choice are remembered by this browser', async (t) => {
    await withPage(browser, t, VIEWPORTS.desktop, async (page) => {
      await page.goto(SITE_URL);
      await waitForReady(page);
      assert.equal((await state(page)).ui_scale, 1);
      await page.evaluate(() => window.knobs.command('set_ui_scale', { scale: 1.5 }));
      await page.evaluate(() => window.knobs.command('set_motion', { motion: 'full' }));
      // Both commands' effects: the glue stores the settings when it next sees the state change, which may
      // be between the two commands.
      await page.waitForFunction(() => {
        const stored = window.localStorage.getItem('knobs.display.v1') || '';
        return stored.includes('1.5') && stored.includes('full');
      }, null, { timeout: 30000 });
      assert.deepEqual(JSON.parse(await page.evaluate(() => window.localStorage.getItem('knobs.display.v1'))),
        { ui_scale: 1.5, motion: 'full' });
      await page.reload();
      await waitForReady(page);
      await page.waitForFunction(() => window.knobs.state().ui_scale === 1.5, null, { timeout: 30000 });
      const s = await state(page);
      assert.equal(s.motion.setting, 'full');
      assert.equal(s.reduced_motion, false);
      // Not part of a link: a shared link never changes someone else's text size.
      assert.doesNotMatch(s.fragment, /scale|motion/);
    });
  });

  it('display: at 200% the Help panel shows its settings inside the lesson column (screenshot)', async (t) => {
    await withPage(browser, t, VIEWPORTS.desktop, async (page) => {
      await page.goto(SITE_URL);
      await waitForReady(page);
      await page.evaluate(() => window.knobs.command('set_ui_scale', { scale: 2 }));
      await page.evaluate(() => window.knobs.command('open_panel', { panel: 'about' }));
      await waitFrames(page, 4);
      const s = await state(page);
      assert.equal(s.ui_scale, 2);
      const shot = await screenshotStats(page);
      saveArtifact('screens/display-scale-200-help.png', shot.png);
      const bar = ['topbar.presets', 'topbar.copy_link', 'topbar.lang', 'topbar.theme', 'topbar.help'].map((id) => s.hit[id]);
      bar.forEach((r, i) => {
        assert.ok(Array.isArray(r), `top-bar control ${i} is drawn`);
        assert.ok(r[0] >= 0 && r[0] + r[2] <= s.canvas.w + 0.5, `top-bar control ${i} is inside the canvas`);
        if (i > 0) assert.ok(bar[i - 1][0] + bar[i - 1][2] <= r[0], `top-bar controls ${i - 1} and ${i} do not overlap`);
      });
      for (const id of ['about.scale', 'about.motion']) {
        const r = s.hit[id];
        assert.ok(Array.isArray(r), `${id} is drawn`);
        assert.ok(r[1] >= 96 && r[0] + r[2] <= s.canvas.w / 2, `${id} sits in the lesson column below the top bar`);
      }
    });
  });
});

// lock= really locks: a teacher's link that locks settings shows their controls read-only, and neither a
// real mouse drag nor the keyboard, nor the page API, changes them. The same drag on an unlocked page does
// change the value, so the test would notice a drag that never reached the slider.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  VIEWPORTS, center, launchBrowser, mirrorUpdated, saveArtifact, waitForReady, waitFrames, withMirroredApp, withPage,
} from './lib/harness.mjs';

const SITE_URL = process.env.KNOBS_SITE_URL;
if (!SITE_URL) throw new Error('KNOBS_SITE_URL is not set: run through tests/browser/run.mjs SITE_DIR');

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const settings = (page) => page.evaluate(() => window.knobs.state().settings);
const hit = async (page, id) => {
  const rect = (await page.evaluate(() => window.knobs.state().hit))[id];
  assert.ok(Array.isArray(rect), `the app reports where ${id} is drawn`);
  return rect;
};

// Presses on the slider's left end, drags it most of the way right and lets go; then presses the keys that
// move a focused slider (arrows) and takes the typed-value path (Ctrl+click, digits, Enter).
async function dragAndType(page, id) {
  // Keys pressed earlier may have moved ImGui's keyboard focus to the tab bar and another tab.
  await page.evaluate(() => window.knobs.command('open_panel', { panel: 'pretrain' }));
  await waitFrames(page, 3);
  const rect = await hit(page, id);
  const { y } = center(rect);
  await page.mouse.move(rect[0] + 4, y);
  await waitFrames(page, 2);
  await page.mouse.down();
  await waitFrames(page, 2);
  for (let step = 1; step <= 8; step += 1) {
    await page.mouse.move(rect[0] + 4 + (rect[2] * 0.9 * step) / 8, y);
    await waitFrames(page, 1);
  }
  await page.mouse.up();
  await waitFrames(page, 3);
  for (const key of ['ArrowRight', 'ArrowRight', 'ArrowLeft', 'ArrowRight']) {
    await page.keyboard.press(key);
    await waitFrames(page, 2);
  }
  await page.keyboard.down('Control');
  await page.mouse.click(center(rect).x, y);
  await page.keyboard.up('Control');
  await waitFrames(page, 2);
  await page.keyboard.type('7');
  await page.keyboard.press('Enter');
  await waitFrames(page, 4);
}

describe('locks', () => {
  it('locks: lock=lr,batch draws both read-only, and a drag, the keys and the page API leave them as they were', async (t) => {
    await withPage(browser, t, VIEWPORTS.desktop, async (page) => {
      await page.goto(`${SITE_URL}#v=2&panel=pretrain&lr=0.003&batch=8&lock=lr,batch`);
      await waitForReady(page);
      await page.waitForFunction(() => window.knobs.state().settings?.lr?.locked === true);
      const before = await settings(page);
      assert.equal(before.lr.value, 0.003);
      assert.equal(before.batch.value, 8);
      assert.equal(before.batch.locked, true);
      assert.equal(before.warmup.locked, false, 'only the named settings are locked');
      await waitFrames(page, 3);
      saveArtifact('screens/locks-pretrain.png', await page.screenshot());

      await dragAndType(page, 'pretrain.lr');
      await dragAndType(page, 'pretrain.batch');
      const after = await settings(page);
      assert.equal(after.lr.value, 0.003, 'the learning rate did not move');
      assert.equal(after.batch.value, 8, 'the batch size did not move');

      const reply = await page.evaluate(() => window.knobs.command('set_setting', { key: 'lr', value: 0.5 }));
      assert.equal(reply.ok, false);
      assert.match(reply.error, /^lr: locked by this page/);
      assert.equal((await settings(page)).lr.value, 0.003);
      const notices = await page.evaluate(() => window.knobs.state().notices.map((n) => n.text));
      assert.ok(notices.some((text) => text.startsWith('lr: locked by this page')), 'the refusal is said on screen');
    });
  });

  it('locks: the text version marks a locked control aria-disabled and says who set it', async (t) => {
    await withMirroredApp(browser, t, `${SITE_URL}#v=2&panel=pretrain&lock=lr`, VIEWPORTS.desktop, async (page) => {
      await mirrorUpdated(page, 2);
      const controls = await page.evaluate(() => [...document.querySelectorAll('#a11y-mirror button')]
        .map((b) => ({ text: b.textContent, disabled: b.getAttribute('aria-disabled') })));
      const lr = controls.find((c) => c.text.startsWith('Learning rate'));
      const batch = controls.find((c) => c.text.startsWith('Batch size'));
      assert.ok(lr && batch, `the mirror has both sliders (${controls.map((c) => c.text).join(' | ')})`);
      assert.equal(lr.disabled, 'true', 'the locked learning rate is aria-disabled');
      assert.equal(batch.disabled, null, 'the batch size is not locked');
      const text = await page.evaluate(() => document.getElementById('a11y-mirror').textContent);
      assert.match(text, /Set by this page/, 'the reason is in the text version');
    });
  });

  it('locks: the same drag on an unlocked page moves both values (the check above can fail)', async (t) => {
    await withPage(browser, t, VIEWPORTS.desktop, async (page) => {
      await page.goto(`${SITE_URL}#v=2&panel=pretrain&lr=0.003&batch=8`);
      await waitForReady(page);
      await page.waitForFunction(() => window.knobs.state().settings?.lr !== undefined);
      await waitFrames(page, 3);
      await dragAndType(page, 'pretrain.lr');
      await dragAndType(page, 'pretrain.batch');
      const after = await settings(page);
      assert.notEqual(after.lr.value, 0.003, 'the drag moved the learning rate');
      assert.notEqual(after.batch.value, 8, 'the drag moved the batch size');
    });
  });
});

// The accessibility mirror in the real build: what a screen reader gets instead of the canvas
// (src/ui/a11y.h, web/glue/70-a11y-mirror.js). Checked through Chromium's accessibility tree (getByRole,
// ariaSnapshot), and by acting through the mirror the way a screen reader's "click" does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, mirrorUpdated, withMirroredApp } from './lib/harness.mjs';

const SITE_URL = process.env.KNOBS_SITE_URL;
if (!SITE_URL) throw new Error('KNOBS_SITE_URL is not set: run through tests/browser/run.mjs SITE_DIR');

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const openApp = (t, options, body) => withMirroredApp(browser, t, SITE_URL, options, body);

// What a screen reader's activation does to a button: a click event (the mirror is visually hidden, so
// Playwright's pointer-based click would refuse it).
const activate = (locator) => locator.evaluate((element) => element.click());

describe('accessibility mirror', () => {
  it('a11y: regions, tabs, text and controls are in the accessibility tree', async (t) => {
    await openApp(t, {}, async (page) => {
      const mirror = page.locator('#a11y-mirror');
      assert.equal(await mirror.getAttribute('lang'), 'en');
      for (const name of ['Toolbar', 'Lesson', 'Lab']) {
        assert.equal(await mirror.getByRole('heading', { name, exact: true }).count(), 1, `a "${name}" heading`);
      }
      const lesson = mirror.getByRole('region', { name: 'Lesson', exact: true });
      assert.equal(await lesson.getByRole('tab', { selected: true }).count(), 1, 'one selected lesson tab');
      assert.equal(await lesson.getByRole('tab', { name: 'Quiz', exact: true }).getAttribute('aria-selected'), 'false');
      const lab = mirror.getByRole('region', { name: 'Lab', exact: true });
      assert.ok(await lab.getByRole('combobox').count() + await lab.getByRole('button').count() >= 3, 'lab controls');
      // Section titles inside a panel are headings under the region's heading.
      assert.equal(await lab.getByRole('heading', { name: 'Hyperparameters', level: 3 }).count(), 1);
      // Sliders say what they are set to.
      const lr = lab.getByRole('button', { name: /^Learning rate: \d/ });
      assert.equal(await lr.count(), 1, 'the learning-rate slider with its value');
      // The pre-train panel's help markers become their explanation, never a bare "(?)".
      assert.equal(await mirror.getByText('(?)', { exact: true }).count(), 0);
      const paragraphs = await mirror.locator('p').count();
      assert.ok(paragraphs >= 10, `the lesson and lab text is there (${paragraphs} paragraphs)`);
      // How long the page spends on one capture (read + parse); reported, not asserted.
      const cost = await page.evaluate(() => {
        const start = performance.now();
        const text = window.Module.UTF8ToString(window.Module._knobs_a11y_json());
        const nodes = JSON.parse(text).nodes.length;
        return { ms: performance.now() - start, bytes: text.length, nodes };
      });
      t.diagnostic(`a11y capture: ${cost.nodes} nodes, ${cost.bytes} bytes of JSON, read in ${cost.ms.toFixed(2)} ms`);
      const snapshot = await mirror.ariaSnapshot();
      assert.match(snapshot, /tab "Quiz"/);
      assert.match(snapshot, /heading "Lab"/);
      // Hidden from sight. In the Tab order: only the selected tab of each tablist (the arrow keys move
      // between tabs) and the controls of a lesson panel mirrored as a section (a11y-lesson.test.mjs);
      // the lifecycle panel shown now is not one, so only tabs.
      const box = await mirror.boundingBox();
      assert.ok(!box || (box.width <= 1 && box.height <= 1), `visually hidden (${JSON.stringify(box)})`);
      const tabbable = await mirror.locator('button:not([tabindex="-1"]), input').evaluateAll((all) =>
        all.map((e) => `${e.getAttribute('role')} ${e.getAttribute('aria-selected')}`));
      assert.ok(tabbable.length >= 1 && tabbable.every((e) => e === 'tab true'), JSON.stringify(tabbable));
    });
  });

  it('a11y: activating a tab in the mirror opens the panel in the app', async (t) => {
    await openApp(t, {}, async (page) => {
      const quiz = page.locator('#a11y-mirror').getByRole('tab', { name: 'Quiz', exact: true });
      assert.ok(!(await page.evaluate(() => window.knobs.state().panels)).includes('quiz'));
      await activate(quiz);
      await page.waitForFunction(() => window.knobs.state().panels.includes('quiz'), null, { timeout: 30000 });
      await mirrorUpdated(page, 2);
      assert.equal(await quiz.getAttribute('aria-selected'), 'true', 'the mirror follows the app');
    });
  });

  it('a11y: a quiz question is answered and checked through the mirror', async (t) => {
    await openApp(t, {}, async (page) => {
      const mirror = page.locator('#a11y-mirror');
      await activate(mirror.getByRole('tab', { name: 'Quiz', exact: true }));
      await mirrorUpdated(page, 2);
      const options = mirror.locator('fieldset').getByRole('radio');
      assert.ok(await options.count() >= 2, 'the options are radios');
      const first = options.first();
      const name = await first.evaluate((e) => e.closest('label').textContent);
      assert.equal(await first.isChecked(), false);
      await activate(first);   // a click on a native radio button, as a screen reader's activation does
      await mirrorUpdated(page, 2);
      const chosen = mirror.getByRole('radio', { name, exact: true });
      assert.equal(await chosen.isChecked(), true);
      await activate(mirror.getByRole('button', { name: 'Check', exact: true }));
      await mirrorUpdated(page, 2);
      // Checked, each option carries its feedback, marked ✓ or ✗ as on screen.
      const feedback = await options.evaluateAll((all) => all.map((e) => e.closest('label').textContent));
      assert.ok(feedback.some((text) => /[✓✗]/.test(text)), JSON.stringify(feedback));
    });
  });

  it('a11y: a slider is edited by typing into the canvas from the mirror', async (t) => {
    await openApp(t, {}, async (page) => {
      const lr = page.locator('#a11y-mirror').getByRole('button', { name: /^Learning rate: / });
      await activate(lr);
      await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'canvas');
      await page.waitForFunction(() => window.Module._knobs_wants_keyboard() === 1, null, { timeout: 30000 });
      await page.keyboard.press('Control+A');
      await page.keyboard.type('0.0125');
      await page.keyboard.press('Enter');
      await mirrorUpdated(page, 2);
      assert.equal(await lr.textContent(), 'Learning rate: 0.01250');
    });
  });

  it('a11y: notices are announced through a live region', async (t) => {
    await openApp(t, {}, async (page) => {
      // The live region is there, empty, before anything is said in it.
      const live = page.locator('#a11y-mirror [data-knobs-region="notices"] [role="status"]');
      assert.equal(await live.count(), 1);
      assert.equal(await live.getAttribute('aria-live'), 'polite');
      await live.evaluate((element) => { element.dataset.testMarker = 'before'; });
      assert.equal((await live.textContent()).trim(), '');
      const reply = await page.evaluate(() => window.knobs.command('notify', { text: 'Mirror notice test' }));
      assert.ok(reply.ok, JSON.stringify(reply));
      await mirrorUpdated(page, 2);
      assert.equal(await live.getAttribute('data-test-marker'), 'before', 'the same element, not a new one');
      assert.match(await live.textContent(), /Mirror notice test/);
    });
  });

  it('a11y: the mirror speaks the app\'s language', async (t) => {
    await openApp(t, {}, async (page) => {
      const reply = await page.evaluate(() => window.knobs.command('set_lang', { lang: 'pt-BR' }));
      assert.ok(reply.ok, JSON.stringify(reply));
      await mirrorUpdated(page, 2);
      const mirror = page.locator('#a11y-mirror');
      assert.equal(await mirror.getAttribute('lang'), 'pt-BR');
      assert.equal(await mirror.getByRole('heading', { name: 'Lição', exact: true }).count(), 1);
      assert.equal(await mirror.getByRole('heading', { name: 'Lesson', exact: true }).count(), 0);
    });
  });

  it('a11y: Tab from the canvas reaches the mirror, which then shows, and the arrow keys move between tabs', async (t) => {
    await openApp(t, {}, async (page) => {
      await page.focus('#canvas');
      await page.keyboard.press('Tab');
      const focused = () => page.evaluate(() => {
        const e = document.activeElement;
        return { inMirror: document.getElementById('a11y-mirror').contains(e), role: e.getAttribute('role'), text: e.textContent };
      });
      const first = await focused();
      assert.equal(first.inMirror, true);
      assert.equal(first.role, 'tab');
      // A sighted keyboard user sees where the focus is: the mirror shows while it has the focus.
      const box = await page.locator('#a11y-mirror').boundingBox();
      assert.ok(box && box.width > 100 && box.height > 100, `shown (${JSON.stringify(box)})`);
      await page.keyboard.press('ArrowRight');
      const second = await focused();
      assert.equal(second.role, 'tab');
      assert.notEqual(second.text, first.text);
      await page.keyboard.press('ArrowLeft');
      assert.equal((await focused()).text, first.text);
    });
  });
});

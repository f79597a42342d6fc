// The lesson panels in the accessibility mirror, in the real build: the comparison table, the quiz,
// the matching game and the FAQ as native elements (src/ui/a11y.h, web/glue/70-a11y-mirror.js). Checked with
// axe-core, with Playwright's accessibility snapshot, and by a keyboard-only learner who finishes the
// quiz and the matching game on the mirror's DOM elements. Expected words come from the lesson content
// (content/en.json) and the UI strings (content/ui/en.json), never from copies.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, launchBrowser, mirrorUpdated, withMirroredApp } from './lib/harness.mjs';

const SITE_URL = process.env.KNOBS_SITE_URL;
if (!SITE_URL) throw new Error('KNOBS_SITE_URL is not set: run through tests/browser/run.mjs SITE_DIR');

const require = createRequire(import.meta.url);
let AXE_PATH;
try {
  AXE_PATH = require.resolve('axe-core/axe.min.js', { paths: [REPO_ROOT] });
} catch {
  throw new Error('axe-core is not installed: run `npm ci` in the repository (scripts/setup does it).');
}

const LESSON = JSON.parse(readFileSync(path.join(REPO_ROOT, 'content/en.json'), 'utf8'));
const UI = JSON.parse(readFileSync(path.join(REPO_ROOT, 'content/ui/en.json'), 'utf8'));

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

// The long keyboard test runs in a smaller window (still two columns): software WebGL draws each frame
// faster, and every key press waits for one.
const SMALL = { width: 960, height: 640 };

const openApp = (t, body, size = {}) => withMirroredApp(browser, t, SITE_URL, size, body);

const state = (page) => page.evaluate(() => window.knobs.state());

// Opens a lesson panel the way a screen reader's "click" does on the mirror's tab (the keyboard-only
// test below does it with keys instead).
async function showPanel(page, key) {
  const tab = page.locator('#a11y-mirror [data-knobs-region="lesson"]').getByRole('tab', { name: UI[`panel.${key}`], exact: true });
  await tab.evaluate((element) => element.click());
  await page.waitForFunction((name) => window.knobs.state().panels.includes(name), key, { timeout: 30000 });
  await page.waitForFunction((name) => {
    const tab = Array.from(document.querySelectorAll('#a11y-mirror [role="tab"]')).find((e) => e.textContent === name);
    return tab && tab.getAttribute('aria-selected') === 'true';
  }, UI[`panel.${key}`], { timeout: 30000, polling: 50 });
}

// Records every line the live region gets, from now on (reading the DOM, not acting on the app).
async function listenToLiveRegion(page) {
  await page.evaluate(() => {
    window.__said = [];
    const live = document.querySelector('#a11y-mirror [aria-live="polite"]');
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) if (n.textContent) window.__said.push(n.textContent);
    }).observe(live, { childList: true, subtree: true });
  });
}
const said = (page) => page.evaluate(() => window.__said.slice());

// How ariaSnapshot() quotes a name.
const quoted = (text) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

describe('accessibility mirror: lesson panels', () => {
  it('a11y-lesson: axe-core finds no violations with the table, quiz, matching game and FAQ mirrored', async (t) => {
    await openApp(t, async (page) => {
      await page.addScriptTag({ path: AXE_PATH });
      const report = [];
      const check = async (what) => {
        const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
        for (const v of result.violations) {
          report.push(`${what}: ${v.id} (${v.impact}): ${v.help}\n  ` +
            v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' ' + n.failureSummary.replace(/\n/g, ' ')).join('\n  '));
        }
        return result;
      };
      for (const panel of ['table', 'quiz', 'matching', 'faq']) {
        await showPanel(page, panel);
        await mirrorUpdated(page, 2);
        const count = await page.locator(`#a11y-mirror section[data-knobs-kind="panel"]`).count();
        assert.equal(count, 1, `the ${panel} panel is mirrored as a section`);
        const result = await check(panel);
        t.diagnostic(`axe on the ${panel} panel: ${result.violations.length} violations, ${result.passes?.length ?? 'n/a'} rules passed`);
      }
      // Once more with the mirror shown (the focus inside it), so colour contrast is measured on it too.
      await page.locator('#a11y-mirror section[data-knobs-kind="panel"] button').first().focus();
      const box = await page.locator('#a11y-mirror').boundingBox();
      assert.ok(box && box.width > 100 && box.height > 100, `the mirror shows while it has the focus (${JSON.stringify(box)})`);
      await check('faq, mirror shown');
      assert.deepEqual(report, [], report.join('\n'));
    });
  });

  it('a11y-lesson: the accessibility snapshot has the table, the quiz, the matching cards and the FAQ', async (t) => {
    await openApp(t, async (page) => {
      const mirror = page.locator('#a11y-mirror');
      const cmp = LESSON.comparison;

      await showPanel(page, 'table');
      await mirrorUpdated(page, 2);
      let snapshot = await mirror.ariaSnapshot();
      assert.match(snapshot, new RegExp(`- table ${escape(quoted(cmp.title))}`), 'the table is named by the panel title');
      assert.ok(snapshot.includes(`columnheader ${quoted(cmp.aspect_header)}`), snapshot);
      for (const column of cmp.columns) assert.ok(snapshot.includes(`columnheader ${quoted(column.title)}`), column.title);
      for (const row of cmp.rows) {
        assert.ok(snapshot.includes(`rowheader ${quoted(row.aspect)}`), row.aspect);
        for (const column of cmp.columns) assert.ok(snapshot.includes(`cell ${quoted(row.cells[column.id])}`), row.cells[column.id]);
      }
      assert.ok(snapshot.includes(`table ${quoted(UI['lesson.table_measured'])}`), 'the measured table has its caption');
      // The header cells are real header cells of a real table.
      const headers = await page.locator('#a11y-mirror table th[scope="col"]').count();
      assert.ok(headers >= cmp.columns.length + 1, `${headers} column headers`);

      await showPanel(page, 'quiz');
      await mirrorUpdated(page, 2);
      snapshot = await mirror.ariaSnapshot();
      const current = (await state(page)).lesson.quiz.current;
      const question = LESSON.quiz.find((q) => q.id === current);
      assert.ok(snapshot.includes(`group ${quoted(question.prompt)}`), `the question names its group\n${snapshot}`);
      const role = question.kind === 'single' ? 'radio' : 'checkbox';
      for (const option of question.options) assert.ok(snapshot.includes(`${role} ${quoted(option.text)}`), option.text);
      assert.ok(snapshot.includes(`button ${quoted(LESSON.ui.button_check)}`));

      await showPanel(page, 'matching');
      await mirrorUpdated(page, 2);
      snapshot = await mirror.ariaSnapshot();
      const cards = (await state(page)).lesson.matching.cards;
      assert.ok(cards.length >= 4);
      for (const card of cards) {
        const concept = LESSON.concepts.find((c) => c.id === card.concept);
        const text = card.side === 'term' ? concept.term : concept.definition;
        assert.ok(snapshot.includes(`button ${quoted(text)}`), `card "${text}"\n${snapshot}`);
      }
      assert.ok(snapshot.includes(`group ${quoted(UI['lesson.match_terms'])}`));
      assert.ok(snapshot.includes(`group ${quoted(UI['lesson.match_definitions'])}`));

      await showPanel(page, 'faq');
      await mirrorUpdated(page, 2);
      snapshot = await mirror.ariaSnapshot();
      for (const entry of LESSON.faq) assert.ok(snapshot.includes(`heading ${quoted(entry.question)} [level=4]`), entry.question);
    });
  });

  it('a11y-lesson: a quiz answer chosen with the keyboard on the mirror changes the app and is announced', async (t) => {
    await openApp(t, async (page) => {
      await showPanel(page, 'quiz');
      await mirrorUpdated(page, 2);
      await listenToLiveRegion(page);
      const quiz = (await state(page)).lesson.quiz;
      const question = LESSON.quiz.find((q) => q.id === quiz.current);
      assert.equal(question.kind, 'single', 'the first question has one answer');
      const wrong = question.options.find((o) => !o.correct);
      const group = page.locator('#a11y-mirror fieldset');
      // Focus the group's first radio button, then move with the arrow keys to a wrong answer.
      await group.getByRole('radio').first().focus();
      let guard = 0;
      while (!(await page.evaluate((text) => document.activeElement.closest('label')?.textContent === text, wrong.text))) {
        await page.keyboard.press('ArrowDown');
        assert.ok(++guard < 10, 'the arrow keys reach every option');
      }
      await page.keyboard.press('Space');   // checks it if the arrows have not already
      await page.waitForFunction((id) => window.knobs.state().lesson.quiz.options.find((o) => o.id === id).selected,
        wrong.id, { timeout: 30000 });
      await mirrorUpdated(page, 2);
      assert.equal(await group.getByRole('radio', { name: wrong.text, exact: true }).isChecked(), true);
      // Tab to "Check" and press Enter.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.textContent), LESSON.ui.button_check);
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => window.knobs.state().lesson.quiz.checked, null, { timeout: 30000 });
      await page.waitForFunction(() => window.__said.length > 0, null, { timeout: 30000 });
      const words = (await said(page)).join(' ');
      assert.ok(words.includes(`✗ ${LESSON.ui.label_wrong}.`), words);
      assert.ok(words.includes(wrong.feedback), words);
      assert.ok(words.includes(`${LESSON.ui.label_score}: 0 / ${quiz.count}.`), words);
      // The answered question's options are locked in the mirror as in the app.
      await mirrorUpdated(page, 2);
      assert.equal(await group.getByRole('radio', { name: new RegExp('^' + escape(wrong.text)) }).isDisabled(), true);
    });
  });

  it('a11y-lesson: a keyboard-only learner finishes the quiz and the matching game on the mirror', async (t) => {
    await openApp(t, async (page) => {
      await listenToLiveRegion(page);
      const active = () => page.evaluate(() => {
        const e = document.activeElement;
        return { tag: e.tagName, role: e.getAttribute('role'), text: (e.closest('label') || e).textContent, inMirror: document.getElementById('a11y-mirror').contains(e) };
      });
      // Presses Tab, or Shift+Tab when the element is before the focus (the learner can see where it is),
      // until `pick(active)` holds. `what`: the element's words, or a CSS selector.
      const tabTo = async (pick, what) => {
        for (let i = 0; i < 80; i++) {
          const { now, back } = await page.evaluate((target) => {
            const e = document.activeElement;
            const all = Array.from(document.querySelectorAll('#a11y-mirror button, #a11y-mirror input'));
            const element = all.find((x) => (x.closest('label') || x).textContent === target) ||
              (target.startsWith('#') ? document.querySelector(target) : null);
            return {
              now: { tag: e.tagName, role: e.getAttribute('role'), text: (e.closest('label') || e).textContent },
              back: !!element && !!(element.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING),
            };
          }, what);
          if (pick(now)) return now;
          await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
        }
        throw new Error(`Tab never reached ${what}; at ${JSON.stringify(await active())}`);
      };
      // Tab to the lesson's selected tab, then the arrow keys to `name`, and Enter.
      const openTab = async (from, name) => {
        await tabTo((a) => a.role === 'tab' && a.text === from, '#a11y-mirror [data-knobs-region="lesson"] [role="tab"][aria-selected="true"]');
        for (let i = 0; i < 12 && (await active()).text !== name; i++) await page.keyboard.press('ArrowRight');
        assert.equal((await active()).text, name);
        await page.keyboard.press('Enter');
      };

      // The canvas has the focus when the app starts (or gets it with the first Tab); the next Tab
      // reaches the mirror's tabs.
      if ((await active()).tag !== 'CANVAS') await page.keyboard.press('Tab');
      assert.equal((await active()).tag, 'CANVAS');
      await page.keyboard.press('Tab');
      assert.equal((await active()).inMirror, true, 'Tab leaves the canvas for the mirror');

      // ---- the whole quiz, answered right ----
      const started = Date.now();
      await openTab(UI['panel.lifecycle'], UI['panel.quiz']);
      await page.waitForFunction(() => window.knobs.state().panels.includes('quiz'), null, { timeout: 30000 });
      const count = (await state(page)).lesson.quiz.count;
      for (let n = 0; n < count; n++) {
        const quiz = (await state(page)).lesson.quiz;
        const question = LESSON.quiz.find((q) => q.id === quiz.current);
        await page.waitForFunction((prompt) => document.querySelector('#a11y-mirror fieldset legend')?.textContent === prompt,
          question.prompt, { timeout: 30000, polling: 50 });
        const right = question.options.filter((o) => o.correct).map((o) => o.text);
        if (question.kind === 'single') {
          await tabTo((a) => a.tag === 'INPUT', '#a11y-mirror fieldset input');
          for (let i = 0; i < 10 && !right.includes((await active()).text); i++) await page.keyboard.press('ArrowDown');
          await page.keyboard.press('Space');
        } else {
          for (const text of right) {
            await tabTo((a) => a.tag === 'INPUT' && a.text === text, text);
            await page.keyboard.press('Space');
          }
        }
        const ids = question.options.filter((o) => o.correct).map((o) => o.id);
        await page.waitForFunction((want) => {
          const chosen = window.knobs.state().lesson.quiz.options.filter((o) => o.selected).map((o) => o.id).sort();
          return JSON.stringify(chosen) === JSON.stringify(want.slice().sort());
        }, ids, { timeout: 30000 });
        await mirrorUpdated(page, 1);
        await tabTo((a) => a.text === LESSON.ui.button_check, LESSON.ui.button_check);
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => window.knobs.state().lesson.quiz.checked, null, { timeout: 30000 });
        if (n + 1 < count) {
          await mirrorUpdated(page, 1);
          await tabTo((a) => a.text === LESSON.ui.button_next, LESSON.ui.button_next);
          await page.keyboard.press('Enter');
          await page.waitForFunction((i) => window.knobs.state().lesson.quiz.index === i, n + 1, { timeout: 30000 });
        }
      }
      const quiz = (await state(page)).lesson.quiz;
      assert.equal(quiz.all_checked, true, 'every question answered');
      assert.deepEqual(quiz.score, { raw: count, max: count, scaled: 1 });
      await page.waitForFunction((text) => window.__said.some((s) => s.includes(text)),
        LESSON.ui.quiz_complete.replace('{score}', count).replace('{max}', count), { timeout: 30000 });

      t.diagnostic(`quiz finished by keyboard in ${((Date.now() - started) / 1000).toFixed(1)} s`);

      // ---- the whole matching game ----
      await openTab(UI['panel.quiz'], UI['panel.matching']);
      await page.waitForFunction(() => window.knobs.state().panels.includes('matching'), null, { timeout: 30000 });
      await mirrorUpdated(page, 2);
      const cards = (await state(page)).lesson.matching.cards;
      const concepts = [...new Set(cards.map((c) => c.concept))].map((id) => LESSON.concepts.find((c) => c.id === id));
      for (const [i, concept] of concepts.entries()) {
        await tabTo((a) => a.text === concept.term, concept.term);
        await page.keyboard.press('Enter');
        await tabTo((a) => a.text === concept.definition, concept.definition);
        await page.keyboard.press('Enter');
        await page.waitForFunction((n) => window.knobs.state().lesson.matching.matched === n, i + 1, { timeout: 30000 });
        await mirrorUpdated(page, 1);
      }
      t.diagnostic(`quiz and matching game finished by keyboard in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const matching = (await state(page)).lesson.matching;
      assert.equal(matching.complete, true, 'every pair matched');
      assert.equal(matching.mistakes, 0);
      // Each matched card says so, and names its partner.
      const first = concepts[0];
      const card = page.locator('#a11y-mirror').getByRole('button', { name: first.term, exact: true });
      assert.equal(await card.getAttribute('aria-disabled'), 'true');
      const described = await card.evaluate((e) => document.getElementById(e.getAttribute('aria-describedby'))?.textContent);
      assert.equal(described, UI['a11y.matched_with'].replace('{other}', first.definition));

      // What the live region said: each answer's verdict, the quiz score, each match and the round's result.
      const words = await said(page);
      assert.equal(words.filter((w) => w.startsWith(`✓ ${LESSON.ui.label_correct}.`)).length, count, words.join('\n'));
      assert.ok(words.some((w) => w.startsWith(`✓ ${LESSON.ui.matching_right} ${concepts[0].term}: ${concepts[0].definition}`)), words.join('\n'));
      const done = LESSON.ui.matching_complete.slice(0, LESSON.ui.matching_complete.indexOf('{'));
      assert.ok(words.some((w) => w.includes(done)), words.join('\n'));
    }, SMALL);
  });

  it('a11y-lesson: Tab through the mirror leaves the page at its end (no keyboard trap)', async (t) => {
    await openApp(t, async (page) => {
      await showPanel(page, 'quiz');
      await mirrorUpdated(page, 2);
      const stops = await page.evaluate(() => Array.from(document.querySelectorAll('#a11y-mirror button, #a11y-mirror input'))
        .filter((e) => e.tabIndex >= 0 && !e.disabled).length);
      await page.focus('#canvas');
      let left = false;
      for (let i = 0; i <= stops + 2 && !left; i++) {
        await page.keyboard.press('Tab');
        left = await page.evaluate(() => {
          const e = document.activeElement;
          return !e || e === document.body || (!document.getElementById('a11y-mirror').contains(e) && e.id !== 'canvas');
        });
      }
      assert.ok(left, `Tab left the mirror within ${stops + 2} presses`);
      const box = await page.locator('#a11y-mirror').boundingBox();
      assert.ok(!box || (box.width <= 1 && box.height <= 1), 'hidden again once the focus has left');
    });
  });
});

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

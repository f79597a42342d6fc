// What the browser stores, shared by every tab of the site: the lesson progress and the display settings.
// Two tabs in one browser context share localStorage, and neither may lose what the other recorded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, newPage, waitForReady } from './lib/harness.mjs';

const SITE_DIR = process.env.KNOBS_SITE_DIR;
const BASE_URL = process.env.KNOBS_SITE_URL;
if (!SITE_DIR || !BASE_URL) throw new Error('run through tests/browser/run.mjs SITE_DIR');

const PROGRESS_KEY = 'knobs.progress.v1';
let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

const lessonOf = (page) => page.evaluate(() => window.knobs.state().lesson);
const command = (page, name, args = {}) => page.evaluate(([n, a]) => window.knobs.command(n, a), [name, args]);

async function openTab(context) {
  const page = await context.newPage();
  await page.goto(BASE_URL + 'index.html#v=2&panel=quiz');
  await waitForReady(page);
  await page.waitForFunction(() => window.knobs.state().lesson.loaded === true, null, { timeout: 30000 });
  return page;
}

// Answers the question with the given id (its first option), the way a learner would: go there, pick, check.
async function answer(page, questionId) {
  assert.deepEqual(await command(page, 'quiz_go_to', { question: questionId }), { ok: true });
  const quiz = (await lessonOf(page)).quiz;
  assert.equal(quiz.current, questionId);
  assert.deepEqual(await command(page, 'quiz_select', { question: questionId, option: quiz.options[0].id }), { ok: true });
  assert.deepEqual(await command(page, 'quiz_check', { question: questionId }), { ok: true });
}

// Two tabs of the app in one browser context (one localStorage, and storage events between them).
async function withTwoTabs(body) {
  const { context, page: first } = await newPage(browser);
  try {
    await first.close();
    const a = await openTab(context);
    const b = await openTab(context);
    await body(a, b, context);
  } finally {
    await context.close();
  }
}

const checkedIds = (lesson) => lesson.quiz.questions.filter((q) => q.checked).map((q) => q.id).sort();

async function waitForChecked(page, ids) {
  await page.waitForFunction((want) => {
    const got = window.knobs.state().lesson.quiz.questions.filter((q) => q.checked).map((q) => q.id).sort();
    return JSON.stringify(got) === JSON.stringify(want);
  }, [...ids].sort(), { timeout: 30000, polling: 100 });
}

describe('two tabs', () => {
  it('two tabs answer different questions: each sees the other live, and a third tab finds both answers', async () => {
    await withTwoTabs(async (a, b, context) => {
      const ids = (await lessonOf(a)).quiz.questions.map((q) => q.id);
      await answer(a, ids[0]);
      await answer(b, ids[1]);
      // The stored record holds both: b's save merged a's answer in instead of replacing it.
      const stored = JSON.parse(await a.evaluate((key) => localStorage.getItem(key), PROGRESS_KEY));
      assert.deepEqual(Object.keys(stored.q).sort(), [ids[0], ids[1]].sort());
      // a heard b's save through the storage event, and shows b's answer without a reload.
      await waitForChecked(a, [ids[0], ids[1]]);
      assert.deepEqual(checkedIds(await lessonOf(b)), [ids[0], ids[1]].sort());

      const c = await openTab(context);
      const third = await lessonOf(c);
      assert.deepEqual(checkedIds(third), [ids[0], ids[1]].sort());
      assert.equal(third.progress.answered, 2);

      // A reset in one tab reaches the others, and their next answer does not bring the old ones back.
      assert.deepEqual(await command(b, 'reset_progress'), { ok: true });
      await waitForChecked(a, []);
      await waitForChecked(c, []);
      await answer(a, ids[2]);
      await waitForChecked(b, [ids[2]]);
      const afterReset = JSON.parse(await a.evaluate((key) => localStorage.getItem(key), PROGRESS_KEY));
      assert.deepEqual(Object.keys(afterReset.q), [ids[2]]);
    });
  });

  it('display settings changed in two tabs: each tab\'s change is kept', async () => {
    await withTwoTabs(async (a, b) => {
      const readStored = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('knobs.display.v1') || 'null'));
      assert.deepEqual(await command(a, 'set_ui_scale', { scale: 1.5 }), { ok: true });
      await a.waitForFunction(() => JSON.parse(localStorage.getItem('knobs.display.v1') || '{}').ui_scale === 1.5,
        null, { timeout: 30000, polling: 100 });
      assert.deepEqual(await command(b, 'set_motion', { motion: 'reduce' }), { ok: true });
      await b.waitForFunction(() => JSON.parse(localStorage.getItem('knobs.display.v1') || '{}').motion === 'reduce',
        null, { timeout: 30000, polling: 100 });
      // b's save wrote only the setting b changed: a's scale is still there.
      assert.deepEqual(await readStored(b), { ui_scale: 1.5, motion: 'reduce' });
    });
  });
});

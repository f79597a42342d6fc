// Files a link names, fetched from the page's own origin: a course author's lesson (content=) and a text to
// train on (corpus_url=). The site is copied into a temporary folder next to those files, as a course would
// host it.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, launchBrowser, serveSiteCopy, waitForReady, withPage } from './lib/harness.mjs';

const SITE_DIR = process.env.KNOBS_SITE_DIR;
if (!SITE_DIR) throw new Error('KNOBS_SITE_DIR is not set: run through tests/browser/run.mjs SITE_DIR');

const AUTHOR_TITLE = 'Gradient descent for historians';
let browser, hosted, server, root;

before(async () => {
  hosted = await serveSiteCopy(SITE_DIR);
  ({ root, server } = hosted);
  // A course author's lesson: the built-in one retitled, with one question fewer.
  const lesson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'content/en.json'), 'utf8'));
  lesson.title = AUTHOR_TITLE;
  lesson.quiz.pop();
  mkdirSync(path.join(root, 'lessons'));
  writeFileSync(path.join(root, 'lessons/week-1.json'), JSON.stringify(lesson));
  const broken = { ...lesson };
  delete broken.concepts;
  writeFileSync(path.join(root, 'lessons/broken.json'), JSON.stringify(broken));
  mkdirSync(path.join(root, 'texts'));
  let poem = '';
  for (let i = 0; i < 300; i++) poem += `the river runs and the river sings, verse ${i}\n`;
  writeFileSync(path.join(root, 'texts/poems.txt'), poem);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await hosted?.close();
});

const state = (page) => page.evaluate(() => window.knobs.state());

async function open(t, fragment, body) {
  return withPage(browser, t, {}, async (page) => {
    await page.goto(server.url + 'index.html' + fragment);
    await waitForReady(page);
    return body(page);
  });
}

async function waitForNotice(page, pattern, error) {
  await page.waitForFunction(([source, wantError]) => (window.knobs.state().notices || []).some((n) =>
    new RegExp(source).test(n.text) && n.error === wantError), [pattern.source, error], { timeout: 30000, polling: 100 });
}

describe('files a link names', () => {
  it('content=: the author\'s lesson replaces the built-in one and keeps its own progress', async (t) => {
    await open(t, '#v=2&panel=quiz&content=lessons/week-1.json', async (page) => {
      await page.waitForFunction((title) => window.knobs.state().lesson.title === title, AUTHOR_TITLE, { timeout: 30000 });
      await waitForNotice(page, /^lessons\/week-1\.json: lesson loaded/, false);
      const quiz = (await state(page)).lesson.quiz;
      const builtin = JSON.parse(readFileSync(path.join(REPO_ROOT, 'content/en.json'), 'utf8')).quiz.length;
      assert.equal(quiz.count, builtin - 1, 'the author\'s quiz, one question shorter');
      assert.deepEqual(await page.evaluate(() => window.knobs.command('quiz_select', {
        question: window.knobs.state().lesson.quiz.current, option: window.knobs.state().lesson.quiz.options[0].id })), { ok: true });
      assert.deepEqual(await page.evaluate(() => window.knobs.command('quiz_check', {})), { ok: true });
      const stored = await page.evaluate(() => ({ author: localStorage.getItem('knobs.progress.v1:lessons/week-1.json'),
        builtin: localStorage.getItem('knobs.progress.v1') }));
      assert.ok(stored.author, 'progress is stored under the lesson file\'s own key');
      assert.equal(stored.builtin, null, 'the built-in lesson\'s record is untouched');
      assert.match((await state(page)).fragment, /content=lessons\/week-1\.json/, 'a copied link still names the file');
    });
  });

  it('content=: a broken file is refused with the field named; the built-in lesson stays', async (t) => {
    await open(t, '#v=2&panel=quiz&content=lessons/broken.json', async (page) => {
      await waitForNotice(page, /^lessons\/broken\.json: The course's lesson file was not used: .*concepts/, true);
      assert.equal((await state(page)).lesson.title, JSON.parse(readFileSync(path.join(REPO_ROOT, 'content/en.json'), 'utf8')).title);
    });
  });

  it('content=: a file that is not there gives a notice, and the app goes on', async (t) => {
    await open(t, '#v=2&panel=quiz&content=lessons/missing.json', async (page) => {
      await waitForNotice(page, /lessons\/missing\.json, which could not be loaded: .*404/, true);
      assert.equal((await state(page)).ready, true);
    });
  });

  it('corpus_url=: the named text is fetched and training runs on it', async (t) => {
    await open(t, '#v=2&panel=pretrain&corpus=user&corpus_url=texts/poems.txt&size=custom&layers=1&heads=2&width=32&context=32&batch=4&run=3',
      async (page) => {
        await page.waitForFunction(() => window.knobs.state().lab.pretrain.step >= 3, null, { timeout: 30000, polling: 100 });
        const lab = (await state(page)).lab.pretrain;
        assert.equal(lab.corpus, 'user');
        assert.equal(lab.error, '');
      });
  });
});

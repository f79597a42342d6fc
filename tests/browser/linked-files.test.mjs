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
  // Two endless texts, 100 MB each, streamed in 64 KiB pieces: one that declares its size and one that
  // does not. What each response managed to send before the page hung up is counted.
  const serveFiles = server.server.listeners('request');
  server.server.removeAllListeners('request');
  server.server.on('request', (req, res) => {
    const name = new URL(req.url, 'http://x').pathname;
    if (name !== '/texts/endless.txt' && name !== '/texts/declared.txt') return serveFiles.forEach((f) => f(req, res));
    const headers = { 'Content-Type': 'text/plain; charset=utf-8' };
    if (name === '/texts/declared.txt') headers['Content-Length'] = String(STREAMED_BYTES);
    res.writeHead(200, headers);
    const piece = Buffer.alloc(STREAM_PIECE, 'a');
    sent[name] = 0;
    const pump = () => {
      while (sent[name] < STREAMED_BYTES && !res.destroyed) {
        sent[name] += piece.length;
        if (!res.write(piece)) return res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => { closed[name] = true; });
    pump();
  });
  browser = await launchBrowser();
});

const STREAMED_BYTES = 100 * 1024 * 1024;
const STREAM_PIECE = 64 * 1024;
const TEXT_LIMIT = 10 * 1024 * 1024;   // config.maxTextBytes, the app's kMaxUserTextBytes
const sent = {}, closed = {};

// Waits (polling, generous timeout) for something the server side sees.
async function until(condition, what) {
  for (const started = Date.now(); !condition();) {
    if (Date.now() - started > 60000) throw new Error(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

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

  it('corpus_url=: a 100 MB text with no declared size is read to the limit plus one chunk, then dropped', async (t) => {
    await open(t, '#v=2&panel=pretrain&corpus=user&corpus_url=texts/endless.txt', async (page) => {
      await waitForNotice(page, /^The link names texts\/endless\.txt, which is more than 10\.0 MB; Knobs takes files of up to 10\.0 MB from a link\.$/, true);
      const stats = await page.evaluate(() => window.knobsGlue.linkedFileStats());
      assert.ok(stats.lastReadBytes > TEXT_LIMIT, `the read went past the limit (${stats.lastReadBytes} bytes)`);
      assert.ok(stats.lastReadBytes - stats.lastChunkBytes <= TEXT_LIMIT,
        `it stopped at the first chunk past the limit: ${stats.lastReadBytes} bytes read, the last chunk ${stats.lastChunkBytes}`);
      await until(() => closed['/texts/endless.txt'], 'the page hung up');
      assert.ok(sent['/texts/endless.txt'] < STREAMED_BYTES, `the download was cut short (${sent['/texts/endless.txt']} bytes sent)`);
    });
  });

  it('corpus_url=: a text that declares 100 MB is refused by its size before a byte is read', async (t) => {
    await open(t, '#v=2&panel=pretrain&corpus=user&corpus_url=texts/declared.txt', async (page) => {
      await waitForNotice(page, /^The link names texts\/declared\.txt, which is 100\.0 MB; Knobs takes files of up to 10\.0 MB from a link\.$/, true);
      const stats = await page.evaluate(() => window.knobsGlue.linkedFileStats());
      assert.equal(stats.lastReadBytes, 0);
      await until(() => closed['/texts/declared.txt'], 'the page hung up');
      assert.ok(sent['/texts/declared.txt'] < STREAMED_BYTES, `the download was cut short (${sent['/texts/declared.txt']} bytes sent)`);
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

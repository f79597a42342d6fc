// End to end with the real build: files in and out (picker, drag-and-drop, download), lesson progress
// across reloads, the shipped model, and links. glue-files.test.mjs pins the glue's side of each exactly.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  REPO_ROOT, VIEWPORTS, center, dropFiles, launchBrowser, pauseClock, recordLargeCopies, waitForReady, waitFrames, withPage,
} from './lib/harness.mjs';

const require = createRequire(import.meta.url);
const { startServer } = require(path.join(REPO_ROOT, 'scripts/serve'));

const SITE_URL = process.env.KNOBS_SITE_URL;
const SITE_DIR = process.env.KNOBS_SITE_DIR;
if (!SITE_URL || !SITE_DIR) throw new Error('KNOBS_SITE_URL/KNOBS_SITE_DIR are not set: run through tests/browser/run.mjs SITE_DIR');

let browser;
let trained = null;   // { bytes, checksum }: a weights file the app itself saved, made once

before(async () => {
  for (const file of ['knobs.js', 'knobs.wasm', 'index.html', 'knobs-glue.js']) {
    if (!existsSync(path.join(SITE_DIR, file))) throw new Error(`${file} is missing from ${SITE_DIR}: build the site first (make web)`);
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

async function openApp(t, body, { url = SITE_URL, options = VIEWPORTS.desktop } = {}) {
  return withPage(browser, t, options, async (page, context) => {
    await page.goto(url);
    await waitForReady(page);
    return body(page, context);
  });
}

const state = (page) => page.evaluate(() => window.knobs.state());
const command = (page, name, args) => page.evaluate(([n, a]) => window.knobs.command(n, a), [name, args]);

function labOf(snapshot) {
  assert.ok(snapshot.lab && snapshot.lab.models, 'state().lab.models is reported (src/app/lab_commands.cpp)');
  return snapshot.lab;
}

async function waitForNotice(page, pattern, error) {
  try {
    await page.waitForFunction(([source, flags, wantError]) => (window.knobs.state().notices || []).some((n) =>
      new RegExp(source, flags).test(n.text) && (wantError === null || n.error === wantError)),
    [pattern.source, pattern.flags, error === undefined ? null : error], { timeout: 30000, polling: 100 });
  } catch (failure) {
    const notices = (await state(page)).notices.map((n) => `${n.error ? 'x' : 'v'} ${n.text}`);
    throw new Error(`no notice matching ${pattern}${error === undefined ? '' : error ? ' (error)' : ' (not an error)'}; ` +
      `notices: ${JSON.stringify(notices)}\n${failure.message}`);
  }
}

// Clicks a named element (hit rectangle) once the app has drawn it.
async function clickHit(page, id) {
  await page.waitForFunction((name) => Array.isArray(window.knobs.state().hit[name]), id, { timeout: 30000 });
  const { x, y } = center((await state(page)).hit[id]);
  await page.mouse.move(x, y);
  await waitFrames(page, 2);
  await page.mouse.down();
  await waitFrames(page, 2);
  await page.mouse.up();
}

// Trains one step, then saves the trained model through the weights panel's download button.
async function saveTrainedModel(page) {
  assert.deepEqual(await command(page, 'lab_step'), { ok: true });
  await page.waitForFunction(() => window.knobs.state().lab.pretrain.step >= 1, null, { timeout: 30000 });
  assert.deepEqual(await command(page, 'open_panel', { panel: 'weights' }), { ok: true });
  const saved = page.waitForEvent('download');
  await clickHit(page, 'weights.download');
  const download = await saved;
  assert.match(download.suggestedFilename(), /^knobs-trained\.knobs$/);
  const bytes = readFileSync(await download.path());
  return { bytes, checksum: labOf(await state(page)).models.trained.checksum };
}

async function trainedModel(t) {
  if (!trained) {
    await openApp(t, async (page) => { trained = await saveTrainedModel(page); });
  }
  return trained;
}

describe('journey: files', () => {
  it('journey: a model saved with the download button opens again through the picker, with the same checksum', async (t) => {
    await openApp(t, async (page) => {
      trained = await saveTrainedModel(page);
      assert.ok(trained.bytes.length > 1000, `a real weights file (${trained.bytes.length} bytes)`);
      assert.equal(trained.bytes.subarray(0, 8).toString('latin1'), '\x89KNBW\r\n\x1a');

      const chooser = page.waitForEvent('filechooser');
      await clickHit(page, 'weights.open_button');
      const picker = await chooser;
      await picker.setFiles({ name: 'my-model.knobs', mimeType: 'application/octet-stream', buffer: trained.bytes });
      await waitForNotice(page, /^my-model\.knobs: weights file opened$/, false);
      const lab = labOf(await state(page));
      assert.equal(lab.models.opened.checksum, trained.checksum, 'the opened model is the saved one, bit for bit');
      assert.equal(lab.weights.opened_name, 'my-model.knobs');
    });
  });

  it('journey: a bad weights file is refused with the reason, and the opened model stays', async (t) => {
    const { bytes, checksum } = await trainedModel(t);
    await openApp(t, async (page) => {
      await page.setInputFiles('#file-input', { name: 'good.knobs', mimeType: 'application/octet-stream', buffer: bytes });
      await waitForNotice(page, /^good\.knobs: weights file opened$/, false);
      for (const [name, buffer] of [
        ['cut.knobs', bytes.subarray(0, bytes.length - 100)],
        ['photo.knobs', Buffer.from('\xff\xd8\xff\xe0 definitely a JPEG', 'latin1')],
      ]) {
        await page.setInputFiles('#file-input', { name, mimeType: 'application/octet-stream', buffer });
        await waitForNotice(page, new RegExp(name.replace('.', '\\.')), true);
        const lab = labOf(await state(page));
        assert.equal(lab.models.opened.checksum, checksum, `${name}: the model opened before is kept`);
        assert.notEqual(lab.weights.open_error, '', `${name}: the weights panel shows why`);
      }
    });
  });

  it('journey: a text file dropped on the page becomes the learner\'s text; a dropped .knobs file is weights', async (t) => {
    const { bytes, checksum } = await trainedModel(t);
    await openApp(t, async (page) => {
      const accepted = await dropFiles(page, [{ name: 'my-corpus.txt', text: 'the cat sat on the mat. '.repeat(400), type: 'text/plain' }]);
      assert.equal(accepted.drop, true);
      await waitForNotice(page, /^my-corpus\.txt: text loaded/, false);
      await page.evaluate((values) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(values)], 'dropped.knobs'));
        document.getElementById('canvas').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      }, [...bytes]);
      await waitForNotice(page, /^dropped\.knobs: weights file opened$/, false);
      assert.equal(labOf(await state(page)).models.opened.checksum, checksum);
    });
  });

  it('journey: 10 MB of text opens; the page blocks only for the copy and the app\'s own parse', async (t) => {
    await openApp(t, async (page) => {
      await page.evaluate(recordLargeCopies, 1 << 20);
      const result = await page.evaluate(async () => {
        const line = 'the cat sat on the mat and the dog ran to the park. ';
        const text = line.repeat(Math.floor((10 * 1024 * 1024) / line.length));
        let event = null;
        window.knobs.on('file', (payload) => { event = payload; });
        const ok = await window.knobs.openFile(new File([text], 'ten-megabytes.txt'));
        await new Promise((resolve) => setTimeout(resolve, 0));
        return { ok, event, copies: window.__copies };
      });
      assert.equal(result.ok, true);
      assert.ok(result.event.bytes > 10 * 1024 * 1024 - 100);
      // Counted, not timed: the bytes go into the wasm heap in one copy (the text is a little under 10 MB, so
      // building it copied nothing as large). How long the copy and the parse take is make bench's
      // open_10mb_text_copy_ms and open_10mb_text_block_ms (docs/bench.md).
      assert.deepEqual(result.copies.filter((length) => length === result.event.bytes), [result.event.bytes],
        'one copy of the file into the heap');
      t.diagnostic(`10 MB text: copy into the heap ${result.event.copyMs.toFixed(1)} ms, knobs_open_bytes ${result.event.appMs.toFixed(1)} ms`);
      await waitForNotice(page, /^ten-megabytes\.txt: text loaded/, false);
    });
  });
});

describe('journey: lesson progress', () => {
  it('journey: an answered question survives a reload', async (t) => {
    await openApp(t, async (page) => {
      const quiz = (await state(page)).lesson.quiz;
      assert.ok(quiz && quiz.options.length > 0, 'the quiz is loaded');
      assert.deepEqual(await command(page, 'quiz_select', { question: quiz.current, option: quiz.options[0].id }), { ok: true });
      assert.deepEqual(await command(page, 'quiz_check', { question: quiz.current }), { ok: true });
      assert.equal((await state(page)).lesson.progress.answered, 1);
      const stored = await page.evaluate(() => localStorage.getItem('knobs.progress.v1'));
      assert.ok(stored && JSON.parse(stored), 'saved as JSON under knobs.progress.v1');

      await page.reload();
      await waitForReady(page);
      await page.waitForFunction(() => window.knobs.state().lesson.loaded === true);
      const after = (await state(page)).lesson;
      assert.equal(after.progress.answered, 1);
      assert.equal(after.quiz.questions.find((q) => q.id === quiz.current).checked, true);
      await waitForNotice(page, /^Welcome back/, false);
    });
  });

  it('journey: corrupt stored progress is discarded with a notice and replaced', async (t) => {
    await openApp(t, async (page) => {
      await page.evaluate(() => localStorage.setItem('knobs.progress.v1', '{"version": 1, "quiz": [tru'));
      await page.reload();
      await waitForReady(page);
      await waitForNotice(page, /^Saved progress could not be read and was cleared\.$/, true);
      const stored = await page.evaluate(() => localStorage.getItem('knobs.progress.v1'));
      assert.doesNotThrow(() => JSON.parse(stored), `the stored record is valid again: ${stored}`);
      assert.equal((await state(page)).lesson.progress.answered, 0);
    });
  });
});

describe('journey: the shipped model', () => {
  let siteCopy = null;
  let server = null;

  before(async () => {
    // A copy of the site with models/default.knobs, as `make models` would leave it.
    siteCopy = mkdtempSync(path.join(tmpdir(), 'knobs-shipped-site-'));
    for (const name of readdirSync(SITE_DIR)) {
      const source = path.join(SITE_DIR, name);
      if (statSync(source).isFile()) copyFileSync(source, path.join(siteCopy, name));
    }
    mkdirSync(path.join(siteCopy, 'models'));
    server = await startServer({ root: siteCopy, port: 0 });
  });

  after(async () => {
    await server?.close();
    if (siteCopy) rmSync(siteCopy, { recursive: true, force: true });
  });

  it('journey: models/default.knobs is opened as the shipped model, and inference can use it', async (t) => {
    const { bytes, checksum } = await trainedModel(t);
    writeFileSync(path.join(siteCopy, 'models', 'default.knobs'), bytes);
    await openApp(t, async (page) => {
      await page.waitForFunction(() => document.documentElement.dataset.knobsModel !== 'loading', null, { timeout: 30000 });
      assert.equal(await page.evaluate(() => document.documentElement.dataset.knobsModel), 'loaded');
      const lab = labOf(await state(page));
      assert.equal(lab.models.shipped.checksum, checksum);
      assert.equal(lab.inference.source, 'shipped');
      assert.equal(lab.inference.available, true);
    }, { url: server.url });
  });

  it('journey: without models/default.knobs the app works and inference says the model is not there', async (t) => {
    rmSync(path.join(siteCopy, 'models', 'default.knobs'), { force: true });
    await openApp(t, async (page) => {
      await page.waitForFunction(() => document.documentElement.dataset.knobsModel !== 'loading', null, { timeout: 30000 });
      assert.equal(await page.evaluate(() => document.documentElement.dataset.knobsModel), 'missing');
      assert.equal(await page.evaluate(() => document.documentElement.dataset.knobsState), 'ready');
      const lab = labOf(await state(page));
      assert.equal(lab.models.shipped, undefined);
      assert.equal(lab.inference.available, false);
      assert.equal((await state(page)).notices.filter((n) => n.error).length, 0, 'no error notice for a missing model');
    }, { url: server.url });
  });
});

describe('journey: training milestones', () => {
  it('journey: starting and pausing a run are reported as training milestones', async (t) => {
    await openApp(t, async (page) => {
      await page.evaluate(() => {
        window.__milestones = [];
        window.knobs.on('training', (payload) => window.__milestones.push(payload));
      });
      assert.deepEqual(await command(page, 'lab_play'), { ok: true });
      await page.waitForFunction(() => window.__milestones.some((m) => m.milestone === 'started'), null, { timeout: 30000 });
      await page.waitForFunction(() => window.knobs.state().lab.pretrain.step >= 2, null, { timeout: 30000 });
      assert.deepEqual(await command(page, 'lab_pause'), { ok: true });
      await page.waitForFunction(() => window.__milestones.some((m) => m.milestone === 'stopped'), null, { timeout: 30000 });
      const milestones = await page.evaluate(() => window.__milestones);
      assert.deepEqual(milestones.map((m) => m.milestone), ['started', 'stopped']);
      const stopped = milestones[1];
      const run = labOf(await state(page)).pretrain;
      assert.equal(stopped.step, run.step, 'the step the run paused at');
      assert.ok(stopped.tokens_seen > 0 && Number.isFinite(stopped.loss) && stopped.loss > 0, JSON.stringify(stopped));
    });
  });
});

describe('journey: links', () => {
  it('journey: a link opens the state it describes, a new fragment changes it, and the address follows', async (t) => {
    await openApp(t, async (page) => {
      assert.equal((await state(page)).fragment, '#v=2&lr=0.02&seed=7');
      await page.evaluate(() => { location.hash = '#v=2&seed=9'; });
      // A link that names the pre-training group sets all of it: lr goes back to its default.
      await page.waitForFunction(() => window.knobs.state().fragment === '#v=2&seed=9');
      assert.deepEqual(await command(page, 'load_preset', { id: 'temperature' }), { ok: true });
      assert.match((await state(page)).fragment, /temp=1\.6/);
      // (The fragment may still settle over a frame or two, as the shell brings the preset's panel to front.)
      await page.waitForFunction(() => location.hash === window.knobs.state().fragment && /temp=1\.6/.test(location.hash),
        null, { timeout: 30000 });
    }, { url: SITE_URL + '#v=2&lr=0.02&seed=7' });
  });

  it('journey: copy link puts this address with the current state on the clipboard', async (t) => {
    await withPage(browser, t, VIEWPORTS.desktop, async (page, context) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: SITE_URL.replace(/\/$/, '') });
      await page.clock.install();
      await page.goto(SITE_URL);
      await waitForReady(page);
      // Two looks at the state (every 500 ms), on the page's clock: however slow the machine, they happened.
      await pauseClock(page);
      await page.clock.runFor(1000);
      await page.clock.resume();
      assert.equal(await page.evaluate(() => location.href), SITE_URL, 'a fresh app keeps its bare address');
      assert.deepEqual(await command(page, 'load_link', { fragment: '#v=2&lr=0.02&seed=3' }), { ok: true });
      await page.waitForFunction((expected) => location.href === expected, SITE_URL + '#v=2&lr=0.02&seed=3', { timeout: 30000 });
      const url = await page.evaluate(() => window.knobs.copyLink());
      assert.equal(url, SITE_URL + '#v=2&lr=0.02&seed=3');
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
      await waitForNotice(page, /^Link copied\.$/, false);
    });
  });

  it('journey: the notify command shows the page\'s messages and refuses bad ones', async (t) => {
    await openApp(t, async (page) => {
      assert.deepEqual(await command(page, 'notify', { text: 'from the page ✓', error: true }), { ok: true });
      await waitForNotice(page, /^from the page ✓$/, true);
      for (const [args, reason] of [
        [{}, /non-empty string "text"/],
        [{ text: '' }, /non-empty string "text"/],
        [{ text: 42 }, /non-empty string "text"/],
        [{ text: 'x'.repeat(1001) }, /longer than 1000 bytes/],
        [{ text: 'ok', error: 'yes' }, /"error" must be true or false/],
      ]) {
        const reply = await command(page, 'notify', args);
        assert.equal(reply.ok, false, JSON.stringify(args));
        assert.match(reply.error, reason);
      }
    });
  });
});

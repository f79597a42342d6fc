// The page glue for files, progress, the shipped model and links (web/glue/), against the test
// double of the engine (fixtures/fake-knobs.js), which records what reaches knobs_open_bytes, the
// commands, and the calls it makes into knobsGlue from inside a frame. journeys.test.mjs checks the
// same paths end to end with the real build.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, browserFrames, dropFiles, launchBrowser, pauseClock, recordLargeCopies, siteFile, waitForReady, withPage } from './lib/harness.mjs';
import { createFakeSite } from './lib/fake-site.mjs';

const require = createRequire(import.meta.url);
const { startServer } = require(path.join(REPO_ROOT, 'scripts/serve'));

const SITE_DIR = process.env.KNOBS_SITE_DIR;
if (!SITE_DIR) throw new Error('KNOBS_SITE_DIR is not set: run these tests through tests/browser/run.mjs SITE_DIR');

const MB = 1024 * 1024;
let browser;
let site;
let server;
let base;

before(async () => {
  site = createFakeSite(SITE_DIR, { wasmSize: 64 * 1024 });
  server = await startServer({ root: site.dir, port: 0 });
  base = server.url;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  site?.remove();
});

// A file the fake engine takes for weights: the format's magic, a body, and 8 checksum bytes.
function fakeWeights(checksumByte = 0x5a, size = 256) {
  const bytes = Buffer.alloc(size, 0x11);
  Buffer.from([0x89, 0x4b, 0x4e, 0x42, 0x57, 0x0d, 0x0a, 0x1a]).copy(bytes, 0);
  bytes.fill(checksumByte, size - 8);
  return bytes;
}

const fakeState = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.__fake)));
const noticeTexts = async (page) => (await page.evaluate(() => window.__fake.notices)).map((n) => `${n.error ? 'x' : 'v'} ${n.text}`);

async function waitForNotice(page, pattern, error) {
  await page.waitForFunction(([source, flags, wantError]) => window.__fake.notices.some((n) =>
    new RegExp(source, flags).test(n.text) && (wantError === null || n.error === wantError)),
  [pattern.source, pattern.flags, error === undefined ? null : error], { timeout: 30000 });
}

// The history length as the page started, to check that following the state adds no entries.
function recordHistoryLength() {
  window.__historyAtStart = history.length;
}

async function openReady(t, options, body, url = base) {
  return withPage(browser, t, options, async (page, context) => {
    await page.addInitScript(recordHistoryLength);
    await page.goto(url);
    await waitForReady(page);
    return body(page, context);
  });
}

describe('glue: files', () => {
  it('glue: pickFile from a frame opens a picker for its purpose, and the chosen file reaches the app', async (t) => {
    await openReady(t, {}, async (page) => {
      // A click on the app gives the page the user activation a file dialog needs (as a button press does).
      await page.mouse.click(400, 400);
      let chooser = page.waitForEvent('filechooser');
      await page.evaluate(() => window.__fake.callInFrame.push(['pickFile', 'weights']));
      let picker = await chooser;
      assert.equal(await picker.element().evaluate((input) => input.accept), '.knobs,application/octet-stream');
      assert.equal(picker.isMultiple(), false);
      await picker.setFiles({ name: 'mine.knobs', mimeType: 'application/octet-stream', buffer: fakeWeights(0x42) });
      await page.waitForFunction(() => window.__fake.opened.length === 1);
      let f = await fakeState(page);
      assert.deepEqual(f.opened[0], { name: 'mine.knobs', purpose: 'weights', bytes: 256, checksum: '42'.repeat(8), ok: true });
      await waitForNotice(page, /^mine\.knobs: weights file opened$/, false);

      // The same input, now for a text; its purpose comes from the call, not from the file's name.
      await page.mouse.click(400, 400);
      chooser = page.waitForEvent('filechooser');
      await page.evaluate(() => window.__fake.callInFrame.push(['pickFile', 'text']));
      picker = await chooser;
      assert.equal(await picker.element().evaluate((input) => input.accept), '.txt,text/plain,text/*');
      await picker.setFiles({ name: 'poems.md', mimeType: 'text/markdown', buffer: Buffer.from('Olá, mundo. ✓\n') });
      await page.waitForFunction(() => window.__fake.opened.length === 2);
      f = await fakeState(page);
      assert.equal(f.opened[1].purpose, 'text');
      assert.equal(f.opened[1].bytes, Buffer.byteLength('Olá, mundo. ✓\n'));
      assert.deepEqual(f.userText, { name: 'poems.md', bytes: Buffer.byteLength('Olá, mundo. ✓\n') });
      assert.equal(await page.locator('input[type=file]').count(), 1, 'one input, created once');
      assert.equal(f.reentered, 0, 'nothing called back into the app during its frame');
    });
  });

  it('glue: the app refuses a bad file with its own notice; the page reports it in a "file" event', async (t) => {
    await openReady(t, {}, async (page) => {
      await page.evaluate(() => {
        window.__files = [];
        window.knobs.on('file', (payload) => window.__files.push(payload));
      });
      await page.setInputFiles('#file-input', { name: 'broken.knobs', mimeType: 'application/octet-stream', buffer: Buffer.from('not weights at all') });
      await waitForNotice(page, /^broken\.knobs: this is not a Knobs weights file/, true);
      await page.setInputFiles('#file-input', { name: 'latin1.txt', mimeType: 'text/plain', buffer: Buffer.from([0x4f, 0x6c, 0xe1, 0x21]) });
      await waitForNotice(page, /^latin1\.txt: the text is not valid UTF-8$/, true);
      const files = await page.evaluate(() => window.__files);
      assert.equal(files.length, 2);
      assert.deepEqual(files.map(({ name, purpose, ok }) => ({ name, purpose, ok })),
        [{ name: 'broken.knobs', purpose: 'weights', ok: false }, { name: 'latin1.txt', purpose: 'text', ok: false }],
        'without a pending pickFile, the name decides: .knobs is weights, anything else text');
    });
  });

  it('glue: files over the limit are refused before they are read, in the app\'s language', async (t) => {
    await withPage(browser, t, {}, async (page) => {
      await page.addInitScript(() => {
        // Count every read of file contents the page makes.
        window.__reads = 0;
        const original = Blob.prototype.arrayBuffer;
        Blob.prototype.arrayBuffer = function (...args) {
          window.__reads++;
          return original.apply(this, args);
        };
      });
      await page.addInitScript(recordLargeCopies, MB);
      await page.goto(base);
      await waitForReady(page);
      const results = await page.evaluate(async (mb) => {
        const text = new File([new Uint8Array(10 * mb + 1).fill(0x61)], 'huge.txt');
        const weights = new File([new Uint8Array(32 * mb + 1)], 'huge.knobs');
        return [await window.knobs.openFile(text), await window.knobs.openFile(weights), window.__reads];
      }, MB);
      assert.deepEqual(results, [false, false, 0], 'both refused, neither read');
      // One byte over is said in bytes: in megabytes the two sizes would read the same.
      await waitForNotice(page, /^huge\.txt is too large to open: 10,485,761 bytes, and Knobs opens texts of up to 10,485,760 bytes\.$/, true);
      await waitForNotice(page, /^huge\.knobs is too large to open: 33,554,433 bytes, and Knobs opens weights files of up to 33,554,432 bytes\.$/, true);
      assert.equal((await fakeState(page)).opened.length, 0, 'nothing reached the app');

      // At the limit exactly: opened. The page blocks only for the copy into the heap and the app's call.
      const opened = await page.evaluate(async (mb) => {
        const events = [];
        window.knobs.on('file', (payload) => events.push(payload));
        const ok = await window.knobs.openFile(new File([new Uint8Array(10 * mb).fill(0x62)], 'ten.txt'));
        await new Promise((resolve) => setTimeout(resolve, 0));
        return { ok, event: events[0], reads: window.__reads, copies: window.__copies };
      }, MB);
      assert.equal(opened.ok, true);
      assert.equal(opened.reads, 1);
      assert.equal(opened.event.bytes, 10 * MB);
      // What blocks the page is counted, not timed: one copy of the bytes into the heap and one call into
      // the app. (How long that takes with the real app is make bench's open_10mb_text_block_ms.)
      assert.deepEqual(opened.copies.filter((length) => length === 10 * MB), [10 * MB], 'the bytes were copied into the heap once');
      for (const part of ['copyMs', 'appMs']) {
        assert.ok(Number.isFinite(opened.event[part]) && opened.event[part] >= 0, `the file event reports ${part}`);
      }
      const f = await fakeState(page);
      assert.equal(f.opened.length, 1, 'one call into knobs_open_bytes');
      assert.equal(f.opened.at(-1).bytes, 10 * MB, 'all bytes arrived (the heap grew on the way)');

      // Notices the page writes follow the app's language.
      await page.evaluate(() => window.knobs.command('set_lang', { lang: 'pt-BR' }));
      await page.evaluate((mb) => window.knobs.openFile(new File([new Uint8Array(10 * mb + 1)], 'grande.txt')), MB);
      await waitForNotice(page, /^grande\.txt é grande demais para abrir: 10\.485\.761 bytes, e o Knobs abre textos de até 10\.485\.760 bytes\.$/, true);
      await page.evaluate((mb) => window.knobs.openFile(new File([new Uint8Array(12 * mb)], 'maior.txt')), MB);
      await waitForNotice(page, /^maior\.txt é grande demais para abrir: 12,0 MB, e o Knobs abre textos de até 10,0 MB\.$/, true);
    });
  });

  it('glue: a file dropped anywhere opens by its kind; only the first of several', async (t) => {
    await openReady(t, {}, async (page) => {
      assert.equal(await page.isHidden('#drop-hint'), true);
      const first = await dropFiles(page, [{ name: 'notes.txt', text: 'a small corpus of mine' }]);
      assert.deepEqual(first, { enter: true, over: true, hintShown: true, drop: true, hintAfter: false },
        'the drag is accepted (so the browser does not navigate to the file) and the hint comes and goes');
      await page.waitForFunction(() => window.__fake.opened.length === 1);
      await dropFiles(page, [
        { name: 'Model.KNOBS', text: '\u0089KNBW' },
        { name: 'other.txt', text: 'second' },
      ]);
      await page.waitForFunction(() => window.__fake.opened.length === 2);
      const f = await fakeState(page);
      assert.deepEqual(f.opened.map(({ name, purpose }) => ({ name, purpose })),
        [{ name: 'notes.txt', purpose: 'text' }, { name: 'Model.KNOBS', purpose: 'weights' }]);
      await waitForNotice(page, /^Drop one file at a time; only Model\.KNOBS was opened\.$/, false);

      // Dragging text (not files) is not ours: no hint, and the page does not claim it.
      const text = await page.evaluate(() => {
        const data = new DataTransfer();
        data.setData('text/plain', 'hello');
        const event = new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true });
        document.getElementById('canvas').dispatchEvent(event);
        return { claimed: event.defaultPrevented, hint: !document.getElementById('drop-hint').hidden };
      });
      assert.deepEqual(text, { claimed: false, hint: false });

      // A drag that leaves without dropping takes the hint with it.
      await dropFiles(page, [{ name: 'x.txt', text: 'x' }], { drop: false });
      assert.equal(await page.isVisible('#drop-hint'), true);
      await page.waitForSelector('#drop-hint', { state: 'hidden', timeout: 30000 });
      assert.equal((await fakeState(page)).opened.length, 2);
    });
  });

  it('glue: a file dropped while the engine loads opens once it runs', async (t) => {
    await withPage(browser, t, {}, async (page) => {
      // Hold knobs.js back so the drop lands before the engine exists.
      let release;
      const held = new Promise((resolve) => { release = resolve; });
      await page.route(siteFile(base, 'knobs.js'), async (route) => { await held; await route.continue(); });
      await page.goto(base, { waitUntil: 'domcontentloaded' });
      await dropFiles(page, [{ name: 'early.txt', text: 'dropped early' }]);
      assert.equal(await page.evaluate(() => window.knobs.isReady()), false);
      release();
      await waitForReady(page);
      await page.waitForFunction(() => window.__fake.opened.length === 1);
      assert.equal((await fakeState(page)).opened[0].name, 'early.txt');
    });
  });

  it('glue: download saves the bytes under a safe name and frees the object URL later', async (t) => {
    await openReady(t, { config: { downloadUrlLifetimeMs: 300 } }, async (page) => {
      await page.evaluate(() => {
        window.__revoked = [];
        const revoke = URL.revokeObjectURL.bind(URL);
        URL.revokeObjectURL = (url) => { window.__revoked.push(url); revoke(url); };
      });
      const bytes = Array.from({ length: 4096 }, (_, i) => (i * 7) & 0xff);
      const saved = page.waitForEvent('download');
      await page.evaluate((values) => window.__fake.callInFrame.push(
        ['download', 'runs/knobs:trained?.knobs', new Uint8Array(values), 'application/octet-stream']), bytes);
      const download = await saved;
      assert.equal(download.suggestedFilename(), 'runs_knobs_trained_.knobs');
      const stream = await download.createReadStream();
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      assert.deepEqual([...Buffer.concat(chunks)], bytes);
      assert.equal(await page.locator('a[download]').count(), 0, 'the temporary link is gone');
      await page.waitForFunction(() => window.__revoked.length === 1, null, { timeout: 30000 });
      assert.match(await page.evaluate(() => window.__revoked[0]), /^blob:/);
      assert.equal((await fakeState(page)).reentered, 0);
    });
  });
});

describe('glue: progress', () => {
  it('glue: progress is stored under knobs.progress.v1 and comes back after a reload', async (t) => {
    await openReady(t, {}, async (page) => {
      assert.equal((await fakeState(page)).progressLoaded, '', 'nothing stored yet');
      await page.evaluate(() => window.knobs.command('quiz_answer', { question: 'q-tokens', correct: true }));
      const stored = await page.evaluate(() => localStorage.getItem('knobs.progress.v1'));
      assert.deepEqual(JSON.parse(stored), { version: 1, quiz: ['q-tokens'] });
      await page.reload();
      await waitForReady(page);
      await page.waitForFunction(() => window.__fake.progressLoaded !== null);
      const f = await fakeState(page);
      assert.equal(f.progressLoaded, stored);
      assert.deepEqual(f.progress.answered, ['q-tokens']);
      await waitForNotice(page, /progress was restored/, false);
    });
  });

  it('glue: corrupt stored progress is discarded by the app with a notice, and overwritten', async (t) => {
    await openReady(t, {}, async (page) => {
      await page.evaluate(() => localStorage.setItem('knobs.progress.v1', '{"version":1,"quiz":'));
      await page.reload();
      await waitForReady(page);
      await waitForNotice(page, /could not be read and was cleared/, true);
      assert.deepEqual(JSON.parse(await page.evaluate(() => localStorage.getItem('knobs.progress.v1'))), { version: 1, quiz: [] });
    });
  });

  it('glue: without storage the lesson keeps working, with one notice', async (t) => {
    await withPage(browser, t, {}, async (page) => {
      await page.addInitScript(() => {
        // What a browser with site data blocked does: touching localStorage throws.
        Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('The operation is insecure.', 'SecurityError'); } });
      });
      await page.goto(base);
      await waitForReady(page);
      await page.waitForFunction(() => window.__fake.progressLoaded !== null);
      assert.equal((await fakeState(page)).progressLoaded, '');
      for (const question of ['q1', 'q2']) {
        assert.deepEqual(await page.evaluate((q) => window.knobs.command('quiz_answer', { question: q }), question), { ok: true });
      }
      await waitForNotice(page, /does not let Knobs store your progress/, true);
      await browserFrames(page, 5);   // a second notice would be shown by now
      const notices = await noticeTexts(page);
      assert.equal(notices.filter((text) => /store your progress/.test(text)).length, 1, notices.join('\n'));
      assert.deepEqual((await fakeState(page)).progress.answered, ['q1', 'q2']);
      assert.equal((await fakeState(page)).reentered, 0, 'the notice waited until the frame that loaded the progress was over');
    });
  });
});

describe('glue: shipped model', () => {
  for (const [name, handler, state, opened] of [
    ['is opened as "shipped"', (route) => route.fulfill({ status: 200, contentType: 'application/octet-stream', body: fakeWeights(0x77) }), 'loaded', true],
    ['missing leaves the app working', (route) => route.fulfill({ status: 404, body: 'none' }), 'missing', false],
    ['unreachable leaves the app working', (route) => route.abort('connectionrefused'), 'missing', false],
    ['refused by the app leaves it working', (route) => route.fulfill({ status: 200, body: 'garbage' }), 'refused', false],
  ]) {
    it(`glue: the shipped model ${name}`, async (t) => {
      await withPage(browser, t, {}, async (page) => {
        await page.route(siteFile(base, 'models/default.knobs'), handler);
        await page.goto(base);
        await waitForReady(page);
        await page.waitForFunction(() => document.documentElement.dataset.knobsModel !== 'loading');
        assert.equal(await page.evaluate(() => document.documentElement.dataset.knobsModel), state);
        assert.equal(await page.evaluate(() => document.documentElement.dataset.knobsState), 'ready');
        const f = await fakeState(page);
        if (opened) {
          assert.deepEqual(f.opened, [{ name: 'default.knobs', purpose: 'shipped', bytes: 256, checksum: '77'.repeat(8), ok: true }]);
          assert.equal(f.models.shipped, '77'.repeat(8));
        } else {
          assert.equal(f.models.shipped, undefined);
          assert.ok(!page.knobsLog.some((line) => line.startsWith('[error] [knobs]')), 'no error from the glue');
        }
      });
    });
  }
});

describe('glue: links', () => {
  it('glue: the link in the address is loaded before the first frame, and the address shows what the app made of it', async (t) => {
    await openReady(t, { config: { linkSyncMs: 100 } }, async (page) => {
      const f = await fakeState(page);
      assert.deepEqual(f.links, ['#v=2&lr=0.01&bogus=1&seed=7']);
      // The fake drops the unknown key; the address follows the app's version of the link, in place.
      await page.waitForFunction(() => location.hash === '#v=2&lr=0.01&seed=7');
      assert.equal(await page.evaluate(() => history.length - window.__historyAtStart), 0, 'no history entry was added');
      await waitForNotice(page, /^bogus: unknown key, ignored$/);
    }, base + '#v=2&lr=0.01&bogus=1&seed=7');
  });

  it('glue: the address follows the state at most every linkSyncMs, without new history entries', async (t) => {
    await withPage(browser, t, {}, async (page) => {
      await page.addInitScript(recordHistoryLength);
      await page.addInitScript(() => {
        window.__replaced = [];
        const replace = history.replaceState.bind(history);
        history.replaceState = (state, unused, url) => { window.__replaced.push([performance.now(), String(url)]); replace(state, unused, url); };
      });
      // The glue looks at the state every 500 ms (linkSyncMs) of the page's clock, which the test moves.
      await page.clock.install();
      await page.goto(base);
      await waitForReady(page);
      await pauseClock(page);
      await page.clock.runFor(1000);
      assert.equal(await page.evaluate(() => location.hash), '', 'a fresh app keeps a bare address');
      // The state changes every 20 ms, 75 times (1.5 s), then stays: four looks at the state in all.
      await page.evaluate(() => {
        let n = 0;
        const timer = setInterval(() => {
          window.__fake.fragment = `#v=2&seed=${++n}`;
          if (n === 75) clearInterval(timer);
        }, 20);
      });
      await page.clock.runFor(1500);
      await page.clock.runFor(500);
      assert.equal(await page.evaluate(() => location.hash), '#v=2&seed=75');
      const replaced = await page.evaluate(() => window.__replaced);
      assert.ok(replaced.length >= 3 && replaced.length <= 4, `${replaced.length} address updates for 75 changes over 1.5 s (at most 4)`);
      for (let i = 1; i < replaced.length; i++) {
        assert.ok(replaced[i][0] - replaced[i - 1][0] >= 500, `updates are at least 500 ms apart: ${replaced.map((r) => r[0].toFixed(0)).join(', ')}`);
      }
      assert.equal(replaced.at(-1)[1], base + '#v=2&seed=75');
      assert.equal(await page.evaluate(() => history.length - window.__historyAtStart), 0, 'no history entry was added');
    });
  });

  it('glue: a new fragment (typed, or Back) is loaded as a link; a refused one says why', async (t) => {
    await openReady(t, { config: { linkSyncMs: 100 } }, async (page) => {
      await page.evaluate(() => { location.hash = '#v=2&panel=quiz,inference'; });
      await page.waitForFunction(() => window.__fake.links.length === 1);
      assert.equal((await fakeState(page)).lastPanel, 'quiz,inference');
      await page.evaluate(() => { location.hash = '#v=2&seed=3'; });
      await page.waitForFunction(() => window.__fake.links.length === 2);
      await page.goBack();
      await page.waitForFunction(() => window.__fake.links.length === 3);
      // Back returns to the first entry, which by then showed the state after the first link.
      const links = (await fakeState(page)).links;
      assert.deepEqual(links.slice(0, 2), ['#v=2&panel=quiz,inference', '#v=2&seed=3']);
      assert.match(links[2], /^#v=2&panel=quiz,inference/, 'the entry Back went to was loaded');
      await page.evaluate(() => { location.hash = '#v=2&prompt=' + 'a'.repeat(3000); });
      await waitForNotice(page, /^The link in the address was not loaded: the link is longer than 2048 characters$/, true);
    });
  });

  it('glue: a fragment that arrives between two looks at the state is loaded, never overwritten', async (t) => {
    await openReady(t, { config: { linkSyncMs: 1 } }, async (page) => {
      const loaded = await page.evaluate(async () => {
        for (let i = 1; i <= 30; i++) {
          const changed = new Promise((resolve) => window.addEventListener('hashchange', resolve, { once: true }));
          location.hash = `#v=2&seed=${i}`;
          await changed;
          await new Promise((resolve) => setTimeout(resolve, 3));
        }
        return window.__fake.links;
      });
      assert.deepEqual(loaded, Array.from({ length: 30 }, (_, i) => `#v=2&seed=${i + 1}`));
    });
  });

  it('glue: "copy link" from a button copies this address with the current fragment, and says so', async (t) => {
    await openReady(t, {}, async (page, context) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base.replace(/\/$/, '') });
      await page.evaluate(() => { window.__fake.fragment = '#v=2&lr=0.02&run=300'; });
      await page.mouse.click(400, 400);   // the button press
      await page.evaluate(() => window.__fake.callInFrame.push(['copyLink']));
      await page.waitForFunction(async (expected) => (await navigator.clipboard.readText()) === expected,
        base + '#v=2&lr=0.02&run=300', { timeout: 30000 });
      await waitForNotice(page, /^Link copied\.$/, false);
      assert.equal((await fakeState(page)).reentered, 0, 'the copy waited for the frame to end before asking the app');

      // What the link cannot carry is said along with it; the page API returns the address.
      await page.evaluate(() => {
        window.__fake.fragment = '#v=2&corpus=user';
        window.__fake.linkNotes = ['Your own text is not in the link.'];
      });
      const url = await page.evaluate(() => window.knobs.copyLink());
      assert.equal(url, base + '#v=2&corpus=user');
      assert.equal(await page.evaluate(() => window.knobs.link()), url);
      await waitForNotice(page, /^Link copied\. Your own text is not in the link\.$/, false);
    }, base + '#v=2');
  });
});

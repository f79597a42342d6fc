// The SCORM packages (`make scorm`, scorm/package.mjs; docs/embedding.md, "Moodle / Canvas / Open edX"),
// played by a real LMS run-time: scorm-again's SCORM 1.2 and 2004 APIs, with their data-model validation,
// installed by a test platform page (fixtures/lms/) around the package's launch page in a frame.
//
// The packages are made from the site under test, with the link a teacher would give `make scorm`, and
// read back with a ZIP reader of the tests' own (lib/unzip.mjs), as a platform unpacks an upload.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildPackages, splitLink } from '../../scorm/package.mjs';
import { FIXTURES, REPO_ROOT, launchBrowser, saveArtifact, withPage } from './lib/harness.mjs';
import { unzip } from './lib/unzip.mjs';

const SITE_DIR = process.env.KNOBS_SITE_DIR;
if (!SITE_DIR) throw new Error('KNOBS_SITE_DIR is not set: run these tests through tests/browser/run.mjs SITE_DIR');

// What a teacher would write: only the quiz, framed, the language locked, pass at 80 out of 100.
const LINK = '#v=2&embed=1&panel=quiz&lock=lang&mastery=80';
const MASTERY = 80;
const VERSIONS = ['1.2', '2004'];
const FOLDER = { '1.2': 'sco12', 2004: 'sco2004' };

// The policy the site runs under (docs/security.md); the package's files are served with it, the test
// platform's own page without (it frames the package, which the policy forbids).
function documentedPolicy() {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs/security.md'), 'utf8');
  const match = doc.match(/<!-- csp -->\s*```[a-z]*\n([^\n]+)\n```/);
  if (!match) throw new Error('docs/security.md has no policy block after <!-- csp -->');
  return match[1];
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.json': 'application/json', '.xml': 'application/xml',
};

function serve(root, csp) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root + path.sep)) { res.writeHead(403).end(); return; }
    let body;
    try { body = readFileSync(file); } catch { res.writeHead(404).end(); return; }
    const headers = { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' };
    if (/^\/sco/.test(url.pathname)) headers['Content-Security-Policy'] = csp;
    res.writeHead(200, headers).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((done) => server.close(done)),
  })));
}

let browser;
let root;
let server;
let built;          // buildPackages() result
const entries = {};   // version -> Map(name -> Buffer)

// The quiz's right answers, from the lesson file the app ships.
const quizContent = JSON.parse(readFileSync(path.join(REPO_ROOT, 'content/en.json'), 'utf8')).quiz;
const rightOptions = (id) => quizContent.find((q) => q.id === id).options.filter((o) => o.correct).map((o) => o.id);
const wrongOption = (id) => quizContent.find((q) => q.id === id).options.find((o) => !o.correct).id;

before(async () => {
  built = buildPackages({ site: SITE_DIR, link: LINK });
  root = mkdtempSync(path.join(tmpdir(), 'knobs-lms-'));
  for (const version of VERSIONS) {
    entries[version] = unzip(built.packages[version]);
    for (const [name, data] of entries[version]) {
      const target = path.join(root, FOLDER[version], name);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, data);
    }
  }
  mkdirSync(path.join(root, 'lms'));
  for (const name of ['index.html', 'lms.js', 'lms.css']) copyFileSync(path.join(FIXTURES, 'lms', name), path.join(root, 'lms', name));
  for (const name of ['scorm12.min.js', 'scorm2004.min.js']) {
    copyFileSync(path.join(REPO_ROOT, 'node_modules/scorm-again/dist', name), path.join(root, 'lms', name));
  }
  // The platform page loads the run-time of the version it plays.
  const html = readFileSync(path.join(root, 'lms/index.html'), 'utf8');
  writeFileSync(path.join(root, 'lms/index.html'), html.replace('<script src="lms.js" defer></script>',
    '<script src="scorm12.min.js" defer></script>\n  <script src="scorm2004.min.js" defer></script>\n  <script src="lms.js" defer></script>'));
  server = await serve(root, documentedPolicy());
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

function lmsUrl(version, launch = {}) {
  const query = new URLSearchParams({ version, sco: `../${FOLDER[version]}/scorm.html`, launch: JSON.stringify(launch) });
  return `${server.url}lms/index.html?${query}`;
}

function scoFrame(page) {
  return page.frames().find((f) => f.url().includes('/scorm.html'));
}

async function openSco(page, version, launch) {
  await page.goto(lmsUrl(version, launch));
  await page.waitForFunction(() => {
    const frame = document.getElementById('sco');
    const w = frame && frame.contentWindow;
    return Boolean(w && w.knobs && w.knobs.isReady() && w.knobs.state().lesson && w.knobs.state().lesson.quiz);
  }, null, { timeout: 90000, polling: 100 });
  return scoFrame(page);
}

// Answers every question: the first `right` of them correctly, the rest with a wrong option.
async function takeQuiz(frame, right) {
  const questions = await frame.evaluate(() => window.knobs.state().lesson.quiz.questions.map((q) => q.id));
  for (const [index, question] of questions.entries()) {
    const options = index < right ? rightOptions(question) : [wrongOption(question)];
    const reply = await frame.evaluate(({ q, options }) => {
      window.knobs.command('quiz_go_to', { question: q });
      for (const option of options) {
        const selected = window.knobs.command('quiz_select', { question: q, option });
        if (!selected.ok) return selected;
      }
      return window.knobs.command('quiz_check', { question: q });
    }, { q: question, options });
    assert.deepEqual(reply, { ok: true }, question);
  }
  return questions;
}

const record = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.lmsRecord)));
const lmsValue = (page, element) => page.evaluate((e) => window.lmsValue(e), element);

// scorm-again's verdict on every call the package made: no call may leave an error code, and nothing
// may be logged at warning level or above.
function assertNoDataModelErrors(rec) {
  const failed = rec.calls.filter((c) => c.error !== '0');
  assert.deepEqual(failed, [], 'every SCORM call succeeded (error code 0)');
  assert.deepEqual(rec.logs, [], 'scorm-again logged no warning or error');
}

describe('scorm: the packages', () => {
  it('scorm: each zip is one SCO with its manifest at the root and every file in the manifest', async (t) => {
    assert.deepEqual(splitLink(LINK), { link: '#v=2&embed=1&panel=quiz&lock=lang', mastery: MASTERY });
    await withPage(browser, t, {}, async (page) => {
      await page.goto(`${server.url}lms/lms.css`);
      for (const version of VERSIONS) {
        const files = entries[version];
        const names = [...files.keys()];
        assert.equal(names[0], 'imsmanifest.xml', 'the manifest comes first');
        assert.ok(names.every((n) => !n.startsWith('/') && !n.includes('\\') && !n.split('/').includes('..')), 'relative names only');
        // The browser's XML parser reads the manifest, as a platform's would.
        const manifest = await page.evaluate((text) => {
          const doc = new DOMParser().parseFromString(text, 'application/xml');
          if (doc.getElementsByTagName('parsererror').length) return { error: doc.documentElement.textContent };
          const all = (tag) => Array.from(doc.getElementsByTagName(tag));
          const resources = all('resource');
          return {
            root: doc.documentElement.localName,
            schemaversion: all('schemaversion').map((e) => e.textContent),
            items: all('item').map((e) => e.getAttribute('identifierref')),
            resources: resources.map((r) => ({
              id: r.getAttribute('identifier'), href: r.getAttribute('href'),
              type: r.getAttribute('adlcp:scormtype') || r.getAttribute('adlcp:scormType'),
              files: Array.from(r.getElementsByTagName('file')).map((f) => f.getAttribute('href')),
            })),
            mastery: all('adlcp:masteryscore').map((e) => e.textContent),
            measure: all('imsss:minNormalizedMeasure').map((e) => e.textContent),
          };
        }, files.get('imsmanifest.xml').toString('utf8'));
        assert.equal(manifest.error, undefined, `SCORM ${version}: the manifest is well-formed XML`);
        assert.equal(manifest.root, 'manifest');
        assert.deepEqual(manifest.schemaversion, [version === '1.2' ? '1.2' : '2004 4th Edition']);
        assert.equal(manifest.resources.length, 1, `SCORM ${version}: one resource`);
        const [sco] = manifest.resources;
        assert.equal(sco.type, 'sco');
        assert.deepEqual(manifest.items, [sco.id], 'one item, and it launches the SCO');
        assert.ok(files.has(sco.href), `the launch page ${sco.href} is in the zip`);
        assert.deepEqual([...sco.files].sort(), names.filter((n) => n !== 'imsmanifest.xml').sort(),
          'the manifest lists exactly the files in the zip');
        if (version === '1.2') assert.deepEqual(manifest.mastery, ['80']);
        else assert.deepEqual(manifest.measure, ['0.8']);
        // The built site is all there, byte for byte, and the launch page loads the adapter before the glue.
        for (const name of ['index.html', 'knobs-glue.js', 'knobs.js', 'knobs.wasm']) {
          assert.ok(files.get(name).equals(readFileSync(path.join(SITE_DIR, name))), `${name} is the site's`);
        }
        const launch = files.get('scorm.html').toString('utf8');
        const glueAt = launch.search(/<script src="knobs-glue\.js(\?v=[0-9a-f]+)?"/);
        assert.ok(glueAt > 0 && launch.indexOf('<script src="knobs-scorm.js"') < glueAt, 'the adapter runs before the glue');
        const config = files.get('knobs-scorm-config.js').toString('utf8');
        assert.ok(config.includes(JSON.stringify({ version, link: '#v=2&embed=1&panel=quiz&lock=lang', mastery: MASTERY })));
      }
    });
    // The same inputs make the same bytes.
    const again = buildPackages({ site: SITE_DIR, link: LINK });
    for (const version of VERSIONS) assert.ok(again.packages[version].equals(built.packages[version]), `SCORM ${version} is reproducible`);
    assert.throws(() => splitLink('#v=2&mastery=120'), /0 to 100/);
    assert.throws(() => splitLink('#v=2&mastery=80&mastery=90'), /twice/);
    assert.throws(() => splitLink('#panel=quiz'), /v=2/);
  });
});

describe('scorm: played by scorm-again', () => {
  // SCORM 1.2: every answer right, so 100 against a mastery of 80: passed.
  // SCORM 2004: one answer right, below the mastery: failed.
  for (const version of VERSIONS) {
    it(`scorm: SCORM ${version}: the quiz's score and status reach the LMS, and its suspend data brings the progress back`, async (t) => {
      await withPage(browser, t, { width: 1100, height: 900 }, async (page) => {
        const launch = version === '1.2' ? { 'cmi.student_data.mastery_score': String(MASTERY) } : { 'cmi.scaled_passing_score': String(MASTERY / 100) };
        // The page's clock (Playwright's): time flows as usual, and the test can move it an hour on.
        await page.clock.install();
        const frame = await openSco(page, version, launch);
        assert.equal(await frame.evaluate(() => document.documentElement.dataset.knobsScorm), 'recording');
        const state = await frame.evaluate(() => window.knobs.state());
        assert.equal(state.embed.embedded, true, 'the link in the package was applied');
        assert.equal(state.settings.lang.locked, true, 'lock=lang from the link');

        const count = quizContent.length;
        const right = version === '1.2' ? count : 1;
        const questions = await takeQuiz(frame, right);
        assert.equal(questions.length, count);
        const percent = Math.round((right / count) * 10000) / 100;
        const passed = percent >= MASTERY;
        if (version === '1.2') {
          await page.waitForFunction(() => ['passed', 'failed', 'completed'].includes(window.lmsValue('cmi.core.lesson_status')), null, { timeout: 30000 });
          assert.equal(await lmsValue(page, 'cmi.core.lesson_status'), passed ? 'passed' : 'failed');
          assert.equal(Number(await lmsValue(page, 'cmi.core.score.raw')), percent);
          assert.equal(await lmsValue(page, 'cmi.core.score.min'), '0');
          assert.equal(await lmsValue(page, 'cmi.core.score.max'), '100');
        } else {
          await page.waitForFunction(() => window.lmsValue('cmi.completion_status') === 'completed', null, { timeout: 30000 });
          assert.equal(await lmsValue(page, 'cmi.success_status'), passed ? 'passed' : 'failed');
          assert.ok(Math.abs(Number(await lmsValue(page, 'cmi.score.scaled')) - right / count) < 1e-4);
        }
        assert.equal(passed, version === '1.2', 'one package passes and the other fails');
        await page.evaluate(() => document.getElementById('sco').scrollIntoView());
        saveArtifact(`screens/scorm-${version}-completed.png`, await page.screenshot());

        // An hour and a bit later the learner leaves: the frame goes, and the package ends its session.
        await page.clock.fastForward(3725 * 1000);
        await page.evaluate(() => { document.getElementById('sco').src = 'about:blank'; });
        await page.waitForFunction(() => window.lmsRecord.finished, null, { timeout: 30000 });
        const rec = await record(page);
        assertNoDataModelErrors(rec);
        const names = rec.calls.map((c) => c.name);
        const [init, finish] = version === '1.2' ? ['LMSInitialize', 'LMSFinish'] : ['Initialize', 'Terminate'];
        assert.equal(names[0], init);
        assert.equal(names.at(-1), finish);
        assert.equal(names.filter((n) => n === finish).length, 1, 'the session ends once');
        const sessionTime = await lmsValue(page, version === '1.2' ? 'cmi.core.session_time' : 'cmi.session_time');
        // Each version's format, and at least the time the clock was moved (however long the test took).
        const parts = version === '1.2'
          ? sessionTime.match(/^(\d{4}):([0-5]\d):([0-5]\d\.\d{2})$/)
          : sessionTime.match(/^PT(\d+)H(\d+)M(\d+(?:\.\d{1,2})?)S$/);
        assert.ok(parts, `${sessionTime} is ${version === '1.2' ? 'HHHH:MM:SS.SS' : 'an ISO 8601 duration'}`);
        assert.ok(Number(parts[1]) * 3600 + Number(parts[2]) * 60 + Number(parts[3]) >= 3725, `${sessionTime} covers the hour`);
        const exit = await lmsValue(page, version === '1.2' ? 'cmi.core.exit' : 'cmi.exit');
        assert.equal(exit, 'suspend', 'the attempt is kept for the next visit');
        const suspend = await lmsValue(page, 'cmi.suspend_data');
        assert.ok(suspend.length > 0 && suspend.length <= 4096, `suspend data of ${suspend.length} characters`);
        const progress = JSON.parse(suspend);
        assert.equal(progress.k, 'knobs-lesson');
        assert.deepEqual(Object.keys(progress.q).sort(), [...questions].sort(), 'every answer is in the suspend data');
        t.diagnostic(`SCORM ${version}: ${rec.calls.length} calls, ${rec.commits} commits, session time ${sessionTime}, suspend data ${suspend.length} characters`);

        // A return visit: the platform starts the attempt again with that suspend data.
        const resumed = version === '1.2'
          ? { ...launch, 'cmi.core.entry': 'resume', 'cmi.suspend_data': suspend, 'cmi.core.lesson_status': passed ? 'passed' : 'failed' }
          : { ...launch, 'cmi.entry': 'resume', 'cmi.suspend_data': suspend, 'cmi.completion_status': 'completed' };
        const again = await openSco(page, version, resumed);
        const quiz = await again.evaluate(() => window.knobs.state().lesson.quiz);
        assert.equal(quiz.all_checked, true, 'every question is answered again');
        assert.equal(quiz.score.raw, right, 'with the same score');
        assert.deepEqual(quiz.questions.filter((q) => q.correct).length, right);
        assertNoDataModelErrors(await record(page));
      });
    });
  }

  it('scorm: opened outside a platform, the package runs as the site does and says once that no score is recorded', async (t) => {
    await withPage(browser, t, {}, async (page) => {
      await page.goto(`${server.url}${FOLDER['1.2']}/scorm.html`);
      await page.waitForFunction(() => window.knobs && window.knobs.isReady(), null, { timeout: 90000 });
      assert.equal(await page.evaluate(() => document.documentElement.dataset.knobsScorm), 'not-recording');
      await page.waitForFunction(() => (window.knobs.state().notices || []).some((n) => /not being recorded/.test(JSON.stringify(n))),
        null, { timeout: 30000 });
      const notices = await page.evaluate(() => JSON.stringify(window.knobs.state().notices));
      assert.equal(notices.match(/not being recorded/g).length, 1, 'one notice');
      const state = await page.evaluate(() => window.knobs.state());
      assert.equal(state.embed.embedded, true, 'the package link applies without a platform too');
    });
  });
});

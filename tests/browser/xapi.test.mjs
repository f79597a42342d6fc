// The xAPI statements Knobs posts (web/glue/65-xapi.js; docs/embedding.md, "xAPI statements"): every kind
// is produced by the real app, a learner's way (the quiz passed and failed, a matching round, a training
// run that reaches a milestone and stops, one that diverges), and each statement is checked with
// Learning Locker's validator, xapi-validation, plus the result rules the docs promise.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, launchBrowser, waitForReady, withPage } from './lib/harness.mjs';

const validate = createRequire(import.meta.url)('xapi-validation').default;
const SITE_URL = process.env.KNOBS_SITE_URL;
if (!SITE_URL) throw new Error('KNOBS_SITE_URL is not set: run these tests through tests/browser/run.mjs SITE_DIR');

const content = JSON.parse(readFileSync(path.join(REPO_ROOT, 'content/en.json'), 'utf8'));
const rightOptions = (id) => content.quiz.find((q) => q.id === id).options.filter((o) => o.correct).map((o) => o.id);
const wrongOption = (id) => content.quiz.find((q) => q.id === id).options.find((o) => !o.correct).id;

const VERB = (name) => `http://adlnet.gov/expapi/verbs/${name}`;
const ISO_DURATION = /^P(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?D)?(?:T(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?$/;

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

async function quiz(page, right) {
  const questions = await page.evaluate(() => window.knobs.state().lesson.quiz.questions.map((q) => q.id));
  for (const [i, question] of questions.entries()) {
    const options = right(i) ? rightOptions(question) : [wrongOption(question)];
    const reply = await page.evaluate(({ q, options }) => {
      window.knobs.command('quiz_go_to', { question: q });
      for (const option of options) {
        const r = window.knobs.command('quiz_select', { question: q, option });
        if (!r.ok) return r;
      }
      return window.knobs.command('quiz_check', { question: q });
    }, { q: question, options });
    assert.deepEqual(reply, { ok: true });
  }
  return questions.length;
}

const statements = (page) => page.evaluate(() => window.__statements);
const verbsOf = (list) => list.map((s) => `${s.verb.display['en-US']} ${new URL(s.object.id).hash}`);

describe('xapi: the statements Knobs posts', () => {
  it('xapi: every kind of statement passes xapi-validation, with a result as the docs promise', async (t) => {
    await withPage(browser, t, { width: 1280, height: 800 }, async (page) => {
      await page.addInitScript(() => {
        window.__statements = [];
        const hook = () => window.knobs.on('statement', ({ statement }) => window.__statements.push(statement));
        document.addEventListener('DOMContentLoaded', hook);
      });
      await page.goto(SITE_URL + '#v=2&panel=quiz,pretrain');
      await waitForReady(page);

      // The quiz passed (every answer right), then, after a reset, failed (every answer wrong).
      const count = await quiz(page, () => true);
      await page.waitForFunction((n) => window.__statements.filter((s) => /passed$/.test(s.verb.id)).length === 1, count, { timeout: 30000 });
      assert.deepEqual(await page.evaluate(() => window.knobs.command('reset_progress')), { ok: true });
      await quiz(page, () => false);
      await page.waitForFunction(() => window.__statements.some((s) => /failed$/.test(s.verb.id)), null, { timeout: 30000 });

      // A matching round: each term tapped with its definition.
      assert.deepEqual(await page.evaluate(() => window.knobs.command('load_link', { fragment: '#v=2&panel=matching,pretrain' })), { ok: true });
      await page.waitForFunction(() => window.knobs.state().lesson.matching && window.knobs.state().lesson.matching.cards.length > 0, null, { timeout: 30000 });
      const cards = await page.evaluate(() => window.knobs.state().lesson.matching.cards);
      for (const term of cards.filter((c) => c.side === 'term')) {
        const definition = cards.find((c) => c.side === 'definition' && c.concept === term.concept);
        assert.deepEqual(await page.evaluate(({ a, b }) => [window.knobs.command('match_tap', { id: a }), window.knobs.command('match_tap', { id: b })],
          { a: term.id, b: definition.id }), [{ ok: true }, { ok: true }]);
      }
      await page.waitForFunction(() => window.__statements.some((s) => s.object.id.includes('#panel=matching')), null, { timeout: 30000 });

      // Training: a run to its first milestone (100 steps), then one that diverges.
      assert.deepEqual(await page.evaluate(() => window.knobs.command('load_link', { fragment: '#v=2&panel=lifecycle,pretrain&seed=3&run=100' })), { ok: true });
      await page.waitForFunction(() => window.__statements.some((s) => /suspended$/.test(s.verb.id)), null, { timeout: 180000 });
      assert.deepEqual(await page.evaluate(() => window.knobs.command('load_preset', { id: 'lr-too-high' })), { ok: true });
      await page.waitForFunction(() => window.__statements.some((s) => /pretrain/.test(s.object.id) && /failed$/.test(s.verb.id)), null, { timeout: 180000 });

      const all = await statements(page);
      const kinds = new Set(verbsOf(all).map((v) => v.replace(/&question=.*/, '')));
      for (const kind of ['answered #panel=quiz', 'completed #panel=quiz', 'passed #panel=quiz', 'failed #panel=quiz',
        'completed #panel=matching', 'attempted #panel=pretrain', 'progressed #panel=pretrain', 'suspended #panel=pretrain',
        'failed #panel=pretrain']) {
        assert.ok(kinds.has(kind), `a statement "${kind}" was posted (got ${[...kinds].join(', ')})`);
      }
      assert.equal(all.filter((s) => /answered$/.test(s.verb.id)).length, 2 * count, 'one answered statement per check');

      const ids = new Set();
      for (const statement of all) {
        const problems = validate(statement).map((w) => `${w.path.join('.')}: ${w.name} ${w.typeName || ''}`);
        assert.deepEqual(problems, [], `${statement.verb.id} ${statement.object.id} is a valid statement`);
        assert.ok(!ids.has(statement.id), 'statement ids are unique');
        ids.add(statement.id);
        assert.ok(statement.verb.id.startsWith(VERB('')), 'an ADL verb IRI');
        assert.equal(new URL(statement.object.id).origin + new URL(statement.object.id).pathname, new URL(SITE_URL).origin + new URL(SITE_URL).pathname,
          'the activity is named after the page');
        const r = statement.result;
        assert.ok(r, 'every statement has a result');
        assert.equal(typeof r.completion, 'boolean');
        if (r.score) {
          assert.ok(r.score.scaled >= -1 && r.score.scaled <= 1, 'score.scaled in [-1, 1]');
          assert.ok(r.score.min <= r.score.raw && r.score.raw <= r.score.max, 'raw between min and max');
        }
        if (r.duration !== undefined) assert.match(r.duration, ISO_DURATION);
      }
      // Scores and outcomes as the learner earned them.
      const quizResults = all.filter((s) => /#panel=quiz$/.test(s.object.id)).map((s) => [s.verb.display['en-US'], s.result.score.raw, s.result.success]);
      assert.deepEqual(quizResults, [['completed', count, true], ['passed', count, true], ['completed', 0, false], ['failed', 0, false]]);
      for (const s of all.filter((x) => /#panel=quiz$|#panel=matching$/.test(x.object.id))) assert.match(s.result.duration, /^PT\d+(\.\d+)?S$/);
      const matching = all.find((s) => s.object.id.endsWith('#panel=matching'));
      assert.deepEqual([matching.result.score.raw, matching.result.score.max, matching.result.success], [cards.length / 2, cards.length / 2, true]);
      t.diagnostic(`${all.length} statements: ${[...kinds].join(', ')}`);
    });
  });
});

// The catalog (state().catalog, src/app/catalog.h): the panel ids, the languages and the training
// milestones that the app and its page share. The C++ side is their one source and the glue keeps no copy:
//   * with the engine's test double, whose catalog a test can change, the glue follows whatever it lists;
//   * the double's catalog is the real app's, so the other glue tests see the real lists;
//   * the joined glue's source holds none of the lists;
//   * the loader, which speaks before the engine has loaded, has strings for each language the app lists.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, routeHostPage, waitForReady, withPage } from './lib/harness.mjs';
import { serveFakeSite } from './lib/fake-site.mjs';

const { KNOBS_SITE_DIR: SITE_DIR, KNOBS_SITE_URL: SITE_URL } = process.env;
if (!SITE_DIR || !SITE_URL) throw new Error('run these tests through tests/browser/run.mjs SITE_DIR');

let browser;
let fake;      // the site with the engine's test double, served
let base;      // its address

before(async () => {
  fake = await serveFakeSite(SITE_DIR, { wasmSize: 64 * 1024 });
  base = fake.url;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await fake?.close();
});

// The state's catalog from a page at `url` once it is ready (the real build at SITE_URL, the double at base).
async function catalogAt(t, url) {
  return withPage(browser, t, {}, async (page) => {
    await page.goto(url);
    return (await waitForReady(page)).catalog;
  });
}

let realCatalog = null;
async function theRealCatalog(t) {
  if (!realCatalog) realCatalog = await catalogAt(t, SITE_URL);
  return realCatalog;
}

describe('catalog: the glue follows the lists in the state', () => {
  it('catalog: knobs.on(\'training\') reports the step milestones state().catalog lists, no others', async (t) => {
    await withPage(browser, t, { config: { linkSyncMs: 50 } }, async (page) => {
      await page.goto(base);
      await waitForReady(page);
      await page.evaluate(() => {
        window.__fake.catalog = { ...window.__fake.catalog, training_milestones: [3, 7] };
        window.__training = [];
        window.knobs.on('training', (payload) => window.__training.push(payload));
      });
      const setRun = (run) => page.evaluate((value) => { window.__fake.lab = { pretrain: value }; }, run);
      await setRun({ running: true, step: 5, loss: 4, val_loss: null, tokens_seen: 5000, divergence: '' });
      await page.waitForFunction(() => window.__training.length === 2);
      // Past 100 and 250, which this catalog does not list.
      await setRun({ running: true, step: 300, loss: 3, val_loss: null, tokens_seen: 300000, divergence: '' });
      await page.waitForFunction(() => window.__training.length === 3);
      await setRun({ running: false, step: 310, loss: 3, val_loss: null, tokens_seen: 310000, divergence: '' });
      await page.waitForFunction(() => window.__training.some((m) => m.milestone === 'stopped'));
      assert.deepEqual(await page.evaluate(() => window.__training.map((m) => [m.milestone, m.step, m.target ?? null])),
        [['started', 5, null], ['steps', 5, 3], ['steps', 300, 7], ['stopped', 310, null]]);
    });
  });

  it('catalog: a host page\'s set_panel takes the panel ids state().catalog lists; set_lang names its languages', async (t) => {
    await withPage(browser, t, {}, async (page) => {
      const origin = new URL(base).origin;
      await routeHostPage(page, base, `index.html#v=2&embed=1&host=${origin}`);
      await page.goto(base + '__host.html');
      const frame = page.frame({ url: /\/index\.html#/ });
      assert.ok(frame, 'the app iframe is on the host page');
      await frame.waitForFunction(() => document.documentElement.dataset.knobsState === 'ready', null, { timeout: 30000 });
      await frame.evaluate(() => {
        window.__fake.catalog = { ...window.__fake.catalog, panels: ['quiz', 'sandbox'], languages: ['en', 'pt-BR', 'eo'] };
      });
      const replies = await page.evaluate(async (appOrigin) => {
        const app = document.getElementById('app').contentWindow;
        const ask = (id, command, args) => new Promise((resolve) => {
          const listen = (event) => {
            if (event.data && event.data.type === 'knobs:reply' && event.data.id === id) {
              window.removeEventListener('message', listen);
              resolve(event.data);
            }
          };
          window.addEventListener('message', listen);
          app.postMessage({ type: 'knobs:command', version: 1, id, command, args }, appOrigin);
        });
        return [
          await ask('listed', 'set_panel', { panel: 'quiz,sandbox' }),
          await ask('unlisted', 'set_panel', { panel: ['inference'] }),
          await ask('lang', 'set_lang', { lang: 7 }),
        ];
      }, origin);
      assert.deepEqual(replies[0], { version: 1, type: 'knobs:reply', id: 'listed', ok: true });
      assert.equal(await frame.evaluate(() => window.__fake.lastPanel), 'quiz,sandbox');
      assert.deepEqual(replies[1], { version: 1, type: 'knobs:reply', id: 'unlisted', ok: false,
        error: 'set_panel needs "panel": one or two of quiz, sandbox' });
      assert.deepEqual(replies[2], { version: 1, type: 'knobs:reply', id: 'lang', ok: false,
        error: 'set_lang needs "lang": "en" or "pt-BR" or "eo"' });
    });
  });
});

describe('catalog: one source', () => {
  it('catalog: the real app lists its panels, languages and milestones, and the test double lists the same', async (t) => {
    const real = await theRealCatalog(t);
    assert.deepEqual(Object.keys(real), ['panels', 'languages', 'training_milestones']);
    assert.equal(real.panels[0], 'lifecycle', 'the panels in tab order, the lesson first');
    assert.ok(real.languages.includes('en') && real.languages.includes('pt-BR'), real.languages.join(', '));
    assert.ok(real.training_milestones.every((step, i, all) => Number.isInteger(step) && (i === 0 || step > all[i - 1])),
      'the milestones are whole steps, in increasing order');
    assert.deepEqual(await catalogAt(t, base), real, 'fixtures/fake-knobs.js has the real catalog');
  });

  it('catalog: the joined glue holds no copy of the panel ids, the languages or the milestones', async (t) => {
    const real = await theRealCatalog(t);
    const glue = readFileSync(path.join(SITE_DIR, 'knobs-glue.js'), 'utf8');
    const escape = (text) => String(text).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // Any two neighbours of a list written next to each other, quoted or not: "'quiz', 'faq'", "100, 250",
    // '"en" or "pt-BR"'.
    const copies = [];
    for (const [name, list, quoted] of [['panels', real.panels, true], ['languages', real.languages, true],
      ['training_milestones', real.training_milestones, false]]) {
      for (let i = 0; i + 1 < list.length; i++) {
        const item = (value) => (quoted ? `['"\`]${escape(value)}['"\`]` : `\\b${escape(value)}\\b`);
        const pair = new RegExp(`${item(list[i])}\\s*(,|or)\\s*${item(list[i + 1])}`);
        const found = glue.match(pair);
        if (found) copies.push(`${name}: ${found[0]}`);
      }
    }
    assert.deepEqual(copies, [], 'the glue reads these lists from state().catalog (catalogList in web/glue/20-wasm-bridge.js)');
  });

  it('catalog: the loader has its own strings for every language the app lists', async (t) => {
    // Before the engine has loaded there is no state to read, so the loader keeps strings per language.
    const real = await theRealCatalog(t);
    const taglines = [];
    for (const lang of real.languages) {
      await withPage(browser, t, { locale: lang }, async (page) => {
        await page.goto(base);
        await page.waitForFunction(() => typeof window.knobs === 'object');
        assert.equal(await page.evaluate(() => document.documentElement.lang), lang, `a browser in ${lang} gets the loader in ${lang}`);
        taglines.push(await page.textContent('#tagline'));
      });
    }
    assert.equal(new Set(taglines).size, real.languages.length, `a tagline per language: ${taglines.join(' | ')}`);
  });
});

// Screenshots of every lab panel after real training, for people to look at (not a test):
//   node tests/browser/shots.mjs build/web/site  ->  artifacts/screens/panel-*.png
import path from 'node:path';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { ARTIFACTS, REPO_ROOT, launchBrowser, newPage, waitForReady } from './lib/harness.mjs';

const require = createRequire(import.meta.url);
const { startServer } = require(path.join(REPO_ROOT, 'scripts/serve'));
const site = path.resolve(process.argv[2] || path.join(REPO_ROOT, 'build/web/site'));
const out = path.join(ARTIFACTS, 'screens');
mkdirSync(out, { recursive: true });

const server = await startServer({ root: site, port: 0 });
const browser = await launchBrowser();
try {
  for (const lang of ['en', 'pt-BR']) {
    const { page } = await newPage(browser, { width: 1280, height: 800, dpr: 1 });
    await page.goto(server.url + 'index.html');
    await waitForReady(page);
    await page.evaluate((l) => window.knobs.command('set_lang', { lang: l }), lang);
    await page.evaluate(() => window.knobs.command('lab_play'));
    await page.waitForFunction(() => window.knobs.state().lab.pretrain.step >= 60, null, { timeout: 120000 });
    await page.evaluate(() => window.knobs.command('lab_pause'));
    for (const panel of ['pretrain', 'knobs', 'inference', 'finetune', 'weights', 'cost', 'table', 'quiz', 'matching']) {
      await page.evaluate((p) => window.knobs.command('open_panel', { panel: p }), panel);
      if (panel === 'inference') {
        await page.evaluate(() => window.knobs.command('lab_generate', { prompt: 'the ', tokens: 60 }));
        await page.waitForFunction(() => !window.knobs.state().lab.inference.generating, null, { timeout: 60000 });
      }
      await page.waitForTimeout(400);
      await page.screenshot({ path: path.join(out, `panel-${panel}-${lang}.png`) });
    }
    await page.context().close();
  }
} finally {
  await browser.close();
  await server.close();
}
console.log('screenshots in', path.relative(REPO_ROOT, out));

// Static hosting: the site is one folder that works wherever it is copied, here under /courses/knobs/ on
// a server whose root is somewhere else. Every file the page loads (glue, loader, wasm, shipped model)
// must come from that folder, through relative addresses.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, launchBrowser, waitForReady, withPage } from './lib/harness.mjs';

const require = createRequire(import.meta.url);
const { startServer } = require(path.join(REPO_ROOT, 'scripts/serve'));

const SITE_DIR = process.env.KNOBS_SITE_DIR;
if (!SITE_DIR) throw new Error('KNOBS_SITE_DIR is not set: run through tests/browser/run.mjs SITE_DIR');

let browser, server, root;

before(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'knobs-subfolder-'));
  cpSync(SITE_DIR, path.join(root, 'courses', 'knobs'), { recursive: true });
  server = await startServer({ root, port: 0 });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('static hosting', () => {
  it('subfolder: served from /courses/knobs/, the app loads, its shipped model answers, nothing is fetched from the server root', async (t) => {
    await withPage(browser, t, {}, async (page) => {
      const requested = [];
      page.on('request', (request) => requested.push(new URL(request.url()).pathname));
      await page.goto(server.url + 'courses/knobs/');
      await waitForReady(page);
      await page.waitForFunction(() => Boolean(window.knobs.state().lab.models.shipped?.checksum), null,
        { timeout: 60000, polling: 200 });
      const outside = requested.filter((p) => !p.startsWith('/courses/knobs/'));
      assert.deepEqual(outside, [], `requests outside the folder: ${outside.join(', ')}`);
      for (const file of ['knobs-glue.js', 'knobs.js', 'knobs.wasm', 'models/default.knobs']) {
        assert.ok(requested.includes('/courses/knobs/' + file), `${file} was loaded from the folder`);
      }
    });
  });
});

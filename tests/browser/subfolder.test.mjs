// Static hosting: the site is one folder that works wherever it is copied, here under /courses/knobs/ on
// a server whose root is somewhere else. Every file the page loads (glue, loader, wasm, shipped model)
// must come from that folder, through relative addresses.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, serveSiteCopy, waitForReady, withPage } from './lib/harness.mjs';

const SITE_DIR = process.env.KNOBS_SITE_DIR;
if (!SITE_DIR) throw new Error('KNOBS_SITE_DIR is not set: run through tests/browser/run.mjs SITE_DIR');

let browser, hosted, server;

before(async () => {
  hosted = await serveSiteCopy(SITE_DIR, 'courses/knobs');
  server = hosted.server;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await hosted?.close();
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

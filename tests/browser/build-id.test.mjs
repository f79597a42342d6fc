// The build id (cmake/copy_web.cmake, docs/embedding.md "Builds"): derived from what the site is made of,
// so the same sources give the same id and a change to any shipped file gives a new one. Runs the build's
// own copy step (cmake -P) into scratch folders; no browser needed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from './lib/harness.mjs';

const SITE_DIR = process.env.KNOBS_SITE_DIR;
if (!SITE_DIR) throw new Error('KNOBS_SITE_DIR is not set: run these tests through tests/browser/run.mjs SITE_DIR');

const ENGINE_FILES = ['knobs.js', 'knobs.wasm', 'knobs_train_worker.js', 'knobs_train_worker.wasm'];
const scratch = mkdtempSync(path.join(os.tmpdir(), 'knobs-build-id-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let runs = 0;
// Copies `src` (a web/ folder) into a fresh site folder that already holds the built engine files (as the
// link leaves them), with `change(site)` applied to those first; returns the id the copy step stamped.
function buildId(src, change = () => {}) {
  const site = path.join(scratch, `site-${runs++}`);
  mkdirSync(site);
  for (const file of ENGINE_FILES) copyFileSync(path.join(SITE_DIR, file), path.join(site, file));
  change(site);
  execFileSync('cmake', [`-DSRC=${src}`, `-DDST=${site}`, '-P', path.join(REPO_ROOT, 'cmake/copy_web.cmake')], { stdio: 'pipe' });
  const id = readFileSync(path.join(site, 'index.html'), 'utf8').match(/<meta name="knobs-build" content="([0-9a-f]{16})">/)?.[1];
  assert.ok(id, `${site}/index.html names its build`);
  return id;
}

describe('build id', () => {
  const web = path.join(REPO_ROOT, 'web');

  it('build id: the same sources give the same id, the site\'s own', () => {
    const first = buildId(web);
    assert.equal(buildId(web), first, 'two copies of the same sources');
    const site = readFileSync(path.join(SITE_DIR, 'index.html'), 'utf8').match(/<meta name="knobs-build" content="([0-9a-f]{16})">/)?.[1];
    assert.equal(site, first, 'the built site carries the id its sources give (built before web/ changed? rebuild)');
  });

  it('build id: a change to a shell file, a glue piece or an engine file gives a new id', () => {
    const base = buildId(web);
    const changedWeb = (edit) => {
      const copy = path.join(scratch, `web-${runs++}`);
      cpSync(web, copy, { recursive: true });
      edit(copy);
      return copy;
    };
    const ids = [
      buildId(changedWeb((dir) => appendFileSync(path.join(dir, 'knobs.css'), '\n/* one more line */\n'))),
      buildId(changedWeb((dir) => appendFileSync(path.join(dir, 'glue/95-boot.js'), '\n'))),
      buildId(changedWeb((dir) => appendFileSync(path.join(dir, 'models/default.knobs'), Buffer.from([0])))),
      buildId(web, (site) => appendFileSync(path.join(site, 'knobs.wasm'), Buffer.from([0]))),
      buildId(web, (site) => appendFileSync(path.join(site, 'knobs_train_worker.js'), '\n')),
    ];
    for (const id of ids) assert.notEqual(id, base);
    assert.equal(new Set(ids).size, ids.length, `each change its own id: ${ids.join(', ')}`);
  });
});

// The page glue's source layout (web/glue/, docs/building.md): pieces small enough to read, and a site
// whose knobs-glue.js is exactly those pieces joined in name order, as cmake/copy_web.cmake joins them, so
// nobody edits the joined file by hand and no piece is shipped on its own. No browser needed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import { REPO_ROOT } from './lib/harness.mjs';

const SITE_DIR = process.env.KNOBS_SITE_DIR;
if (!SITE_DIR) throw new Error('KNOBS_SITE_DIR is not set: run these tests through tests/browser/run.mjs SITE_DIR');

const GLUE_DIR = path.join(REPO_ROOT, 'web/glue');
const TOKEN = '@KNOBS_BUILD_ID@';
const MAX_LINES = 400;

// The pieces in the order the build joins them: by name (CMake's list(SORT), a plain string order).
function pieceNames() {
  return readdirSync(GLUE_DIR).filter((name) => name.endsWith('.js')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function joinedPieces() {
  return pieceNames().map((name) => readFileSync(path.join(GLUE_DIR, name), 'utf8')).join('');
}

describe('glue pieces', () => {
  it(`glue pieces: each piece under web/glue is at most ${MAX_LINES} lines, named NN-name.js, with a header`, () => {
    const names = pieceNames();
    assert.ok(names.length >= 2, `web/glue holds ${names.length} pieces`);
    for (const name of names) {
      assert.match(name, /^\d\d-[a-z0-9-]+\.js$/, `${name}: NN-name.js, so the name order is the join order`);
      const text = readFileSync(path.join(GLUE_DIR, name), 'utf8');
      const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      assert.ok(lines <= MAX_LINES, `web/glue/${name} has ${lines} lines; split it along its sections (at most ${MAX_LINES})`);
      assert.ok(text.includes(`web/glue/${name}`), `web/glue/${name} says in its header comment which piece it is`);
    }
  });

  it('glue pieces: the site\'s knobs-glue.js is the pieces joined in name order with the build id stamped in, and nothing else of them', () => {
    const site = readFileSync(path.join(SITE_DIR, 'knobs-glue.js'), 'utf8');
    // The one change the build makes to the pieces: the site's build id where they say @KNOBS_BUILD_ID@
    // (cmake/copy_web.cmake). The id is read from the site's index.html, so a glue stamped with another
    // build's id than its page fails here too.
    const page = readFileSync(path.join(SITE_DIR, 'index.html'), 'utf8');
    const id = page.match(/<meta name="knobs-build" content="([0-9a-f]{16})">/)?.[1];
    assert.ok(id, 'the site\'s index.html names its build: <meta name="knobs-build" content="16 hex digits">');
    assert.ok(joinedPieces().includes(TOKEN), `the pieces carry ${TOKEN}`);
    // Compared as a whole, then located, so a hand edit in the site's copy is named by line.
    const joined = joinedPieces().split(TOKEN).join(id);
    if (site !== joined) {
      const a = site.split('\n');
      const b = joined.split('\n');
      let line = 0;
      while (line < a.length && line < b.length && a[line] === b[line]) line++;
      assert.fail(`${path.join(SITE_DIR, 'knobs-glue.js')} differs from web/glue/*.js joined, from line ${line + 1} ` +
        '(edited by hand, or built before the pieces changed: rebuild)');
    }
    assert.ok(!existsSync(path.join(SITE_DIR, 'glue')), 'the pieces are not copied into the site');
    assert.ok(!existsSync(path.join(REPO_ROOT, 'web/knobs-glue.js')), 'no stale web/knobs-glue.js next to the pieces');
  });

  it('glue pieces: index.html, knobs-glue.js, sw.js and train-worker.js carry the same build id, and no placeholder', () => {
    const id = readFileSync(path.join(SITE_DIR, 'index.html'), 'utf8').match(/<meta name="knobs-build" content="([0-9a-f]{16})">/)?.[1];
    assert.ok(id, 'index.html names its build');
    for (const [file, pattern] of [
      ['index.html', /src="knobs-glue\.js\?v=([0-9a-f]+)"/],
      ['knobs-glue.js', /const BUILD_ID = '([0-9a-f]+)';/],
      ['sw.js', /const BUILD_ID = '([0-9a-f]+)';/],
      ['train-worker.js', /const BUILD_ID = '([0-9a-f]+)';/],
    ]) {
      const text = readFileSync(path.join(SITE_DIR, file), 'utf8');
      assert.equal(text.match(pattern)?.[1], id, `${file} is stamped with the page's build id`);
      assert.ok(!text.includes(TOKEN), `${file} has no ${TOKEN} left`);
    }
  });

  it('glue pieces: joined, they are one script in one wrapper', () => {
    const names = pieceNames();
    const first = readFileSync(path.join(GLUE_DIR, names[0]), 'utf8');
    const last = readFileSync(path.join(GLUE_DIR, names[names.length - 1]), 'utf8');
    assert.match(first, /^\(function \(\) \{\n {2}'use strict';$/m, `${names[0]} opens the wrapper`);
    assert.ok(last.endsWith('\n})();\n'), `${names[names.length - 1]} closes it`);
    // Compiled, not run: a piece that lost a brace would fail here rather than in every page.
    assert.doesNotThrow(() => new vm.Script(joinedPieces(), { filename: 'knobs-glue.js' }));
  });
});

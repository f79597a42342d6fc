#!/usr/bin/env node
// Runs the browser tests against a built site:
//
//   node tests/browser/run.mjs SITE_DIR [--only=NAME[,NAME...]] [-- extra node --test options]
//
// SITE_DIR is the served folder (build/web/site). The script serves it on a free port with
// scripts/serve, runs tests/browser/*.test.mjs one file at a time with node's test runner (TAP output,
// with its "# pass N" / "# fail N" lines), prints "N passed, N failed", and exits non-zero on any
// failure. --only=glue,serve picks test files by name. Screenshots: artifacts/screens/ on every run,
// artifacts/failures/ for failed tests.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '../..');
const CHROMIUM = process.env.KNOBS_CHROMIUM || '/usr/bin/chromium';

function usage(message) {
  if (message) console.error(`run.mjs: ${message}`);
  console.error('usage: node tests/browser/run.mjs SITE_DIR [--only=NAME[,NAME...]] [-- node --test options]');
  process.exit(2);
}

const args = process.argv.slice(2);
const separator = args.indexOf('--');
const ownArgs = separator === -1 ? args : args.slice(0, separator);
const testArgs = separator === -1 ? [] : args.slice(separator + 1);
let only = null;
const positional = [];
for (const arg of ownArgs) {
  if (arg.startsWith('--only=')) only = arg.slice('--only='.length).split(',').filter(Boolean);
  else if (arg === '--help' || arg === '-h') usage();
  else if (arg.startsWith('-')) usage(`unknown option ${arg}`);
  else positional.push(arg);
}
if (positional.length !== 1) usage('give exactly one SITE_DIR');

const siteDir = path.resolve(positional[0]);
if (!existsSync(siteDir) || !statSync(siteDir).isDirectory()) {
  usage(`${positional[0]} is not a folder; build the site first (make web) or pass build/web/site`);
}
if (!existsSync(path.join(siteDir, 'index.html'))) usage(`${positional[0]} has no index.html; is it the site folder?`);
if (!existsSync(CHROMIUM)) {
  console.error(`run.mjs: no Chromium at ${CHROMIUM}. Install Debian's (apt-get install chromium, or scripts/setup), ` +
    'or point KNOBS_CHROMIUM at another Chromium.');
  process.exit(1);
}
if (!existsSync(path.join(REPO_ROOT, 'node_modules', 'playwright-core'))) {
  console.error('run.mjs: playwright-core is missing. Run `npm ci` in the repository (scripts/setup does it).');
  process.exit(1);
}

let files = readdirSync(HERE).filter((name) => name.endsWith('.test.mjs')).sort();
if (only) {
  files = files.filter((name) => only.includes(name.replace(/\.test\.mjs$/, '')));
  if (files.length === 0) usage(`--only matched no test file (have: ${readdirSync(HERE).filter((n) => n.endsWith('.test.mjs')).join(', ')})`);
}

// Serve the site with the real server script, on a port the system picks.
function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts/serve'), siteDir, '0', '--quiet'],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    const onData = (chunk) => {
      buffer += chunk;
      const match = buffer.match(/at (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (match) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve({ child, url: match[1] });
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`scripts/serve exited with code ${code} before serving`)));
    child.once('error', reject);
  });
}

// Failure screenshots describe this run only.
rmSync(path.join(process.env.KNOBS_ARTIFACTS || path.join(REPO_ROOT, 'artifacts'), 'failures'), { recursive: true, force: true });

const server = await startServer();
console.log(`# serving ${path.relative(REPO_ROOT, siteDir) || siteDir} at ${server.url}`);

const counts = { pass: 0, fail: 0, cancelled: 0, skipped: 0 };
const exitCode = await new Promise((resolve) => {
  const child = spawn(process.execPath, [
    '--test', '--test-reporter=tap', '--test-concurrency=1', ...testArgs,
    ...files.map((name) => path.join(HERE, name)),
  ], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, KNOBS_SITE_URL: server.url, KNOBS_SITE_DIR: siteDir },
  });
  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) {
      const match = line.match(/^# (pass|fail|cancelled|skipped) (\d+)$/);
      if (match) counts[match[1]] += Number(match[2]);
    }
  });
  child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
});

server.child.kill('SIGTERM');

const failed = counts.fail + counts.cancelled;
const skipped = counts.skipped ? `, ${counts.skipped} skipped` : '';
console.log(`${counts.pass} passed, ${failed} failed${skipped}`);
process.exit(exitCode !== 0 || failed > 0 || counts.pass === 0 ? 1 : 0);

#!/usr/bin/env node
// Runs the browser tests against a built site:
//
//   node tests/browser/run.mjs SITE_DIR [--only=NAME[,NAME...]] [--jobs=N] [-- extra node --test options]
//
// SITE_DIR is the served folder (build/web/site). The script serves it on a free port with
// scripts/serve and runs each tests/browser/*.test.mjs file in its own `node --test` process (TAP
// output, with its "# pass N" / "# fail N" lines), up to --jobs files at once (KNOBS_BROWSER_JOBS;
// default: the number of cores, at most 2). Each file's output is printed in one piece when the file
// ends, longest files first (by the last run's times in artifacts/browser-times.json), then a table of
// how long each file took, then "N passed, N failed"; exits non-zero on any failure. --only=glue,serve
// picks test files by name. Screenshots: artifacts/screens/ on every run, artifacts/failures/ for
// failed tests.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '../..');
const CHROMIUM = process.env.KNOBS_CHROMIUM || '/usr/bin/chromium';

function usage(message) {
  if (message) console.error(`run.mjs: ${message}`);
  console.error('usage: node tests/browser/run.mjs SITE_DIR [--only=NAME[,NAME...]] [--jobs=N] [-- node --test options]');
  process.exit(2);
}

const args = process.argv.slice(2);
const separator = args.indexOf('--');
const ownArgs = separator === -1 ? args : args.slice(0, separator);
const testArgs = separator === -1 ? [] : args.slice(separator + 1);
let only = null;
let jobs = Number(process.env.KNOBS_BROWSER_JOBS) || Math.min(2, os.availableParallelism?.() ?? os.cpus().length);
const positional = [];
for (const arg of ownArgs) {
  if (arg.startsWith('--only=')) only = arg.slice('--only='.length).split(',').filter(Boolean);
  else if (arg.startsWith('--jobs=')) jobs = Number(arg.slice('--jobs='.length));
  else if (arg === '--help' || arg === '-h') usage();
  else if (arg.startsWith('-')) usage(`unknown option ${arg}`);
  else positional.push(arg);
}
if (positional.length !== 1) usage('give exactly one SITE_DIR');
if (!Number.isInteger(jobs) || jobs < 1) usage('--jobs needs a whole number of at least 1');

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

const ARTIFACTS = process.env.KNOBS_ARTIFACTS || path.join(REPO_ROOT, 'artifacts');
const TIMES = path.join(ARTIFACTS, 'browser-times.json');

// Failure screenshots describe this run only.
rmSync(path.join(ARTIFACTS, 'failures'), { recursive: true, force: true });

// Longest first, by the last run's times: the pool then ends with short files, not with one long one.
let lastTimes = {};
try { lastTimes = JSON.parse(readFileSync(TIMES, 'utf8')); } catch { /* first run: alphabetical */ }
files.sort((a, b) => (lastTimes[b] ?? 0) - (lastTimes[a] ?? 0));

const server = await startServer();
console.log(`# serving ${path.relative(REPO_ROOT, siteDir) || siteDir} at ${server.url}; ${files.length} files, ${jobs} at a time`);

// One file in its own test process; resolves with its counts, exit code and wall time once it ends.
function runFile(name) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', ...testArgs, path.join(HERE, name)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KNOBS_SITE_URL: server.url, KNOBS_SITE_DIR: siteDir },
    });
    running.add(child);
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('close', (code, signal) => {
      running.delete(child);
      const counts = { pass: 0, fail: 0, cancelled: 0, skipped: 0 };
      for (const match of output.matchAll(/^# (pass|fail|cancelled|skipped) (\d+)$/gm)) counts[match[1]] += Number(match[2]);
      // A file whose process failed without reporting a failed test (killed, say) still counts as one.
      if ((code !== 0 || signal) && counts.fail + counts.cancelled === 0) counts.fail = 1;
      resolve({ name, counts, code: code ?? (signal ? 1 : 0), seconds: (Date.now() - started) / 1000, output });
    });
  });
}

const running = new Set();
const stopChildren = (signal) => {
  for (const child of running) child.kill('SIGTERM');
  server.child.kill('SIGTERM');
  process.exit(signal === 'SIGINT' ? 130 : 143);
};
process.on('SIGINT', stopChildren);
process.on('SIGTERM', stopChildren);

const results = [];
const queue = [...files];
const started = Date.now();
await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, async () => {
  while (queue.length) {
    const result = await runFile(queue.shift());
    process.stdout.write(`# ---- ${result.name} (${result.seconds.toFixed(1)} s)\n${result.output}`);
    results.push(result);
  }
}));
server.child.kill('SIGTERM');

const total = { pass: 0, fail: 0, cancelled: 0, skipped: 0 };
for (const { counts } of results) for (const key of Object.keys(total)) total[key] += counts[key];
console.log(`# ---- time per file (${jobs} at a time; wall ${((Date.now() - started) / 1000).toFixed(1)} s)`);
for (const { name, seconds, counts } of [...results].sort((a, b) => b.seconds - a.seconds)) {
  console.log(`#   ${name.padEnd(28)} ${seconds.toFixed(1).padStart(7)} s  ${counts.pass} passed, ${counts.fail + counts.cancelled} failed`);
}
mkdirSync(ARTIFACTS, { recursive: true });
writeFileSync(TIMES, JSON.stringify({ ...lastTimes, ...Object.fromEntries(results.map((r) => [r.name, r.seconds])) }, null, 2) + '\n');

const failed = total.fail + total.cancelled;
const skipped = total.skipped ? `, ${total.skipped} skipped` : '';
console.log(`${total.pass} passed, ${failed} failed${skipped}`);
process.exit(results.some((r) => r.code !== 0) || failed > 0 || total.pass === 0 ? 1 : 0);

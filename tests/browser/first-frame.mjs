#!/usr/bin/env node
// Time from navigation to the app's first rendered frame, in headless Chromium (software WebGL).
//
//   node tests/browser/first-frame.mjs SITE_DIR [--runs=5] [--size=1280x800] [--dpr=1]
//
// Each run uses a fresh browser context (empty HTTP cache), so every run downloads and compiles
// knobs.wasm. Prints one JSON object: the median, min and max, and the median of each boot phase
// (all in ms since navigation start, from window.knobs.timings()). The first-frame mark is taken on
// the animation frame after the app reports `ready`, so it includes at most one frame of polling.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_ROOT, launchBrowser, waitForReady } from './lib/harness.mjs';

const require = createRequire(import.meta.url);
const { startServer } = require(path.join(REPO_ROOT, 'scripts/serve'));

function fail(message) {
  console.error(`first-frame.mjs: ${message}`);
  console.error('usage: node tests/browser/first-frame.mjs SITE_DIR [--runs=5] [--size=1280x800] [--dpr=1]');
  process.exit(2);
}

const options = { runs: 5, width: 1280, height: 800, dpr: 1 };
const positional = [];
for (const arg of process.argv.slice(2)) {
  let match;
  if ((match = arg.match(/^--runs=(\d+)$/))) options.runs = Number(match[1]);
  else if ((match = arg.match(/^--size=(\d+)x(\d+)$/))) { options.width = Number(match[1]); options.height = Number(match[2]); }
  else if ((match = arg.match(/^--dpr=(\d+(?:\.\d+)?)$/))) options.dpr = Number(match[1]);
  else if (arg.startsWith('-')) fail(`unknown option ${arg}`);
  else positional.push(arg);
}
if (positional.length !== 1) fail('give exactly one SITE_DIR');
if (options.runs < 1 || options.runs > 50) fail('--runs must be from 1 to 50');
const siteDir = path.resolve(positional[0]);
let wasmBytes;
try {
  wasmBytes = statSync(path.join(siteDir, 'knobs.wasm')).size;
} catch {
  fail(`${positional[0]} has no knobs.wasm; build the site first (make web)`);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (value) => Math.round(value * 10) / 10;

const server = await startServer({ root: siteDir, port: 0 });
const browser = await launchBrowser();
const browserVersion = browser.version();
const runs = [];
try {
  for (let i = 0; i < options.runs; i++) {
    const context = await browser.newContext({
      viewport: { width: options.width, height: options.height }, deviceScaleFactor: options.dpr,
    });
    const page = await context.newPage();
    page.knobsLog = [];
    page.on('console', (message) => page.knobsLog.push(`[${message.type()}] ${message.text()}`));
    await page.goto(server.url);
    await waitForReady(page);
    runs.push(await page.evaluate(() => window.knobs.timings()));
    await context.close();
  }
} finally {
  await browser.close().catch(() => {});
  await server.close();
}

const phases = {};
for (const name of ['glueStarted', 'wasmDownloaded', 'wasmCompiled', 'wasmInstantiated', 'runtimeInitialized', 'mainStarted', 'firstFrame']) {
  const values = runs.map((run) => run[name]).filter((value) => typeof value === 'number');
  if (values.length) phases[name] = round(median(values));
}
const firstFrames = runs.map((run) => run.firstFrame);
console.log(JSON.stringify({
  metric: 'navigation_to_first_frame_ms',
  median: round(median(firstFrames)),
  min: round(Math.min(...firstFrames)),
  max: round(Math.max(...firstFrames)),
  runs: firstFrames.map(round),
  phases_median_ms: phases,
  viewport: `${options.width}x${options.height}@${options.dpr}x`,
  wasm_bytes: wasmBytes,
  browser: `Chromium ${browserVersion} headless, SwiftShader WebGL`,
}, null, 2));

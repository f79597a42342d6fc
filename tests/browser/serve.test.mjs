// scripts/serve: MIME types, path safety, no directory listings, extra headers, and the CLI.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from './lib/harness.mjs';

const require = createRequire(import.meta.url);
const SERVE = path.join(REPO_ROOT, 'scripts/serve');
const { startServer, headersFromEnv, parseHeaderArg } = require(SERVE);

let root;
let outside;
let server;

before(async () => {
  const base = mkdtempSync(path.join(tmpdir(), 'knobs-serve-test-'));
  root = path.join(base, 'site');
  outside = path.join(base, 'secret.txt');
  mkdirSync(path.join(root, 'sub'), { recursive: true });
  mkdirSync(path.join(root, 'empty'));
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>root</title>');
  writeFileSync(path.join(root, 'sub', 'index.html'), '<!doctype html><title>sub</title>');
  writeFileSync(path.join(root, 'knobs.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  for (const name of ['a.js', 'a.mjs', 'a.css', 'a.json', 'a.svg', 'a.png', 'a.unknownext', 'olá mundo.txt']) {
    writeFileSync(path.join(root, name), 'x');
  }
  writeFileSync(outside, 'TOP-SECRET-CONTENT-42');
  symlinkSync(outside, path.join(root, 'link-out.txt'));
  server = await startServer({ root, port: 0, headers: { 'Content-Security-Policy': "default-src 'self'" } });
});

after(async () => {
  await server?.close();
  rmSync(path.dirname(root), { recursive: true, force: true });
});

// Raw requests (no URL normalisation by a client library), so traversal attempts arrive as written.
function request(rawPath, method = 'GET', port = server.port) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serve: content', () => {
  it('serve: MIME types, wasm as application/wasm', async () => {
    const expected = {
      '/knobs.wasm': 'application/wasm',
      '/index.html': 'text/html; charset=utf-8',
      '/a.js': 'text/javascript; charset=utf-8',
      '/a.mjs': 'text/javascript; charset=utf-8',
      '/a.css': 'text/css; charset=utf-8',
      '/a.json': 'application/json; charset=utf-8',
      '/a.svg': 'image/svg+xml',
      '/a.png': 'image/png',
      '/a.unknownext': 'application/octet-stream',
    };
    for (const [file, type] of Object.entries(expected)) {
      const res = await request(file);
      assert.equal(res.status, 200, file);
      assert.equal(res.headers['content-type'], type, file);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    }
    const wasm = await request('/knobs.wasm');
    assert.equal(wasm.headers['content-length'], '8', 'Content-Length is sent for the progress bar');
  });

  it('serve: / and folders serve index.html; percent-encoded names work', async () => {
    assert.match((await request('/')).body, /<title>root<\/title>/);
    assert.match((await request('/sub/')).body, /<title>sub<\/title>/);
    const redirect = await request('/sub');
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.location, '/sub/');
    assert.equal((await request('/ol%C3%A1%20mundo.txt')).status, 200);
    assert.equal((await request('/index.html?v=3#x')).status, 200, 'query strings are ignored');
  });

  it('serve: HEAD has headers and no body; other methods are refused', async () => {
    const head = await request('/index.html', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.ok(Number(head.headers['content-length']) > 0);
    const post = await request('/index.html', 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });

  it('serve: revalidation with ETag answers 304', async () => {
    const first = await request('/index.html');
    const again = await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: server.port, path: '/index.html', headers: { 'If-None-Match': first.headers.etag } },
        (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); }).on('error', reject);
    });
    assert.equal(again, 304);
    assert.equal(first.headers['cache-control'], 'no-cache');
  });

  it('serve: extra headers (for CSP tests) are on every response', async () => {
    assert.equal((await request('/')).headers['content-security-policy'], "default-src 'self'");
    assert.equal((await request('/nope')).headers['content-security-policy'], "default-src 'self'");
    assert.deepEqual(headersFromEnv({ KNOBS_CSP: "script-src 'self'" }), { 'Content-Security-Policy': "script-src 'self'" });
    assert.deepEqual(headersFromEnv({ KNOBS_HEADERS: '{"X-A":"1"}' }), { 'X-A': '1' });
    assert.throws(() => headersFromEnv({ KNOBS_HEADERS: '{oops' }), /KNOBS_HEADERS is not valid JSON/);
    assert.throws(() => headersFromEnv({ KNOBS_HEADERS: '{"X-A":1}' }), /must be a string/);
    assert.deepEqual(parseHeaderArg('X-Frame-Options: DENY'), ['X-Frame-Options', 'DENY']);
    assert.throws(() => parseHeaderArg('no colon'), /Name: value/);
  });
});

describe('serve: safety', () => {
  it('serve: path traversal never leaves the folder', async () => {
    for (const attempt of [
      '/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/sub/../../secret.txt',
      '/..%5csecret.txt', '/%5c..%5csecret.txt', '//../secret.txt', '/.%2e/secret.txt',
    ]) {
      const res = await request(attempt);
      assert.ok([400, 403, 404].includes(res.status), `${attempt} -> ${res.status}`);
      assert.doesNotMatch(res.body, /TOP-SECRET/, `${attempt} leaked the file`);
    }
  });

  it('serve: a symbolic link to a file outside the folder is refused', async () => {
    const res = await request('/link-out.txt');
    assert.equal(res.status, 403);
    assert.doesNotMatch(res.body, /TOP-SECRET/);
  });

  it('serve: no directory listings; bad requests get clear errors', async () => {
    const listing = await request('/empty/');
    assert.equal(listing.status, 404);
    assert.match(listing.body, /directory listings are disabled/);
    assert.equal((await request('/%zz')).status, 400);
    assert.equal((await request('/a%00.txt')).status, 400);
    assert.equal((await request('/missing.js')).status, 404);
  });
});

describe('serve: command line', () => {
  function run(args, env = {}) {
    return spawn(process.execPath, [SERVE, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  function collect(child) {
    return new Promise((resolve) => {
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk) => { out += chunk; });
      child.stderr.on('data', (chunk) => { err += chunk; });
      child.on('exit', (code) => resolve({ code, out, err }));
    });
  }

  it('serve: prints the URL, binds 127.0.0.1 on a free port, sends KNOBS_CSP, and stops on SIGTERM', async () => {
    const child = run([root, '0', '--quiet'], { KNOBS_CSP: "default-src 'none'" });
    const done = collect(child);
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const match = out.match(/^Serving .* at (http:\/\/127\.0\.0\.1:(\d+)\/)$/m);
        if (match) resolve(match);
      });
      child.on('exit', () => reject(new Error('exited before serving')));
    });
    const res = await request('/', 'GET', Number(url[2]));
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-security-policy'], "default-src 'none'");
    child.kill('SIGTERM');
    assert.equal((await done).code, 0);
  });

  it('serve: bad arguments and a busy port get clear messages', async () => {
    let result = await collect(run([]));
    assert.equal(result.code, 2);
    assert.match(result.err, /usage: scripts\/serve DIR/);
    result = await collect(run([path.join(root, 'does-not-exist'), '0']));
    assert.equal(result.code, 2);
    assert.match(result.err, /is not a folder/);
    result = await collect(run([root, 'eighty']));
    assert.equal(result.code, 2);
    assert.match(result.err, /port must be an integer/);
    result = await collect(run([root, String(server.port)]));
    assert.equal(result.code, 1);
    assert.match(result.err, new RegExp(`port ${server.port} is already in use`));
    result = await collect(run([root, '0'], { KNOBS_HEADERS: 'not json' }));
    assert.equal(result.code, 2);
    assert.match(result.err, /KNOBS_HEADERS is not valid JSON/);
  });
});

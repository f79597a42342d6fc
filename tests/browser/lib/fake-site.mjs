// Builds a throw-away copy of the site in which knobs.js and knobs.wasm are test doubles
// (fixtures/fake-knobs.js and a generated module), for the glue tests.
import { copyFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FIXTURES, REPO_ROOT } from './harness.mjs';

function leb128(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

// A valid, empty WebAssembly module padded with a custom section to `size` bytes or a little more,
// so downloading it takes measurable time under network throttling.
export function makeFakeWasm(size) {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const name = [...Buffer.from('knobs-test-padding')];
  const payloadLength = Math.max(0, size - header.length - 16 - name.length);
  const sectionBody = [...leb128(name.length), ...name];
  const sectionSize = sectionBody.length + payloadLength;
  const head = Buffer.from([...header, 0x00, ...leb128(sectionSize), ...sectionBody]);
  const payload = Buffer.alloc(payloadLength, 0x2a);
  return Buffer.concat([head, payload]);
}

// Copies the shell files (everything but the real engine) from siteDir and adds the doubles.
export function createFakeSite(siteDir, { wasmSize = 3 << 20 } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'knobs-fake-site-'));
  for (const name of readdirSync(siteDir)) {
    if (name === 'knobs.js' || name === 'knobs.wasm') continue;
    const source = path.join(siteDir, name);
    if (statSync(source).isFile()) copyFileSync(source, path.join(dir, name));
  }
  copyFileSync(path.join(FIXTURES, 'fake-knobs.js'), path.join(dir, 'knobs.js'));
  writeFileSync(path.join(dir, 'knobs.wasm'), makeFakeWasm(wasmSize));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// createFakeSite, served by scripts/serve on a free port: {url, close()}; close() also deletes the copy.
export async function serveFakeSite(siteDir, options) {
  const { startServer } = createRequire(import.meta.url)(path.join(REPO_ROOT, 'scripts/serve'));
  const site = createFakeSite(siteDir, options);
  const server = await startServer({ root: site.dir, port: 0 });
  return {
    url: server.url,
    async close() {
      await server.close();
      site.remove();
    },
  };
}

// The screenshot decoder (lib/png.mjs): every PNG filter type, colour types, and the blank check.
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { decodePng, fractionDifferent, imageStats } from './lib/png.mjs';

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, body) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

// An independent encoder: filters each row with the given filter type(s), as libpng would.
function encodePng(width, height, channels, pixels, filterForRow) {
  const colorType = { 1: 0, 2: 4, 3: 2, 4: 6 }[channels];
  const stride = width * channels;
  const raw = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const filter = filterForRow(y);
    raw[y * (stride + 1)] = filter;
    for (let x = 0; x < stride; x++) {
      const value = pixels[y * stride + x];
      const left = x >= channels ? pixels[y * stride + x - channels] : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const upLeft = y > 0 && x >= channels ? pixels[(y - 1) * stride + x - channels] : 0;
      const p = left + up - upLeft;
      const pa = Math.abs(p - left);
      const pb = Math.abs(p - up);
      const pc = Math.abs(p - upLeft);
      const paeth = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      const predicted = [0, left, up, (left + up) >> 1, paeth][filter];
      raw[y * (stride + 1) + 1 + x] = (value - predicted) & 0xff;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = colorType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

function noise(count, seed) {
  const out = new Uint8Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

describe('png decoder', () => {
  for (const channels of [1, 2, 3, 4]) {
    for (const [width, height] of [[1, 1], [7, 5], [33, 17]]) {
      it(`png: decodes ${channels}-channel ${width}x${height} images with every filter type`, () => {
        const pixels = noise(width * height * channels, width * 31 + height * 7 + channels);
        const png = encodePng(width, height, channels, pixels, (y) => y % 5);
        const { width: w, height: h, rgba } = decodePng(png);
        assert.equal(w, width);
        assert.equal(h, height);
        for (let i = 0; i < width * height; i++) {
          const src = pixels.subarray(i * channels, (i + 1) * channels);
          const expected = channels === 1 ? [src[0], src[0], src[0], 255]
            : channels === 2 ? [src[0], src[0], src[0], src[1]]
              : channels === 3 ? [src[0], src[1], src[2], 255] : [...src];
          assert.deepEqual([...rgba.subarray(i * 4, i * 4 + 4)], expected, `pixel ${i}`);
        }
      });
    }
  }

  it('png: rejects what it cannot read, with a message', () => {
    assert.throws(() => decodePng(Buffer.from('not a png at all')), /not a PNG/);
    const png = encodePng(2, 2, 3, noise(12, 1), () => 0);
    const truncated = png.subarray(0, 40);
    assert.throws(() => decodePng(truncated), /decodePng: truncated/);
    const noImage = Buffer.concat([png.subarray(0, 33), png.subarray(png.length - 12)]);   // IHDR + IEND only
    assert.throws(() => decodePng(noImage), /decodePng: missing IDAT/);
  });

  it('png: imageStats tells a blank image from a drawn one', () => {
    const blank = { width: 10, height: 10, rgba: new Uint8Array(400).fill(255) };
    assert.deepEqual(imageStats(blank), { distinctColors: 1, nonBackgroundFraction: 0, background: [255, 255, 255] });
    const drawn = { width: 10, height: 10, rgba: new Uint8Array(400).fill(255) };
    for (let i = 0; i < 10; i++) drawn.rgba.set([0, 0, 0, 255], (i * 10 + i) * 4);   // a diagonal line
    const stats = imageStats(drawn);
    assert.equal(stats.distinctColors, 2);
    assert.equal(stats.nonBackgroundFraction, 0.1);
    assert.deepEqual(imageStats(drawn, { x: 0, y: 0, width: 1, height: 1 }).distinctColors, 1);
    assert.equal(fractionDifferent(drawn, { x: 0, y: 0, width: 10, height: 10 }, [255, 255, 255]), 0.1);
    assert.equal(fractionDifferent(drawn, { x: 0, y: 0, width: 2, height: 2 }, [0, 0, 0]), 0.5);
    assert.equal(fractionDifferent(drawn, { x: 5, y: 0, width: 5, height: 4 }, [255, 255, 255]), 0, 'no line up there');
    assert.equal(fractionDifferent(drawn, { x: 20, y: 20, width: 5, height: 5 }, [0, 0, 0]), 0, 'outside the image');
  });
});

// A small PNG decoder for the browser tests, so screenshots can be checked pixel by pixel without
// an image library. Handles what Chromium writes (8-bit greyscale, RGB, RGBA, grey+alpha, and
// palette, non-interlaced, every filter type) and rejects everything else with a clear message.
import { inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };   // by PNG colour type

function paeth(left, up, upLeft) {
  const estimate = left + up - upLeft;
  const dLeft = Math.abs(estimate - left);
  const dUp = Math.abs(estimate - up);
  const dUpLeft = Math.abs(estimate - upLeft);
  if (dLeft <= dUp && dLeft <= dUpLeft) return left;
  return dUp <= dUpLeft ? up : upLeft;
}

// Returns { width, height, rgba } with rgba a Uint8Array of width*height*4 bytes.
export function decodePng(buffer) {
  const bytes = Buffer.isBuffer(buffer) ? buffer : Buffer.from(buffer);
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(SIGNATURE)) throw new Error('decodePng: not a PNG file');

  let offset = 8;
  let header = null;
  let palette = null;
  let transparency = null;
  const data = [];
  let ended = false;
  while (offset + 8 <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (body.length !== length) throw new Error(`decodePng: truncated ${type} chunk`);
    offset += 12 + length;   // length, type, body, CRC
    if (type === 'IHDR') {
      header = {
        width: body.readUInt32BE(0), height: body.readUInt32BE(4), bitDepth: body[8],
        colorType: body[9], interlace: body[12],
      };
    } else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') transparency = body;
    else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') { ended = true; break; }
  }
  if (!header) throw new Error('decodePng: missing IHDR');
  if (!ended) throw new Error('decodePng: truncated file (no IEND chunk)');
  if (data.length === 0) throw new Error('decodePng: missing IDAT');
  const { width, height, bitDepth, colorType, interlace } = header;
  const channels = CHANNELS[colorType];
  if (!channels) throw new Error(`decodePng: unknown colour type ${colorType}`);
  if (bitDepth !== 8) throw new Error(`decodePng: only 8-bit images are supported, got ${bitDepth}-bit`);
  if (interlace !== 0) throw new Error('decodePng: interlaced images are not supported');
  if (colorType === 3 && !palette) throw new Error('decodePng: palette image without PLTE');

  let raw;
  try {
    raw = inflateSync(Buffer.concat(data));
  } catch (error) {
    throw new Error(`decodePng: corrupt image data (${error.message})`);
  }
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new Error('decodePng: image data is shorter than the header says');

  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    for (let x = 0; x < stride; x++) {
      const value = raw[src + x];
      const left = x >= channels ? pixels[dst + x - channels] : 0;
      const up = y > 0 ? pixels[dst - stride + x] : 0;
      const upLeft = y > 0 && x >= channels ? pixels[dst - stride + x - channels] : 0;
      let predicted;
      switch (filter) {
        case 0: predicted = 0; break;
        case 1: predicted = left; break;
        case 2: predicted = up; break;
        case 3: predicted = (left + up) >> 1; break;
        case 4: predicted = paeth(left, up, upLeft); break;
        default: throw new Error(`decodePng: bad filter type ${filter} on row ${y}`);
      }
      pixels[dst + x] = (value + predicted) & 0xff;
    }
  }

  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, p = 0; i < width * height; i++, p += channels) {
    let r, g, b, a = 255;
    switch (colorType) {
      case 0: r = g = b = pixels[p]; break;
      case 4: r = g = b = pixels[p]; a = pixels[p + 1]; break;
      case 2: r = pixels[p]; g = pixels[p + 1]; b = pixels[p + 2]; break;
      case 6: r = pixels[p]; g = pixels[p + 1]; b = pixels[p + 2]; a = pixels[p + 3]; break;
      case 3: {
        const index = pixels[p];
        r = palette[index * 3]; g = palette[index * 3 + 1]; b = palette[index * 3 + 2];
        if (transparency && index < transparency.length) a = transparency[index];
        break;
      }
    }
    rgba[i * 4] = r; rgba[i * 4 + 1] = g; rgba[i * 4 + 2] = b; rgba[i * 4 + 3] = a;
  }
  return { width, height, rgba };
}

// How much of an image is "content": the share of pixels that differ from the most common colour
// (the background), and how many distinct colours there are. A blank or single-colour canvas
// scores 0 and 1.
export function imageStats({ width, height, rgba }, region) {
  const x0 = region ? Math.max(0, region.x) : 0;
  const y0 = region ? Math.max(0, region.y) : 0;
  const x1 = region ? Math.min(width, region.x + region.width) : width;
  const y1 = region ? Math.min(height, region.y + region.height) : height;
  const counts = new Map();
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * width + x) * 4;
      const key = (rgba[i] << 16) | (rgba[i + 1] << 8) | rgba[i + 2];
      counts.set(key, (counts.get(key) || 0) + 1);
    }
  }
  let background = 0;
  let backgroundCount = 0;
  for (const [key, count] of counts) if (count > backgroundCount) { background = key; backgroundCount = count; }
  const total = Math.max(1, (x1 - x0) * (y1 - y0));
  return {
    distinctColors: counts.size,
    nonBackgroundFraction: (total - backgroundCount) / total,
    background: [(background >> 16) & 255, (background >> 8) & 255, background & 255],
  };
}

// The share of pixels in `region` whose colour is farther than `tolerance` (per channel) from `color`.
export function fractionDifferent({ width, height, rgba }, region, color, tolerance = 8) {
  const x0 = Math.max(0, Math.floor(region.x));
  const y0 = Math.max(0, Math.floor(region.y));
  const x1 = Math.min(width, Math.ceil(region.x + region.width));
  const y1 = Math.min(height, Math.ceil(region.y + region.height));
  if (x1 <= x0 || y1 <= y0) return 0;
  let different = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * width + x) * 4;
      if (Math.abs(rgba[i] - color[0]) > tolerance || Math.abs(rgba[i + 1] - color[1]) > tolerance ||
          Math.abs(rgba[i + 2] - color[2]) > tolerance) different++;
    }
  }
  return different / ((x1 - x0) * (y1 - y0));
}

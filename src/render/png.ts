/**
 * A minimal PNG writer for black-and-white pictures (1 bit a pixel, greyscale): what a QR
 * code placed as a picture in a Word document needs, a few hundred bytes, without an image
 * library in the rendering path.
 */
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return out;
}

/**
 * A 1-bit greyscale PNG of a grid of `cols` × `rows` cells (`dark[row * cols + col]` 1 for
 * black), each cell `scale` × `scale` pixels: a QR code's modules, with sharp edges.
 * `dpi` is recorded (pHYs), so that a viewer shows it at its printed size.
 */
export function bilevelGridPng(
  cols: number,
  rows: number,
  dark: ArrayLike<number>,
  scale: number,
  dpi?: number,
): Buffer {
  const width = cols * scale;
  const stride = Math.ceil(width / 8) + 1; // filter byte 0 (none), then the row: bit set = white
  const raw = Buffer.alloc(stride * rows * scale, 0);
  for (let r = 0; r < rows; r++) {
    const first = r * scale * stride;
    for (let x = 0; x < width; x++)
      if (!dark[r * cols + Math.floor(x / scale)]) raw[first + 1 + (x >> 3)]! |= 0x80 >> (x & 7);
    for (let k = 1; k < scale; k++) raw.copy(raw, first + k * stride, first, first + stride);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(rows * scale, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, adaptive filtering, no interlace
  const parts = [SIGNATURE, chunk('IHDR', header)];
  if (dpi) {
    const phys = Buffer.alloc(9);
    const perMetre = Math.round(dpi / 0.0254);
    phys.writeUInt32BE(perMetre, 0);
    phys.writeUInt32BE(perMetre, 4);
    phys[8] = 1;
    parts.push(chunk('pHYs', phys));
  }
  parts.push(chunk('IDAT', deflateSync(raw, { level: 1 })), chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(parts);
}

/**
 * Pictures for people: the part of a scanned page a reviewer must judge (a question's row,
 * a signature or seal box, the remarks box), cut out through the alignment that read it and
 * turned the right way up, or the whole page shrunk when nothing could be aligned. Encoded
 * as grey PNG (no dependency: zlib and a CRC), small enough to embed in a review sheet.
 */
import { deflateSync } from 'node:zlib';
import type { Rect } from '../layout/page.ts';
import { project, type Homography } from './align.ts';
import { cropGrey, type GreyImage } from './grey.ts';

/** The part of the working image that shows `r` (mm on the page) with `marginMm` around it, upright. */
export function cropOfRect(
  img: GreyImage,
  transform: Homography,
  r: Rect,
  quarterTurns: number | null,
  marginMm = 3,
): GreyImage {
  const corners = [
    { x: r.x - marginMm, y: r.y - marginMm },
    { x: r.x + r.width + marginMm, y: r.y - marginMm },
    { x: r.x + r.width + marginMm, y: r.y + r.height + marginMm },
    { x: r.x - marginMm, y: r.y + r.height + marginMm },
  ].map((p) => project(transform, p));
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p.x))));
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p.y))));
  const x1 = Math.min(img.width, Math.ceil(Math.max(...corners.map((p) => p.x))));
  const y1 = Math.min(img.height, Math.ceil(Math.max(...corners.map((p) => p.y))));
  const crop = cropGrey(img, x0, y0, Math.max(1, x1 - x0), Math.max(1, y1 - y0)).image;
  return turnUpright(crop, quarterTurns ?? 0);
}

/** The whole page, shrunk by a whole factor to at most `maxWidth` pixels across. */
export function pageThumbnail(img: GreyImage, maxWidth = 700): GreyImage {
  const f = Math.max(1, Math.ceil(img.width / maxWidth));
  const width = Math.max(1, Math.floor(img.width / f));
  const height = Math.max(1, Math.floor(img.height / f));
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = 0; dy < f; dy++)
        for (let dx = 0; dx < f; dx++) sum += img.data[(y * f + dy) * img.width + x * f + dx]!;
      data[y * width + x] = Math.round(sum / (f * f));
    }
  }
  return { width, height, data };
}

/** Sixteen grey levels: as legible to a person, and scanner grain no longer bloats the PNG. */
export function posterise(img: GreyImage): GreyImage {
  const data = new Uint8Array(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (img.data[i]! & 0xf0) | (img.data[i]! >> 4);
  return { width: img.width, height: img.height, data };
}

/** Undoes the page's rotation (quarter turns clockwise as scanned). */
function turnUpright(img: GreyImage, quarterTurns: number): GreyImage {
  const q = ((quarterTurns % 4) + 4) % 4;
  if (q === 0) return img;
  if (q === 2) return { width: img.width, height: img.height, data: img.data.slice().reverse() };
  const { width: w, height: h } = img;
  const out = new Uint8Array(w * h);
  // q = 1: the page lies turned clockwise, so turn it back anticlockwise (and q = 3 the other way).
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = img.data[y * w + x]!;
      if (q === 1) out[(w - 1 - x) * h + y] = v;
      else out[x * h + (h - 1 - y)] = v;
    }
  }
  return { width: h, height: w, data: out };
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit grey PNG of the image. */
export function encodeGreyPng(img: GreyImage): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(img.width, 0);
  ihdr.writeUInt32BE(img.height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grey
  const raw = Buffer.alloc((img.width + 1) * img.height);
  for (let y = 0; y < img.height; y++) {
    raw[y * (img.width + 1)] = 0; // filter: none
    raw.set(img.data.subarray(y * img.width, (y + 1) * img.width), y * (img.width + 1) + 1);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(
    Buffer.concat([
      signature,
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(raw, { level: 6 })),
      chunk('IEND', new Uint8Array(0)),
    ]),
  );
}

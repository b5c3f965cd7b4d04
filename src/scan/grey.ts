/**
 * Grey working images: the page reader looks at a downsampled grey copy of each page
 * (about 150 dpi), which is small enough to read quickly and fine enough for 3 mm tick boxes.
 */
import type { DecodedPage } from './decode.ts';

export interface GreyImage {
  width: number;
  height: number;
  /** One byte a pixel, 0 black … 255 white. */
  data: Uint8Array;
}

/**
 * A grey copy of a page, shrunk by an integer `factor` (each output pixel the mean of a
 * factor × factor block).
 */
export function greyWorkingCopy(
  page: Pick<DecodedPage, 'width' | 'height' | 'channels' | 'data'>,
  factor: number,
): GreyImage {
  const f = Math.max(1, Math.floor(factor));
  const W = Math.floor(page.width / f);
  const H = Math.floor(page.height / f);
  const out = new Uint8Array(W * H);
  const src =
    page.data instanceof Uint8Array && page.data.constructor !== Uint8Array
      ? new Uint8Array(page.data.buffer, page.data.byteOffset, page.data.length)
      : page.data;
  const c = page.channels;
  if (f === 1) {
    if (c === 1) return { width: W, height: H, data: src.slice(0, W * H) };
    for (let i = 0, j = 0; i < out.length; i++, j += 3)
      out[i] = (77 * src[j]! + 150 * src[j + 1]! + 29 * src[j + 2]! + 128) >> 8;
    return { width: W, height: H, data: out };
  }
  const acc = new Uint32Array(W);
  const stride = page.width * c;
  const used = W * f; // columns that fall in a whole block
  const norm = c === 1 ? f * f : f * f * 256;
  for (let y = 0; y < H; y++) {
    acc.fill(0);
    for (let dy = 0; dy < f; dy++) {
      const base = (y * f + dy) * stride;
      if (c === 1) {
        for (let x = 0, col = 0, k = 0; x < used; x++) {
          acc[col]! += src[base + x]!;
          if (++k === f) {
            k = 0;
            col++;
          }
        }
      } else {
        for (let x = 0, i = base, col = 0, k = 0; x < used; x++, i += 3) {
          acc[col]! += 77 * src[i]! + 150 * src[i + 1]! + 29 * src[i + 2]!;
          if (++k === f) {
            k = 0;
            col++;
          }
        }
      }
    }
    const o = y * W;
    for (let x = 0; x < W; x++) out[o + x] = (acc[x]! / norm + 0.5) | 0;
  }
  return { width: W, height: H, data: out };
}

/** A rectangle of a grey image, clipped to it. */
export function cropGrey(
  img: GreyImage,
  x0: number,
  y0: number,
  w: number,
  h: number,
): { image: GreyImage; x: number; y: number } {
  const x = Math.max(0, Math.floor(x0));
  const y = Math.max(0, Math.floor(y0));
  const W = Math.max(0, Math.min(img.width, Math.floor(x0 + w)) - x);
  const H = Math.max(0, Math.min(img.height, Math.floor(y0 + h)) - y);
  const data = new Uint8Array(W * H);
  for (let r = 0; r < H; r++) data.set(img.data.subarray((y + r) * img.width + x, (y + r) * img.width + x + W), r * W);
  return { image: { width: W, height: H, data }, x, y };
}

/** RGBA pixels of a grey image (what the QR decoder takes). */
export function greyToRgba(img: GreyImage): Uint8ClampedArray {
  const n = img.width * img.height;
  const out = new Uint8ClampedArray(n * 4);
  // One 32-bit write a pixel (R = G = B = grey, A = 255); the byte order does not matter
  // since the three colour bytes are equal and alpha is the top or bottom byte alike.
  const px = new Uint32Array(out.buffer, 0, n);
  const alpha = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0xff000000 : 0xff;
  const shift = alpha === 0xff ? 8 : 0;
  const d = img.data;
  for (let i = 0; i < n; i++) px[i] = (((d[i]! * 0x010101) << shift) | alpha) >>> 0;
  return out;
}

/** Bilinear sample; outside the image is white. */
export function sampleGrey(img: GreyImage, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  if (x0 < 0 || y0 < 0 || x0 + 1 >= img.width || y0 + 1 >= img.height) return 255;
  const fx = x - x0;
  const fy = y - y0;
  const i = y0 * img.width + x0;
  const d = img.data;
  const top = d[i]! + (d[i + 1]! - d[i]!) * fx;
  const bottom = d[i + img.width]! + (d[i + img.width + 1]! - d[i + img.width]!) * fx;
  return top + (bottom - top) * fy;
}

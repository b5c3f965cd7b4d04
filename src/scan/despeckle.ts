/**
 * Speckles: a fax or a photocopy thresholded to black and white scatters single black dots
 * over the paper and single white holes through the print. They break a QR code's finder
 * patterns, and summed over a box they look like ink. `speckleShare` measures them,
 * `removeSpecks` removes the isolated ones from a page, and `median3` clears a code's region
 * of clumps too (a 3 × 3 median keeps strokes two pixels wide and more, and the QR modules
 * of a 150 dpi scan are four).
 */
import type { GreyImage } from './grey.ts';

/**
 * Share of the sampled pixels that are isolated dots: darker than 128 with at most one dark
 * neighbour of eight, or lighter with at most one light one. About 0 on a clean scan (the
 * printed text is strokes), several per cent on a speckled fax. Every sixth row is sampled.
 */
export function speckleShare(img: GreyImage): number {
  const { width: W, height: H, data: d } = img;
  let isolated = 0;
  let sampled = 0;
  for (let y = 1; y < H - 1; y += 6) {
    for (let x = 1, i = y * W + 1; x < W - 1; x++, i++) {
      sampled++;
      const dark = d[i]! < 128;
      const a = i - W;
      const b = i + W;
      const same =
        +(d[a - 1]! < 128 === dark) +
        +(d[a]! < 128 === dark) +
        +(d[a + 1]! < 128 === dark) +
        +(d[i - 1]! < 128 === dark) +
        +(d[i + 1]! < 128 === dark) +
        +(d[b - 1]! < 128 === dark) +
        +(d[b]! < 128 === dark) +
        +(d[b + 1]! < 128 === dark);
      if (same <= 1) isolated++;
    }
  }
  return sampled ? isolated / sampled : 0;
}

/** The 3 × 3 median of a grey image (edges copied). */
export function median3(img: GreyImage): GreyImage {
  const { width: W, height: H, data: d } = img;
  const out = new Uint8Array(d);
  const v = new Int32Array(9);
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1, i = y * W + 1; x < W - 1; x++, i++) {
      const a = i - W;
      const b = i + W;
      const c = d[i]!;
      // Fast path: a uniform neighbourhood (most of a black-and-white page) is its own median.
      if (
        d[a - 1] === c &&
        d[a] === c &&
        d[a + 1] === c &&
        d[i - 1] === c &&
        d[i + 1] === c &&
        d[b - 1] === c &&
        d[b] === c &&
        d[b + 1] === c
      )
        continue;
      v[0] = d[a - 1]!;
      v[1] = d[a]!;
      v[2] = d[a + 1]!;
      v[3] = d[i - 1]!;
      v[4] = c;
      v[5] = d[i + 1]!;
      v[6] = d[b - 1]!;
      v[7] = d[b]!;
      v[8] = d[b + 1]!;
      out[i] = median9(v);
    }
  }
  return { width: W, height: H, data: out };
}

/** A partial sorting network (19 exchanges, each putting the smaller value first) that leaves the median of nine in the middle. */
const MEDIAN_NETWORK: readonly number[] = [
  1, 2, 4, 5, 7, 8, 0, 1, 3, 4, 6, 7, 1, 2, 4, 5, 7, 8, 0, 3, 5, 8, 4, 7, 3, 6, 1, 4, 2, 5, 4, 7, 4, 2, 6, 4, 4, 2,
];

/** The median of the nine values in `v` (reordered in place). */
function median9(v: Int32Array): number {
  for (let k = 0; k < MEDIAN_NETWORK.length; k += 2) {
    const p = MEDIAN_NETWORK[k]!;
    const q = MEDIAN_NETWORK[k + 1]!;
    const x = v[p]!;
    const y = v[q]!;
    if (x > y) {
      v[p] = y;
      v[q] = x;
    }
  }
  return v[4]!;
}

/**
 * Removes isolated dots only: a pixel with at most one neighbour (of eight) on its side of
 * mid-grey takes the mean of its neighbours. Gentler than the median: a stroke one pixel
 * wide (a faint tick at 150 dpi) keeps two neighbours along itself and stays.
 */
export function removeSpecks(img: GreyImage): GreyImage {
  const { width: W, height: H, data: d } = img;
  const out = new Uint8Array(d);
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1, i = y * W + 1; x < W - 1; x++, i++) {
      const dark = d[i]! < 128;
      const a = i - W;
      const b = i + W;
      const same =
        +(d[a - 1]! < 128 === dark) +
        +(d[a]! < 128 === dark) +
        +(d[a + 1]! < 128 === dark) +
        +(d[i - 1]! < 128 === dark) +
        +(d[i + 1]! < 128 === dark) +
        +(d[b - 1]! < 128 === dark) +
        +(d[b]! < 128 === dark) +
        +(d[b + 1]! < 128 === dark);
      if (same > 1) continue;
      out[i] = (d[a - 1]! + d[a]! + d[a + 1]! + d[i - 1]! + d[i + 1]! + d[b - 1]! + d[b]! + d[b + 1]! + 4) >> 3;
    }
  }
  return { width: W, height: H, data: out };
}

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
// eslint-disable-next-line max-lines-per-function -- still to be split into named steps (docs/architecture.md)
export function median3(img: GreyImage): GreyImage {
  const { width: W, height: H, data: d } = img;
  const out = new Uint8Array(d);
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
      let p0 = d[a - 1]!,
        p1 = d[a]!,
        p2 = d[a + 1]!,
        p3 = d[i - 1]!,
        p4 = c,
        p5 = d[i + 1]!,
        p6 = d[b - 1]!,
        p7 = d[b]!,
        p8 = d[b + 1]!,
        t = 0;
      // A partial sorting network (19 exchanges) that leaves the median in p4.
      if (p1 > p2) {
        t = p1;
        p1 = p2;
        p2 = t;
      }
      if (p4 > p5) {
        t = p4;
        p4 = p5;
        p5 = t;
      }
      if (p7 > p8) {
        t = p7;
        p7 = p8;
        p8 = t;
      }
      if (p0 > p1) {
        t = p0;
        p0 = p1;
        p1 = t;
      }
      if (p3 > p4) {
        t = p3;
        p3 = p4;
        p4 = t;
      }
      if (p6 > p7) {
        t = p6;
        p6 = p7;
        p7 = t;
      }
      if (p1 > p2) {
        t = p1;
        p1 = p2;
        p2 = t;
      }
      if (p4 > p5) {
        t = p4;
        p4 = p5;
        p5 = t;
      }
      if (p7 > p8) {
        t = p7;
        p7 = p8;
        p8 = t;
      }
      if (p0 > p3) {
        t = p0;
        p0 = p3;
        p3 = t;
      }
      if (p5 > p8) {
        t = p5;
        p5 = p8;
        p8 = t;
      }
      if (p4 > p7) {
        t = p4;
        p4 = p7;
        p7 = t;
      }
      if (p3 > p6) {
        t = p3;
        p3 = p6;
        p6 = t;
      }
      if (p1 > p4) {
        t = p1;
        p1 = p4;
        p4 = t;
      }
      if (p2 > p5) {
        t = p2;
        p2 = p5;
        p5 = t;
      }
      if (p4 > p7) {
        t = p4;
        p4 = p7;
        p7 = t;
      }
      if (p4 > p2) {
        t = p4;
        p4 = p2;
        p2 = t;
      }
      if (p6 > p4) {
        t = p6;
        p6 = p4;
        p4 = t;
      }
      if (p4 > p2) {
        t = p4;
        p4 = p2;
        p2 = t;
      }
      out[i] = p4;
    }
  }
  return { width: W, height: H, data: out };
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

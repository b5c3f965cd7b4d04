/**
 * Registration marks: finding one solid square mark (page.ts `REGISTRATION_MARKS`, 6 mm)
 * near where it is expected, as the connected dark blob of the right size and shape.
 * Marks cut by the scanner's edge, specks, text and shadows are told apart by size,
 * squareness and fill.
 */
import { MARK_SIZE, type Point } from '../layout/page.ts';
import type { GreyImage } from './grey.ts';

export interface FoundMark {
  /** Centre of the blob, working-image pixels. */
  centre: Point;
  /** Area in pixels. */
  area: number;
  /** Area over bounding-box area (1 for an upright solid square). */
  fill: number;
  /** Mean grey level inside the mark: the page's ink level. */
  inkLevel: number;
  /** Grey level of the paper around it. */
  paperLevel: number;
}

/** How far from its predicted position a mark is looked for, millimetres. */
export const MARK_SEARCH_RADIUS = 10;

/**
 * Finds the registration mark expected at `expected` (pixels), `pxPerMm` pixels a
 * millimetre. Returns the mark, or why none qualified.
 */
export function findMark(
  img: GreyImage,
  expected: Point,
  pxPerMm: number,
  radiusMm = MARK_SEARCH_RADIUS,
): { mark: FoundMark | null; reason: string } {
  const r = Math.ceil((radiusMm + MARK_SIZE) * pxPerMm);
  const win: Window = {
    x0: Math.max(0, Math.floor(expected.x - r)),
    y0: Math.max(0, Math.floor(expected.y - r)),
    x1: Math.min(img.width, Math.ceil(expected.x + r)),
    y1: Math.min(img.height, Math.ceil(expected.y + r)),
  };
  const w = win.x1 - win.x0;
  const h = win.y1 - win.y0;
  if (w < MARK_SIZE * pxPerMm * 0.5 || h < MARK_SIZE * pxPerMm * 0.5)
    return { mark: null, reason: 'its place is outside the scanned image (margin cut)' };
  const hist = new Uint32Array(256);
  for (let y = win.y0; y < win.y1; y++) for (let x = win.x0; x < win.x1; x++) hist[img.data[y * img.width + x]!]!++;
  const paper = percentile(hist, w * h, 0.9);
  const dark = percentile(hist, w * h, 0.01);
  if (paper - dark < 40) return { mark: null, reason: 'nothing dark where it should be' };
  const threshold = (paper + dark) / 2;
  // Connected components (4-neighbour) of dark pixels in the window.
  const labels = new Int32Array(w * h);
  const stack = new Int32Array(w * h);
  const expectedArea = (MARK_SIZE * pxPerMm) ** 2;
  let best: FoundMark | null = null;
  let bestDist = Infinity;
  let label = 0;
  let sawCut = false;
  for (let si = 0; si < w * h; si++) {
    if (labels[si] || img.data[(win.y0 + Math.floor(si / w)) * img.width + win.x0 + (si % w)]! > threshold) continue;
    const blob = floodDark(img, win, threshold, si, ++label, labels, stack);
    if (touchesImageEdge(blob, win, img)) {
      // Part of a mark (or of anything else) at the scan's edge: its centre cannot be trusted.
      if (blob.area > expectedArea * 0.1 && blob.area < expectedArea * 1.2) sawCut = true;
      continue;
    }
    if (!looksLikeMark(blob, pxPerMm)) continue;
    const c = { x: win.x0 + blob.sumX / blob.area + 0.5, y: win.y0 + blob.sumY / blob.area + 0.5 };
    const dist = Math.hypot(c.x - expected.x, c.y - expected.y);
    if (dist < bestDist) {
      bestDist = dist;
      const fill = blob.area / ((blob.maxX - blob.minX + 1) * (blob.maxY - blob.minY + 1));
      best = { centre: c, area: blob.area, fill, inkLevel: blob.sumV / blob.area, paperLevel: paper };
    }
  }
  if (best) return { mark: best, reason: '' };
  return {
    mark: null,
    reason: sawCut ? 'it is cut by the edge of the scan' : 'no solid square of the right size near its place',
  };
}

/** The part of the image searched, pixels (x1, y1 exclusive). */
interface Window {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A connected dark blob: area, sums for its centre and grey, bounding box (window pixels). */
interface Blob {
  area: number;
  sumX: number;
  sumY: number;
  sumV: number;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

/** Labels the 4-connected blob of pixels at or below `threshold` holding window pixel `start`. */
function floodDark(
  img: GreyImage,
  win: Window,
  threshold: number,
  start: number,
  label: number,
  labels: Int32Array,
  stack: Int32Array,
): Blob {
  const w = win.x1 - win.x0;
  const h = win.y1 - win.y0;
  const sx = start % w;
  const sy = (start - sx) / w;
  const b: Blob = { area: 0, sumX: 0, sumY: 0, sumV: 0, minX: sx, maxX: sx, minY: sy, maxY: sy };
  let top = 0;
  stack[top++] = start;
  labels[start] = label;
  while (top > 0) {
    const i = stack[--top]!;
    const px = i % w;
    const py = (i - px) / w;
    b.area++;
    b.sumX += px;
    b.sumY += py;
    b.sumV += img.data[(win.y0 + py) * img.width + win.x0 + px]!;
    if (px < b.minX) b.minX = px;
    if (px > b.maxX) b.maxX = px;
    if (py < b.minY) b.minY = py;
    if (py > b.maxY) b.maxY = py;
    // The four neighbours, inline: this loop runs for every dark pixel near every mark.
    for (let k = 0; k < 4; k++) {
      const j =
        k === 0
          ? px > 0
            ? i - 1
            : -1
          : k === 1
            ? px < w - 1
              ? i + 1
              : -1
            : k === 2
              ? py > 0
                ? i - w
                : -1
              : py < h - 1
                ? i + w
                : -1;
      if (j < 0 || labels[j]) continue;
      const jx = j % w;
      if (img.data[(win.y0 + (j - jx) / w) * img.width + win.x0 + jx]! <= threshold) {
        labels[j] = label;
        stack[top++] = j;
      }
    }
  }
  return b;
}

function touchesImageEdge(b: Blob, win: Window, img: GreyImage): boolean {
  const w = win.x1 - win.x0;
  const h = win.y1 - win.y0;
  return (
    (b.minX === 0 && win.x0 === 0) ||
    (b.minY === 0 && win.y0 === 0) ||
    (b.maxX === w - 1 && win.x1 === img.width) ||
    (b.maxY === h - 1 && win.y1 === img.height)
  );
}

/** A solid square of about the mark's size: area, sides and fill. */
function looksLikeMark(b: Blob, pxPerMm: number): boolean {
  const side = MARK_SIZE * pxPerMm;
  const expectedArea = side * side;
  if (b.area < expectedArea * 0.45 || b.area > expectedArea * 1.8) return false;
  const bw = b.maxX - b.minX + 1;
  const bh = b.maxY - b.minY + 1;
  if (bw < side * 0.7 || bh < side * 0.7 || bw > side * 1.5 || bh > side * 1.5) return false;
  return b.area / (bw * bh) >= 0.6;
}

/** The grey level below which `q` of the pixels lie. */
function percentile(hist: Uint32Array, total: number, q: number): number {
  const target = total * q;
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += hist[v]!;
    if (acc >= target) return v;
  }
  return 255;
}

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
// eslint-disable-next-line max-lines-per-function -- still to be split into named steps (docs/architecture.md)
export function findMark(
  img: GreyImage,
  expected: Point,
  pxPerMm: number,
  radiusMm = MARK_SEARCH_RADIUS,
): { mark: FoundMark | null; reason: string } {
  const r = Math.ceil((radiusMm + MARK_SIZE) * pxPerMm);
  const x0 = Math.max(0, Math.floor(expected.x - r));
  const y0 = Math.max(0, Math.floor(expected.y - r));
  const x1 = Math.min(img.width, Math.ceil(expected.x + r));
  const y1 = Math.min(img.height, Math.ceil(expected.y + r));
  const w = x1 - x0;
  const h = y1 - y0;
  if (w < MARK_SIZE * pxPerMm * 0.5 || h < MARK_SIZE * pxPerMm * 0.5)
    return { mark: null, reason: 'its place is outside the scanned image (margin cut)' };
  const hist = new Uint32Array(256);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) hist[img.data[y * img.width + x]!]!++;
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
  for (let sy = 0; sy < h; sy++) {
    for (let sx = 0; sx < w; sx++) {
      const si = sy * w + sx;
      if (labels[si] || img.data[(y0 + sy) * img.width + x0 + sx]! > threshold) continue;
      label++;
      let top = 0;
      stack[top++] = si;
      labels[si] = label;
      let area = 0;
      let sumX = 0;
      let sumY = 0;
      let sumV = 0;
      let minX = sx;
      let maxX = sx;
      let minY = sy;
      let maxY = sy;
      while (top > 0) {
        const i = stack[--top]!;
        const px = i % w;
        const py = (i - px) / w;
        area++;
        sumX += px;
        sumY += py;
        sumV += img.data[(y0 + py) * img.width + x0 + px]!;
        if (px < minX) minX = px;
        if (px > maxX) maxX = px;
        if (py < minY) minY = py;
        if (py > maxY) maxY = py;
        // The four neighbours, inline: this loop runs for every dark pixel near every mark.
        for (let k = 0; k < 4; k++) {
          let j: number;
          if (k === 0) j = px > 0 ? i - 1 : -1;
          else if (k === 1) j = px < w - 1 ? i + 1 : -1;
          else if (k === 2) j = py > 0 ? i - w : -1;
          else j = py < h - 1 ? i + w : -1;
          if (j < 0 || labels[j]) continue;
          const jx = j % w;
          if (img.data[(y0 + (j - jx) / w) * img.width + x0 + jx]! <= threshold) {
            labels[j] = label;
            stack[top++] = j;
          }
        }
      }
      const touchesImageEdge =
        (minX === 0 && x0 === 0) ||
        (minY === 0 && y0 === 0) ||
        (maxX === w - 1 && x1 === img.width) ||
        (maxY === h - 1 && y1 === img.height);
      if (touchesImageEdge) {
        // Part of a mark (or of anything else) at the scan's edge: its centre cannot be trusted.
        if (area > expectedArea * 0.1 && area < expectedArea * 1.2) sawCut = true;
        continue;
      }
      if (area < expectedArea * 0.45 || area > expectedArea * 1.8) continue;
      const bw = maxX - minX + 1;
      const bh = maxY - minY + 1;
      const side = MARK_SIZE * pxPerMm;
      if (bw < side * 0.7 || bh < side * 0.7 || bw > side * 1.5 || bh > side * 1.5) continue;
      const fill = area / (bw * bh);
      if (fill < 0.6) continue;
      const c = { x: x0 + sumX / area + 0.5, y: y0 + sumY / area + 0.5 };
      const dist = Math.hypot(c.x - expected.x, c.y - expected.y);
      if (dist < bestDist) {
        bestDist = dist;
        best = { centre: c, area, fill, inkLevel: sumV / area, paperLevel: paper };
      }
    }
  }
  if (best) return { mark: best, reason: '' };
  return {
    mark: null,
    reason: sawCut ? 'it is cut by the edge of the scan' : 'no solid square of the right size near its place',
  };
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

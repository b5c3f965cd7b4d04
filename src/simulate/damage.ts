/**
 * What comes back worse than a scanner makes it: a black-and-white page faxed at 200 dpi or
 * less, sprinkled with impulse speckles (single pixels flipped), and a record form whose QR
 * codes were torn off or covered (the visit id printed under the top-right code and in the
 * 回访编号 cell stays). Drawn from their own random stream, so that adding them changed no
 * page of an existing seed that does not get them.
 */
import { QR_CODES, type Rect } from '../layout/page.ts';
import type { Degradation, RawImage } from './degrade.ts';
import type { Random } from './random.ts';

export interface Damage {
  /** Share of the pixels flipped black↔white (a speckled fax), or null. */
  impulse: number | null;
  /** Both QR codes torn off or covered. */
  codesTorn: boolean;
}

/** Chooses and applies the damage of one page (in place); `pageToImage` maps page mm to image pixels. */
export function damagePage(
  image: RawImage,
  d: Degradation,
  pageToImage: readonly number[],
  kind: string,
  hard: boolean,
  rng: Random,
): Damage {
  const impulse =
    d.colour === 'bw' && d.dpi <= 200 && rng.chance(0.35) ? Math.round(rng.range(0.01, 0.03) * 1e4) / 1e4 : null;
  const codesTorn = kind === 'form' && !hard && rng.chance(0.04);
  if (codesTorn) {
    const white = d.colour === 'bw' ? 255 : 246;
    // Each code with 2 mm around it, short of the caption under the top-right one (30.5 mm).
    for (const r of [
      { ...QR_CODES.topRight, y: QR_CODES.topRight.y - 2, height: QR_CODES.topRight.height + 2.2 },
      grow(QR_CODES.bottomLeft, 2),
    ])
      fillQuad(image, r, pageToImage, white);
  }
  if (impulse !== null) {
    const px = image.data;
    for (let i = 0; i < px.length; i++) if (rng.next() < impulse) px[i] = 255 - px[i]!;
  }
  return { impulse, codesTorn };
}

const grow = (r: Rect, by: number): Rect => ({
  x: r.x - by,
  y: r.y - by,
  width: r.width + 2 * by,
  height: r.height + 2 * by,
});

/** Paints a page rectangle, as it lies in the image (a quadrilateral), with one grey level. */
function fillQuad(img: RawImage, r: Rect, m: readonly number[], value: number): void {
  const map = (x: number, y: number) => {
    const w = m[6]! * x + m[7]! * y + m[8]!;
    return { x: (m[0]! * x + m[1]! * y + m[2]!) / w, y: (m[3]! * x + m[4]! * y + m[5]!) / w };
  };
  const q = [map(r.x, r.y), map(r.x + r.width, r.y), map(r.x + r.width, r.y + r.height), map(r.x, r.y + r.height)];
  const x0 = Math.max(0, Math.floor(Math.min(...q.map((p) => p.x))));
  const x1 = Math.min(img.width - 1, Math.ceil(Math.max(...q.map((p) => p.x))));
  const y0 = Math.max(0, Math.floor(Math.min(...q.map((p) => p.y))));
  const y1 = Math.min(img.height - 1, Math.ceil(Math.max(...q.map((p) => p.y))));
  // Inside a convex quadrilateral: on the same side of all four edges.
  const side = (a: { x: number; y: number }, b: { x: number; y: number }, x: number, y: number) =>
    Math.sign((b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x));
  const turn = side(q[0]!, q[1]!, q[2]!.x, q[2]!.y);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if ([0, 1, 2, 3].some((i) => side(q[i]!, q[(i + 1) % 4]!, x + 0.5, y + 0.5) === -turn)) continue;
      const at = (y * img.width + x) * img.channels;
      for (let c = 0; c < img.channels; c++) img.data[at + c] = value;
    }
  }
}

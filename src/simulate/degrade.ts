/**
 * What scanners, photocopiers and phone cameras do to a page: skew, upside-down feeding,
 * scale and shift, cut edges, a mild perspective when photographed, uneven light and
 * shadows, blur, noise and dust, grey or black-and-white output. The geometry is one
 * projective transform from page millimetres to output pixels, recorded in the truth so
 * that alignment can be checked exactly.
 */
import sharp from 'sharp';
import { A4, QR_CODES, REGISTRATION_MARKS, type Rect } from '../layout/page.ts';
import type { Random } from './random.ts';

export type Colour = 'colour' | 'grey' | 'bw';

/** Millimetres cut off each edge of the page image. */
export interface Cut {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface Shadow {
  /** The edge the shadow darkens towards. */
  edge: 'top' | 'right' | 'bottom' | 'left';
  /** Darkening at that edge, 0–1. */
  strength: number;
  /** How far into the page (mm) it reaches. */
  reach: number;
}

export interface Noise {
  /** Standard deviation of grain, in grey levels of 255. */
  grain: number;
  /** Dust specks per 100 cm². */
  specks: number;
}

/** How one page was degraded: chosen before the work, recorded in the truth. */
export interface Degradation {
  dpi: number;
  skewDeg: number;
  rotated180: boolean;
  scale: number;
  shiftMm: { x: number; y: number };
  colour: Colour;
  /** Threshold used for black-and-white output (0–255), else null. */
  threshold: number | null;
  cut: Cut;
  noise: Noise;
  shadow: Shadow | null;
  /** Blur (Gaussian sigma in pixels) of a soft photocopy or camera; 0 for none. */
  blur: number;
  photographed: boolean;
  /** Page corners displaced (mm) when photographed: top-left, top-right, bottom-right, bottom-left. */
  perspective: { x: number; y: number }[] | null;
  /** A phone photo (`phone.ts`): the camera's frame, light and shadow; null (or absent) for a scanner. */
  phone?: PhoneShot | null;
}

/** What a phone camera adds to a photographed page (planned by `planPhoneShot`). */
export interface PhoneShot {
  /** The frame in pixels, portrait (12 MP: 3024 × 4032); the page lies in it at `Degradation.dpi` × scale. */
  width: number;
  height: number;
  /** The resolution written into the JPEG, as phones write it (72): it says nothing of the page. */
  fileDpi: number;
  /** The camera held at an angle: how much nearer (negative) or farther (positive) the top and right edges are, as a share of the distance. */
  tilt: { forward: number; side: number };
  /** Light falling off across the frame: from the direction `fromDeg` (0 = from the left, 90 = from the top), losing `drop` (0–1) across it. */
  light: { fromDeg: number; drop: number };
  /** The shadow of the phone or the hand: a half-plane at `angleDeg`, its edge `offset` (share of the half diagonal) from the centre, soft over `softness` mm. */
  castShadow: { angleDeg: number; offset: number; softness: number; strength: number } | null;
  /** Red, green, blue gain of the room's light (warm lamps: blue low). */
  whiteBalance: [number, number, number];
  /** Colour of the table around the sheet. */
  table: [number, number, number];
}

/** Scan settings for one file or batch; pages differ in the rest. */
export interface ScanSettings {
  dpi: number;
  colour: Colour;
  photographed: boolean;
}

/** Chooses the page-level degradation; `hard` allows cutting into a registration mark. */
export function planDegradation(settings: ScanSettings, rng: Random, hard: boolean): Degradation {
  const { dpi, colour, photographed } = settings;
  const bigSkew = rng.chance(0.15);
  const skewDeg = round2(
    photographed ? rng.range(-4, 4) : bigSkew ? rng.range(2.5, 5) * (rng.chance(0.5) ? -1 : 1) : rng.normal(0, 0.9),
  );
  const cut: Cut = { top: 0, right: 0, bottom: 0, left: 0 };
  if (hard) {
    const edge = rng.pick(['top', 'right', 'bottom', 'left'] as const);
    cut[edge] = round2(rng.range(13, 16));
  } else if (!photographed && rng.chance(0.25)) {
    const edge = rng.pick(['top', 'right', 'bottom', 'left'] as const);
    cut[edge] = round2(rng.range(1.5, 6));
  }
  const shadow: Shadow | null =
    photographed || rng.chance(0.2)
      ? {
          edge: rng.pick(['top', 'right', 'bottom', 'left'] as const),
          strength: round2(rng.range(0.15, photographed ? 0.45 : 0.4)),
          reach: round2(rng.range(20, 90)),
        }
      : null;
  return {
    dpi,
    skewDeg: clamp(skewDeg, -5, 5),
    rotated180: rng.chance(0.15),
    scale: round4(photographed ? rng.range(0.8, 0.9) : rng.chance(0.3) ? rng.range(0.97, 1.02) : 1),
    shiftMm: { x: round2(rng.range(-2.5, 2.5)), y: round2(rng.range(-2.5, 2.5)) },
    colour,
    threshold: colour === 'bw' ? rng.int(120, 170) : null,
    cut,
    noise: {
      grain: round2(rng.chance(0.5) ? rng.range(0, 4) : rng.range(4, 12)),
      specks: round2(rng.chance(0.6) ? rng.range(0, 2) : rng.range(2, 12)),
    },
    shadow,
    blur: round2(photographed ? rng.range(0.5, 1.2) : rng.chance(0.3) ? rng.range(0.3, 0.9) : 0),
    photographed,
    perspective: photographed
      ? [0, 1, 2, 3].map(() => ({ x: round2(rng.normal(0, 4)), y: round2(rng.normal(0, 4)) }))
      : null,
    phone: null,
  };
}

export const round2 = (n: number): number => Math.round(n * 100) / 100;
export const round4 = (n: number): number => Math.round(n * 10000) / 10000;
const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, n));

/** 3×3 matrix, row-major. */
export type Matrix = [number, number, number, number, number, number, number, number, number];

export interface Geometry {
  /** Output image size in pixels. */
  width: number;
  height: number;
  /** Page millimetres → output pixels. */
  pageToImage: Matrix;
  /** Which registration marks (TL, TR, BR, BL) and QR codes (top-right, bottom-left) lie wholly in the image. */
  marksInside: boolean[];
  qrInside: boolean[];
}

/** Where the page lands in the output image. */
export function geometryOf(d: Degradation): Geometry {
  const k = d.dpi / 25.4;
  const bedW = A4.width;
  const bedH = A4.height;
  // A phone's frame is fixed in pixels, the page in its middle; a scanner's is the bed.
  const marginX = d.phone ? (d.phone.width / k - bedW) / 2 : d.photographed ? 14 : 0;
  const marginY = d.phone ? (d.phone.height / k - bedH) / 2 : d.photographed ? 14 : 0;
  const outWmm = bedW + 2 * marginX;
  const outHmm = bedH + 2 * marginY;
  // Corners of the page after scale, skew, shift and 180° turn, in output millimetres (before the cut).
  const cx = bedW / 2;
  const cy = bedH / 2;
  const a = ((d.skewDeg + (d.rotated180 ? 180 : 0)) * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const corners = [
    { x: 0, y: 0 },
    { x: A4.width, y: 0 },
    { x: A4.width, y: A4.height },
    { x: 0, y: A4.height },
  ];
  const dst = corners.map((p, i) => {
    const dx = (p.x - cx) * d.scale;
    const dy = (p.y - cy) * d.scale;
    const per = d.perspective?.[i] ?? { x: 0, y: 0 };
    return {
      x: (marginX + cx + dx * cos - dy * sin + d.shiftMm.x + per.x - d.cut.left) * k,
      y: (marginY + cy + dx * sin + dy * cos + d.shiftMm.y + per.y - d.cut.top) * k,
    };
  });
  const pageToImage = homography(corners, dst);
  const width = d.phone?.width ?? Math.round((outWmm - d.cut.left - d.cut.right) * k);
  const height = d.phone?.height ?? Math.round((outHmm - d.cut.top - d.cut.bottom) * k);
  const insideRect = (r: Rect, pad: number): boolean =>
    [
      [r.x - pad, r.y - pad],
      [r.x + r.width + pad, r.y - pad],
      [r.x + r.width + pad, r.y + r.height + pad],
      [r.x - pad, r.y + r.height + pad],
    ].every(([x, y]) => {
      const p = apply(pageToImage, x!, y!);
      return p.x >= 0 && p.y >= 0 && p.x < width && p.y < height;
    });
  return {
    width,
    height,
    pageToImage,
    marksInside: REGISTRATION_MARKS.map((r) => insideRect(r, 0.5)),
    qrInside: [QR_CODES.topRight, QR_CODES.bottomLeft].map((r) => insideRect(r, 2)),
  };
}

export function apply(m: Matrix, x: number, y: number): { x: number; y: number } {
  const w = m[6] * x + m[7] * y + m[8];
  return { x: (m[0] * x + m[1] * y + m[2]) / w, y: (m[3] * x + m[4] * y + m[5]) / w };
}

/** The projective transform taking four points to four points (solved as an 8×8 system). */
function homography(src: { x: number; y: number }[], dst: { x: number; y: number }[]): Matrix {
  const A: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < 4; i++) {
    const { x, y } = src[i]!;
    const { x: u, y: v } = dst[i]!;
    A.push([x, y, 1, 0, 0, 0, -u * x, -u * y]);
    b.push(u);
    A.push([0, 0, 0, x, y, 1, -v * x, -v * y]);
    b.push(v);
  }
  const h = solve(A, b);
  return [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!, 1];
}

function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    const pivot = M[c]![c]!;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const factor = M[r]![c]! / pivot;
      if (factor === 0) continue;
      for (let k = c; k <= n; k++) M[r]![k]! -= factor * M[c]![k]!;
    }
  }
  return M.map((row, i) => row[n]! / row[i]!);
}

function invert(m: Matrix): Matrix {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    A / det,
    -(b * i - c * h) / det,
    (b * f - c * e) / det,
    B / det,
    (a * i - c * g) / det,
    -(a * f - c * d) / det,
    C / det,
    -(a * h - b * g) / det,
    (a * e - b * d) / det,
  ];
}

/** A raw image: `channels` bytes a pixel (1 grey, 3 RGB). */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Buffer;
}

/**
 * Applies a degradation to a filled page (`page`: RGB at `d.dpi`, covering the A4 page
 * from its top-left corner). Returns the output image (grey for grey and black-and-white).
 */
export async function degradePage(
  page: RawImage,
  d: Degradation,
  rng: Random,
): Promise<{ image: RawImage; geometry: Geometry }> {
  const geometry = geometryOf(d);
  const src = d.colour === 'colour' ? page : toGrey(page);
  const k = d.dpi / 25.4;
  // Output pixel → page pixel.
  const toPagePx: Matrix = [k, 0, 0, 0, k, 0, 0, 0, 1];
  const inv = multiply(toPagePx, invert(geometry.pageToImage));
  const background = d.phone?.table ?? (d.photographed ? [96, 84, 70] : [246, 246, 244]);
  const paper =
    d.colour === 'colour' ? [rng.range(0.96, 1), rng.range(0.95, 1), rng.range(0.9, 0.99)] : [rng.range(0.94, 1)];
  const tint = d.phone && d.colour === 'colour' ? paper.map((t, c) => t * d.phone!.whiteBalance[c]!) : paper;
  const light = lightingOf(d, geometry);
  let image = warp(src, geometry.width, geometry.height, inv, background, tint, light, d.noise.grain, rng);
  if (d.blur >= 0.3) {
    let blurred = sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
    // A one-channel raw image must stay grey: sharp would otherwise hand back sRGB.
    if (image.channels === 1) blurred = blurred.toColourspace('b-w');
    const { data, info } = await blurred.blur(d.blur).raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== image.channels)
      throw new Error(`blur changed the page image from ${image.channels} to ${info.channels} channels`);
    image = { ...image, data };
  }
  if (d.colour === 'bw') threshold(image, d.threshold ?? 150);
  specks(image, d, rng);
  return { image, geometry };
}

function multiply(a: Matrix, b: Matrix): Matrix {
  const out = new Array<number>(9);
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++)
      out[r * 3 + c] = a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!;
  return out as Matrix;
}

function toGrey(img: RawImage): RawImage {
  if (img.channels === 1) return img;
  const n = img.width * img.height;
  const out = Buffer.allocUnsafe(n);
  const s = img.data;
  for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = (77 * s[j]! + 150 * s[j + 1]! + 29 * s[j + 2]! + 128) >> 8;
  return { width: img.width, height: img.height, channels: 1, data: out };
}

/** A per-pixel light factor as a function of output position (shadow towards an edge, camera vignette). */
function lightingOf(d: Degradation, g: Geometry): ((x: number, y: number) => number) | null {
  const k = d.dpi / 25.4;
  const parts: ((x: number, y: number) => number)[] = [];
  if (d.shadow) {
    const { edge, strength, reach } = d.shadow;
    const r = reach * k;
    const dist =
      edge === 'left'
        ? (x: number) => x
        : edge === 'right'
          ? (x: number) => g.width - x
          : edge === 'top'
            ? (_x: number, y: number) => y
            : (_x: number, y: number) => g.height - y;
    parts.push((x, y) => {
      const t = 1 - Math.min(1, dist(x, y) / r);
      return 1 - strength * t * t;
    });
  }
  if (d.photographed) {
    const cx = g.width / 2;
    const cy = g.height / 2;
    const r2 = cx * cx + cy * cy;
    parts.push((x, y) => 1 - 0.25 * (((x - cx) * (x - cx) + (y - cy) * (y - cy)) / r2));
  }
  if (d.phone) parts.push(...phoneLighting(d.phone, k));
  if (parts.length === 0) return null;
  return (x, y) => parts.reduce((v, p) => v * p(x, y), 1);
}

/** A phone photo's light: falling off across the frame from the lamp's side, and the soft shadow of the phone or hand. */
function phoneLighting(p: PhoneShot, k: number): ((x: number, y: number) => number)[] {
  const cx = p.width / 2;
  const cy = p.height / 2;
  const half = Math.hypot(cx, cy);
  const a = (p.light.fromDeg * Math.PI) / 180;
  const lx = Math.cos(a);
  const ly = Math.sin(a);
  const parts = [(x: number, y: number) => 1 - p.light.drop * (0.5 + (0.5 * ((x - cx) * lx + (y - cy) * ly)) / half)];
  const s = p.castShadow;
  if (s) {
    const b = (s.angleDeg * Math.PI) / 180;
    const nx = Math.cos(b);
    const ny = Math.sin(b);
    const soft = Math.max(1, s.softness * k);
    parts.push((x, y) => {
      // Signed distance past the shadow's edge, smoothed over `soft` pixels.
      const t = Math.min(1, Math.max(0, (((x - cx) * nx + (y - cy) * ny - s.offset * half) / soft + 1) / 2));
      return 1 - s.strength * t * t * (3 - 2 * t);
    });
  }
  return parts;
}

/**
 * Inverse-maps every output pixel into the page (bilinear), with background outside it,
 * paper tint, lighting and grain. Lighting is evaluated every 16 pixels and interpolated.
 */
function warp(
  src: RawImage,
  width: number,
  height: number,
  inv: Matrix,
  background: number[],
  tint: number[],
  light: ((x: number, y: number) => number) | null,
  grain: number,
  rng: Random,
): RawImage {
  const ch = src.channels;
  const out = new Uint8Array(width * height * ch);
  const bg = ch === 1 ? [Math.round(0.3 * background[0]! + 0.59 * background[1]! + 0.11 * background[2]!)] : background;
  // Grain: a table of normal samples walked by a cheap xorshift.
  const table = new Float32Array(4096);
  for (let i = 0; i < table.length; i++) table[i] = grain > 0 ? rng.normal(0, grain) : 0;
  const seed = (rng.int(1, 0x7fffffff) | 1) >>> 0;
  const step = 16;
  const lightRow = new Float32Array(width);
  const factor = new Float32Array(width * ch);
  const src8 = new Uint8Array(src.data.buffer, src.data.byteOffset, src.data.length);
  let xs = seed;
  for (let y = 0; y < height; y++) {
    if (light) {
      for (let x = 0; x < width; x += step) lightRow[x] = light(x, y);
      lightRow[width - 1] = light(width - 1, y);
      for (let x = 0; x < width; x++) {
        const r = x % step;
        if (r === 0 || x === width - 1) continue;
        const x0 = x - r;
        const x1 = Math.min(width - 1, x0 + step);
        lightRow[x] = lightRow[x0]! + ((lightRow[x1]! - lightRow[x0]!) * (x - x0)) / (x1 - x0);
      }
    } else lightRow.fill(1);
    for (let x = 0, k = 0; x < width; x++) for (let c = 0; c < ch; c++, k++) factor[k] = lightRow[x]! * tint[c]!;
    xs = warpRow(src8, src.width, src.height, ch, out, y * width * ch, width, y, inv, bg, factor, table, xs);
  }
  return { width, height, channels: ch, data: Buffer.from(out.buffer, out.byteOffset, out.length) };
}

/** One output row; returns the grain generator's state. Kept small and monomorphic for speed. */
function warpRow(
  s: Uint8Array,
  sw: number,
  sh: number,
  ch: number,
  out: Uint8Array,
  o: number,
  width: number,
  y: number,
  m: Matrix,
  bg: number[],
  factor: Float32Array,
  table: Float32Array,
  state: number,
): number {
  let nx = m[0] * 0.5 + m[1] * (y + 0.5) + m[2];
  let ny = m[3] * 0.5 + m[4] * (y + 0.5) + m[5];
  let nw = m[6] * 0.5 + m[7] * (y + 0.5) + m[8];
  const dx = m[0];
  const dy = m[3];
  const dw = m[6];
  const maxX = sw - 1;
  const maxY = sh - 1;
  let xs = state;
  for (let x = 0; x < width; x++) {
    const px = nx / nw - 0.5;
    const py = ny / nw - 0.5;
    nx += dx;
    ny += dy;
    nw += dw;
    xs ^= xs << 13;
    xs ^= xs >>> 17;
    xs ^= xs << 5;
    const noise = table[xs & 4095]!;
    const fk = x * ch;
    if (px < 0 || py < 0 || px >= maxX || py >= maxY) {
      for (let c = 0; c < ch; c++) {
        const v = bg[c]! * factor[fk + c]! + noise;
        out[o++] = v < 0 ? 0 : v > 255 ? 255 : v + 0.5;
      }
      continue;
    }
    const x0 = px | 0;
    const y0 = py | 0;
    const fx = px - x0;
    const fy = py - y0;
    const i00 = (y0 * sw + x0) * ch;
    const i01 = i00 + sw * ch;
    for (let c = 0; c < ch; c++) {
      const a = s[i00 + c]!;
      const b = s[i00 + ch + c]!;
      const d = s[i01 + c]!;
      const e = s[i01 + ch + c]!;
      const top = a + (b - a) * fx;
      const v = (top + (d + (e - d) * fx - top) * fy) * factor[fk + c]! + noise;
      out[o++] = v < 0 ? 0 : v > 255 ? 255 : v + 0.5;
    }
  }
  return xs;
}

function threshold(img: RawImage, t: number): void {
  const d = img.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i]! < t ? 0 : 255;
}

/** Dust and toner specks: small dark blots (and, on black-and-white, a few white holes). */
function specks(img: RawImage, d: Degradation, rng: Random): void {
  const areaCm2 = (img.width * img.height) / ((d.dpi / 2.54) * (d.dpi / 2.54));
  const count = Math.round((d.noise.specks * areaCm2) / 100);
  const ch = img.channels;
  for (let i = 0; i < count; i++) {
    const r = Math.max(1, Math.round(rng.range(0.05, 0.25) * (d.dpi / 25.4)));
    const cx = rng.int(0, img.width - 1);
    const cy = rng.int(0, img.height - 1);
    // A black-and-white page holds only black and white: its specks are black (toner) or white (holes).
    const value = d.colour === 'bw' ? (rng.chance(0.3) ? 255 : 0) : rng.int(20, 90);
    for (let y = Math.max(0, cy - r); y <= Math.min(img.height - 1, cy + r); y++)
      for (let x = Math.max(0, cx - r); x <= Math.min(img.width - 1, cx + r); x++) {
        if ((x - cx) * (x - cx) + (y - cy) * (y - cy) > r * r) continue;
        const at = (y * img.width + x) * ch;
        for (let c = 0; c < ch; c++) img.data[at + c] = value;
      }
  }
}

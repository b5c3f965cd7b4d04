/**
 * What a customer's pen and a company's seal leave on paper, as SVG in page millimetres:
 * ticks, crosses, dots, scribbled-out marks, signatures, handwritten dates, remarks and
 * red round seals (公章). Every shape is drawn from a seeded `Random`, so the same seed
 * draws the same hand.
 */
import type { Point, Rect } from '../layout/page.ts';
import type { Random } from './random.ts';

/** A pen: colour, nominal stroke width (mm) and how firm the hand is. */
export interface Pen {
  colour: string;
  width: number;
  opacity: number;
}

const PEN_COLOURS: readonly string[] = ['#1b2a7a', '#14206b', '#111111', '#202a44', '#0d3a8c'];

export function randomPen(rng: Random): Pen {
  return { colour: rng.pick(PEN_COLOURS), width: rng.range(0.3, 0.7), opacity: rng.range(0.78, 0.96) };
}

export type MarkStyle = 'tick' | 'cross' | 'dot' | 'fill';

const f = (n: number): string => (Math.round(n * 1000) / 1000).toString();

function rotate(p: Point, c: Point, deg: number): Point {
  const a = (deg * Math.PI) / 180;
  const dx = p.x - c.x;
  const dy = p.y - c.y;
  return { x: c.x + dx * Math.cos(a) - dy * Math.sin(a), y: c.y + dx * Math.sin(a) + dy * Math.cos(a) };
}

/**
 * A stroke through points, smoothed (Catmull-Rom to cubic Bézier) and cut into pieces of
 * varying width and darkness, as a ballpoint's pressure varies along a stroke.
 */
function stroke(points: Point[], pen: Pen, rng: Random, pressure = 0.35): string {
  if (points.length < 2) return '';
  const pieces: string[] = [];
  const seg = (i: number): string => {
    const p0 = points[Math.max(0, i - 1)]!;
    const p1 = points[i]!;
    const p2 = points[i + 1]!;
    const p3 = points[Math.min(points.length - 1, i + 2)]!;
    const c1 = { x: p1.x + (p2.x - p0.x) / 6, y: p1.y + (p2.y - p0.y) / 6 };
    const c2 = { x: p2.x - (p3.x - p1.x) / 6, y: p2.y - (p3.y - p1.y) / 6 };
    return `C${f(c1.x)} ${f(c1.y)} ${f(c2.x)} ${f(c2.y)} ${f(p2.x)} ${f(p2.y)}`;
  };
  // Group segments in runs of 1–3, each run its own width (pressure).
  let i = 0;
  while (i < points.length - 1) {
    const run = Math.min(points.length - 1 - i, 1 + Math.floor(rng.next() * 3));
    const start = points[i]!;
    let d = `M${f(start.x)} ${f(start.y)}`;
    for (let k = 0; k < run; k++) d += seg(i + k);
    const w = pen.width * (1 + rng.range(-pressure, pressure));
    const o = Math.min(1, pen.opacity * (1 + rng.range(-pressure / 3, pressure / 4)));
    pieces.push(
      `<path d="${d}" fill="none" stroke="${pen.colour}" stroke-width="${f(w)}" stroke-opacity="${f(o)}" stroke-linecap="round" stroke-linejoin="round"/>`,
    );
    i += run;
  }
  return pieces.join('');
}

function jitter(p: Point, rng: Random, by: number): Point {
  return { x: p.x + rng.normal(0, by), y: p.y + rng.normal(0, by) };
}

/** A mark in a tick box, centred near `c`; `size` is the box side (mm). */
export function boxMark(style: MarkStyle, c: Point, size: number, pen: Pen, rng: Random): string {
  const s = size * rng.range(0.8, 1.5);
  const angle = rng.range(-18, 18);
  const at = (x: number, y: number): Point =>
    rotate(jitter({ x: c.x + x * s, y: c.y + y * s }, rng, s * 0.03), c, angle);
  switch (style) {
    case 'tick': {
      const pts = [at(-0.42, -0.02), at(-0.25, 0.15), at(-0.08, 0.38), at(0.18, -0.05), at(0.55, -0.55)];
      return stroke(pts, pen, rng);
    }
    case 'cross': {
      const k = 0.42;
      return (
        stroke([at(-k, -k), at(0, 0.02), at(k, k)], pen, rng) + stroke([at(k, -k), at(0.02, 0), at(-k, k)], pen, rng)
      );
    }
    case 'dot': {
      const r = size * rng.range(0.18, 0.32);
      const p = jitter(c, rng, 0.2);
      return `<ellipse cx="${f(p.x)}" cy="${f(p.y)}" rx="${f(r * rng.range(0.9, 1.2))}" ry="${f(r)}" transform="rotate(${f(angle)} ${f(p.x)} ${f(p.y)})" fill="${pen.colour}" fill-opacity="${f(pen.opacity)}"/>`;
    }
    case 'fill': {
      // Zig-zag shading that fills most of the box, as people "blacken" a box.
      const pts: Point[] = [];
      const h = size * 0.32;
      const n = 6 + Math.floor(rng.next() * 4);
      for (let i = 0; i <= n; i++) {
        const y = -h + (2 * h * i) / n;
        pts.push(jitter({ x: c.x + (i % 2 ? h : -h), y: c.y + y }, rng, 0.12));
      }
      return stroke(pts, { ...pen, width: pen.width * 1.2 }, rng);
    }
  }
}

/** A scribble over a box: the customer changing their mind (a mark covered by dense loops). */
export function scribbleOut(c: Point, size: number, pen: Pen, rng: Random): string {
  const pts: Point[] = [];
  const n = 10 + Math.floor(rng.next() * 8);
  for (let i = 0; i < n; i++) {
    const a = (i / n) * Math.PI * 2 * rng.range(2.5, 4);
    const r = size * rng.range(0.25, 0.6);
    pts.push({ x: c.x + Math.cos(a) * r + rng.normal(0, 0.3), y: c.y + Math.sin(a) * r * 0.8 + rng.normal(0, 0.3) });
  }
  return stroke(pts, { ...pen, width: pen.width * 1.1 }, rng, 0.2);
}

/**
 * A handwriting-like signature: two to four "characters" of looping Bézier strokes,
 * scaled into `area` at a random size and position, never leaving it.
 */
export function signature(area: Rect, pen: Pen, rng: Random): string {
  const width = area.width * rng.range(0.35, 0.92);
  const height = Math.min(area.height * rng.range(0.35, 0.85), width * 0.6);
  const x0 = area.x + rng.range(0, area.width - width);
  const y0 = area.y + rng.range(0, area.height - height);
  const chars = rng.int(2, 4);
  const cw = width / chars;
  let out = '';
  const clampPt = (p: Point): Point => ({
    x: Math.min(x0 + width, Math.max(x0, p.x)),
    y: Math.min(y0 + height, Math.max(y0, p.y)),
  });
  const slant = rng.range(-0.25, 0.1);
  for (let c = 0; c < chars; c++) {
    const strokes = rng.int(1, 3);
    for (let s = 0; s < strokes; s++) {
      const pts: Point[] = [];
      const n = rng.int(4, 9);
      for (let i = 0; i < n; i++) {
        const u = rng.next();
        const v = rng.next();
        const y = y0 + height * (0.08 + 0.84 * v);
        const x = x0 + cw * (c + 0.05 + 0.9 * u) + slant * (y - (y0 + height / 2));
        pts.push(clampPt({ x, y }));
      }
      out += stroke(pts, pen, rng, 0.45);
    }
  }
  if (rng.chance(0.4)) {
    // A flourish underneath.
    const y = y0 + height * rng.range(0.8, 1);
    const pts = [
      { x: x0 + width * rng.range(0, 0.2), y: y - height * 0.05 },
      { x: x0 + width * 0.5, y: y + rng.normal(0, height * 0.03) },
      { x: x0 + width * rng.range(0.8, 1), y: y - height * rng.range(0, 0.15) },
    ].map(clampPt);
    out += stroke(pts, pen, rng, 0.5);
  }
  return out;
}

/** Single-stroke shapes of digits and separators in a 1 × 1.6 cell (y down). */
const DIGIT_STROKES: Record<string, [number, number][][]> = {
  '0': [
    [
      [0.5, 0],
      [0.1, 0.35],
      [0.05, 0.9],
      [0.25, 1.5],
      [0.6, 1.55],
      [0.92, 1.1],
      [0.9, 0.4],
      [0.55, 0],
    ],
  ],
  '1': [
    [
      [0.25, 0.25],
      [0.55, 0],
      [0.55, 1.6],
    ],
  ],
  '2': [
    [
      [0.05, 0.35],
      [0.35, 0.02],
      [0.75, 0.05],
      [0.9, 0.45],
      [0.05, 1.58],
      [1, 1.58],
    ],
  ],
  '3': [
    [
      [0.05, 0.1],
      [0.9, 0.1],
      [0.4, 0.7],
      [0.85, 0.85],
      [0.98, 1.2],
      [0.65, 1.56],
      [0.1, 1.45],
    ],
  ],
  '4': [
    [
      [0.7, 1.6],
      [0.7, 0.02],
      [0.02, 1.1],
      [1, 1.1],
    ],
  ],
  '5': [
    [
      [0.9, 0.02],
      [0.15, 0.02],
      [0.08, 0.72],
      [0.6, 0.6],
      [0.98, 0.98],
      [0.85, 1.42],
      [0.45, 1.6],
      [0.02, 1.45],
    ],
  ],
  '6': [
    [
      [0.85, 0.02],
      [0.25, 0.6],
      [0.05, 1.15],
      [0.35, 1.6],
      [0.82, 1.48],
      [0.95, 1.08],
      [0.55, 0.8],
      [0.1, 1.05],
    ],
  ],
  '7': [
    [
      [0.02, 0.02],
      [1, 0.02],
      [0.35, 1.6],
    ],
  ],
  '8': [
    [
      [0.5, 0.78],
      [0.12, 0.4],
      [0.5, 0.02],
      [0.88, 0.4],
      [0.5, 0.78],
      [0.05, 1.2],
      [0.5, 1.6],
      [0.95, 1.2],
      [0.5, 0.78],
    ],
  ],
  '9': [
    [
      [0.95, 0.45],
      [0.5, 0.78],
      [0.05, 0.42],
      [0.5, 0.02],
      [0.95, 0.38],
      [0.9, 1.6],
    ],
  ],
  '.': [
    [
      [0.45, 1.45],
      [0.55, 1.55],
    ],
  ],
  '-': [
    [
      [0.1, 0.85],
      [0.9, 0.85],
    ],
  ],
  '/': [
    [
      [0.9, 0.05],
      [0.1, 1.55],
    ],
  ],
};

/** Digits and separators written by hand along a baseline inside `area`. */
export function handwrittenText(text: string, area: Rect, pen: Pen, rng: Random): string {
  const h = Math.min(area.height * rng.range(0.6, 0.9), 5);
  const w = h / 1.6;
  const advance = w * rng.range(1.15, 1.45);
  const total = advance * text.length;
  const x0 = area.x + rng.range(0, Math.max(0, area.width - total));
  const y0 = area.y + (area.height - h) * rng.range(0.2, 0.8);
  const slant = rng.range(-0.2, 0.05);
  const p = { ...pen, width: pen.width * 0.8 };
  let out = '';
  [...text].forEach((ch, i) => {
    const shapes = DIGIT_STROKES[ch];
    if (!shapes) return;
    const cx = x0 + i * advance;
    for (const shape of shapes) {
      const pts = shape.map(([u, v]) =>
        jitter({ x: cx + u * w + slant * (v * w - h / 2), y: y0 + v * w }, rng, w * 0.04),
      );
      out += stroke(pts, p, rng, 0.25);
    }
  });
  return out;
}

/** Lines of text-like scribbles (a customer's remarks), inside `area`. */
export function scribbledLines(area: Rect, pen: Pen, rng: Random): string {
  const lineH = rng.range(5, 7);
  const lines = Math.max(1, Math.min(Math.floor(area.height / lineH), rng.int(1, 3)));
  let out = '';
  for (let l = 0; l < lines; l++) {
    const y = area.y + 1 + l * lineH;
    const glyph = lineH * 0.65;
    const count = rng.int(5, Math.max(6, Math.floor((area.width - 4) / (glyph * 1.15))));
    for (let g = 0; g < count; g++) {
      const gx = area.x + 2 + g * glyph * 1.15;
      if (gx + glyph > area.x + area.width - 1) break;
      const n = rng.int(2, 4);
      for (let s = 0; s < n; s++) {
        const pts: Point[] = [];
        const k = rng.int(2, 3);
        for (let i = 0; i < k; i++) pts.push({ x: gx + rng.next() * glyph, y: y + rng.next() * glyph });
        out += stroke(pts, { ...pen, width: pen.width * 0.7 }, rng, 0.2);
      }
    }
  }
  return out;
}

export interface SealInk {
  /** 'red' for a real seal, 'black' for a photocopied or faxed one. */
  ink: 'red' | 'black';
  colour: string;
  opacity: number;
}

/**
 * A round official seal (公章): ring, five-pointed star, the institution's name as
 * character-like strokes along the upper arc and a line under the star, with uneven ink.
 * Centre `c`, radius `r` (mm), turned by `angle` degrees.
 */
export function roundSeal(c: Point, r: number, angle: number, ink: SealInk, rng: Random): string {
  const parts: string[] = [];
  const ring = r * rng.range(0.03, 0.045);
  parts.push(`<circle cx="0" cy="0" r="${f(r - ring / 2)}" fill="none" stroke-width="${f(ring)}"/>`);
  // Star.
  const sr = r * rng.range(0.2, 0.26);
  const star: string[] = [];
  for (let i = 0; i < 10; i++) {
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    const rr = i % 2 ? sr * 0.38 : sr;
    star.push(`${f(Math.cos(a) * rr)},${f(Math.sin(a) * rr)}`);
  }
  parts.push(`<polygon points="${star.join(' ')}" stroke="none"/>`);
  // Arc "characters": small blocks of strokes turned to the tangent.
  const glyphs = rng.int(9, 15);
  const span = rng.range(200, 250);
  const gs = r * 0.2;
  const glyphStrokes = (size: number): string => {
    let d = '';
    const n = rng.int(3, 6);
    for (let k = 0; k < n; k++) {
      const horizontal = rng.chance(0.5);
      const a = rng.range(-0.45, 0.45) * size;
      const b1 = rng.range(-0.5, 0) * size;
      const b2 = rng.range(0, 0.5) * size;
      d += horizontal ? `M${f(b1)} ${f(a)}L${f(b2)} ${f(a)}` : `M${f(a)} ${f(b1)}L${f(a)} ${f(b2)}`;
    }
    return `<path d="${d}" fill="none" stroke-width="${f(size * 0.13)}" stroke-linecap="square"/>`;
  };
  for (let i = 0; i < glyphs; i++) {
    const deg = -90 - span / 2 + (span * (i + 0.5)) / glyphs;
    const a = (deg * Math.PI) / 180;
    const gx = Math.cos(a) * r * 0.74;
    const gy = Math.sin(a) * r * 0.74;
    parts.push(`<g transform="translate(${f(gx)} ${f(gy)}) rotate(${f(deg + 90)})">${glyphStrokes(gs)}</g>`);
  }
  // A line of characters under the star (e.g. 合同专用章).
  const under = rng.int(3, 5);
  for (let i = 0; i < under; i++) {
    const gx = (i - (under - 1) / 2) * gs * 1.15;
    parts.push(`<g transform="translate(${f(gx)} ${f(r * 0.5)})">${glyphStrokes(gs * 0.85)}</g>`);
  }
  // Uneven ink: white, half-transparent blotches over the seal fade parts of it. (They are
  // drawn inside the overlay, which is multiplied onto the page, so they never lighten print.)
  const blotches: string[] = [];
  const nb = rng.int(4, 10);
  for (let i = 0; i < nb; i++) {
    const a = rng.next() * Math.PI * 2;
    const d = rng.next() * r;
    blotches.push(
      `<circle cx="${f(Math.cos(a) * d)}" cy="${f(Math.sin(a) * d)}" r="${f(r * rng.range(0.1, 0.35))}" fill="#ffffff" fill-opacity="${f(rng.range(0.2, 0.6))}" stroke="none"/>`,
    );
  }
  return `<g transform="translate(${f(c.x)} ${f(c.y)}) rotate(${f(angle)})" fill="${ink.colour}" stroke="${ink.colour}" fill-opacity="${f(ink.opacity)}" stroke-opacity="${f(ink.opacity)}">${parts.join('')}${blotches.join('')}</g>`;
}

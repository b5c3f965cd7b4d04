/**
 * A record form photographed with a phone instead of scanned: a 12 MP frame (3024 × 4032,
 * portrait) holding the sheet on a table, the camera held at a hand's angle (the far edge
 * of the page smaller: a keystone), turned a little, lit unevenly by a lamp on one side,
 * part of it under the shadow of the phone or the hand, a vignette, soft focus, sensor
 * grain, warm white balance, saved as a phone saves a JPEG (quality 80–93, 4:2:0, 72 dpi
 * in its metadata). Drawn from a random stream of its own; the page geometry is recorded
 * in the truth like a scan's.
 */
import { A4 } from '../layout/page.ts';
import { round2, round4, type Degradation, type PhoneShot } from './degrade.ts';
import type { Random } from './random.ts';

/** The page is rendered at this resolution before the camera sees it (about the page's resolution in a 12 MP frame). */
export const PHONE_RENDER_DPI = 300;
/** A 12 MP phone camera's frame, portrait. */
export const PHONE_FRAME = { width: 3024, height: 4032 } as const;
/** What phones write into a JPEG's resolution field. */
export const PHONE_FILE_DPI = 72;

const TABLES: readonly [number, number, number][] = [
  [92, 70, 52], // wood
  [60, 62, 66], // dark desk
  [150, 146, 138], // grey desk
  [200, 196, 188], // light desk: little contrast with the paper
];

/** Plans one phone photo of a page (dpi: `PHONE_RENDER_DPI`). */
export function planPhoneShot(rng: Random): Degradation {
  const k = PHONE_RENDER_DPI / 25.4;
  const frameHmm = PHONE_FRAME.height / k;
  // The sheet fills 75–86 % of the frame's height, so that it is never enlarged past its rendering.
  const scale = round4((rng.range(0.75, 0.86) * frameHmm) / A4.height);
  const tilt = { forward: round2(rng.range(-0.12, 0.14)), side: round2(rng.range(-0.08, 0.08)) };
  const phone: PhoneShot = {
    ...PHONE_FRAME,
    fileDpi: PHONE_FILE_DPI,
    tilt,
    light: { fromDeg: Math.round(rng.range(0, 360)), drop: round2(rng.range(0.08, 0.3)) },
    castShadow: rng.chance(0.7)
      ? {
          angleDeg: Math.round(rng.range(0, 360)),
          offset: round2(rng.range(0.15, 0.7)),
          softness: round2(rng.range(8, 30)),
          strength: round2(rng.range(0.15, 0.4)),
        }
      : null,
    whiteBalance: [1, round4(rng.range(0.93, 0.99)), round4(rng.range(0.8, 0.95))],
    table: rng.pick(TABLES),
  };
  return {
    dpi: PHONE_RENDER_DPI,
    skewDeg: round2(rng.range(-6, 6)),
    rotated180: rng.chance(0.08),
    scale,
    shiftMm: { x: round2(rng.range(-6, 6)), y: round2(rng.range(-8, 8)) },
    colour: 'colour',
    threshold: null,
    cut: { top: 0, right: 0, bottom: 0, left: 0 },
    noise: { grain: round2(rng.range(2.5, 7)), specks: round2(rng.range(0, 1)) },
    shadow: null,
    blur: round2(rng.range(1, 2.2)),
    photographed: true,
    perspective: keystone(tilt, scale),
    phone,
  };
}

/**
 * Corner displacements (mm; top-left, top-right, bottom-right, bottom-left) of a sheet seen
 * by a camera tilted forward and sideways: a corner farther away by a share z of the
 * distance appears 1 / (1 + z) the size about the centre.
 */
function keystone(tilt: PhoneShot['tilt'], scale: number): { x: number; y: number }[] {
  const hw = (A4.width / 2) * scale;
  const hh = (A4.height / 2) * scale;
  return [
    [-1, -1],
    [1, -1],
    [1, 1],
    [-1, 1],
  ].map(([sx, sy]) => {
    const z = 1 + tilt.forward * -sy! + tilt.side * sx!;
    return { x: round2((sx! * hw) / z - sx! * hw), y: round2((sy! * hh) / z - sy! * hh) };
  });
}

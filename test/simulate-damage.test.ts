/**
 * The simulator's later cases: speckled faxes (pixels flipped) and forms whose QR codes are
 * torn off, painted where the page lies in the image and recorded in the truth.
 */
import { describe, expect, it } from 'vitest';
import { damagePage } from '../src/simulate/damage.ts';
import type { Degradation, RawImage } from '../src/simulate/degrade.ts';
import { Random } from '../src/simulate/random.ts';
import { QR_CAPTION, QR_CODES } from '../src/layout/page.ts';

const DPI = 200;
const k = DPI / 25.4;
const black = (): RawImage => ({
  width: Math.round(210 * k),
  height: Math.round(297 * k),
  channels: 1,
  data: Buffer.alloc(Math.round(210 * k) * Math.round(297 * k), 0),
});
const at = (img: RawImage, xMm: number, yMm: number) => img.data[Math.round(yMm * k) * img.width + Math.round(xMm * k)];
const always = { chance: () => true, range: (a: number) => a, next: () => 0.5 } as unknown as Random;
const never = { chance: () => false, range: (a: number) => a, next: () => 0.5 } as unknown as Random;
const bw = { colour: 'bw', dpi: DPI } as Degradation;

describe('simulated damage', () => {
  it('tears off both QR codes of a form and leaves the printed id under the top-right one', () => {
    const img = black();
    const d = damagePage(img, bw, [k, 0, 0, 0, k, 0, 0, 0, 1], 'form', false, {
      ...always,
      next: () => 0.9,
    } as unknown as Random);
    expect(d.codesTorn).toBe(true);
    expect(at(img, QR_CODES.topRight.x + 10, QR_CODES.topRight.y + 10)).toBe(255);
    expect(at(img, QR_CODES.bottomLeft.x + 10, QR_CODES.bottomLeft.y + 10)).toBe(255);
    expect(at(img, QR_CAPTION.x + 40, QR_CAPTION.y + 2)).toBe(0);
    expect(at(img, 105, 150)).toBe(0);
  });

  it('does not tear a letter page, a hard page, or a page the dice spare', () => {
    for (const [kind, hard, rng] of [
      ['letter', false, always],
      ['form', true, always],
      ['form', false, never],
    ] as const) {
      const img = black();
      expect(
        damagePage(img, { colour: 'grey', dpi: DPI } as Degradation, [k, 0, 0, 0, k, 0, 0, 0, 1], kind, hard, rng)
          .codesTorn,
      ).toBe(false);
      expect(at(img, QR_CODES.topRight.x + 10, QR_CODES.topRight.y + 10)).toBe(0);
    }
  });

  it('speckles black-and-white pages at 200 dpi or less only, flipping about the share it records', () => {
    const img = black();
    const noise = Random.derive(3, 'speckle-test');
    const d = damagePage(img, bw, [k, 0, 0, 0, k, 0, 0, 0, 1], 'envelope', false, {
      chance: () => true,
      range: (a: number, b: number) => (a + b) / 2,
      next: () => noise.next(),
    } as unknown as Random);
    expect(d.impulse).toBe(0.02);
    const flipped = img.data.reduce((s, v) => s + (v === 255 ? 1 : 0), 0) / img.data.length;
    expect(flipped).toBeGreaterThan(0.018);
    expect(flipped).toBeLessThan(0.022);
    expect(
      damagePage(
        black(),
        { colour: 'grey', dpi: DPI } as Degradation,
        [k, 0, 0, 0, k, 0, 0, 0, 1],
        'form',
        false,
        always,
      ).impulse,
    ).toBeNull();
    expect(
      damagePage(black(), { colour: 'bw', dpi: 300 } as Degradation, [k, 0, 0, 0, k, 0, 0, 0, 1], 'form', false, always)
        .impulse,
    ).toBeNull();
  });
});

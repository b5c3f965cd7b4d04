/**
 * Degrading a page draws it where the truth says: a blurred grey or black-and-white page is
 * the same page as its sharp twin (an earlier version read sharp's three-channel blur output
 * as one channel and drew the page zoomed about 3× with ghosted copies), and the page
 * encoders refuse pixel buffers whose size does not match the image.
 */
import { describe, expect, it } from 'vitest';
import { apply, degradePage, planDegradation, type Colour, type RawImage } from '../src/simulate/degrade.ts';
import { encodeImagePdf } from '../src/simulate/encode.ts';
import { Random } from '../src/simulate/random.ts';
import { REGISTRATION_MARKS } from '../src/layout/page.ts';

const DPI = 100;

/** An A4 page at 100 dpi: white, with the four registration marks printed black. */
function markedPage(): RawImage {
  const width = Math.round((210 * DPI) / 25.4);
  const height = Math.round((297 * DPI) / 25.4);
  const data = Buffer.alloc(width * height * 3, 255);
  const k = DPI / 25.4;
  for (const r of REGISTRATION_MARKS) {
    for (let y = Math.floor(r.y * k); y < Math.ceil((r.y + r.height) * k); y++)
      for (let x = Math.floor(r.x * k); x < Math.ceil((r.x + r.width) * k); x++)
        data.fill(0, (y * width + x) * 3, (y * width + x) * 3 + 3);
  }
  return { width, height, channels: 3, data };
}

describe('degradePage', () => {
  for (const colour of ['grey', 'bw', 'colour'] as Colour[]) {
    it(`keeps a blurred ${colour} page where the truth puts it (registration marks dark at their mapped centres)`, async () => {
      const page = markedPage();
      const rng = Random.derive(5, colour);
      const d = {
        ...planDegradation({ dpi: DPI, colour, photographed: false }, rng, false),
        blur: 0.8,
        shadow: null,
        noise: { grain: 0, specks: 0 },
        cut: { top: 0, right: 0, bottom: 0, left: 0 },
      };
      const { image, geometry } = await degradePage(page, d, rng);
      expect(image.data.length).toBe(image.width * image.height * image.channels);
      expect(image.channels).toBe(colour === 'colour' ? 3 : 1);
      for (const r of REGISTRATION_MARKS) {
        const c = apply(geometry.pageToImage, r.x + r.width / 2, r.y + r.height / 2);
        const v = image.data[(Math.floor(c.y) * image.width + Math.floor(c.x)) * image.channels]!;
        expect(v, `mark at ${r.x},${r.y}`).toBeLessThan(100);
      }
      // And the middle of the page, blank paper, stays light (a zoomed copy would put print there).
      const mid = apply(geometry.pageToImage, 105, 200);
      expect(image.data[(Math.floor(mid.y) * image.width + Math.floor(mid.x)) * image.channels]!).toBeGreaterThan(150);
    });
  }
});

describe('encodeImagePdf', () => {
  it('refuses a page whose pixel buffer does not match its size and channels', async () => {
    const bad: RawImage = { width: 10, height: 10, channels: 1, data: Buffer.alloc(300, 255) };
    await expect(encodeImagePdf([{ image: bad, dpi: 100, compression: 'flate', quality: null }])).rejects.toThrow(
      /10×10/,
    );
  });
});

/**
 * The page reader on pages degraded by a tool outside the project: real rendered forms,
 * filled by the simulator, then turned by ImageMagick into what office scanners, faxes and
 * photocopiers make (thresholded and dithered 1-bit G4 TIFFs at 150/200 dpi, impulse
 * speckles, a rotation), pages whose QR codes were torn off (identified by the printed
 * visit id, OCR), and a phone photograph. Skipped without ImageMagick (`.ci/run` installs it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BILEVEL_RECIPES,
  CODELESS_RECIPES,
  PHOTO_RECIPES,
  degradeWithImageMagick,
  imageMagickVersion,
  makeImageMagickReturns,
} from '../bench/scan-imagemagick.ts';
import { decodePages, isPageFailure } from '../src/scan/decode.ts';
import { median3, speckleShare } from '../src/scan/despeckle.ts';
import { closeOcr } from '../src/scan/ocr.ts';
import { parseLine } from '../src/scan/printed-id.ts';
import { readPage, type PageReading } from '../src/scan/read-page.ts';
import { simulateReturns } from '../src/simulate/simulate.ts';
import type { FileTruth } from '../src/simulate/truth.ts';
import { tempDir } from './ingest-helpers.ts';
import { writeLettersFolder } from './simulate-fixture.ts';

const magick = imageMagickVersion();
const pick = (names: string[]) =>
  [...BILEVEL_RECIPES, ...CODELESS_RECIPES, ...PHOTO_RECIPES].filter((r) => names.includes(r.name));

async function readFile1(path: string): Promise<PageReading> {
  for await (const p of decodePages(readFileSync(path), path, { targetDpi: 150 })) {
    if (isPageFailure(p)) throw new Error(p.reason);
    return readPage(p);
  }
  throw new Error('no page');
}

describe('despeckling', () => {
  it('takes the 3 × 3 median of every inner pixel', () => {
    const W = 23;
    const H = 17;
    let seed = 7;
    const data = Uint8Array.from({ length: W * H }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >> 16) & 0xff);
    const out = median3({ width: W, height: H, data });
    for (let y = 1; y < H - 1; y++) {
      for (let x = 1; x < W - 1; x++) {
        const v = [-1, 0, 1]
          .flatMap((dy) => [-1, 0, 1].map((dx) => data[(y + dy) * W + x + dx]!))
          .sort((a, b) => a - b);
        expect(out.data[y * W + x]).toBe(v[4]);
      }
    }
  });

  it('tells a speckled page from a page of strokes', () => {
    const W = 200;
    const H = 200;
    const strokes = new Uint8Array(W * H).fill(255);
    for (let y = 20; y < 180; y += 10) for (let x = 20; x < 180; x++) strokes[y * W + x] = strokes[(y + 1) * W + x] = 0;
    expect(speckleShare({ width: W, height: H, data: strokes })).toBeLessThan(0.001);
    const speckled = strokes.slice();
    for (let i = 0; i < speckled.length; i += 37) speckled[i] = 255 - speckled[i]!;
    expect(speckleShare({ width: W, height: H, data: speckled })).toBeGreaterThan(0.01);
    expect(speckleShare(median3({ width: W, height: H, data: speckled }))).toBeLessThan(0.002);
  });
});

describe('a printed visit id read by OCR', () => {
  it('is accepted only when its check character holds', () => {
    expect(parseLine('HF-VZD8S-84GY3  3/3\n')).toEqual({ visitId: 'HF-VZD8S-84GY3', page: 3, pageCount: 3 });
    expect(parseLine('HF 44Q23 2NX62\n')).toEqual({ visitId: 'HF-44Q23-2NX62', page: null, pageCount: null });
    // One character misread (S as 5), or two swapped: the check character fails, nothing is accepted.
    expect(parseLine('HF-VZD85-84GY3 3/3')).toBeNull();
    expect(parseLine('HF-VZD8S-8G4Y3 3/3')).toBeNull();
    expect(parseLine('')).toBeNull();
  });
});

describe.skipIf(!magick)('pages degraded by ImageMagick (skipped: ImageMagick convert is not installed)', () => {
  let dir: string;
  const files: { path: string; truth: FileTruth }[] = [];

  beforeAll(async () => {
    dir = tempDir('scan-degraded');
    await writeLettersFolder(join(dir, 'letters'), 3);
    await simulateReturns({
      lettersDir: join(dir, 'letters'),
      out: join(dir, 'returns'),
      seed: 9,
      count: 3,
      dpi: [300],
      clean: true,
      emails: 0,
    });
    makeImageMagickReturns(join(dir, 'returns'), join(dir, 'degraded'), {
      limit: 2,
      recipes: pick([
        'g4-150-threshold',
        'g4-150-rotated',
        'fax-200-speckled',
        'codes-covered-200-grey',
        'codes-covered-300-upside-down',
        'phone-12mp-tilted',
      ]),
    });
    for (const name of readdirSync(join(dir, 'degraded', 'scans')).sort()) {
      if (!name.endsWith('.truth.json')) continue;
      const truth = JSON.parse(readFileSync(join(dir, 'degraded', 'scans', name), 'utf8')) as FileTruth;
      files.push({ path: join(dir, 'degraded', truth.file), truth });
    }
  }, 900_000);

  afterAll(() => closeOcr());

  const check = async (recipe: string, by: 'qr' | 'printed-id') => {
    const mine = files.filter((f) => f.path.includes(`.${recipe}.`));
    expect(mine.length).toBeGreaterThan(0);
    for (const f of mine) {
      const t = f.truth.pages[0]!;
      const r = await readFile1(f.path);
      expect(r.identified, `${f.truth.file}: ${r.problems.join('; ')}`).toBe(true);
      expect(r.identifiedBy).toBe(by);
      expect(r.payload?.visitId).toBe(t.visitId);
      expect(r.payload?.layout).toBe(t.layout);
      // Every answer the reader decided is the one on the paper; blank signature boxes are never read signed.
      for (const [qid, answer] of Object.entries(t.answers))
        if (r.questions[qid] && !r.questions[qid]!.review)
          expect(r.answers[qid], `${f.truth.file} ${qid}`).toBe(answer);
      expect(Object.values(r.questions).filter((q) => !q.review).length).toBeGreaterThan(
        Object.keys(t.answers).length / 2,
      );
      if (!t.customerSignature) expect(r.checks?.customerSignature.present).not.toBe(true);
      if (t.customerSignature) expect(r.checks?.customerSignature.present).toBe(true);
    }
  };

  it('reads a 150 dpi G4 TIFF thresholded by the scanner', () => check('g4-150-threshold', 'qr'), 120_000);
  it('reads a 150 dpi G4 TIFF scanned askew', () => check('g4-150-rotated', 'qr'), 120_000);
  it('reads a 200 dpi fax with speckles', () => check('fax-200-speckled', 'qr'), 120_000);
  it(
    'identifies a page whose QR codes are torn off by its printed visit id',
    () => check('codes-covered-200-grey', 'printed-id'),
    300_000,
  );
  it(
    'identifies a page without codes lying upside down',
    () => check('codes-covered-300-upside-down', 'printed-id'),
    300_000,
  );
  it(
    'reads a 12 MP phone photograph of the form (perspective, uneven light, soft focus, JPEG)',
    () => check('phone-12mp-tilted', 'qr'),
    120_000,
  );

  it('sends a page with neither codes nor a readable printed id to quarantine, as before', async () => {
    const f = files.find((x) => x.path.includes('.codes-covered-200-grey.'))!;
    const blanked = f.path.replace('.jpg', '.no-id.jpg');
    // White over the caption under the code and over the 回访编号 cell as well (200 dpi).
    const px = (mm: number) => Math.round((mm * 200) / 25.4);
    const box = (x: number, y: number, w: number, h: number) => `rectangle ${px(x)},${px(y)} ${px(x + w)},${px(y + h)}`;
    degradeWithImageMagick(f.path, blanked, {
      name: 'no-id',
      dpi: 200,
      args: ['-fill', 'white', '-draw', box(138, 29, 54, 6), '-draw', box(41, 49, 66, 9)],
    });
    const r = await readFile1(blanked);
    expect(r.identified).toBe(false);
    expect(r.review.map((i) => i.subject)).toEqual(['qr']);
    expect(r.problems.join(' ')).toMatch(/no printed visit id with a valid check character/);
  }, 300_000);
});

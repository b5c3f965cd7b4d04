/**
 * Faint ticks on a 150 dpi photocopy: a light, thin pen stroke that the copier's threshold
 * breaks into a chain of single dots. Such a box must go to review with the reason, never be
 * read blank; and the blank boxes of the same copy must not go to review. The copy is made by
 * ImageMagick from a real rendered form (skipped without it; `.ci/run` installs it).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { rasterizePdf } from '../src/formats/rasterize.ts';
import { formLayoutById, type FormLayout } from '../src/layout/form.ts';
import { decodePages, isPageFailure } from '../src/scan/decode.ts';
import { readPage, type PageReading } from '../src/scan/read-page.ts';
import { findVisits, type SourceVisit } from '../src/simulate/sources.ts';
import { tempDir } from './ingest-helpers.ts';
import { writeLettersFolder } from './simulate-fixture.ts';
import { lacks } from './tools.ts';

const DPI = 300;
const DARK = { colour: '#1a237e', width: 0.45 };
/** A nearly dry ballpoint: light blue-grey, 0.15 mm. */
const FAINT = { colour: '#8088a0', width: 0.15 };

/** A tick in a box (layout mm). */
function tick(b: { x: number; y: number; width: number; height: number }, pen: typeof DARK): string {
  const { x, y, width: w, height: h } = b;
  return `<path d="M${x + 0.15 * w} ${y + 0.55 * h} L${x + 0.42 * w} ${y + 0.85 * h} L${x + 0.95 * w} ${y + 0.1 * h}" fill="none" stroke="${pen.colour}" stroke-width="${pen.width}" stroke-linecap="round"/>`;
}

/**
 * The blank form filled in: the first two questions ticked firmly (their last box), the rest
 * with the faint pen in their first box when `faint`, else left blank. Then photocopied at
 * 150 dpi, thresholded at 55 % and saved as a G4 TIFF, as `g4-150-threshold` does.
 */
async function photocopy(dir: string, visit: SourceVisit, layout: FormLayout, faint: boolean): Promise<string> {
  const [r] = await rasterizePdf(new Uint8Array(readFileSync(visit.pdf)), { dpi: DPI, pages: [visit.formPage] });
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${r!.width}" height="${r!.height}" viewBox="0 0 210 297">`;
  layout.questions.forEach((q, i) => {
    if (i < 2) svg += tick(q.boxes[q.boxes.length - 1]!.box, DARK);
    else if (faint) svg += tick(q.boxes[0]!.box, FAINT);
  });
  svg += '</svg>';
  const png = join(dir, `filled-${faint}.png`);
  writeFileSync(
    png,
    await sharp(Buffer.from(r!.data.buffer), { raw: { width: r!.width, height: r!.height, channels: 4 } })
      .composite([{ input: Buffer.from(svg), blend: 'multiply' }])
      .removeAlpha()
      .withDensity(DPI)
      .png()
      .toBuffer(),
  );
  const tif = join(dir, `copy-${faint}.tif`);
  const args = ['-units', 'PixelsPerInch', '-resample', '150', '-colorspace', 'Gray', '-threshold', '55%'];
  execFileSync('convert', [png, ...args, '-compress', 'Group4', tif]);
  return tif;
}

async function read(path: string): Promise<PageReading> {
  for await (const p of decodePages(readFileSync(path), path, { targetDpi: 150 })) {
    if (isPageFailure(p)) throw new Error(p.reason);
    return readPage(p);
  }
  throw new Error('no page');
}

describe.skipIf(lacks('convert'))('faint ticks on a 150 dpi photocopy', () => {
  let visit: SourceVisit;
  let layout: FormLayout;
  let dir: string;

  beforeAll(async () => {
    dir = tempDir('scan-faint');
    await writeLettersFolder(join(dir, 'letters'), 1);
    visit = (await findVisits(join(dir, 'letters'))).visits[0]!;
    layout = formLayoutById(visit.formLayout)!;
  }, 120_000);

  it('sends a box with a faint tick broken into dots to review, never reads it blank', async () => {
    const r = await read(await photocopy(dir, visit, layout, true));
    expect(r.identified).toBe(true);
    const [first, second, ...faint] = layout.questions;
    for (const q of [first!, second!]) {
      expect(r.answers[q.question.id]).toBe(q.boxes[q.boxes.length - 1]!.value);
      expect(r.questions[q.question.id]!.review).toBe(false);
    }
    expect(faint.length).toBeGreaterThanOrEqual(3);
    for (const q of faint) {
      const reading = r.questions[q.question.id]!;
      expect(reading.status, q.question.id).not.toBe('blank');
      expect(reading.review).toBe(true);
      expect(r.answers[q.question.id]).toBeNull();
      expect(reading.faint).toEqual([q.boxes[0]!.value]);
      const item = r.review.find((x) => x.subject === q.question.id);
      expect(item?.reason).toBe(
        `question ${q.number}: faint ink in the ${q.boxes[0]!.label} box, short of a mark — a light pen the scan thinned out; read it from the paper`,
      );
    }
  }, 120_000);

  it('reads the same copy with those boxes left blank as blank, with nothing sent to review', async () => {
    const r = await read(await photocopy(dir, visit, layout, false));
    expect(r.identified).toBe(true);
    for (const q of layout.questions.slice(2)) {
      expect(r.questions[q.question.id]!.status, q.question.id).toBe('blank');
      expect(r.questions[q.question.id]!.review).toBe(false);
    }
    expect(r.review.filter((x) => x.subject !== 'remarks' && !x.subject.startsWith('seal'))).toEqual([]);
  }, 120_000);
});

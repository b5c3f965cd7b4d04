/**
 * The simulator on real rendered letters and forms: every format comes out, the truth
 * files describe the files they sit beside, the same seed gives the same bytes, and a
 * form the truth calls unsigned has no ink in its signature box.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { PDFDocument } from '@cantoo/pdf-lib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { formLayoutById } from '../src/layout/form.ts';
import { mmToPx, type Rect } from '../src/layout/page.ts';
import { parseTrackingNumber } from '../src/domain/tracking.ts';
import { decodePagePayload } from '../src/layout/qr-payload.ts';
import { rasterizePdf } from '../src/formats/rasterize.ts';
import { simulateReturns, type SimulationResult } from '../src/simulate/simulate.ts';
import type { FileTruth, TruthIndex } from '../src/simulate/truth.ts';
import { writeLettersFolder, type FixtureVisit } from './simulate-fixture.ts';

const root = mkdtempSync(join(tmpdir(), 'huifang-simulate-'));
const letters = join(root, 'letters');
let visits: FixtureVisit[];
let run: SimulationResult;

beforeAll(async () => {
  visits = await writeLettersFolder(letters);
  run = await simulateReturns({
    lettersDir: letters,
    out: join(root, 'out'),
    seed: 16,
    count: 12,
    dpi: [150],
    emails: 4,
    clean: true,
  });
});

async function pagesIn(path: string, format: string): Promise<number> {
  if (format === 'pdf') return (await PDFDocument.load(readFileSync(path))).getPageCount();
  if (format === 'tiff') return (await sharp(path).metadata()).pages ?? 1;
  await sharp(path).metadata(); // decodes, or throws on a broken file
  return 1;
}

describe('simulateReturns', () => {
  it('writes single scans in JPEG, PNG, G4 TIFF and PDF, and batches as multi-page TIFF and PDF', () => {
    const kinds = new Set(run.files.map((f) => `${f.kind}:${f.format}`));
    for (const k of ['single:jpeg', 'single:png', 'single:tiff', 'single:pdf', 'batch:tiff', 'batch:pdf'])
      expect(kinds).toContain(k);
    const truths = run.files.map((f) => JSON.parse(readFileSync(f.truth, 'utf8')) as FileTruth);
    const compressions = new Set(truths.flatMap((t) => t.pages.map((p) => p.degradation.compression)));
    expect(compressions).toContain('ccitt-g4');
    expect(compressions).toContain('jpeg');
  });

  it('describes each file in the truth beside it: page count, visits, page kinds', async () => {
    const known = new Set(visits.map((v) => v.visitId));
    // The post office's list of the letters' tracking numbers: every receipt's number, with its visit.
    const mailing = new Map(
      readFileSync(run.mailingList, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => [l.split(',')[1]!, l.split(',')[0]!] as const),
    );
    expect(mailing.size).toBeGreaterThan(0);
    for (const f of run.files) {
      expect(existsSync(f.path)).toBe(true);
      const truth = JSON.parse(readFileSync(f.truth, 'utf8')) as FileTruth;
      expect(truth.file).toBe(relative(run.out, f.path));
      expect(truth.pages.length).toBe(truth.pageCount);
      expect(await pagesIn(f.path, f.format)).toBe(truth.pageCount);
      expect(truth.pages.map((p) => p.page)).toEqual(truth.pages.map((_, i) => i + 1));
      for (const p of truth.pages) {
        expect(known.has(p.visitId as never)).toBe(true);
        // Letters from this renderer carry a printed return envelope, which has its own QR codes.
        expect(p.hasQr).toBe(p.kind !== 'postal-receipt');
        if (p.kind === 'postal-receipt') {
          expect(parseTrackingNumber(p.trackingNumber!).ok).toBe(true);
          expect(mailing.get(p.trackingNumber!), `${p.trackingNumber} in mailing.csv`).toBe(p.visitId);
        }
        if (p.hasQr) {
          const payload = decodePagePayload(p.qrPayload!);
          expect(payload.ok && payload.payload.visitId).toBe(p.visitId);
          expect(payload.ok && payload.payload.kind).toBe(p.kind);
        }
        if (p.kind === 'form')
          expect(Object.keys(p.answers)).toEqual(formLayoutById(p.layout!)!.questions.map((q) => q.question.id));
      }
      if (f.kind === 'batch') {
        // Pages without QR codes follow a page of the same visit.
        truth.pages.forEach((p, i) => {
          if (!p.hasQr) expect(truth.pages[i - 1]!.visitId).toBe(p.visitId);
        });
      }
    }
    const index = JSON.parse(readFileSync(run.truthIndex, 'utf8')) as TruthIndex;
    expect(index.files.map((f) => join(run.out, f.file))).toEqual(run.files.map((f) => f.path));
    expect(index.pageCount).toBe(run.files.reduce((s, f) => s + f.pageCount, 0));
    expect(readdirSync(join(run.out, 'emails')).filter((n) => n.endsWith('.eml'))).toHaveLength(run.emails.length);
  });

  it('writes e-mail replies: one in GBK, one HTML-only, one with an attachment, some with the visit id in the subject', () => {
    const texts = run.emails.map((e) => readFileSync(e.path, 'latin1'));
    expect(texts.some((t) => /charset=GBK/.test(t))).toBe(true);
    expect(texts.some((t) => /Content-Type: text\/html/.test(t) && !/text\/plain/.test(t))).toBe(true);
    expect(texts.some((t) => /Content-Disposition: attachment/.test(t))).toBe(true);
    const withId = run.emails.filter(
      (e) => (JSON.parse(readFileSync(e.truth, 'utf8')) as { idInSubject: boolean }).idInSubject,
    );
    expect(withId.length).toBeGreaterThan(0);
    // The e-mail visit of the fixture always replies.
    const emailVisit = visits.find((v) => v.channel === 'email')!;
    expect(run.emails.map((e) => e.visitId)).toContain(emailVisit.visitId);
  });

  it('leaves no ink in the signature box of a form the truth calls unsigned, and ink where it calls it signed', async () => {
    let unsigned = 0;
    let signed = 0;
    for (const f of run.files) {
      const truth = JSON.parse(readFileSync(f.truth, 'utf8')) as FileTruth;
      for (const p of truth.pages.filter((x) => x.kind === 'form')) {
        const layout = formLayoutById(p.layout!)!;
        const box = layout.marks.find((m) => m.id === 'customerSignature')!.ink;
        const dpi = p.degradation.dpi;
        const [printed] = await rasterizePdf(new Uint8Array(readFileSync(join(letters, p.source!.pdf))), {
          dpi,
          pages: [p.source!.page],
        });
        const clean = await sharp(join(run.out, p.clean!)).raw().toBuffer({ resolveWithObject: true });
        const changed = inkDifference(printed!.data, 4, clean.data, clean.info.channels, printed!.width, box, dpi);
        if (p.customerSignature) {
          signed++;
          expect(changed, `${f.path} page ${p.page}`).toBeGreaterThan(50);
        } else {
          unsigned++;
          expect(changed, `${f.path} page ${p.page}`).toBe(0);
        }
      }
    }
    expect(unsigned, 'the fixture run has no unsigned form; pick a seed that has one').toBeGreaterThan(0);
    expect(signed).toBeGreaterThan(0);
  });
});

/** Pixels inside `box` (mm) whose grey level differs by more than 40 between two images of the same page. */
function inkDifference(
  a: Uint8ClampedArray | Buffer,
  ca: number,
  b: Buffer,
  cb: number,
  width: number,
  box: Rect,
  dpi: number,
): number {
  const x0 = Math.floor(mmToPx(box.x, dpi));
  const y0 = Math.floor(mmToPx(box.y, dpi));
  const x1 = Math.ceil(mmToPx(box.x + box.width, dpi));
  const y1 = Math.ceil(mmToPx(box.y + box.height, dpi));
  let n = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const i = y * width + x;
      const ga = (a[i * ca]! + a[i * ca + 1]! + a[i * ca + 2]!) / 3;
      const gb = (b[i * cb]! + b[i * cb + 1]! + b[i * cb + 2]!) / 3;
      if (Math.abs(ga - gb) > 40) n++;
    }
  return n;
}

describe('determinism', () => {
  it('gives byte-identical files for the same seed and inputs, and different ones for another seed', async () => {
    const options = { lettersDir: letters, count: 3, dpi: [150], seed: 4 };
    const a = await simulateReturns({ ...options, out: join(root, 'same-a') });
    const b = await simulateReturns({ ...options, out: join(root, 'same-b') });
    const c = await simulateReturns({ ...options, out: join(root, 'other'), seed: 5 });
    const bytes = (r: SimulationResult): Buffer[] =>
      [...r.files.flatMap((f) => [f.path, f.truth]), ...r.emails.flatMap((e) => [e.path, e.truth]), r.truthIndex].map(
        (p) => readFileSync(p),
      );
    const [ba, bb, bc] = [bytes(a), bytes(b), bytes(c)];
    expect(ba.length).toBe(bb.length);
    ba.forEach((buf, i) => expect(buf.equals(bb[i]!), `file ${i}`).toBe(true));
    expect(Buffer.concat(ba).equals(Buffer.concat(bc))).toBe(false);
  });
});

describe('huifang simulate', () => {
  it('prints the documented JSON with absolute paths', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
      ['simulate', letters, '--out', join(root, 'cli'), '--count', '2', '--dpi', '150', '--seed', '9', '--json'],
      {
        out: (t) => out.push(t),
        err: (t) => err.push(t),
        interactive: false,
      },
    );
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    const json = JSON.parse(out.join('')) as {
      out: string;
      truth: string;
      pageCount: number;
      files: { path: string; truth: string; format: string; pageCount: number; visitIds: string[] }[];
      emails: { path: string; visitId: string }[];
    };
    expect(isAbsolute(json.out)).toBe(true);
    expect(existsSync(json.truth)).toBe(true);
    expect(json.files.length).toBe(2);
    for (const f of [...json.files.flatMap((x) => [x.path, x.truth]), ...json.emails.map((e) => e.path)]) {
      expect(isAbsolute(f)).toBe(true);
      expect(existsSync(f)).toBe(true);
    }
    expect(json.pageCount).toBe(json.files.reduce((s, f) => s + f.pageCount, 0));
  });

  it('refuses a resolution outside 150–600 dpi, naming the option', async () => {
    const err: string[] = [];
    const code = await main(['simulate', letters, '--out', join(root, 'bad'), '--dpi', '100'], {
      out: () => {},
      err: (t) => err.push(t),
      interactive: false,
    });
    expect(code).toBe(2);
    expect(err.join('')).toContain('--dpi');
  });
});

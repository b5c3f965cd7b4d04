/**
 * The Word letter and form print as scannable forms: each is printed through LibreOffice
 * (`soffice --headless --convert-to pdf`), the record form page rasterised (pdftoppm), ticked
 * and signed on the image as a customer would, then ingested: the page must be identified by
 * its QR codes as the visit's form and every tick read back.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import PizZip from 'pizzip';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '../src/domain/customer.ts';
import { questionsFor } from '../src/domain/questions.ts';
import type { Visit, VisitCategory, VisitChannel } from '../src/domain/visit.ts';
import { formLayout } from '../src/layout/form.ts';
import { mmToEmu, QR_CODES, REGISTRATION_MARKS, type Rect } from '../src/layout/page.ts';
import { renderFormDocx, renderLetterDocx } from '../src/render/docx.ts';
import { templateData } from '../src/render/template-data.ts';
import { ingest, type IngestReport, type PageReport } from '../src/ingest/ingest.ts';
import { INGEST_HANDLERS } from '../src/cli/ingest-handlers.ts';
import { fillOverlay, type FormFill } from '../src/simulate/fill.ts';
import { Random } from '../src/simulate/random.ts';
import type { Workspace } from '../src/store/workspace.ts';
import { seedWorkspace, tempDir } from './ingest-helpers.ts';
import { decodeQr } from './render-helpers.ts';
import { individual, sender } from './templates-helpers.ts';

const has = (tool: string, arg: string) => spawnSync(tool, [arg], { stdio: 'ignore' }).status === 0;
const HAVE_SOFFICE = has('soffice', '--version');
const HAVE_PDFTOPPM = has('pdftoppm', '-v');
const DPI = 200;

/** Each question ticked in turn: yes-no alternating from `yes`, a choice on its second option. */
function answersFor(category: VisitCategory): Record<string, string> {
  return Object.fromEntries(
    questionsFor(category).map((q, i) => [
      q.id,
      q.type === 'yes-no' ? (i % 2 === 0 ? 'yes' : 'no') : q.options[1]!.value,
    ]),
  );
}

function fillOf(answers: Record<string, string>, handler: boolean): FormFill {
  return {
    questions: Object.entries(answers).map(([questionId, value]) => ({
      questionId,
      answer: value as never,
      marked: [value],
      crossedOut: [],
      style: 'tick' as const,
      outside: false,
    })),
    customerSignature: true,
    handlerSignature: handler,
    seal: null,
    customerDate: null,
    handlerDate: null,
    remarks: false,
    expectReview: [],
    pen: '',
  };
}

function dataOf(visitId: string, category: VisitCategory, channel: VisitChannel, customer: Customer = individual) {
  const visit = {
    visitId,
    customerId: customer.customerId,
    category,
    channel,
    createdOn: '2026-11-28',
    dueOn: '2026-12-28',
    result: 'pending',
  } as Visit;
  return templateData(visit, customer, sender);
}

/** Prints DOCX files to PDF with LibreOffice, in a profile of its own (no clash with a running office). */
function printWithLibreOffice(dir: string, files: string[]): void {
  execFileSync(
    'soffice',
    [
      `-env:UserInstallation=file://${join(dir, 'lo-profile')}`,
      '--headless',
      '--convert-to',
      'pdf',
      '--outdir',
      join(dir, 'printed'),
      ...files,
    ],
    { stdio: 'ignore', timeout: 180_000 },
  );
}

/** One page of a PDF (default the last) at `DPI`, as PNG. */
function pageScan(pdf: string, page?: number): Buffer {
  const n = page ?? Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
  return execFileSync('pdftoppm', ['-r', String(DPI), '-f', String(n), '-l', String(n), '-png', pdf], {
    maxBuffer: 64 * 2 ** 20,
  });
}

/** The last page of a PDF at `DPI`, as RGB, ticked and signed with the form's fill. */
async function filledScan(pdf: string, category: VisitCategory, fill: FormFill, seed: number): Promise<Buffer> {
  const png = pageScan(pdf);
  const { width, height } = await sharp(png).metadata();
  const svg = fillOverlay(formLayout(category), fill, width!, height!, DPI, new Random(seed));
  return sharp(png)
    .removeAlpha()
    .composite([{ input: Buffer.from(svg), blend: 'multiply' }])
    .withMetadata({ density: DPI })
    .toBuffer();
}

describe.skipIf(!HAVE_SOFFICE || !HAVE_PDFTOPPM)('a DOCX printed through LibreOffice is read back by ingest', () => {
  let dir: string;
  let ws: Workspace;
  let letterVisit: string;
  let formVisit: string;
  let report: IngestReport;
  const letterAnswers = answersFor('new-account');
  const formAnswers = answersFor('key');
  const pageOf = (name: string): PageReport => report.files.find((f) => f.path.endsWith(name))!.pages.at(-1)!;

  beforeAll(async () => {
    dir = tempDir('docx-scan');
    const seeded = seedWorkspace(join(dir, 'ws'), [
      { category: 'new-account', channel: 'letter' },
      { category: 'key', channel: 'face-to-face' },
    ]);
    ws = seeded.ws;
    [letterVisit, formVisit] = seeded.visitIds as [string, string];
    mkdirSync(join(dir, 'in'));
    const letterDocx = join(dir, 'letter.docx');
    const formDocx = join(dir, 'form.docx');
    writeFileSync(letterDocx, renderLetterDocx(dataOf(letterVisit, 'new-account', 'letter'), { pageCount: 3 }));
    writeFileSync(formDocx, renderFormDocx(dataOf(formVisit, 'key', 'face-to-face')));
    printWithLibreOffice(dir, [letterDocx, formDocx]);
    writeFileSync(
      join(dir, 'in', 'letter-form.png'),
      await filledScan(join(dir, 'printed', 'letter.pdf'), 'new-account', fillOf(letterAnswers, false), 1),
    );
    writeFileSync(join(dir, 'in', 'letter-page1.png'), pageScan(join(dir, 'printed', 'letter.pdf'), 1));
    const form = await filledScan(join(dir, 'printed', 'form.pdf'), 'key', fillOf(formAnswers, true), 2);
    writeFileSync(join(dir, 'in', 'form.jpg'), await sharp(form).jpeg({ quality: 85 }).toBuffer());
    report = await ingest(ws, [join(dir, 'in')], { actor: 'clerk.test', handlers: INGEST_HANDLERS });
  }, 300_000);

  afterAll(() => ws?.close());

  it('LibreOffice prints the letter with its form as the last page, and the form alone on one page', () => {
    expect(readdirSync(join(dir, 'printed')).sort()).toEqual(['form.pdf', 'letter.pdf']);
    expect(report.files.map((f) => f.status)).toEqual(['ingested', 'ingested', 'ingested']);
  });

  it("identifies the letter's first page by the QR codes it carries, as the PDF letter's", () => {
    const page = pageOf('letter-page1.png');
    expect([page.visitId, page.kind, page.assignedBy]).toEqual([letterVisit, 'letter', 'qr']);
  });

  it("identifies the letter's form page by its QR codes and reads every tick", () => {
    const page = pageOf('letter-form.png');
    expect(page.quarantine).toBeUndefined();
    expect([page.visitId, page.kind, page.assignedBy]).toEqual([letterVisit, 'form', 'qr']);
    expect(page.answers).toEqual(letterAnswers);
    expect(page.checks?.customerSignature.present).toBe(true);
    expect(page.reviewItems).toEqual([]);
  });

  it('identifies the face-to-face form (a JPEG of it) and reads every tick and both signatures', () => {
    const page = pageOf('form.jpg');
    expect([page.visitId, page.kind, page.assignedBy]).toEqual([formVisit, 'form', 'qr']);
    expect(page.answers).toEqual(formAnswers);
    expect(page.checks?.customerSignature.present).toBe(true);
    expect(page.checks?.handlerSignature.present).toBe(true);
    expect(page.reviewItems).toEqual([]);
  });
});

describe('the DOCX form page is placed from src/layout', () => {
  const anchors = (docx: Uint8Array) => {
    const xml = new PizZip(docx).file('word/document.xml')!.asText();
    return [
      ...xml.matchAll(
        /<wp:positionH relativeFrom="page"><wp:posOffset>(\d+)<\/wp:posOffset><\/wp:positionH><wp:positionV relativeFrom="page"><wp:posOffset>(\d+)<\/wp:posOffset><\/wp:positionV><wp:extent cx="(\d+)" cy="(\d+)"\/>.*?name="([^"]+?) \d+"/g,
      ),
    ].map((m) => ({ x: +m[1]!, y: +m[2]!, w: +m[3]!, h: +m[4]!, name: m[5]! }));
  };
  const emu = (r: Rect) => ({ x: mmToEmu(r.x), y: mmToEmu(r.y), w: mmToEmu(r.width), h: mmToEmu(r.height) });

  it('puts the marks, both QR codes and every tick box exactly where the layout says, in EMU', () => {
    const placed = anchors(renderFormDocx(dataOf('HF26-7K3M-Q9', 'existing', 'face-to-face')));
    const at = (name: string) => placed.filter((a) => a.name === name).map(({ x, y, w, h }) => ({ x, y, w, h }));
    expect(at('QR code')).toEqual([QR_CODES.topRight, QR_CODES.bottomLeft].map(emu));
    for (const m of REGISTRATION_MARKS) expect(at('Rectangle')).toContainEqual(emu(m));
    const boxes = at('Box');
    for (const b of formLayout('existing').tickBoxes) expect(boxes, b.id).toContainEqual(emu(b.box));
  });

  it('carries the QR picture of the page payload, and the visit date of a letter filled in', async () => {
    const letter = new PizZip(renderLetterDocx(dataOf('HF26-7K3M-Q9', 'new-account', 'letter'), { pageCount: 4 }));
    expect(letter.file('word/_rels/document.xml.rels')!.asText()).toContain('Target="media/huifang-qr-form.png"');
    expect(letter.file('[Content_Types].xml')!.asText()).toContain('Extension="png"');
    const png = letter.file('word/media/huifang-qr-form.png')!.asNodeBuffer();
    const { data, info } = await sharp(png)
      .extend({ top: 48, bottom: 48, left: 48, right: 48, background: '#ffffff' })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const picture = { page: 1, width: info.width, height: info.height, dpi: 25.4, data: new Uint8ClampedArray(data) };
    expect(await decodeQr(picture, { x: 0, y: 0, width: info.width, height: info.height })).toEqual([
      'HF1|HF26-7K3M-Q9|form|4/4|form.new-account.v1',
    ]);
    const text = letter.file('word/document.xml')!.asText();
    expect(text).toContain('HF26-7K3M-Q9  4/4');
    expect(text).toMatch(/回访日期.*2026年11月28日/);
    const faceToFace = new PizZip(renderFormDocx(dataOf('HF26-7K3M-Q9', 'new-account', 'face-to-face')))
      .file('word/document.xml')!
      .asText();
    expect(faceToFace).toContain('HF26-7K3M-Q9  1/1');
    expect(faceToFace).not.toContain('2026年11月28日');
  });
});

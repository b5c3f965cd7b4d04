/**
 * What comes back with a mailed letter, read without hand work: the printed return
 * envelope identifies itself by its QR code, the post office receipt by its barcode's
 * tracking number (recorded with `huifang mailing import`), anything else is listed by
 * `huifang pages unclassified` and classified several pages at once; review items carry a
 * picture, the review sheet shows them offline, and decisions can be undone.
 *
 * On real files: letters rendered by `huifang letters`, the envelope page rasterised and
 * laid on a scanner bed, a receipt drawn with real Code 128 bars, all in a scanned PDF.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { parseDocument, DomUtils } from 'htmlparser2';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTrackingNumber, parseTrackingNumber, s10CheckDigit } from '../src/domain/tracking.ts';
import { formLayout } from '../src/layout/form.ts';
import { ENVELOPE_PAGE } from '../src/layout/envelope.ts';
import { rasterizePdf } from '../src/formats/rasterize.ts';
import { code128Modules } from '../src/simulate/barcode.ts';
import { drawExtraPages, envelopeOnBed } from '../src/simulate/extras.ts';
import { Random } from '../src/simulate/random.ts';
import { cli, formScan, GOOD_FILL, imagePdfOf, INGEST_ROSTER, tempDir, attachmentScan } from './ingest-helpers.ts';
import { openTestWorkspace } from './workspace-helpers.ts';
import { openWorkspace } from '../src/store/workspace.ts';
import { getVisit } from '../src/store/visits.ts';
import { importStaff } from '../src/store/rules.ts';

const SAMPLES = join(import.meta.dirname, '..', 'samples');
const SENDER = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'samples', 'firm.json'), 'utf8')).sender;
const DPI = 200;
const SAMPLE_LINES = readFileSync(join(SAMPLES, 'customers.csv'), 'utf8')
  .replace(/^\uFEFF/, '')
  .split('\n')
  .slice(0, 4);
/** Customer id → name, of the three customers the letters go to. */
const NAMES = new Map(SAMPLE_LINES.slice(1).map((l) => [l.split(',')[0]!, l.split(',')[1]!] as const));

let dir: string;
let ws: string;
let letters: { visitId: string; customerId: string; pdf: string }[];

async function json(args: string[], expectStatus = 0): Promise<any> {
  const r = await cli([...args, '--workspace', ws, '--json']);
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(expectStatus);
  return r.stdout ? JSON.parse(r.stdout) : null;
}

const png = (w: number, h: number, rgb: Buffer | Uint8ClampedArray, channels: 3 | 4): Promise<Buffer> =>
  sharp(Buffer.from(rgb), { raw: { width: w, height: h, channels } })
    .withMetadata({ density: DPI })
    .png()
    .toBuffer();

/** The letter's envelope face (its last page), posted back and scanned on an A4 bed. */
async function envelopeScan(pdf: string, seed: number): Promise<Buffer> {
  const [face] = await rasterizePdf(new Uint8Array(readFileSync(pdf)), {
    dpi: DPI,
    pages: [(await rasterizePdf(new Uint8Array(readFileSync(pdf)), { dpi: 10 })).length],
  });
  const rgb = Buffer.alloc(face!.width * face!.height * 3);
  for (let i = 0, j = 0; i < face!.data.length; i += 4, j += 3) rgb.set(face!.data.subarray(i, i + 3), j);
  const bed = await envelopeOnBed(
    { width: face!.width, height: face!.height, channels: 3, data: rgb },
    DPI,
    '2026-11-06',
    new Random(seed),
  );
  return png(bed.width, bed.height, bed.data, 3);
}

/** A 挂号信 receipt slip whose barcode carries `number`. */
async function receiptScan(number: string): Promise<Buffer> {
  const pdf = await drawExtraPages(
    [
      {
        kind: 'postal-receipt',
        customerLines: ['200120', '上海市浦东新区浦东南路10弄1号101室', '王静怡 收'],
        customerName: '王静怡',
        date: '2026-11-06',
        tracking: { number, modules: await code128Modules(number) },
      },
    ],
    SENDER,
    new Random(3),
  );
  const [page] = await rasterizePdf(pdf, { dpi: DPI });
  return png(page!.width, page!.height, page!.data, 4);
}

beforeAll(async () => {
  dir = tempDir('returns');
  ws = join(dir, 'ws');
  const w = openTestWorkspace(ws);
  importStaff(
    w.register,
    [...INGEST_ROSTER, { staffId: 'zhao.reviewer', name: '赵复核', role: '复核人员', isMarketing: false }],
    'test',
    'roster',
  );
  w.close();
  process.env.HUIFANG_USER = 'clerk.test';
  const list = join(dir, 'customers.csv');
  writeFileSync(list, SAMPLE_LINES.join('\n') + '\n');
  const out = await json([
    'letters',
    list,
    '--out',
    join(dir, 'letters'),
    '--visitor',
    'li.visitor',
    '--reviewer',
    'wang.reviewer',
  ]);
  // --json masks customer ids; the register knows each visit's customer in full.
  const reg = openWorkspace(ws);
  try {
    letters = out.visits.map((v: any) => ({
      visitId: v.visitId,
      customerId: getVisit(reg.register, v.visitId)!.customerId,
      pdf: v.pdf,
    }));
  } finally {
    reg.close();
  }
  expect(letters).toHaveLength(3);
  expect(letters.map((l) => l.customerId).sort()).toEqual([...NAMES.keys()].sort());
}, 300_000);

describe('postal tracking numbers (UPU S10)', () => {
  it('verifies the check digit with the weights 8 6 4 2 3 5 9 7', () => {
    // RR473124829CN is the UPU's own example.
    expect(s10CheckDigit('47312482')).toBe(9);
    expect(parseTrackingNumber('rr 473 124 829 cn')).toEqual({ ok: true, trackingNumber: 'RR473124829CN' });
    expect(makeTrackingNumber('XA', 12345678)).toBe('XA123456785CN');
    const bad = parseTrackingNumber('XA123456789CN');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toContain('the ninth digit should be 5, not 9');
    expect(parseTrackingNumber('XA12345678CN').ok).toBe(false);
  });

  it('mailing import refuses a list with a bad check digit, by row and column, and records nothing', async () => {
    const list = join(dir, 'bad-mailing.csv');
    writeFileSync(
      list,
      `回访编号,邮件号码\n${letters[0]!.visitId},${makeTrackingNumber('XA', 11111111)}\n${letters[1]!.visitId},XA123456789CN\n`,
    );
    const r = await cli(['mailing', 'import', list, '--workspace', ws]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('row 3');
    expect(r.stderr).toContain('邮件号码');
    expect(r.stderr).toContain('the ninth digit should be 5, not 9');
    expect(r.stderr).toContain('[mailing/bad-tracking-number]');
    // Nothing was recorded: the good row of that list is new when imported alone.
    const good = join(dir, 'good-mailing.csv');
    writeFileSync(good, `回访编号,邮件号码\n${letters[0]!.visitId},${makeTrackingNumber('XA', 11111111)}\n`);
    expect((await json(['mailing', 'import', good])).recorded.map((m: any) => m.trackingNumber)).toEqual([
      makeTrackingNumber('XA', 11111111),
    ]);
    expect((await json(['mailing', 'import', good])).unchanged).toHaveLength(1);
  });
});

describe('mailing lists in XLSX, as the post office sends them', () => {
  it('reads 客户号 and 邮件号码 typed loosely, and names a bad number by row and column', async () => {
    const [, , c] = letters;
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('大宗邮件清单');
    sheet.addRow(['序号', '客户号', '邮件号码']);
    sheet.addRow([
      1,
      c!.customerId,
      ` ${makeTrackingNumber('XA', 55555555)
        .toLowerCase()
        .replace(/(\d{4})/, '$1 ')} `,
    ]);
    const good = join(dir, 'mailing.xlsx');
    await book.xlsx.writeFile(good);
    expect((await json(['mailing', 'import', good])).recorded).toEqual([
      { trackingNumber: makeTrackingNumber('XA', 55555555), visitId: c!.visitId, source: `${good}, row 2` },
    ]);
    sheet.addRow([2, c!.customerId, 'XA555555554CN']);
    const bad = join(dir, 'mailing-bad.xlsx');
    await book.xlsx.writeFile(bad);
    const r = await cli(['mailing', 'import', bad, '--workspace', ws]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/row 3, column 邮件号码: the check digit of "XA555555554CN" does not hold/);
  });
});

describe('a returned letter files itself: form, envelope and receipt, no pages move', () => {
  let ingested: any;
  let number: string;

  beforeAll(async () => {
    const [a] = letters;
    number = makeTrackingNumber('XA', 31415926);
    const list = join(dir, 'mailing.csv');
    // The post office list names the customer (客户号), as bulk-mailing lists do.
    writeFileSync(list, `客户号,邮件号码\n${a!.customerId},${number}\n`);
    const recorded = await json(['mailing', 'import', list]);
    expect(recorded.recorded).toEqual([{ trackingNumber: number, visitId: a!.visitId, source: `${list}, row 2` }]);
    const pages = [
      await formScan(a!.visitId, GOOD_FILL, { dpi: DPI }),
      await envelopeScan(a!.pdf, 1),
      await receiptScan(number),
    ];
    const scan = join(dir, 'returned-a.pdf');
    writeFileSync(scan, await imagePdfOf(pages, DPI));
    ingested = await json(['ingest', scan]);
  }, 300_000);

  it("the envelope is the visit's envelope by its own QR code, the receipt its postal receipt by the barcode", () => {
    const [a] = letters;
    const pages = ingested.files[0].pages.map((p: any) => [p.page, p.visitId, p.kind, p.assignedBy]);
    expect(pages).toEqual([
      [1, a!.visitId, 'form', 'qr'],
      [2, a!.visitId, 'envelope', 'qr'],
      [3, a!.visitId, 'postal-receipt', 'handler'],
    ]);
  });

  it('validate finds the envelope and the receipt; a letter without them lacks both', async () => {
    const [a, b] = letters;
    const r = await cli(['validate', '--workspace', ws, '--json']);
    const report = JSON.parse(r.stdout);
    const rules = (visitId: string) =>
      report.visits.find((v: any) => v.visitId === visitId).problems.map((p: any) => p.ruleId);
    expect(rules(a!.visitId)).not.toContain('evidence/letter-envelope');
    expect(rules(a!.visitId)).not.toContain('evidence/letter-postal-receipt');
    expect(rules(b!.visitId)).toContain('evidence/letter-envelope');
    expect(rules(b!.visitId)).toContain('evidence/letter-postal-receipt');
  });

  it('the envelope face is a DL page after the form, upside down on the bed it still files itself', async () => {
    const [, , c] = letters;
    const last = (await rasterizePdf(new Uint8Array(readFileSync(c!.pdf)), { dpi: 50 })).at(-1)!;
    expect(Math.round((last.width * 25.4) / 50)).toBe(ENVELOPE_PAGE.width);
    expect(Math.round((last.height * 25.4) / 50)).toBe(ENVELOPE_PAGE.height);
    const turned = join(dir, 'envelope-c.jpg');
    writeFileSync(
      turned,
      await sharp(await envelopeScan(c!.pdf, 9))
        .rotate(180)
        .jpeg({ quality: 70 })
        .withMetadata({ density: DPI })
        .toBuffer(),
    );
    const got = await json(['ingest', turned]);
    expect(got.files[0].pages.map((p: any) => [p.visitId, p.kind, p.assignedBy])).toEqual([
      [c!.visitId, 'envelope', 'qr'],
    ]);
  });
});

describe('pages unclassified, and moving several pages at once', () => {
  let refs: string[];

  beforeAll(async () => {
    const [, b] = letters;
    // A receipt whose number no mailing list holds, and a page that is neither.
    const pages = [
      await formScan(b!.visitId, GOOD_FILL, { dpi: DPI }),
      await receiptScan(makeTrackingNumber('XB', 27182818)),
      await attachmentScan('envelope', DPI),
    ];
    const scan = join(dir, 'returned-b.pdf');
    writeFileSync(scan, await imagePdfOf(pages, DPI));
    const got = await json(['ingest', scan]);
    expect(got.files[0].pages.map((p: any) => [p.kind, p.assignedBy])).toEqual([
      ['form', 'qr'],
      ['attachment', 'follow'],
      ['attachment', 'follow'],
    ]);
  }, 300_000);

  it('lists the pages that only followed a form, with the tracking number read and a picture', async () => {
    const [, b] = letters;
    const listed = await json(['pages', 'unclassified']);
    expect(listed.pages.map((p: any) => [p.visitId, p.page])).toEqual([
      [b!.visitId, 2],
      [b!.visitId, 3],
    ]);
    expect(listed.pages[0].trackingNumbers).toEqual([makeTrackingNumber('XB', 27182818)]);
    for (const p of listed.pages) {
      expect(p.crop.startsWith('/')).toBe(true);
      const meta = await sharp(readFileSync(p.crop)).metadata();
      expect(meta.format).toBe('png');
    }
    refs = listed.pages.map((p: any) => p.ref);
  });

  it('refuses a bad page reference and moves nothing', async () => {
    const r = await cli([
      'pages',
      'move',
      refs[0]!,
      `${refs[1]!.split(':')[0]}:9`,
      '--kind',
      'postal-receipt',
      '--workspace',
      ws,
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('has no page 9');
    expect((await json(['pages', 'unclassified'])).pages).toHaveLength(2);
  });

  it('moves both pages in one command, keeping their visit', async () => {
    const [, b] = letters;
    const moved = await json(['pages', 'move', ...refs, '--kind', 'postal-receipt', '--user', 'zhao.clerk']);
    expect(moved.moved.map((m: any) => [m.after.visitId, m.after.kind, m.after.assignedBy])).toEqual([
      [b!.visitId, 'postal-receipt', 'clerk'],
      [b!.visitId, 'postal-receipt', 'clerk'],
    ]);
    expect((await json(['pages', 'unclassified'])).pages).toEqual([]);
  });
});

describe('review with the picture', () => {
  let scanPath: string;

  beforeAll(async () => {
    const [, , c] = letters;
    // Two boxes ticked on one question, and words written in the 备注 box.
    const form = await formScan(
      c!.visitId,
      { ...GOOD_FILL, ticks: { ...GOOD_FILL.ticks, 'na.risks-disclosed': ['yes', 'no'] } },
      { dpi: DPI },
    );
    const ink = formLayout('new-account').remarks.ink;
    const px = (mm: number) => Math.round((mm * DPI) / 25.4);
    const words = `<svg xmlns="http://www.w3.org/2000/svg" width="${px(210)}" height="${px(297)}"><path d="M ${px(ink.x + 8)} ${px(ink.y + 6)} ${Array.from({ length: 40 }, (_, i) => `L ${px(ink.x + 8 + i * 2.2)} ${px(ink.y + 6 + (i % 2 ? 3 : 0))}`).join(' ')}" stroke="#1a2a66" stroke-width="${px(0.5)}" fill="none"/></svg>`;
    scanPath = join(dir, 'form-c.png');
    writeFileSync(
      scanPath,
      await sharp(form)
        .composite([{ input: Buffer.from(words) }])
        .png()
        .toBuffer(),
    );
    await json(['ingest', scanPath]);
  }, 300_000);

  it('each item carries its question, the customer and a cropped picture of the doubt', async () => {
    const [, , c] = letters;
    const { items } = await json(['review', 'list', '--visit', c!.visitId]);
    const bySubject = new Map(items.map((i: any) => [i.subject, i]));
    const answer: any = bySubject.get('answer:na.risks-disclosed');
    expect(answer.question).toContain('（是 / 否）');
    expect(answer.customerName).toBe(NAMES.get(c!.customerId));
    const row = formLayout('new-account').questions.find((q) => q.question.id === 'na.risks-disclosed')!.row;
    const crop = await sharp(readFileSync(answer.crop)).metadata();
    // The question's row and 3 mm around it, at the working resolution: a strip, not the page.
    expect(crop.width! / crop.height!).toBeGreaterThan(((row.width + 6) / (row.height + 6)) * 0.8);
    expect(crop.width!).toBeLessThan(((row.width + 12) * DPI) / 25.4);
    const remarks: any = bySubject.get('remarks');
    expect(remarks.reason).toContain('transcribe');
    expect(remarks.crop).not.toBe(answer.crop);
  });

  it('the review sheet is an HTML page with every open item and its picture embedded', async () => {
    const out = join(dir, '复核单.html');
    const written = await json(['review', 'sheet', '--out', out]);
    expect(written.sheet).toBe(out);
    const doc = parseDocument(readFileSync(out, 'utf8'));
    const sections = DomUtils.findAll((e) => e.name === 'section', doc.children);
    const open = (await json(['review', 'list'])).items;
    expect(sections).toHaveLength(open.length);
    const images = DomUtils.findAll((e) => e.name === 'img', doc.children);
    expect(images.length).toBe(open.filter((i: any) => i.crop).length);
    expect(images.length).toBeGreaterThanOrEqual(2);
    for (const img of images) {
      const src = img.attribs.src!;
      expect(src.startsWith('data:image/png;base64,')).toBe(true);
      const meta = await sharp(Buffer.from(src.slice('data:image/png;base64,'.length), 'base64')).metadata();
      expect(meta.width).toBeGreaterThan(50);
    }
    expect(DomUtils.textContent(doc)).toContain(NAMES.get(letters[2]!.customerId));
  });

  it('a decision can be undone with review reopen, and the item awaits a decision again', async () => {
    const [, , c] = letters;
    const { items } = await json(['review', 'list', '--visit', c!.visitId]);
    const item = items.find((i: any) => i.subject === 'answer:na.risks-disclosed');
    await json(['review', 'correct', String(item.itemId), '--value', 'yes', '--user', 'zhao.reviewer']);
    expect((await json(['review', 'list', '--visit', c!.visitId])).items.map((i: any) => i.itemId)).not.toContain(
      item.itemId,
    );
    const reopened = await json([
      'review',
      'reopen',
      String(item.itemId),
      '--note',
      'read the wrong row',
      '--user',
      'zhao.reviewer',
    ]);
    expect(reopened.item.status).toBe('open');
    expect((await json(['review', 'list', '--visit', c!.visitId])).items.map((i: any) => i.itemId)).toContain(
      item.itemId,
    );
    // Reopening what is open already is refused.
    const again = await cli(['review', 'reopen', String(item.itemId), '--workspace', ws, '--user', 'zhao.reviewer']);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('open already');
  });

  it('the transcribed 备注 remarks are kept on the visit and open an exception, as typed remarks do', async () => {
    const [, , c] = letters;
    const { items } = await json(['review', 'list', '--visit', c!.visitId]);
    const remarks = items.find((i: any) => i.subject === 'remarks');
    await json([
      'review',
      'correct',
      String(remarks.itemId),
      '--value',
      '请尽快联系我，密码一直没改',
      '--user',
      'zhao.reviewer',
    ]);
    await json(['validate', '--record', '--user', 'zhao.reviewer'], 1);
    const { exceptions } = await json(['exception', 'list']);
    const opened = exceptions.find((e: any) => e.visitId === c!.visitId);
    expect(opened?.triggers).toContain('remarks');
  });

  it('a form with an empty 备注 box raises no remarks item', async () => {
    const [a] = letters;
    const { items } = await json(['review', 'list', '--visit', a!.visitId]);
    expect(items.map((i: any) => i.subject)).not.toContain('remarks');
  });
});

describe('a receipt scanned before its number was listed', () => {
  it('waits in quarantine with its number read, and files itself when the mailing list comes', async () => {
    const [, b] = letters;
    const number = makeTrackingNumber('XA', 16180339);
    const alone = join(dir, 'receipt-alone.png');
    writeFileSync(alone, await receiptScan(number));
    const got = await json(['ingest', alone], 1);
    const q = got.quarantined[0];
    expect(q.ruleId).toBe('ingest/no-qr-code');
    expect((await sharp(readFileSync(q.crop)).metadata()).format).toBe('png');
    const list = join(dir, 'late-mailing.csv');
    writeFileSync(list, `回访编号,邮件号码\n${b!.visitId},${number}\n`);
    const imported = await json(['mailing', 'import', list]);
    expect(imported.receiptsFiled.map((f: any) => [f.visitId, f.page, f.trackingNumber])).toEqual([
      [b!.visitId, 1, number],
    ]);
    const pages = await json(['pages', 'list', '--file', alone]);
    expect(pages.pages.map((p: any) => [p.status, p.visitId, p.kind, p.assignedBy])).toEqual([
      ['assigned', b!.visitId, 'postal-receipt', 'handler'],
    ]);
    expect((await json(['quarantine'])).quarantined.map((e: any) => e.path)).not.toContain(alone);
  });
});

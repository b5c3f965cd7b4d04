/**
 * Letters and record forms as rendered files: read back as text (pdf.js, pdftotext), looked
 * at as pixels (rasterized with pdf.js), their QR codes decoded, their geometry checked
 * against src/layout, and the files checked by qpdf.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VISIT_CATEGORIES } from '../src/domain/visit.ts';
import { formLayout, formLayoutId, type FormLayout } from '../src/layout/form.ts';
import {
  addressInWindow,
  FOLD_LINES_Y,
  FOLD_MARK,
  FOLDED_SHEET_PLAY,
  LETTER,
  LETTER_LAYOUT_ID,
} from '../src/layout/letter.ts';
import {
  A4,
  CONTENT,
  FOOTER_BAND,
  inset,
  QR_CAPTION,
  QR_CODES,
  rect,
  REGISTRATION_MARKS,
  type Rect,
} from '../src/layout/page.ts';
import { encodePagePayload } from '../src/layout/qr-payload.ts';
import { DocumentFonts, PageCanvas } from '../src/render/canvas.ts';
import { TextFitError } from '../src/render/fit.ts';
import { loadFace, MissingGlyphError } from '../src/render/fonts.ts';
import { drawFormStatic } from '../src/render/form.ts';
import { GlyphSet } from '../src/render/pdf-font.ts';
import { rasterizePdf, type RasterPage } from '../src/formats/rasterize.ts';
import { LetterRenderer, type RenderedDocument } from '../src/render/renderer.ts';
import {
  darkFraction,
  decodeQr,
  inkBounds,
  makeCustomer,
  makeVisit,
  pageTexts,
  pdftotext,
  rotate180,
  SENDER,
} from './render-helpers.ts';
import { needTools } from './tools.ts';

const DPI = 150;
const dir = mkdtempSync(join(tmpdir(), 'huifang-render-'));

let renderer: LetterRenderer;
let individual: RenderedDocument;
let institution: RenderedDocument;
let faceToFace: RenderedDocument;
let individualPages: RasterPage[];
let institutionPages: RasterPage[];
let faceToFacePages: RasterPage[];
/** The return envelope faces printed after each letter's form (the last page of a letter's PDF). */
let individualEnvelope: RasterPage;
let institutionEnvelope: RasterPage;

const individualCustomer = makeCustomer({
  address: '上海市黄浦区南京东路步行街一百二十三弄45号801室（近河南中路，请放入信报箱）',
});
const institutionCustomer = makeCustomer({
  kind: 'institution',
  name: '上海浦江资产管理有限公司',
  contactPerson: '李娜',
  address: '北京市朝阳区建国路88号SOHO现代城A座2301室',
  postcode: '100022',
  branchName: '北京建国路证券营业部',
  branchCode: '1101',
});

function save(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

beforeAll(async () => {
  renderer = await LetterRenderer.create({ sender: SENDER });
  individual = await renderer.letter({ visit: makeVisit({ category: 'new-account' }), customer: individualCustomer });
  institution = await renderer.letter({ visit: makeVisit({ category: 'key' }), customer: institutionCustomer });
  faceToFace = await renderer.form({
    visit: makeVisit({ category: 'existing', channel: 'face-to-face' }),
    customer: individualCustomer,
  });
  [individualPages, institutionPages, faceToFacePages] = await Promise.all([
    rasterizePdf(individual.bytes, { dpi: DPI }),
    rasterizePdf(institution.bytes, { dpi: DPI }),
    rasterizePdf(faceToFace.bytes, { dpi: DPI }),
  ]);
  individualEnvelope = individualPages.pop()!;
  institutionEnvelope = institutionPages.pop()!;
});

describe('letter and form text', () => {
  it('a letter is its letter pages followed by the record form', async () => {
    expect(individual.pageCount).toBeGreaterThanOrEqual(2);
    const texts = await pageTexts(individual.bytes);
    expect(texts).toHaveLength(individual.pageCount);
    expect(texts[0]).toContain('客户回访函');
    expect(texts[0]).toContain('尊敬的张伟明客户：');
    expect(texts.at(-2)).toContain('客户回访记录表');
    expect(texts.slice(0, -2).join('')).not.toContain('客户回访记录表盖章处');
    // then the prepaid return envelope's face, addressed to the company, the customer as sender
    expect(texts.at(-1)).toContain('回邮信封');
    expect(texts.at(-1)).toContain(`${SENDER.companyName}${SENDER.department}收`);
    expect(texts.at(-1)).toContain('寄件人：张伟明');
    // a DL envelope (220 × 110 mm), landscape, for both customers
    for (const envelope of [individualEnvelope, institutionEnvelope]) {
      expect(Math.round((envelope.width / envelope.dpi) * 25.4)).toBe(220);
      expect(Math.round((envelope.height / envelope.dpi) * 25.4)).toBe(110);
    }
    expect(faceToFace.pageCount).toBe(1);
  });

  it('the Chinese is extractable: addressee, body, questions, form labels', async () => {
    const all = (await pageTexts(individual.bytes)).join('');
    for (const expected of [
      '200001',
      '上海市黄浦区南京东路步行街一百二十三弄45号801室',
      '张伟明收',
      '您是否本人（或持经公证的授权委托书的代理人）亲自办理开户并签署相关协议？',
      '客户签名',
      '盖章处',
      '经办人签名',
      '满意',
      '不满意',
      individual.visitId,
    ]) {
      expect(all).toContain(expected);
    }
  });

  it('an institution is addressed by name with its contact person, and asked for its official seal', async () => {
    const all = (await pageTexts(institution.bytes)).join('');
    expect(all).toContain('上海浦江资产管理有限公司');
    expect(all).toContain('联系人：李娜');
    expect(all).toContain('公章');
  });

  it('pdftotext returns the Chinese too', (ctx) => {
    needTools(ctx, 'pdftotext');
    const text = pdftotext(save('individual.pdf', individual.bytes));
    expect(text).toContain('客户回访函');
    expect(text).toContain('您的账户初始密码是否由您本人设置？');
    expect(text).toContain('上海浦东南路证券营业部');
  });

  it('embeds subset fonts (a few hundred kilobytes at most), never the 10 MB originals', () => {
    const pdf = Buffer.from(individual.bytes).toString('latin1');
    const names = [...pdf.matchAll(/\/BaseFont\/([A-Z]{6})\+(NotoSansSC-[A-Za-z]+)/g)].map((m) => m[2]);
    expect(names).toContain('NotoSansSC-Regular');
    expect(names).toContain('NotoSansSC-Bold');
    const lengths = [...pdf.matchAll(/\/Length1 (\d+)/g)].map((m) => Number(m[1]));
    expect(lengths.length).toBeGreaterThanOrEqual(2);
    for (const length of lengths) expect(length).toBeLessThan(400_000);
    expect(individual.bytes.length).toBeLessThan(400_000);
  });
});

describe('glyphs are drawn (pixels, not only extractable text)', () => {
  it('the form title has the ink of seven bold characters', () => {
    const form = individualPages.at(-1)!;
    const layout = formLayout('new-account');
    // 客户回访记录表 at 16 pt: about 40 mm wide, centred in the title box.
    const titleInk = darkFraction(form, layout.title);
    expect(titleInk).toBeGreaterThan(0.04);
    expect(titleInk).toBeLessThan(0.4);
    const bounds = inkBounds(form, layout.title)!;
    expect(bounds.width).toBeGreaterThan(35);
    expect(bounds.width).toBeLessThan(50);
    expect(Math.abs(bounds.x + bounds.width / 2 - (layout.title.x + layout.title.width / 2))).toBeLessThan(1.5);
  });

  it('the letter body is inked line after line, like text', () => {
    const page = individualPages[0]!;
    const body = LETTER.bodyFirstPage;
    const ink = darkFraction(page, rect(body.x, body.y, body.width, 60));
    expect(ink).toBeGreaterThan(0.03);
    expect(ink).toBeLessThan(0.3);
    // The question text cells of the form carry ink; a blank-glyph font would leave them white.
    const form = individualPages.at(-1)!;
    for (const q of formLayout('new-account').questions)
      expect(darkFraction(form, q.text), q.question.id).toBeGreaterThan(0.02);
  });
});

describe('QR codes, caption and registration marks on every page', () => {
  const documents = (): [string, RenderedDocument, RasterPage[], string][] => [
    ['individual letter', individual, individualPages, 'new-account'],
    ['institution letter', institution, institutionPages, 'key'],
    ['face-to-face form', faceToFace, faceToFacePages, 'existing'],
  ];
  const around = (r: Rect): Rect => rect(r.x - 3, r.y - 3, r.width + 6, r.height + 6);
  const upsideDown = (r: Rect): Rect => rect(A4.width - r.x - r.width, A4.height - r.y - r.height, r.width, r.height);

  it('both codes decode to the page payload, right side up and upside down', async () => {
    for (const [name, doc, pages, category] of documents()) {
      for (const page of pages) {
        const isForm = page.page === pages.length;
        const expected = encodePagePayload({
          visitId: doc.visitId,
          kind: isForm ? 'form' : 'letter',
          page: page.page,
          pageCount: pages.length,
          layout: isForm ? formLayoutId(category as never) : LETTER_LAYOUT_ID,
        });
        const turned = rotate180(page);
        for (const code of [QR_CODES.topRight, QR_CODES.bottomLeft]) {
          expect(await decodeQr(page, around(code)), `${name} page ${page.page}`).toEqual([expected]);
          expect(await decodeQr(turned, around(upsideDown(code))), `${name} page ${page.page} upside down`).toEqual([
            expected,
          ]);
        }
      }
    }
  });

  it('the visit id is printed under the top-right code', async () => {
    for (const [, doc] of documents()) {
      for (const text of await pageTexts(doc.bytes)) expect(text).toContain(doc.visitId);
    }
    const caption = inkBounds(
      individualPages[0]!,
      rect(QR_CAPTION.x, QR_CAPTION.y - 0.3, QR_CAPTION.width, QR_CAPTION.height + 0.6),
    )!;
    expect(caption.x + caption.width).toBeLessThanOrEqual(QR_CODES.topRight.x + QR_CODES.topRight.width + 0.3);
  });

  it('the four registration marks are solid squares with white around them', () => {
    for (const [name, , pages] of documents()) {
      for (const page of pages) {
        for (const mark of REGISTRATION_MARKS) {
          expect(darkFraction(page, inset(mark, 0.4)), `${name} page ${page.page}`).toBeGreaterThan(0.97);
          const ring = [
            rect(mark.x - 1.5, mark.y - 1.5, mark.width + 3, 1),
            rect(mark.x - 1.5, mark.y + mark.height + 0.5, mark.width + 3, 1),
          ];
          for (const r of ring)
            expect(darkFraction(page, r), `${name} page ${page.page} around a mark`).toBeLessThan(0.01);
        }
      }
    }
  });

  it('nothing is drawn outside the content area but marks, codes, caption and fold marks; nothing in the footer band', () => {
    const allowed: Rect[] = [
      ...REGISTRATION_MARKS.map((m) => inset(m, -0.4)),
      inset(QR_CODES.topRight, -0.4),
      inset(QR_CODES.bottomLeft, -0.4),
      inset(QR_CAPTION, -0.3),
      ...FOLD_LINES_Y.map((y) => rect(FOLD_MARK.x - 0.4, y - 0.6, FOLD_MARK.length + 0.8, 1.2)),
      inset(CONTENT, -0.4),
    ];
    for (const [name, , pages] of documents()) {
      for (const page of pages) {
        expect(darkFraction(page, FOOTER_BAND, 200), `${name} page ${page.page}: footer band`).toBe(0);
        const mm = (px: number): number => ((px + 0.5) * 25.4) / page.dpi;
        for (let y = 0; y < page.height; y++) {
          const ymm = mm(y);
          const rows = allowed.filter((a) => ymm >= a.y && ymm <= a.y + a.height);
          for (let x = 0; x < page.width; x++) {
            const i = (y * page.width + x) * 4;
            if (page.data[i]! >= 200 && page.data[i + 1]! >= 200 && page.data[i + 2]! >= 200) continue;
            const xmm = mm(x);
            if (rows.some((a) => xmm >= a.x && xmm <= a.x + a.width)) continue;
            expect.fail(
              `${name} page ${page.page}: ink at ${xmm.toFixed(1)},${ymm.toFixed(1)} mm, outside the areas a page may draw in`,
            );
          }
        }
      }
    }
  });
});

describe('the address block and the DL window envelope', () => {
  it('the address block shows through the window wherever the folded sheet settles', () => {
    for (let down = 0; down <= FOLDED_SHEET_PLAY.down; down += 0.5) {
      for (let across = 0; across <= FOLDED_SHEET_PLAY.across; across += 0.5) {
        expect(addressInWindow(down, across), `down ${down}, across ${across}`).toBe(true);
      }
    }
  });

  it('the drawn addressee lies within LETTER.address', () => {
    // Everything between the sender line and the body, left of the reference block.
    const region = rect(
      12,
      LETTER.sender.y + LETTER.sender.height + 0.6,
      LETTER.reference.x - 6 - 12,
      LETTER.bodyFirstPage.y - 1 - (LETTER.sender.y + LETTER.sender.height + 0.6),
    );
    for (const pages of [individualPages, institutionPages]) {
      const bounds = inkBounds(pages[0]!, region)!;
      expect(bounds).not.toBeNull();
      const a = LETTER.address;
      expect(bounds.x).toBeGreaterThanOrEqual(a.x - 0.2);
      expect(bounds.y).toBeGreaterThanOrEqual(a.y - 0.2);
      expect(bounds.x + bounds.width).toBeLessThanOrEqual(a.x + a.width + 0.2);
      expect(bounds.y + bounds.height).toBeLessThanOrEqual(a.y + a.height + 0.2);
      // and it is the address, not an empty block: most of the box's width is used
      expect(bounds.width).toBeGreaterThan(a.width * 0.6);
    }
  });

  it('a long address is shrunk to fit; one that cannot fit is refused with the visit named', async () => {
    const long =
      '广东省深圳市南山区粤海街道高新区社区科技南十二路2号金蝶软件园B座11楼东区1101至1108室（深圳湾科技生态园旁，请交前台代收）';
    const fitted = await renderer.letter({ visit: makeVisit(), customer: makeCustomer({ address: long }) });
    expect((await pageTexts(fitted.bytes))[0]).toContain('深圳湾科技生态园旁');
    const visit = makeVisit();
    await expect(renderer.letter({ visit, customer: makeCustomer({ address: long.repeat(4) }) })).rejects.toThrow(
      TextFitError,
    );
    await expect(renderer.letter({ visit, customer: makeCustomer({ address: long.repeat(4) }) })).rejects.toThrow(
      visit.visitId,
    );
  });

  it('a character the font cannot draw is refused, naming it', async () => {
    await expect(
      renderer.letter({ visit: makeVisit(), customer: makeCustomer({ name: '张\u{1F600}' }) }),
    ).rejects.toThrow(MissingGlyphError);
    await expect(
      renderer.letter({ visit: makeVisit(), customer: makeCustomer({ name: '张\u{1F600}' }) }),
    ).rejects.toThrow('U+1F600');
  });
});

describe('the record form', () => {
  const checkForm = (page: RasterPage, layout: FormLayout): void => {
    for (const box of layout.tickBoxes) {
      // A visible outline, and nothing printed where a tick is looked for.
      expect(
        darkFraction(page, rect(box.box.x - 0.25, box.box.y - 0.25, box.box.width + 0.5, 0.6)),
        `${box.id} top edge`,
      ).toBeGreaterThan(0.3);
      expect(darkFraction(page, box.ink, 200), `${box.id} inside`).toBe(0);
    }
    for (const mark of layout.marks) {
      expect(darkFraction(page, mark.ink, 200), `${mark.id} ink area`).toBe(0);
      expect(
        darkFraction(page, rect(mark.box.x + 2, mark.box.y - 0.3, mark.box.width - 4, 0.6)),
        `${mark.id} outline`,
      ).toBeGreaterThan(0.3);
      expect(darkFraction(page, rect(mark.box.x + 1, mark.box.y + 0.8, 20, 4.5)), `${mark.id} label`).toBeGreaterThan(
        0.03,
      );
    }
    expect(darkFraction(page, layout.remarks.ink, 200)).toBe(0);
    for (const cell of layout.fields)
      expect(darkFraction(page, cell.labelCell), `${cell.key} label`).toBeGreaterThan(0.02);
  };

  it('draws every box of the layout where the layout says, empty inside', () => {
    checkForm(individualPages.at(-1)!, formLayout('new-account'));
    checkForm(institutionPages.at(-1)!, formLayout('key'));
    checkForm(faceToFacePages[0]!, formLayout('existing'));
  });

  it('the seal box says 盖章处 with its hint, and the dates are lines to fill in', async () => {
    const text = (await pageTexts(faceToFace.bytes))[0]!;
    expect(text).toContain('盖章处（机构客户须加盖公章）');
    expect(text).toMatch(/日期年月日/);
    // A face-to-face visit is dated by hand: no printed date in the 回访日期 cell.
    const dateCell = formLayout('existing').fields.find((f) => f.key === 'visitDate')!;
    expect(text).not.toContain('2026年11月28日');
    expect(darkFraction(faceToFacePages[0]!, dateCell.valueCell)).toBeGreaterThan(0.005);
  });

  it('every category’s form can be drawn (every question fits two lines)', () => {
    const sets = { regular: new GlyphSet(loadFace('regular')), bold: new GlyphSet(loadFace('bold')) };
    for (const category of VISIT_CATEGORIES)
      drawFormStatic(new PageCanvas(new DocumentFonts(sets, 'grow-shared')), formLayout(category));
  });

  it('a question too long for two lines is refused, naming it', () => {
    const layout = formLayout('ib');
    const q = layout.questions[0]!;
    const tooLong: FormLayout = {
      ...layout,
      questions: [{ ...q, question: { ...q.question, text: '您是否知晓'.repeat(30) } }],
    };
    const sets = { regular: new GlyphSet(loadFace('regular')), bold: new GlyphSet(loadFace('bold')) };
    expect(() => drawFormStatic(new PageCanvas(new DocumentFonts(sets, 'grow-shared')), tooLong)).toThrow(
      /question ib\.knows-relationship .*more than two lines/,
    );
  });
});

describe('files', () => {
  it('qpdf --check passes on letters and forms', (ctx) => {
    needTools(ctx, 'qpdf');
    for (const [name, doc] of [
      ['individual.pdf', individual],
      ['institution.pdf', institution],
      ['form.pdf', faceToFace],
    ] as const) {
      const out = execFileSync('qpdf', ['--check', save(name, doc.bytes)], { encoding: 'utf8' });
      expect(out).toContain('No syntax or stream encoding errors found');
    }
  });

  it('the same visit renders to the same bytes', async () => {
    const visit = makeVisit();
    const a = await renderer.letter({ visit, customer: individualCustomer });
    const b = await (await LetterRenderer.create({ sender: SENDER })).letter({ visit, customer: individualCustomer });
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
  });
});

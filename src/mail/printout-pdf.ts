/**
 * The e-mail printout (电子邮件打印件, 第七条: 打印电子邮件的内容作为此记录表的附件): an
 * e-mail rendered to A4 PDF pages — headers (From/To/Cc/Date/Subject, Chinese names and
 * subjects decoded), the body as readable text, and the list of attachments with name, type,
 * size and SHA-256 — set in the embedded Noto Sans SC subset so the text is selectable and
 * `pdftotext` returns it.
 *
 * Nothing is drawn in the page's footer band (`FOOTER_BAND`), which stamping fills with the
 * archive reference. The same e-mail and visit give the same bytes (no clock in the file).
 */
import { loadFace, type FaceName, type FontFace } from '../render/fonts.ts';
import { buildFontData, GlyphSet, writeFont } from '../render/pdf-font.ts';
import { deflate, PdfWriter } from '../render/pdf-writer.ts';
import { pageDict, writeFile } from '../render/document.ts';
import { wrapText } from '../render/text.ts';
import { A4, FOOTER_BAND, mmToPt } from '../layout/page.ts';
import { formatAddress, type ParsedEmail } from './parse.ts';

export interface PrintoutOptions {
  /** The visit the e-mail belongs to, printed on every page. */
  visitId?: string | null;
  /** SHA-256 of the original .eml, printed so the paper names its source. */
  sourceSha256: string;
}

/** Margins of the printout, in mm: the body stays above the footer band. */
const LEFT = 20;
const RIGHT = 190;
const TOP = 22;
const BOTTOM = FOOTER_BAND.y - 6; // 270
const LABEL_WIDTH = 24;

const REPLACEMENT = '□';

/** A character the typeface cannot draw is printed as □ (and counted), never dropped silently. */
function printable(face: FontFace, text: string, missing: { count: number }): string {
  let out = '';
  for (const ch of text.replace(/\r\n?/g, '\n').replace(/\t/g, '    ')) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\n') out += ch;
    else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp === 0xfeff || cp === 0x200b) continue;
    else if (face.glyph(cp)) out += ch;
    else {
      out += REPLACEMENT;
      missing.count += 1;
    }
  }
  return out;
}

interface Run {
  face: FaceName;
  sizePt: number;
  /** Position of the baseline's left end, in mm from the page's top-left. */
  x: number;
  y: number;
  text: string;
  grey?: boolean;
}

interface Rule {
  y: number;
}

interface Page {
  runs: Run[];
  rules: Rule[];
}

function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Lays text out in pages; new pages start when a line would run into the footer band. */
class Layout {
  readonly pages: Page[] = [];
  y = TOP;
  readonly missing = { count: 0 };
  constructor(
    private readonly faces: Record<FaceName, FontFace>,
    private readonly header: (page: Page) => void,
  ) {
    this.newPage();
  }

  private get page(): Page {
    return this.pages.at(-1)!;
  }

  newPage(): void {
    const page: Page = { runs: [], rules: [] };
    this.pages.push(page);
    this.header(page);
    this.y = TOP + 8;
  }

  /** Writes wrapped text at x (mm) within width (mm); returns nothing, advances y. */
  text(
    text: string,
    o: {
      face?: FaceName;
      sizePt?: number;
      x?: number;
      width?: number;
      lineMm?: number;
      grey?: boolean;
      firstLineX?: number;
    } = {},
  ): void {
    const faceName = o.face ?? 'regular';
    const face = this.faces[faceName];
    const sizePt = o.sizePt ?? 10;
    const x = o.x ?? LEFT;
    const width = o.width ?? RIGHT - x;
    const lineMm = o.lineMm ?? sizePt * 0.3528 * 1.55;
    const clean = printable(face, text, this.missing);
    const paragraphs = clean.split('\n');
    for (const paragraph of paragraphs) {
      const lines =
        paragraph === ''
          ? [{ text: '' }]
          : wrapText(paragraph, { width: mmToPt(width), measure: (ch) => face.widthOf(ch, sizePt) });
      for (const line of lines) {
        if (this.y + lineMm > BOTTOM) this.newPage();
        this.y += lineMm;
        if (line.text)
          this.page.runs.push({
            face: faceName,
            sizePt,
            x,
            y: this.y - lineMm * 0.28,
            text: line.text,
            ...(o.grey ? { grey: true } : {}),
          });
      }
    }
  }

  /** A label in the left column and a wrapped value beside it (a header line). */
  field(label: string, value: string, sizePt = 10): void {
    const lineMm = sizePt * 0.3528 * 1.55;
    if (this.y + lineMm > BOTTOM) this.newPage();
    const top = this.y;
    this.page.runs.push({
      face: 'bold',
      sizePt,
      x: LEFT,
      y: top + lineMm * 0.72,
      text: printable(this.faces.bold, label, this.missing),
    });
    this.text(value || '—', { x: LEFT + LABEL_WIDTH, sizePt, lineMm });
  }

  gap(mm: number): void {
    this.y += mm;
  }

  rule(): void {
    if (this.y + 2 > BOTTOM) this.newPage();
    this.y += 1.5;
    this.page.rules.push({ y: this.y });
    this.y += 1.5;
  }
}

/**
 * Renders an e-mail as a printout PDF.
 *
 * @example
 * const mail = await parseEml(bytes, 'reply.eml');
 * const pdf = renderEmailPrintout(mail, { visitId: 'HF-7K3M9-Q2T4X', sourceSha256: sha256Of(bytes) });
 */
export function renderEmailPrintout(
  mail: ParsedEmail,
  options: PrintoutOptions,
): { pdf: Uint8Array; pageCount: number; missingGlyphs: number } {
  const faces: Record<FaceName, FontFace> = { regular: loadFace('regular'), bold: loadFace('bold') };
  const visitLabel = options.visitId ? `回访编号 ${options.visitId}` : '回访编号 —（未匹配）';
  const layout = new Layout(faces, (page) => {
    page.runs.push({ face: 'bold', sizePt: 9, x: LEFT, y: 14, text: '电子邮件打印件 E-mail printout', grey: true });
    page.runs.push({ face: 'regular', sizePt: 9, x: 120, y: 14, text: visitLabel, grey: true });
    page.rules.push({ y: 16.5 });
  });
  layOutHeaders(layout, mail, options);
  layOutBody(layout, mail);
  layOutAttachments(layout, mail);

  // Number the pages, then emit glyphs and content streams.
  const total = layout.pages.length;
  layout.pages.forEach((page, i) =>
    page.runs.push({ face: 'regular', sizePt: 9, x: 172, y: 14, text: `第 ${i + 1}/${total} 页`, grey: true }),
  );
  const sets: Record<FaceName, GlyphSet> = { regular: new GlyphSet(faces.regular), bold: new GlyphSet(faces.bold) };
  const pdf = writePrintout(mail, options, sets, contentStreams(layout, sets));
  return { pdf, pageCount: total, missingGlyphs: layout.missing.count };
}

/** The subject as a title, then From, To, Cc, Date, Subject and the original file. */
function layOutHeaders(layout: Layout, mail: ParsedEmail, options: PrintoutOptions): void {
  layout.text(mail.subject || '（无主题）', { face: 'bold', sizePt: 14 });
  layout.gap(2);
  layout.field('发件人 From', mail.from.map(formatAddress).join('; '));
  layout.field('收件人 To', mail.to.map(formatAddress).join('; '));
  if (mail.cc.length) layout.field('抄送 Cc', mail.cc.map(formatAddress).join('; '));
  layout.field('日期 Date', mail.dateHeader ?? mail.date ?? '—');
  layout.field('主题 Subject', mail.subject || '（无主题）');
  layout.field('原始文件', `${mail.fileName}  SHA-256 ${options.sourceSha256}`, 8);
  layout.rule();
  layout.gap(1);
}

/** The body text, saying when there is none or it came from HTML. */
function layOutBody(layout: Layout, mail: ParsedEmail): void {
  if (mail.bodySource === 'none') layout.text('（邮件没有正文 / the message has no body text）', { grey: true });
  else layout.text(mail.text, { sizePt: 10.5 });
  if (mail.bodySource === 'html')
    layout.text('（正文由 HTML 转换为文本 / body converted from HTML）', { sizePt: 8, grey: true });
  layout.gap(2);
  layout.rule();
}

/** Each attachment's name, type, size and SHA-256; then a note on characters the font lacks. */
function layOutAttachments(layout: Layout, mail: ParsedEmail): void {
  layout.text(`附件 Attachments（${mail.attachments.length}）`, { face: 'bold', sizePt: 11 });
  if (mail.attachments.length === 0) layout.text('无 / none', { grey: true });
  mail.attachments.forEach((a, i) => {
    layout.text(`${i + 1}. ${a.fileName}${a.inline ? '（内嵌 inline）' : ''}`, { sizePt: 10 });
    layout.text(`${a.contentType} · ${humanSize(a.size)} (${a.size} bytes)`, { sizePt: 8.5, x: LEFT + 5, grey: true });
    layout.text(`SHA-256 ${a.sha256}`, { sizePt: 8, x: LEFT + 5, grey: true });
  });
  if (layout.missing.count > 0) {
    layout.gap(2);
    layout.text(`注：${layout.missing.count} 个字符无法用本字体显示，以 ${REPLACEMENT} 代替；原文见原始 .eml 文件。`, {
      sizePt: 8,
      grey: true,
    });
  }
}

/** Each page's content stream: its rules, then its runs of text as glyphs of the sets. */
function contentStreams(layout: Layout, sets: Record<FaceName, GlyphSet>): string[] {
  const H = mmToPt(A4.height);
  return layout.pages.map((page) => {
    const ops: string[] = [];
    for (const r of page.rules)
      ops.push(
        `0.6 G 0.5 w ${mmToPt(LEFT).toFixed(2)} ${(H - mmToPt(r.y)).toFixed(2)} m ${mmToPt(RIGHT).toFixed(2)} ${(H - mmToPt(r.y)).toFixed(2)} l S`,
      );
    for (const r of page.runs) {
      let hex = '';
      for (const ch of r.text) hex += sets[r.face].add(ch, ch.codePointAt(0)!, r.text);
      ops.push(
        `BT ${r.grey ? '0.35 g' : '0 g'} /${r.face === 'bold' ? 'F2' : 'F1'} ${r.sizePt} Tf 1 0 0 1 ${mmToPt(r.x).toFixed(2)} ${(H - mmToPt(r.y)).toFixed(2)} Tm <${hex}> Tj ET`,
      );
    }
    return ops.join('\n');
  });
}

/** The PDF file: its info, the two fonts (subsets of the glyphs used), one page a stream. */
function writePrintout(
  mail: ParsedEmail,
  options: PrintoutOptions,
  sets: Record<FaceName, GlyphSet>,
  streams: string[],
): Uint8Array {
  const w = new PdfWriter();
  const info = {
    title: `电子邮件打印件 ${mail.subject}`.trim(),
    subject: options.visitId ?? '',
    creator: 'huifang email-printout',
    id: `email-printout|${options.sourceSha256}|${options.visitId ?? ''}`,
  };
  return writeFile(w, info, (parent) => {
    const f1 = writeFont(w, buildFontData(sets.regular));
    const f2 = sets.bold.size > 1 ? writeFont(w, buildFontData(sets.bold)) : f1;
    return streams.map((s) =>
      w.put(
        w.alloc(),
        pageDict(
          parent,
          `<</Font<</F1 ${f1} 0 R/F2 ${f2} 0 R>>>>`,
          w.putStream(w.alloc(), '/Filter/FlateDecode', deflate(s)),
        ),
      ),
    );
  });
}

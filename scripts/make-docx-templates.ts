/**
 * Builds the Word templates `templates/letter.docx` and `templates/form.docx` from XML.
 *
 *     node --import tsx scripts/make-docx-templates.ts [--out DIR]
 *
 * The letter's wording is taken from `templates/letter.txt` (the PDF letter's text), so the
 * two letters say the same thing when the templates are generated; the record form is a
 * `{@recordForm}` paragraph that huifang replaces with the form page drawn from `src/layout`
 * (the same geometry, QR codes and marks as the PDF). Staff may then edit the .docx files in Word: this script is
 * only how the shipped versions were made, and running it again overwrites those edits.
 *
 * Output is deterministic (fixed file order and zip dates): the same inputs give the same bytes.
 * Every tag is written whole inside one run, so docxtemplater reads it as written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import PizZip from 'pizzip';
import { A4, CONTENT, FOOTER_BAND } from '../src/layout/page.ts';
import { PROJECT_ROOT } from '../src/render/templates.ts';
import { writeFileAtomicSync } from '../src/store/atomic.ts';

/**
 * Every zip entry is dated 2026-01-01 00:00, so that the bytes never depend on when the script
 * ran. Zip dates are local wall-clock fields, hence a local-time date: the same in every time zone.
 */
const ZIP_DATE = new Date(2026, 0, 1, 0, 0, 0);

const MM = 1440 / 25.4; // twips per millimetre
const tw = (mm: number): number => Math.round(mm * MM);

/** A4; the text ends where the PDF's content area does (CONTENT), above the bottom QR code and marks. */
const PAGE = { width: tw(210), height: tw(297), margin: tw(20), bottom: tw(A4.height - CONTENT.y - CONTENT.height) };
const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;

/** Body text: 宋体 for Chinese (Noto Serif CJK SC where 宋体 is missing), Times New Roman for Latin. */
const BODY_FONT = { eastAsia: '宋体', latin: 'Times New Roman' };
/** Titles and labels: 黑体. */
const HEAD_FONT = { eastAsia: '黑体', latin: 'Arial' };

// ---------------------------------------------------------------------------------------
// WordprocessingML helpers.

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

interface RunStyle {
  bold?: boolean;
  size?: number; // points
  head?: boolean;
}

function rPr(style: RunStyle = {}): string {
  const font = style.head ? HEAD_FONT : BODY_FONT;
  const size = style.size ? `<w:sz w:val="${style.size * 2}"/><w:szCs w:val="${style.size * 2}"/>` : '';
  return `<w:rPr><w:rFonts w:ascii="${font.latin}" w:hAnsi="${font.latin}" w:eastAsia="${font.eastAsia}" w:cs="${font.latin}"/>${style.bold ? '<w:b/><w:bCs/>' : ''}${size}<w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr>`;
}

/** One run; a whole line of text with its tags stays in one run. */
function run(text: string, style: RunStyle = {}): string {
  return `<w:r>${rPr(style)}<w:t xml:space="preserve">${esc(text)}</w:t></w:r>`;
}

interface ParaStyle extends RunStyle {
  align?: 'left' | 'center' | 'right' | 'both';
  /** First-line indent in characters (2 = the usual Chinese paragraph indent). */
  indentChars?: number;
  /** Left indent in mm. */
  leftMm?: number;
  /** Exact line height in mm (fixed positions); otherwise 1.3 lines. */
  exactMm?: number;
  beforePt?: number;
  afterPt?: number;
  pageBreakBefore?: boolean;
  keepNext?: boolean;
  /** The style's name as Word shows it. */
  name?: string;
}

function pPrInner(style: ParaStyle): string {
  const spacing = style.exactMm
    ? `<w:spacing w:before="${(style.beforePt ?? 0) * 20}" w:after="${(style.afterPt ?? 0) * 20}" w:line="${tw(style.exactMm)}" w:lineRule="exact"/>`
    : `<w:spacing w:before="${(style.beforePt ?? 0) * 20}" w:after="${(style.afterPt ?? 0) * 20}" w:line="312" w:lineRule="auto"/>`;
  const ind =
    style.indentChars || style.leftMm
      ? `<w:ind${style.leftMm ? ` w:left="${tw(style.leftMm)}"` : ''}${style.indentChars ? ` w:firstLineChars="${style.indentChars * 100}"` : ''}/>`
      : '';
  return `${style.keepNext ? '<w:keepNext/>' : ''}${style.pageBreakBefore ? '<w:pageBreakBefore/>' : ''}${spacing}${ind}<w:jc w:val="${style.align ?? 'both'}"/>`;
}

/**
 * Paragraph styles of the document being built: every distinct look becomes one named style
 * in styles.xml (fonts with their eastAsia face, size, spacing, alignment) and paragraphs
 * only name their style. That keeps document.xml small, which is what docxtemplater's
 * rendering time grows with, and lets staff restyle the letter in Word by style.
 */
class StyleSheet {
  private readonly byKey = new Map<string, { id: string; xml: string }>();
  id(style: ParaStyle): string {
    const key = JSON.stringify(style);
    let entry = this.byKey.get(key);
    if (!entry) {
      const n = this.byKey.size + 1;
      const id = `hf${n}`;
      const name = style.name ?? `回访 ${n}`;
      entry = {
        id,
        xml: `<w:style w:type="paragraph" w:customStyle="1" w:styleId="${id}"><w:name w:val="${esc(name)}"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr>${pPrInner(style)}</w:pPr>${rPr(style)}</w:style>`,
      };
      this.byKey.set(key, entry);
    }
    return entry.id;
  }
  xml(): string {
    return [...this.byKey.values()].map((e) => e.xml).join('');
  }
}
let sheet = new StyleSheet();

function pPr(style: ParaStyle): string {
  return `<w:pPr><w:pStyle w:val="${sheet.id(style)}"/></w:pPr>`;
}

/** A paragraph in one run; the run takes its fonts from the paragraph's style. */
function para(text: string, style: ParaStyle = {}): string {
  return `<w:p>${pPr(style)}${text ? `<w:r><w:t xml:space="preserve">${esc(text)}</w:t></w:r>` : ''}</w:p>`;
}

const BORDER = (v: 'single' | 'nil') =>
  ['top', 'left', 'bottom', 'right', 'insideH', 'insideV']
    .map((side) => `<w:${side} w:val="${v}" w:sz="6" w:space="0" w:color="000000"/>`)
    .join('');

interface Cell {
  widthMm: number;
  body: string; // paragraphs
  span?: number;
  vAlign?: 'top' | 'center' | 'bottom';
  shade?: boolean;
  /** Draw a frame around this cell (signature and seal boxes in a borderless table). */
  boxed?: boolean;
}

function cell(c: Cell, widthTw: number): string {
  return `<w:tc><w:tcPr><w:tcW w:w="${widthTw}" w:type="dxa"/>${c.span && c.span > 1 ? `<w:gridSpan w:val="${c.span}"/>` : ''}${c.boxed ? `<w:tcBorders>${['top', 'left', 'bottom', 'right'].map((side) => `<w:${side} w:val="single" w:sz="8" w:space="0" w:color="000000"/>`).join('')}</w:tcBorders>` : ''}${c.shade ? '<w:shd w:val="clear" w:color="auto" w:fill="EDEDED"/>' : ''}<w:vAlign w:val="${c.vAlign ?? 'center'}"/></w:tcPr>${c.body || '<w:p/>'}</w:tc>`;
}

interface Row {
  cells: Cell[];
  heightMm?: number;
  exact?: boolean;
  header?: boolean;
  cantSplit?: boolean;
}

function table(gridMm: number[], rows: Row[], borders: boolean, cellMarginMm = 1.5): string {
  const grid = gridMm.map(tw);
  // Make the columns add up to the content width exactly.
  const total = grid.reduce((a, b) => a + b, 0);
  grid[grid.length - 1]! += CONTENT_WIDTH - total;
  const m = tw(cellMarginMm);
  const tblPr = `<w:tblPr><w:tblW w:w="${CONTENT_WIDTH}" w:type="dxa"/><w:tblLayout w:type="fixed"/><w:tblBorders>${BORDER(borders ? 'single' : 'nil')}</w:tblBorders><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="${m}" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="${m}" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="0000"/></w:tblPr>`;
  const tblGrid = `<w:tblGrid>${grid.map((g) => `<w:gridCol w:w="${g}"/>`).join('')}</w:tblGrid>`;
  const trs = rows.map((r) => {
    const trPr = `<w:trPr>${r.cantSplit !== false ? '<w:cantSplit/>' : ''}${r.heightMm ? `<w:trHeight w:val="${tw(r.heightMm)}" w:hRule="${r.exact ? 'exact' : 'atLeast'}"/>` : ''}${r.header ? '<w:tblHeader/>' : ''}</w:trPr>`;
    let col = 0;
    const tcs = r.cells.map((c) => {
      const span = c.span ?? 1;
      const width = grid.slice(col, col + span).reduce((a, b) => a + b, 0);
      col += span;
      return cell(c, width);
    });
    return `<w:tr>${trPr}${tcs.join('')}</w:tr>`;
  });
  return `<w:tbl>${tblPr}${tblGrid}${trs.join('')}</w:tbl>`;
}

// ---------------------------------------------------------------------------------------
// The letter's body, from templates/letter.txt.

/**
 * Each line of letter.txt becomes a paragraph; blank lines separate the text's paragraphs.
 * A section opened at the start of a line and closed on a later line (the questions loop)
 * gets its opening and closing tags in paragraphs of their own, so that docxtemplater's
 * paragraphLoop repeats whole paragraphs and leaves no empty one behind.
 */
function letterBody(text: string): string {
  const blocks = text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split(/\n\s*\n/);
  const out: string[] = [];
  blocks.forEach((block, b) => {
    const lines = block.split('\n').flatMap((line) => {
      const open = /^\{[#^]([A-Za-z]+)\}/.exec(line);
      if (open && !line.includes(`{/${open[1]}}`)) return [open[0], line.slice(open[0].length)].filter((l) => l !== '');
      return [line];
    });
    const isSalutation = b === 0;
    const isSignature = b === blocks.length - 1;
    const isClosing = lines[0]?.trim() === '此致';
    lines.forEach((line, i) => {
      const last = i === lines.length - 1;
      const after = last && !isSignature ? 6 : 0;
      if (isSignature) out.push(para(line, { align: 'right', beforePt: i === 0 ? 12 : 0, name: '回访函 落款' }));
      else if (isSalutation) out.push(para(line, { align: 'left', afterPt: after }));
      else if (isClosing) out.push(para(line, { align: 'left', indentChars: i === 0 ? 2 : 0, afterPt: after }));
      else out.push(para(line, { indentChars: 2, afterPt: after, name: after ? '回访函 正文 段末' : '回访函 正文' }));
    });
  });
  return out.join('');
}

/** Letterhead, return address and the addressee block placed for a DL window envelope (src/layout/letter.ts). */
function letterHead(): string {
  const address = [
    para('{postcode}', { align: 'left', leftMm: 2, exactMm: 6.5, size: 11 }),
    para('{address}', { align: 'left', leftMm: 2, exactMm: 6.5, size: 11 }),
    para('{customerName}{#contactPerson}（{contactPerson}）{/contactPerson}　收', {
      align: 'left',
      leftMm: 2,
      exactMm: 6.5,
      size: 11,
      bold: true,
    }),
  ].join('');
  const reference = [
    para('回访编号：{visitId}', { align: 'left', exactMm: 5.5, size: 9 }),
    para('发函日期：{letterDate}', { align: 'left', exactMm: 5.5, size: 9 }),
    para('营业部：{branchName}', { align: 'left', exactMm: 5.5, size: 9 }),
    para('客服热线：{serviceHotline}', { align: 'left', exactMm: 5.5, size: 9 }),
  ].join('');
  return [
    // The first page's registration marks and QR codes, drawn by huifang from src/layout.
    para('{@letterMarks}', { align: 'left' }),
    // 20–34 mm: letterhead; 34–44 mm: space; 44–49 mm: return address; 51–84 mm: addressee.
    para('{companyName}', { head: true, size: 16, align: 'left', exactMm: 14 }),
    para('', { exactMm: 10, size: 8 }),
    para('{department}　{senderAddress}　{senderPostcode}', { align: 'left', exactMm: 5, size: 8 }),
    para('', { exactMm: 2, size: 8 }),
    table(
      [78, 20, 72],
      [
        {
          heightMm: 33,
          exact: true,
          cells: [
            { widthMm: 78, body: address, vAlign: 'top' },
            { widthMm: 20, body: '' },
            { widthMm: 72, body: reference, vAlign: 'top' },
          ],
        },
      ],
      false,
      0,
    ),
    // 84–104 mm: space, then the title where the PDF letter's body starts.
    para('', { exactMm: 12, size: 8 }),
    para('客户回访函', { head: true, size: 16, align: 'center', afterPt: 12 }),
  ].join('');
}

// ---------------------------------------------------------------------------------------
// The record form (客户回访记录表): drawn by huifang from src/layout/form.ts at render time
// (render/docx-form.ts), with its QR codes and registration marks, in place of this paragraph.

function recordForm(): string {
  return para('{@recordForm}', { align: 'left' });
}

// ---------------------------------------------------------------------------------------
// The package.

const NS =
  'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

function documentXml(body: string): string {
  const sectPr = `<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter1"/><w:pgSz w:w="${PAGE.width}" w:h="${PAGE.height}"/><w:pgMar w:top="${PAGE.margin}" w:right="${PAGE.margin}" w:bottom="${PAGE.bottom}" w:left="${PAGE.margin}" w:header="${tw(10)}" w:footer="${tw(A4.height - FOOTER_BAND.y - FOOTER_BAND.height)}" w:gutter="0"/><w:cols w:space="425"/><w:docGrid w:linePitch="312"/></w:sectPr>`;
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document ${NS}><w:body>${body}${sectPr}</w:body></w:document>`;
}

function footerXml(): string {
  const field = (instr: string) =>
    `<w:r>${rPr({ size: 8 })}<w:fldChar w:fldCharType="begin"/></w:r><w:r>${rPr({ size: 8 })}<w:instrText xml:space="preserve"> ${instr} </w:instrText></w:r><w:r>${rPr({ size: 8 })}<w:fldChar w:fldCharType="separate"/></w:r><w:r>${rPr({ size: 8 })}<w:t>1</w:t></w:r><w:r>${rPr({ size: 8 })}<w:fldChar w:fldCharType="end"/></w:r>`;
  // In the band the PDF keeps for its footer (FOOTER_BAND): clear of the bottom-left QR code's quiet zone and the marks.
  const band = `<w:pPr><w:ind w:left="${tw(FOOTER_BAND.x - 20)}" w:right="${tw(210 - 20 - FOOTER_BAND.x - FOOTER_BAND.width)}"/><w:jc w:val="right"/></w:pPr>`;
  const p = `<w:p>${band}${run('回访编号：{visitId}　　第 ', { size: 8 })}${field('PAGE')}${run(' 页　共 ', { size: 8 })}${field('NUMPAGES')}${run(' 页', { size: 8 })}</w:p>`;
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr ${NS}>${p}</w:ftr>`;
}

const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="${BODY_FONT.latin}" w:hAnsi="${BODY_FONT.latin}" w:eastAsia="${BODY_FONT.eastAsia}" w:cs="${BODY_FONT.latin}"/><w:kern w:val="2"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:widowControl w:val="0"/><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>__STYLES__<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>`;

const SETTINGS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:defaultTabStop w:val="420"/><w:characterSpacingControl w:val="compressPunctuation"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat><w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/></w:settings>`;

const FONT_TABLE = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:font w:name="宋体"><w:altName w:val="SimSun"/><w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font><w:font w:name="黑体"><w:altName w:val="SimHei"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font><w:font w:name="Times New Roman"><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font><w:font w:name="Arial"><w:charset w:val="00"/><w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font></w:fonts>`;

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`;

const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`;

const DOCUMENT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rIdFonts" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/><Relationship Id="rIdFooter1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/></Relationships>`;

function coreXml(title: string): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>${esc(title)}</dc:title><dc:creator>huifang</dc:creator></cp:coreProperties>`;
}

function docx(title: string, body: string, styles: string): Uint8Array {
  const zip = new PizZip();
  const add = (name: string, content: string) => zip.file(name, content, { date: ZIP_DATE, createFolders: false });
  add('[Content_Types].xml', CONTENT_TYPES);
  add('_rels/.rels', ROOT_RELS);
  add('docProps/core.xml', coreXml(title));
  add('word/document.xml', documentXml(body));
  add('word/_rels/document.xml.rels', DOCUMENT_RELS);
  add('word/styles.xml', STYLES.replace('__STYLES__', styles));
  add('word/settings.xml', SETTINGS);
  add('word/fontTable.xml', FONT_TABLE);
  add('word/footer1.xml', footerXml());
  return zip.generate({ type: 'uint8array', compression: 'DEFLATE', compressionOptions: { level: 9 } });
}

/** The two Word templates' bytes, built from letter.txt (wording) and the form layout (labels). */
export function buildDocxTemplates(letterText: string): { letter: Uint8Array; form: Uint8Array } {
  sheet = new StyleSheet();
  const letter = docx('客户回访函', letterHead() + letterBody(letterText) + recordForm(), sheet.xml());
  sheet = new StyleSheet();
  const form = docx('客户回访记录表', recordForm(), sheet.xml());
  return { letter, form };
}

function main(): void {
  const outIndex = process.argv.indexOf('--out');
  const outDir =
    outIndex > 0 && process.argv[outIndex + 1] ? process.argv[outIndex + 1]! : join(PROJECT_ROOT, 'templates');
  const letterText = readFileSync(join(PROJECT_ROOT, 'templates', 'letter.txt'), 'utf8');
  const { letter, form } = buildDocxTemplates(letterText);
  writeFileAtomicSync(join(outDir, 'letter.docx'), letter);
  writeFileAtomicSync(join(outDir, 'form.docx'), form);
  process.stdout.write(
    `wrote ${join(outDir, 'letter.docx')} (${letter.length} bytes) and ${join(outDir, 'form.docx')} (${form.length} bytes)\n`,
  );
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) main();

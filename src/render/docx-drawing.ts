/**
 * Drawing objects for Word documents (WordprocessingML + DrawingML), each anchored to the
 * page at a position in millimetres from `src/layout` (converted to EMU), so that Word and
 * LibreOffice put it exactly there whatever the text around it does: filled and outlined
 * rectangles, text boxes, pictures. The paragraph that holds them declares the namespaces
 * they use, so the XML can go into any document.xml, also one a user saved from Word.
 */
import { mmToEmu, type Rect } from '../layout/page.ts';

const NS_WP = 'http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing';
const NS_A = 'http://schemas.openxmlformats.org/drawingml/2006/main';
const NS_PIC = 'http://schemas.openxmlformats.org/drawingml/2006/picture';
const NS_WPS = 'http://schemas.microsoft.com/office/word/2010/wordprocessingShape';
const NS_R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const NAMESPACES = `xmlns:w="${NS_W}" xmlns:r="${NS_R}" xmlns:wp="${NS_WP}" xmlns:a="${NS_A}" xmlns:pic="${NS_PIC}" xmlns:wps="${NS_WPS}"`;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Numbers the drawing objects of one page (Word wants each `docPr` id unique). */
export class DrawingIds {
  constructor(private next: number) {}
  take(): number {
    return this.next++;
  }
}

/** An object anchored to the page's top-left corner at `r` (mm), in front of the text, not wrapping it. */
function anchor(ids: DrawingIds, r: Rect, graphic: string, name: string): string {
  const id = ids.take();
  return (
    `<w:r><w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="${id}" behindDoc="0" locked="1" layoutInCell="0" allowOverlap="1">` +
    `<wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="page"><wp:posOffset>${mmToEmu(r.x)}</wp:posOffset></wp:positionH>` +
    `<wp:positionV relativeFrom="page"><wp:posOffset>${mmToEmu(r.y)}</wp:posOffset></wp:positionV>` +
    `<wp:extent cx="${mmToEmu(r.width)}" cy="${mmToEmu(r.height)}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>` +
    `<wp:docPr id="${id}" name="${name} ${id}"/><wp:cNvGraphicFramePr/>${graphic}</wp:anchor></w:drawing></w:r>`
  );
}

function shapeProperties(r: Rect, fill: string, line: string): string {
  return `<wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="${mmToEmu(r.width)}" cy="${mmToEmu(r.height)}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>${fill}${line}</wps:spPr>`;
}

const solid = (grey: number) => `<a:solidFill><a:srgbClr val="${greyHex(grey)}"/></a:solidFill>`;
const greyHex = (grey: number) =>
  Math.round(grey * 255)
    .toString(16)
    .padStart(2, '0')
    .repeat(3)
    .toUpperCase();
const NO_LINE = '<a:ln><a:noFill/></a:ln>';
/** A line width in points, as EMU (12,700 a point). */
const lineOf = (widthPt: number) =>
  `<a:ln w="${Math.round(widthPt * 12700)}"><a:solidFill><a:srgbClr val="000000"/></a:solidFill><a:miter lim="800000"/></a:ln>`;

function shapeGraphic(body: string): string {
  return `<a:graphic><a:graphicData uri="${NS_WPS}"><wps:wsp>${body}</wps:wsp></a:graphicData></a:graphic>`;
}

/** A rectangle filled with grey (0 black … 1 white), with an outline of `outlinePt` points or none. */
export function filledRect(ids: DrawingIds, r: Rect, grey = 0, outlinePt?: number): string {
  return anchor(
    ids,
    r,
    shapeGraphic(
      `<wps:cNvSpPr/>${shapeProperties(r, solid(grey), outlinePt ? lineOf(outlinePt) : NO_LINE)}<wps:bodyPr/>`,
    ),
    'Rectangle',
  );
}

/** A rectangle's outline, `widthPt` points wide, centred on its edges as in the PDF. */
export function outlinedRect(ids: DrawingIds, r: Rect, widthPt: number): string {
  return anchor(
    ids,
    r,
    shapeGraphic(`<wps:cNvSpPr/>${shapeProperties(r, '<a:noFill/>', lineOf(widthPt))}<wps:bodyPr/>`),
    'Box',
  );
}

/** A horizontal or vertical rule from (x1, y1) to (x2, y2), drawn as a thin filled rectangle. */
export function rule(ids: DrawingIds, x1: number, y1: number, x2: number, y2: number, widthPt: number): string {
  const w = (widthPt * 25.4) / 72;
  const r =
    y1 === y2
      ? { x: Math.min(x1, x2), y: y1 - w / 2, width: Math.abs(x2 - x1), height: w }
      : { x: x1 - w / 2, y: Math.min(y1, y2), width: w, height: Math.abs(y2 - y1) };
  return filledRect(ids, r, 0);
}

export interface TextStyle {
  size: number;
  bold?: boolean;
  /** 0 black … 1 white. */
  grey?: number;
  align?: 'left' | 'center' | 'right';
  /** Vertical placement in the box. */
  valign?: 'top' | 'middle' | 'bottom';
  /** 黑体 for labels, 宋体 for the rest. */
  head?: boolean;
}

/** One line of text as a run, with its Chinese and Latin fonts. */
function textRun(text: string, style: TextStyle): string {
  const east = style.head ? '黑体' : '宋体';
  const latin = style.head ? 'Arial' : 'Times New Roman';
  const colour = style.grey ? `<w:color w:val="${greyHex(style.grey)}"/>` : '';
  return `<w:r><w:rPr><w:rFonts w:ascii="${latin}" w:hAnsi="${latin}" w:eastAsia="${east}" w:cs="${latin}"/>${style.bold ? '<w:b/>' : ''}${colour}<w:sz w:val="${Math.round(style.size * 2)}"/><w:lang w:eastAsia="zh-CN"/></w:rPr><w:t xml:space="preserve">${escapeXml(text)}</w:t></w:r>`;
}

/** Text in a box at `r`: one paragraph a line, no inner margins, nothing drawn around it. */
export function textBox(ids: DrawingIds, r: Rect, lines: readonly string[], style: TextStyle): string {
  const para = (line: string) =>
    `<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="${Math.round(style.size * 20 * 1.15)}" w:lineRule="exact"/><w:jc w:val="${style.align ?? 'left'}"/></w:pPr>${textRun(line, style)}</w:p>`;
  const anchorAt = style.valign === 'top' ? 't' : style.valign === 'bottom' ? 'b' : 'ctr';
  const body =
    `<wps:cNvSpPr txBox="1"/>${shapeProperties(r, '<a:noFill/>', NO_LINE)}` +
    `<wps:txbx><w:txbxContent>${lines.map(para).join('')}</w:txbxContent></wps:txbx>` +
    `<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="${anchorAt}" anchorCtr="0"><a:noAutofit/></wps:bodyPr>`;
  return anchor(ids, r, shapeGraphic(body), 'Text');
}

/** A picture of the package (relationship `relId`) stretched over `r`. */
export function picture(ids: DrawingIds, r: Rect, relId: string, name: string): string {
  const id = ids.take();
  const graphic =
    `<a:graphic><a:graphicData uri="${NS_PIC}"><pic:pic><pic:nvPicPr><pic:cNvPr id="${id}" name="${name}"/><pic:cNvPicPr><a:picLocks noChangeAspect="1"/></pic:cNvPicPr></pic:nvPicPr>` +
    `<pic:blipFill><a:blip r:embed="${relId}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>` +
    `<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="${mmToEmu(r.width)}" cy="${mmToEmu(r.height)}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>`;
  return anchor(ids, r, graphic, name);
}

/** The start of the paragraph that holds a page's anchored objects; `pageBreakBefore` starts a new page with it. */
export function anchorParagraphStart(pageBreakBefore: boolean): string {
  return `<w:p ${NAMESPACES}><w:pPr>${pageBreakBefore ? '<w:pageBreakBefore/>' : ''}<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/></w:pPr>`;
}
export const ANCHOR_PARAGRAPH_END = '</w:p>';

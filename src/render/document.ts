/**
 * The one PDF document assembler (letters, forms, batch files, e-mail printouts): the page
 * tree, catalog and info dictionary around the pages (`writeFile`), every page A4 (`pageDict`).
 *
 * A rendered document before it becomes a file: its pages' content streams (compressed),
 * the fonts of its own, and the resources it shares with every document of its kind and
 * category (fonts prepared once per run, the record form's static drawing). The same
 * prepared document is written as its own PDF and, unchanged, into batch print files,
 * where the shared resources are written once for hundreds of letters.
 */
import { A4, mmToPt } from '../layout/page.ts';
import type { FaceName } from './fonts.ts';
import { type FontData, writeFont } from './pdf-font.ts';
import { pdfTextString, type PdfWriter } from './pdf-writer.ts';
import { FONT_RESOURCE } from './canvas.ts';
import type { LogoImage } from './logo.ts';

/** Resource name of the record form's static drawing. */
export const FORM_XOBJECT = 'Fm';
/** The resource name of the firm's logo on a letter's first page. */
export const LOGO_XOBJECT = 'Lg';

/** A page's MediaBox for a size in mm (A4 by default). */
export function mediaBox(size: { width: number; height: number } = A4): string {
  return `[0 0 ${Math.round(mmToPt(size.width) * 100) / 100} ${Math.round(mmToPt(size.height) * 100) / 100}]`;
}

export const MEDIA_BOX = mediaBox();

/** What every document of one kind and category shares; plain data, safe to send to another thread. */
export interface SharedResources {
  /** Identifies the resources' content: equal keys mean identical bytes. */
  key: string;
  fonts: Record<FaceName, FontData>;
  /** The record form's static drawing (compressed content stream), drawn on form pages. */
  form: Uint8Array;
  /** The firm's logo, drawn on a letter's first page (letters of a firm that set one). */
  logo?: LogoImage;
}

export interface PreparedPage {
  /** The page's content stream, compressed. */
  content: Uint8Array;
  /** Whether the page draws the record form's static part. */
  form: boolean;
  /** The page's size in mm when it is not A4 (the return envelope's face). */
  size?: { width: number; height: number };
}

/** One letter or form, ready to be written into a PDF file. */
export interface PreparedDocument {
  visitId: string;
  /** Shown as the PDF's title, e.g. `客户回访函 HF-7K3M9-Q2T4X`. */
  title: string;
  /** ISO date the document is dated (the PDF's creation date). */
  createdOn: string;
  shared: SharedResources;
  ownFonts: Partial<Record<FaceName, FontData>>;
  pages: PreparedPage[];
}

/** Writes the shared resources (once per file) and returns their object numbers. */
function sharedObjects(
  w: PdfWriter,
  shared: SharedResources,
  withForm: boolean,
): { regular: number; bold: number; form?: number; logo?: number } {
  const regular = w.shared(`${shared.key}/regular`, () => writeFont(w, shared.fonts.regular));
  const bold = w.shared(`${shared.key}/bold`, () => writeFont(w, shared.fonts.bold));
  const image = shared.logo;
  const logo = image
    ? w.shared(`${shared.key}/logo`, () =>
        w.putStream(
          w.alloc(),
          `/Type/XObject/Subtype/Image/Width ${image.width}/Height ${image.height}/ColorSpace/DeviceRGB/BitsPerComponent 8/Filter/FlateDecode`,
          image.data,
        ),
      )
    : undefined;
  if (!withForm) return { regular, bold, ...(logo ? { logo } : {}) };
  const form = w.shared(`${shared.key}/form`, () =>
    w.putStream(
      w.alloc(),
      `/Type/XObject/Subtype/Form/BBox${MEDIA_BOX}/Resources<</Font<</${FONT_RESOURCE.shared.regular} ${regular} 0 R/${FONT_RESOURCE.shared.bold} ${bold} 0 R>>>>/Filter/FlateDecode`,
      shared.form,
    ),
  );
  return { regular, bold, form, ...(logo ? { logo } : {}) };
}

/** Writes a document's pages under the page tree node `parent`; returns the page objects' numbers. */
export function writeDocumentPages(w: PdfWriter, doc: PreparedDocument, parent: number): number[] {
  const withForm = doc.pages.some((p) => p.form);
  const shared = sharedObjects(w, doc.shared, withForm);
  const fonts = [
    `/${FONT_RESOURCE.shared.regular} ${shared.regular} 0 R`,
    `/${FONT_RESOURCE.shared.bold} ${shared.bold} 0 R`,
  ];
  for (const face of ['regular', 'bold'] as const) {
    const own = doc.ownFonts[face];
    if (own) fonts.push(`/${FONT_RESOURCE.own[face]} ${writeFont(w, own)} 0 R`);
  }
  const resources = w.put(w.alloc(), `<</Font<<${fonts.join('')}>>${xObjects(shared)}>>`);
  return doc.pages.map((page) => {
    const content = w.putStream(w.alloc(), '/Filter/FlateDecode', page.content);
    return w.put(w.alloc(), pageDict(parent, `${resources} 0 R`, content, page.size));
  });
}

/** The XObject resources a document's pages draw: the record form, the logo. */
function xObjects(shared: { form?: number; logo?: number }): string {
  const names = [
    ...(shared.form ? [`/${FORM_XOBJECT} ${shared.form} 0 R`] : []),
    ...(shared.logo ? [`/${LOGO_XOBJECT} ${shared.logo} 0 R`] : []),
  ];
  return names.length ? `/XObject<<${names.join('')}>>` : '';
}

/** A blank page (duplex padding in batch files): no content, no marks; A4 unless `size` (mm) says otherwise. */
export function writeBlankPage(w: PdfWriter, parent: number, size?: { width: number; height: number }): number {
  return w.put(
    w.alloc(),
    `<</Type/Page/Parent ${parent} 0 R/MediaBox${size ? mediaBox(size) : MEDIA_BOX}/Resources<<>>>>`,
  );
}

/** A page's dictionary: A4, its resources and content stream. */
export function pageDict(
  parent: number,
  resources: string,
  content: number,
  size?: { width: number; height: number },
): string {
  return `<</Type/Page/Parent ${parent} 0 R/MediaBox${size ? mediaBox(size) : MEDIA_BOX}/Resources ${resources}/Contents ${content} 0 R>>`;
}

/** What a file's info dictionary says. Without a date, the file carries none (the same input gives the same bytes). */
export interface DocumentInfo {
  title: string;
  createdOn?: string;
  /** e.g. the visit id an e-mail printout belongs to. */
  subject?: string;
  /** Default `huifang`. */
  creator?: string;
  /** Seeds the file identifier. */
  id: string;
}

/** PDF date `D:20261128000000Z` from an ISO date. */
function pdfDate(isoDate: string): string {
  return `D:${isoDate.replaceAll('-', '').slice(0, 8)}000000Z`;
}

/** Writes the page tree, catalog and info dictionary around pages written by `fill`. */
export function writeFile(w: PdfWriter, info: DocumentInfo, fill: (parent: number) => number[]): Uint8Array {
  const pagesNum = w.alloc();
  const kids = fill(pagesNum);
  w.put(pagesNum, `<</Type/Pages/Kids[${kids.map((k) => `${k} 0 R`).join(' ')}]/Count ${kids.length}>>`);
  const catalog = w.put(
    w.alloc(),
    `<</Type/Catalog/Pages ${pagesNum} 0 R/Lang(zh-CN)/ViewerPreferences<</DisplayDocTitle true>>>>`,
  );
  const infoNum = w.put(
    w.alloc(),
    `<</Title${pdfTextString(info.title)}${info.subject ? `/Subject${pdfTextString(info.subject)}` : ''}/Producer(huifang)/Creator${info.creator ? pdfTextString(info.creator) : '(huifang)'}${info.createdOn ? `/CreationDate(${pdfDate(info.createdOn)})/ModDate(${pdfDate(info.createdOn)})` : ''}>>`,
  );
  return w.finish(catalog, infoNum, info.id);
}

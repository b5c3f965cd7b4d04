/**
 * Renders callback letters and record forms to PDF, fast enough for ten thousand letters a
 * run: a `LetterRenderer` is made once per run (fonts parsed, text template compiled), and
 * for each visit category prepares once what every document shares — the fonts holding every
 * character of the template, form and questions, and the record form's static drawing.
 * Each letter then only lays out its own text, encodes a small font of the characters
 * only it uses (names, addresses), and writes its pages.
 *
 * @example
 * const renderer = await LetterRenderer.create({ sender });
 * const { bytes, pageCount } = await renderer.letter({ visit, customer });
 */
import { drawFormFill, type FormFill } from './form-fill.ts';
import type { Customer } from '../domain/customer.ts';
import { CUSTOMER_KINDS } from '../domain/customer.ts';
import type { VisitId } from '../domain/visit-id.ts';
import type { Visit, VisitCategory } from '../domain/visit.ts';
import { formLayout, formLayoutId } from '../layout/form.ts';
import { ENVELOPE_PAGE } from '../layout/envelope.ts';
import { LETTER, LETTER_LAYOUT_ID } from '../layout/letter.ts';
import { DocumentFonts, PageCanvas } from './canvas.ts';
import {
  FORM_XOBJECT,
  LOGO_XOBJECT,
  type PreparedDocument,
  type SharedResources,
  writeDocumentPages,
  writeFile,
} from './document.ts';
import { type FaceName, loadFace } from './fonts.ts';
import { drawEnvelopeFace } from './envelope.ts';
import { drawFormStatic, drawFormValues } from './form.ts';
import { drawLetterHead, flowBody, layoutBody } from './letter.ts';
import { buildFontData, GlyphSet } from './pdf-font.ts';
import { deflate, PdfWriter } from './pdf-writer.ts';
import { drawPageMarks } from './qr.ts';
import { templateData, type Sender, type TemplateData } from './template-data.ts';
import { loadTextTemplate } from './templates.ts';
import { BodyText } from './body-text.ts';
import { loadLogo, logoPlacement, type LogoImage } from './logo.ts';

/** The letter's text template, relative to the project root. */
const DEFAULT_LETTER_TEMPLATE = 'templates/letter.txt';

export interface LetterRendererOptions {
  /** The sender block (the workspace's `huifang.json`). */
  sender: Sender;
  /** Path of the letter's text template (default `templates/letter.txt`). */
  letterTemplate?: string;
}

/** One visit to render. */
export interface DocumentInput {
  visit: Visit;
  customer: Customer;
}

/** A rendered PDF: its bytes, its pages, and the prepared document batch files reuse. */
export interface RenderedDocument {
  visitId: VisitId;
  bytes: Uint8Array;
  pageCount: number;
  document: PreparedDocument;
}

type DocumentType = 'letter' | 'form';

/** Every printable ASCII character: ids, postcodes, phone numbers, house numbers. */
const ASCII = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');

interface PreparedShared {
  resources: SharedResources;
  sets: Record<FaceName, GlyphSet>;
}

export class LetterRenderer {
  private readonly shared = new Map<string, PreparedShared>();

  private constructor(
    readonly sender: Sender,
    private readonly body: (data: TemplateData) => string,
    private readonly logo: LogoImage | undefined,
  ) {}

  /** Makes a renderer for one run: parses the fonts and compiles the letter template. */
  static async create(options: LetterRendererOptions): Promise<LetterRenderer> {
    const template = loadTextTemplate(options.letterTemplate ?? DEFAULT_LETTER_TEMPLATE);
    loadFace('regular');
    loadFace('bold');
    const body = new BodyText(template);
    const logo = options.sender.logo ? await loadLogo(options.sender.logo) : undefined;
    return new LetterRenderer(options.sender, (data) => body.render(data), logo);
  }

  /** The callback letter (回访函): letter pages, then the record form as the last page. */
  async letter(input: DocumentInput): Promise<RenderedDocument> {
    return this.renderLetter(input);
  }

  /** The record form (客户回访记录表) alone, one page, e.g. for a face-to-face visit. */
  async form(input: DocumentInput): Promise<RenderedDocument> {
    return this.renderForm(input);
  }

  /** The record form filled in for a phone or e-mail visit: its answers ticked, and who entered them from what, when. */
  renderFilledForm(input: DocumentInput, fill: FormFill): RenderedDocument {
    return toRendered(this.prepare('form', input, fill));
  }

  /** `letter()`, synchronously. */
  renderLetter(input: DocumentInput): RenderedDocument {
    return toRendered(this.prepare('letter', input));
  }

  /** `form()`, synchronously. */
  renderForm(input: DocumentInput): RenderedDocument {
    return toRendered(this.prepare('form', input));
  }

  /** The resources shared by every document of a type and category (prepared on first use). */
  sharedResources(type: DocumentType, category: VisitCategory): SharedResources {
    return this.sharedFor(type, category).resources;
  }

  private sharedFor(type: DocumentType, category: VisitCategory): PreparedShared {
    const key = `${type}.${category}`;
    let prepared = this.shared.get(key);
    if (!prepared) {
      prepared = this.prepareShared(type, category);
      this.shared.set(key, prepared);
    }
    return prepared;
  }

  /**
   * Collects the glyphs every document of the type and category draws, by drawing the
   * form's static part and sample documents whose own values are plain ASCII.
   */
  private prepareShared(type: DocumentType, category: VisitCategory): PreparedShared {
    const sets = { regular: new GlyphSet(loadFace('regular')), bold: new GlyphSet(loadFace('bold')) };
    sets.regular.addText(ASCII);
    sets.bold.addText(ASCII);
    const fonts = new DocumentFonts(sets, 'grow-shared');
    const formCanvas = new PageCanvas(fonts);
    drawFormStatic(formCanvas, formLayout(category));
    const form = deflate(formCanvas.toString());
    for (const kind of CUSTOMER_KINDS) {
      const sample = sampleInput(category, kind, type === 'letter' ? 'letter' : 'face-to-face');
      this.draw(type, sample, fonts);
    }
    const regular = buildFontData(sets.regular);
    const bold = buildFontData(sets.bold);
    const logo = type === 'letter' ? this.logo : undefined;
    return {
      sets,
      resources: {
        key: `${type}.${category}.${regular.baseFont}.${bold.baseFont}${logo ? '.logo' : ''}`,
        fonts: { regular, bold },
        form,
        ...(logo ? { logo } : {}),
      },
    };
  }

  private prepare(type: DocumentType, input: DocumentInput, fill?: FormFill): PreparedDocument {
    const { sets, resources } = this.sharedFor(type, input.visit.category);
    const fonts = new DocumentFonts(sets, (face) => new GlyphSet(loadFace(face)));
    const canvases = this.draw(type, input, fonts, fill);
    const ownFonts: PreparedDocument['ownFonts'] = {};
    for (const face of ['regular', 'bold'] as const) {
      const own = fonts.own[face];
      if (own) ownFonts[face] = buildFontData(own);
    }
    return {
      visitId: input.visit.visitId,
      title: `${type === 'letter' ? '客户回访函' : '客户回访记录表'} ${input.visit.visitId}`,
      createdOn: input.visit.createdOn,
      shared: resources,
      ownFonts,
      pages: canvases.map((c) => ({
        content: deflate(c.canvas.toString(), true),
        form: c.form,
        ...(c.envelope ? { size: { ...ENVELOPE_PAGE } } : {}),
      })),
    };
  }

  /** Draws a document's pages with the given fonts. */
  private draw(
    type: DocumentType,
    { visit, customer }: DocumentInput,
    fonts: DocumentFonts,
    fill?: FormFill,
  ): { canvas: PageCanvas; form: boolean; envelope?: boolean }[] {
    const layout = formLayout(visit.category);
    const pages: { canvas: PageCanvas; form: boolean; envelope?: boolean }[] = [];
    const newPage = (form: boolean): PageCanvas => {
      const canvas = new PageCanvas(fonts);
      pages.push({ canvas, form });
      return canvas;
    };
    if (type === 'letter') {
      const data = templateData(visit, customer, this.sender);
      const first = newPage(false);
      if (this.logo) first.drawImage(LOGO_XOBJECT, logoPlacement(this.logo));
      drawLetterHead(first, data, this.sender, customer);
      const blocks = layoutBody(first, this.body(data), LETTER.bodyFirstPage.width);
      flowBody(blocks, first, () => newPage(false));
    }
    const formPage = newPage(true);
    formPage.drawForm(FORM_XOBJECT);
    drawFormValues(formPage, layout, visit, customer);
    if (fill) drawFormFill(formPage, layout, fill, visit.visitId);
    const count = pages.length;
    pages.forEach(({ canvas, form }, i) => {
      drawPageMarks(canvas, {
        visitId: visit.visitId,
        kind: form ? 'form' : 'letter',
        page: i + 1,
        pageCount: count,
        layout: form ? formLayoutId(visit.category) : LETTER_LAYOUT_ID,
      });
    });
    if (type === 'letter') {
      // The prepaid return envelope's face, a page of its own size after the form.
      const canvas = new PageCanvas(fonts, ENVELOPE_PAGE.height);
      drawEnvelopeFace(canvas, visit.visitId, this.sender, customer);
      pages.push({ canvas, form: false, envelope: true });
    }
    return pages;
  }
}

/** Writes a prepared document as its own PDF file. */
function documentBytes(doc: PreparedDocument): Uint8Array {
  const w = new PdfWriter();
  return writeFile(w, { title: doc.title, createdOn: doc.createdOn, id: doc.visitId }, (parent) =>
    writeDocumentPages(w, doc, parent),
  );
}

function toRendered(doc: PreparedDocument): RenderedDocument {
  return { visitId: doc.visitId as VisitId, bytes: documentBytes(doc), pageCount: doc.pages.length, document: doc };
}

/** A visit whose own values are plain ASCII, to collect the glyphs every document shares. */
function sampleInput(category: VisitCategory, kind: Customer['kind'], channel: Visit['channel']): DocumentInput {
  const visit: Visit = {
    visitId: 'HF-00000-00000' as VisitId,
    customerId: '0',
    category,
    channel,
    createdOn: '2026-01-01',
    dueOn: '2026-01-02',
    result: 'pending',
  };
  const customer: Customer = {
    customerId: '0',
    name: 'X',
    kind,
    branchCode: '0',
    branchName: 'X',
    address: 'X',
    postcode: '000000',
    phone: '0',
    email: 'x@x',
    openedOn: '2026-01-01',
    marketingStaff: 'X',
    contactPerson: 'X',
  };
  return { visit, customer };
}

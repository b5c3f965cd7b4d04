/**
 * The callback letter and the record form as Word documents (DOCX), from the templates
 * that staff edit in Word (`templates/letter.docx`, `templates/form.docx`). Templates are
 * checked and cached by `render/templates.ts`; a missing value refuses the document.
 *
 * The record form is not text of the template: its `{@recordForm}` paragraph becomes the
 * form page drawn from `src/layout` (`render/docx-form.ts`), with the registration marks and
 * QR codes of the PDF, so that a form printed from the DOCX is read back by `ingest`; a
 * letter's `{@letterMarks}` paragraph gives its first page the marks and QR codes of the PDF
 * letter's first page.
 */
import { formPageXml, letterMarksXml, LETTER_QR_RELATIONSHIP, QR_RELATIONSHIP } from './docx-form.ts';
import type { TemplateData } from './template-data.ts';
import { loadDocxTemplate, type DocxExtras } from './templates.ts';

/** The shipped Word templates, relative to the project root. */
export const DOCX_TEMPLATES = {
  letter: 'templates/letter.docx',
  form: 'templates/form.docx',
} as const;

/** How many pages the visit's document has (its PDF): the letter's form is the last. */
export interface LetterPages {
  pageCount: number;
}

/**
 * The letter (回访函) with its record form as the last page, as DOCX bytes. The form's QR
 * code numbers it as the last of `pages.pageCount` pages, as the PDF of the same letter does.
 *
 * @example
 * const { bytes, pageCount } = await renderer.letter({ visit, customer });
 * const docx = renderLetterDocx(templateData(visit, customer, sender), { pageCount });
 */
export function renderLetterDocx(
  data: TemplateData,
  pages: LetterPages,
  templatePath: string = DOCX_TEMPLATES.letter,
): Uint8Array {
  const form = formExtras(data, pages.pageCount, true);
  const first = letterMarksXml(data, pages.pageCount);
  return loadDocxTemplate(templatePath).render(data, {
    drawings: { ...form.drawings, letterMarks: first.xml },
    pictures: [
      ...form.pictures!,
      {
        relationshipId: LETTER_QR_RELATIONSHIP.id,
        part: LETTER_QR_RELATIONSHIP.part,
        target: LETTER_QR_RELATIONSHIP.target,
        bytes: first.qrPng,
      },
    ],
  });
}

/** The record form (客户回访记录表) alone, one page, as DOCX bytes (face-to-face visits). */
export function renderFormDocx(data: TemplateData, templatePath: string = DOCX_TEMPLATES.form): Uint8Array {
  return loadDocxTemplate(templatePath).render(data, formExtras(data, 1, false));
}

function formExtras(data: TemplateData, pageCount: number, pageBreakBefore: boolean): DocxExtras {
  const { xml, qrPng } = formPageXml(data, { page: pageCount, pageCount, pageBreakBefore });
  return {
    drawings: { recordForm: xml },
    pictures: [
      { relationshipId: QR_RELATIONSHIP.id, part: QR_RELATIONSHIP.part, target: QR_RELATIONSHIP.target, bytes: qrPng },
    ],
  };
}

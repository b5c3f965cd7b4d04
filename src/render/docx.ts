/**
 * The callback letter and the record form as Word documents (DOCX), from the templates
 * that staff edit in Word (`templates/letter.docx`, `templates/form.docx`). Templates are
 * checked and cached by `render/templates.ts`; a missing value refuses the document.
 */
import type { TemplateData } from './template-data.ts';
import { loadDocxTemplate } from './templates.ts';

/** The shipped Word templates, relative to the project root. */
export const DOCX_TEMPLATES = {
  letter: 'templates/letter.docx',
  form: 'templates/form.docx',
} as const;

/**
 * The letter (回访函) with its record form as the last page, as DOCX bytes.
 *
 * @example
 * const bytes = renderLetterDocx(templateData(visit, customer, sender));
 * writeFileAtomicSync(join(out, `${visit.visitId}.docx`), bytes);
 */
export function renderLetterDocx(data: TemplateData, templatePath: string = DOCX_TEMPLATES.letter): Uint8Array {
  return loadDocxTemplate(templatePath).render(data);
}

/** The record form (客户回访记录表) alone, as DOCX bytes (face-to-face visits). */
export function renderFormDocx(data: TemplateData, templatePath: string = DOCX_TEMPLATES.form): Uint8Array {
  return loadDocxTemplate(templatePath).render(data);
}

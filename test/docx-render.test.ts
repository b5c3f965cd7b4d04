import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docxtemplater from 'docxtemplater';
import PizZip from 'pizzip';
import { describe, expect, it } from 'vitest';
import { questionsFor } from '../src/domain/questions.ts';
import { VISIT_CATEGORIES } from '../src/domain/visit.ts';
import { renderFormDocx, renderLetterDocx } from '../src/render/docx.ts';
import { formPageXml, letterMarksXml } from '../src/render/docx-form.ts';
import type { TemplateData } from '../src/render/template-data.ts';
import { loadDocxTemplate, PROJECT_ROOT } from '../src/render/templates.ts';
import { buildDocxTemplates } from '../scripts/make-docx-templates.ts';
import { dataFor, individual, institution, refusal } from './templates-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'huifang-docx-'));
/** The letter's PDF has three pages: the form is page 3 of 3. */
const PAGES = { pageCount: 3 };

function partsOf(docx: Uint8Array): Record<string, string> {
  const zip = new PizZip(docx);
  const out: Record<string, string> = {};
  for (const name of Object.keys(zip.files)) if (!zip.files[name]!.dir) out[name] = zip.files[name]!.asText();
  return out;
}
/** The text a reader sees: runs joined, paragraphs on lines, XML entities decoded. */
function visibleText(xml: string): string {
  return xml
    .replace(/<\/w:p>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
/** A one-paragraph Word document, as a user might save it. */
function wordFile(name: string, paragraphs: string[]): string {
  const zip = new PizZip(readFileSync(join(PROJECT_ROOT, 'templates', 'form.docx')));
  const body = paragraphs.map((p) => `<w:p><w:r><w:t xml:space="preserve">${p}</w:t></w:r></w:p>`).join('');
  zip.file(
    'word/document.xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  );
  zip.file(
    'word/footer1.xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p/></w:ftr>`,
  );
  const path = join(dir, name);
  writeFileSync(path, zip.generate({ type: 'uint8array' }));
  return path;
}

describe('templates/letter.docx', () => {
  it.each(VISIT_CATEGORIES)(
    'renders a %s letter with the customer, the visit id, every question and no tag left',
    (category) => {
      const parts = partsOf(renderLetterDocx(dataFor(category), PAGES));
      const document = parts['word/document.xml']!;
      const text = visibleText(document);
      expect(text).toContain('王晓明');
      expect(text).toContain('尊敬的王晓明客户：');
      expect(text).toContain('HF26-7K3M-Q9');
      expect(text).toContain('上海市浦东新区浦东南路1085号8楼');
      for (const q of questionsFor(category)) expect(text.split(q.text).length - 1).toBe(2); // in the letter and on the form
      expect(text).toContain('客户回访记录表');
      for (const [name, xml] of Object.entries(parts))
        if (name.endsWith('.xml')) expect(visibleText(xml), name).not.toMatch(/[{}\uE000\uE001]/);
      expect(visibleText(parts['word/footer1.xml']!)).toContain('回访编号：HF26-7K3M-Q9');
      expect(text).not.toMatch(/undefined|null|\[object/);
      // A4, and the record form starts a new page.
      expect(document).toContain('<w:pgSz w:w="11906" w:h="16838"/>');
      expect(document).toContain('<w:pageBreakBefore/>');
    },
  );

  it('asks an institution for its seal and addresses its contact person', () => {
    const text = visibleText(partsOf(renderLetterDocx(dataFor('key', institution), PAGES))['word/document.xml']!);
    expect(text).toContain('上海长河投资管理有限公司（李静）　收');
    expect(text).toContain('加盖贵单位公章');
    expect(text).toContain('（机构客户须加盖公章）'); // the seal box's hint on the form
    const forIndividual = visibleText(
      partsOf(renderLetterDocx(dataFor('key', individual), PAGES))['word/document.xml']!,
    );
    expect(forIndividual).toContain('王晓明　收');
    expect(forIndividual).not.toContain('加盖贵单位公章');
  });

  it('sets a Chinese font on the text', () => {
    const styles = partsOf(renderLetterDocx(dataFor(), PAGES))['word/styles.xml']!;
    expect(styles).toMatch(/<w:rFonts [^>]*w:eastAsia="宋体"/);
    expect(styles).toMatch(/<w:lang [^>]*w:eastAsia="zh-CN"/);
  });

  it('gives the same document as docxtemplater rendering each letter on its own', () => {
    const template = readFileSync(join(PROJECT_ROOT, 'templates', 'letter.docx'));
    const direct = (data: TemplateData) => {
      const doc = new Docxtemplater(new PizZip(template), { paragraphLoop: true, linebreaks: true });
      const whole = (xml: (string | { xml: string })[]) => xml.map((x) => (typeof x === 'string' ? x : x.xml)).join('');
      doc.render({
        ...data,
        recordForm: whole(formPageXml(data, { page: 3, pageCount: 3, pageBreakBefore: true }).xml),
        letterMarks: whole(letterMarksXml(data, 3).xml),
      });
      return doc.getZip().file('word/document.xml')!.asText();
    };
    const tricky = {
      ...dataFor('ib', institution),
      customerName: 'A&B <资本> "合伙" \'企业\'',
      address: '北京市 朝阳区  建国路 1 号',
    };
    for (const data of [
      dataFor('new-account'),
      dataFor('new-account', institution),
      dataFor('special'),
      tricky,
      { ...dataFor(), address: '上海市\n浦东新区' },
    ]) {
      expect(partsOf(renderLetterDocx(data, PAGES))['word/document.xml']).toBe(direct(data));
    }
  });

  it('gives the same bytes for the same letter', () => {
    expect(Buffer.from(renderLetterDocx(dataFor('existing'), PAGES))).toEqual(
      Buffer.from(renderLetterDocx(dataFor('existing'), PAGES)),
    );
  });

  it('refuses a missing value, naming the tag, even for a letter shaped like one already rendered', () => {
    renderLetterDocx(dataFor(), PAGES);
    const error = refusal(() =>
      renderLetterDocx({ ...dataFor(), serviceHotline: undefined } as unknown as TemplateData, PAGES),
    );
    expect(error.messages[0]).toMatchObject({
      ruleId: 'template/missing-value',
      actual: 'serviceHotline',
      place: { visitId: 'HF26-7K3M-Q9' },
    });
    expect(error.message).toContain('templates/letter.docx');
    expect(() => renderLetterDocx({ ...dataFor(), branchName: '' }, PAGES)).toThrow(/\{branchName\} is empty/);
  });
});

describe('templates/form.docx', () => {
  it('renders the record form alone, with every question, the option labels and the signature boxes', () => {
    const text = visibleText(partsOf(renderFormDocx(dataFor('existing')))['word/document.xml']!);
    expect(text).toContain('客户回访记录表');
    expect(text).toContain('存量客户回访');
    expect(text).not.toContain('尊敬的');
    for (const q of questionsFor('existing')) expect(text).toContain(q.text);
    for (const label of ['满意', '一般', '不满意', '客户签名', '盖章处', '经办人签名', '备注'])
      expect(text).toContain(label);
  });
});

describe('checking a Word template when it is loaded', () => {
  it('refuses an unknown tag, naming the tag and the file', () => {
    const path = wordFile('typo.docx', ['{salutation}', '尊敬的{customerNmae}：', '{visitId}']);
    const error = refusal(() => loadDocxTemplate(path));
    expect(error.message).toContain(path);
    expect(error.messages).toHaveLength(1);
    expect(error.messages[0]).toMatchObject({
      ruleId: 'template/unknown-tag',
      actual: 'customerNmae',
      place: { file: path },
    });
    expect(error.messages[0]!.fix).toContain('did you mean {customerName}?');
  });

  it('takes {@recordForm} as the form page, and refuses other {@…} paragraphs and a plain {recordForm}', () => {
    expect(loadDocxTemplate(wordFile('form-only.docx', ['{@recordForm}'])).tags).toEqual(['recordForm']);
    const other = refusal(() => loadDocxTemplate(wordFile('raw.docx', ['{@customerName}'])));
    expect(other.messages[0]).toMatchObject({ ruleId: 'template/unknown-tag', actual: 'customerName' });
    const plain = refusal(() => loadDocxTemplate(wordFile('plain.docx', ['表：{recordForm}'])));
    expect(plain.messages[0]).toMatchObject({ ruleId: 'template/misused-tag', actual: 'recordForm' });
    const rendered = visibleText(
      partsOf(renderFormDocx(dataFor('existing'), wordFile('form-only-2.docx', ['{@recordForm}'])))[
        'word/document.xml'
      ]!,
    );
    expect(rendered).toContain('客户回访记录表');
  });

  it('reads a tag that Word split across runs', () => {
    const path = wordFile('split.docx', ['尊敬的{customer</w:t></w:r><w:r><w:t>Name}：']);
    expect(loadDocxTemplate(path).tags).toEqual(['customerName']);
    expect(visibleText(partsOf(loadDocxTemplate(path).render(dataFor()))['word/document.xml']!)).toBe(
      '尊敬的王晓明：\n',
    );
  });

  it('refuses a syntax error with the file, the part and the tag', () => {
    const path = wordFile('unclosed.docx', ['请于{replyBy前寄回', '{#questions}{text}', '{/isInstitution}']);
    const error = refusal(() => loadDocxTemplate(path));
    expect(error.message).toContain(path);
    const reasons = error.messages.map((m) => m.reason).join('\n');
    expect(error.messages.every((m) => m.ruleId === 'template/syntax' && m.place.entry === 'word/document.xml')).toBe(
      true,
    );
    expect(reasons).toContain('the tag "{replyBy前寄回" is not closed with "}"');
  });

  it('refuses a file that is not a Word document', () => {
    const path = join(dir, 'not.docx');
    writeFileSync(path, 'plain text');
    expect(refusal(() => loadDocxTemplate(path)).messages[0]!.ruleId).toBe('template/not-docx');
  });
});

describe('scripts/make-docx-templates.ts', () => {
  it('builds the same bytes every time, and templates that load without an unknown tag', () => {
    const text = readFileSync(join(PROJECT_ROOT, 'templates', 'letter.txt'), 'utf8');
    const first = buildDocxTemplates(text);
    const second = buildDocxTemplates(text);
    expect(Buffer.from(first.letter)).toEqual(Buffer.from(second.letter));
    expect(Buffer.from(first.form)).toEqual(Buffer.from(second.form));
    writeFileSync(join(dir, 'built-letter.docx'), first.letter);
    const tags = loadDocxTemplate(join(dir, 'built-letter.docx')).tags;
    expect(tags).toEqual(expect.arrayContaining(['customerName', 'visitId', 'questions.text', 'replyBy']));
  });
});

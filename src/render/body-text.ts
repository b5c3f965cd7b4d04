/**
 * The letter's body text for one visit, from the text template, fast: the template is run
 * once per shape of letter (category, individual or institution, which optional values are
 * present) with every per-visit value replaced by a marker, and each letter then only puts
 * its values in place of the markers. The result is the same text the template gives;
 * whenever a value the template needs is empty, the template itself is run, so that its
 * error (naming the tag and the visit) is what the user sees.
 */
import { OPTIONAL_TAGS, type TextTemplate } from './templates.ts';
import type { TemplateData } from './template-data.ts';

const MARK = '\u0000';
type ScalarTag = Exclude<keyof TemplateData, 'questions' | 'isInstitution'>;

export class BodyText {
  private readonly compiled = new Map<string, (string | ScalarTag)[]>();

  constructor(private readonly template: TextTemplate) {}

  /** The template's output for the data. */
  render(data: TemplateData): string {
    const scalars = (Object.keys(data) as (keyof TemplateData)[]).filter(
      (k): k is ScalarTag => k !== 'questions' && k !== 'isInstitution',
    );
    for (const tag of scalars) {
      if (data[tag] === '' && !OPTIONAL_TAGS.includes(tag)) return this.template.render(data);
      if (data[tag].includes(MARK)) return this.template.render(data);
    }
    const key = [
      data.category,
      data.isInstitution,
      data.questions.length,
      ...OPTIONAL_TAGS.map((t) => (data[t as ScalarTag] ? 1 : 0)),
    ].join('|');
    let parts = this.compiled.get(key);
    if (!parts) {
      const marked = { ...data } as TemplateData;
      for (const tag of scalars)
        if (data[tag] !== '') (marked as Record<ScalarTag, string>)[tag] = `${MARK}${tag}${MARK}`;
      const text = this.template.render(marked);
      parts = text.split(MARK).map((p, i) => (i % 2 === 1 ? (p as ScalarTag) : p));
      this.compiled.set(key, parts);
    }
    let out = '';
    parts.forEach((p, i) => {
      out += i % 2 === 1 ? data[p as ScalarTag] : p;
    });
    return out;
  }
}

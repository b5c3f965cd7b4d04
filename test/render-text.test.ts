import { describe, expect, it } from 'vitest';
import { loadFace } from '../src/render/fonts.ts';
import { CLOSING_PUNCTUATION, firstForbiddenLine, OPENING_PUNCTUATION, wrapText } from '../src/render/text.ts';

/** Every character one unit wide: widths count characters. */
const unit = { measure: () => 1 };
const lines = (text: string, width: number): string[] => wrapText(text, { width, ...unit }).map((l) => l.text);

describe('wrapText (UAX #14 and the Chinese line rule)', () => {
  it('fills lines to the width, one character a unit', () => {
    expect(lines('一二三四五六七八九十', 4)).toEqual(['一二三四', '五六七八', '九十']);
  });

  it('never starts a line with closing punctuation: the last character moves down with it', () => {
    expect(lines('一二三四，五六', 4)).toEqual(['一二三', '四，五六']);
    expect(lines('一二三四。', 4)).toEqual(['一二三', '四。']);
    expect(lines('一二三四、五六七八', 4)).toEqual(['一二三', '四、五六', '七八']);
    expect(lines('您好一下！？我们', 4)).toEqual(['您好一', '下！？我', '们']);
    // UAX #14 (LB19) keeps quotation marks with their neighbours.
    expect(lines('一二三“是”四五', 4)).toEqual(['一二', '三“是”', '四五']);
  });

  it('never ends a line with opening punctuation', () => {
    expect(lines('一二三（四五）六七', 4)).toEqual(['一二三', '（四五）', '六七']);
    expect(lines('一二三《四》', 4)).toEqual(['一二三', '《四》']);
  });

  it('does not cut Latin words or numbers that fit on a line', () => {
    expect(lines('Hello world again', 11)).toEqual(['Hello world', 'again']);
    expect(lines('电话021-68880000请拨打', 10)).not.toContain('电话021-688');
    expect(lines('编号HF-7K3M9-Q2T4X', 16)).toEqual(['编号HF-7K3M9-Q2T4X']);
  });

  it('cuts a word longer than the line between characters', () => {
    expect(lines('ABCDEFGHIJ', 4)).toEqual(['ABCD', 'EFGH', 'IJ']);
  });

  it('breaks at newlines and marks paragraph ends', () => {
    const wrapped = wrapText('一二三四五六\n七八', { width: 4, ...unit });
    expect(wrapped.map((l) => l.text)).toEqual(['一二三四', '五六', '七八']);
    expect(wrapped.map((l) => l.last)).toEqual([false, true, true]);
  });

  it('honours a different first-line width (indent)', () => {
    expect(wrapText('一二三四五六七八', { width: 4, firstLineWidth: 2, ...unit }).map((l) => l.text)).toEqual([
      '一二',
      '三四五六',
      '七八',
    ]);
  });

  it('keeps the rule on random punctuated text at every width, losing no character', () => {
    const pool = Array.from('证券客户回访您是否本人办理开户ABC 12，。、；：！？）」』》”（「『《“');
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const length = 5 + random(60);
      let text = '';
      for (let i = 0; i < length; i++) text += pool[random(pool.length)];
      for (const width of [3, 5, 8, 13]) {
        const out = wrapText(text, { width, ...unit });
        const texts = out.map((l) => l.text);
        // Only a line that hangs punctuation may be wider than the width.
        for (const l of out) {
          const chars = Array.from(l.text);
          if (l.width > width)
            expect(
              CLOSING_PUNCTUATION.has(chars.at(-1)!) || OPENING_PUNCTUATION.has(chars[0]!),
              `${JSON.stringify(texts)} at ${width}`,
            ).toBe(true);
        }
        const lineWithRuleBroken = texts.findIndex((t, i) => {
          const chars = Array.from(t);
          // A text that itself starts with closing punctuation cannot do otherwise on line 1.
          return (
            (i > 0 && CLOSING_PUNCTUATION.has(chars[0]!)) ||
            (i < texts.length - 1 && OPENING_PUNCTUATION.has(chars.at(-1)!))
          );
        });
        expect(lineWithRuleBroken, `${JSON.stringify(texts)} at width ${width}`).toBe(-1);
        expect(texts.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
      }
    }
  });

  it('measures with the font: every line of a real paragraph fits, most are nearly full', () => {
    const face = loadFace('regular');
    const size = 10.5;
    const width = 170; // mm, the letter's body width
    const measure = (ch: string): number => (face.widthOf(ch, size) * 25.4) / 72;
    const paragraph =
      '您好！感谢您一直以来对华信证券股份有限公司的信任与支持。根据证券监管部门关于客户回访工作的规定及我公司客户回访制度，为保护投资者合法权益，核实您账户开立、使用及我公司员工服务的真实情况，现以书面信函形式对您进行新开客户回访（回访编号：HF-7K3M9-Q2T4X，客户号：310100123456，开户营业部：上海浦东南路证券营业部）。';
    const out = wrapText(paragraph, { width, measure });
    expect(out.length).toBeGreaterThan(2);
    for (const l of out) expect(l.width).toBeLessThanOrEqual(width + 1e-9);
    // Lines are full but where a long number or id had to go down whole.
    const full = out.slice(0, -1).filter((l) => l.width > width - 2 * measure('字'));
    expect(full.length).toBeGreaterThanOrEqual(out.length - 2);
    expect(firstForbiddenLine(out.map((l) => l.text))).toBe(-1);
  });
});

describe('firstForbiddenLine', () => {
  it('finds a line that starts with closing or ends with opening punctuation', () => {
    expect(firstForbiddenLine(['一二', '，三'])).toBe(1);
    expect(firstForbiddenLine(['一（', '二'])).toBe(0);
    expect(firstForbiddenLine(['一二', '三，'])).toBe(-1);
  });
});

describe('BodyText (the letter template, run once per shape of letter)', () => {
  it('gives exactly what the template gives, for every kind of visit', async () => {
    const { loadTextTemplate } = await import('../src/render/templates.ts');
    const { BodyText } = await import('../src/render/body-text.ts');
    const { templateData } = await import('../src/render/template-data.ts');
    const { makeCustomer, makeVisit, SENDER } = await import('./render-helpers.ts');
    const template = loadTextTemplate('templates/letter.txt');
    const body = new BodyText(template);
    const cases = [
      makeCustomer(),
      makeCustomer({ name: '李四', address: '北京市朝阳区建国路88号', marketingStaff: '王强' }),
      makeCustomer({ kind: 'institution', name: '上海浦江资产管理有限公司', contactPerson: '李娜' }),
      makeCustomer({ kind: 'institution', name: '深圳某某基金有限公司' }),
    ];
    for (const category of ['new-account', 'existing', 'key', 'ib'] as const) {
      for (const customer of cases) {
        const data = templateData(makeVisit({ category }), customer, SENDER);
        expect(body.render(data)).toBe(template.render(data));
      }
    }
  });

  it('lets the template refuse a missing value, naming the tag', async () => {
    const { loadTextTemplate } = await import('../src/render/templates.ts');
    const { BodyText } = await import('../src/render/body-text.ts');
    const { templateData } = await import('../src/render/template-data.ts');
    const { makeCustomer, makeVisit, SENDER } = await import('./render-helpers.ts');
    const body = new BodyText(loadTextTemplate('templates/letter.txt'));
    const data = templateData(makeVisit(), makeCustomer({ branchName: '' }), SENDER);
    expect(() => body.render(data)).toThrow('{branchName}');
  });
});

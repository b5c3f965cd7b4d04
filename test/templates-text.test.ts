import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatMessage } from '../src/domain/messages.ts';
import { VISIT_CATEGORIES } from '../src/domain/visit.ts';
import { questionsFor } from '../src/domain/questions.ts';
import { loadTextTemplate } from '../src/render/templates.ts';
import { dataFor, individual, institution, refusal } from './templates-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'huifang-templates-'));
function templateFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('templates/letter.txt', () => {
  const letter = loadTextTemplate('templates/letter.txt');

  it.each(VISIT_CATEGORIES)(
    'renders a %s letter with every value filled in and every question numbered',
    (category) => {
      const text = letter.render(dataFor(category));
      expect(text).toContain('尊敬的王晓明客户：');
      expect(text).toContain('HF26-7K3M-Q9');
      expect(text).toContain('2026年12月13日前'); // reply by: 15 days after the letter
      expect(text).toContain('95500');
      questionsFor(category).forEach((q, i) => expect(text).toContain(`${i + 1}. ${q.text}`));
      expect(text).not.toMatch(/[{}]/);
      expect(text).not.toMatch(/undefined|null|NaN|\[object/);
      expect(text).not.toMatch(/\n[ \t\u3000]*\n[ \t\u3000]*\n/); // never two blank lines in a row
      expect(text).not.toMatch(/（）|：，|：。|，，/); // no value missing between punctuation
      for (const line of text.split('\n')) expect(line).toBe(line.trim());
    },
  );

  it('asks an institution for its official seal and an individual for a signature', () => {
    const forInstitution = letter.render(dataFor('existing', institution));
    const forIndividual = letter.render(dataFor('existing', individual));
    expect(forInstitution).toContain('尊敬的上海长河投资管理有限公司：');
    expect(forInstitution).toContain('加盖贵单位公章');
    expect(forIndividual).not.toContain('公章');
    expect(forIndividual).toContain('由您本人签名');
  });

  it('lists the tags it uses', () => {
    expect(letter.tags).toEqual(
      expect.arrayContaining(['salutation', 'visitId', 'replyBy', 'questions', 'questions.text']),
    );
  });

  it('refuses to render when a value is missing, naming the tag and the visit', () => {
    const data = { ...dataFor(), replyBy: undefined } as unknown as ReturnType<typeof dataFor>;
    const error = refusal(() => letter.render(data));
    expect(error.messages).toHaveLength(1);
    expect(error.messages[0]).toMatchObject({
      ruleId: 'template/missing-value',
      actual: 'replyBy',
      place: { visitId: 'HF26-7K3M-Q9' },
    });
    expect(error.message).toContain('{replyBy}');
  });

  it('refuses to render an empty value rather than print a blank', () => {
    const error = refusal(() => letter.render({ ...dataFor(), customerId: '' }));
    expect(error.messages[0]!.reason).toContain('{customerId} is empty');
  });
});

describe('checking a text template when it is loaded', () => {
  it('refuses an unknown tag, naming the tag and the file, and suggests the known one', () => {
    const path = templateFile('typo.txt', '{salutation}\n\n尊敬的{customerNmae}，您的回访编号是{visitId}。\n');
    const error = refusal(() => loadTextTemplate(path));
    expect(error.message).toContain(path);
    expect(error.message).toContain('{customerNmae}');
    expect(error.messages).toHaveLength(1);
    const [m] = error.messages;
    expect(m).toMatchObject({ ruleId: 'template/unknown-tag', actual: 'customerNmae', place: { file: path } });
    expect(m!.reason).toBe('unknown tag {customerNmae}');
    expect(m!.fix).toContain('did you mean {customerName}?');
    expect(m!.fix).toContain('{replyBy}'); // the known tags are listed
    expect(formatMessage(m!)).toContain(path);
  });

  it('knows the question tags inside the questions loop only', () => {
    expect(
      loadTextTemplate(templateFile('loop.txt', '{#questions}{number}. {text}{visitId}\n{/questions}')).tags,
    ).toEqual(['questions', 'questions.number', 'questions.text', 'visitId']);
    const error = refusal(() =>
      loadTextTemplate(templateFile('outside.txt', '{text}\n{#questions}{nmuber}{/questions}')),
    );
    expect(error.messages.map((m) => m.actual)).toEqual(['text', 'nmuber']);
    expect(error.messages[0]!.fix).toContain('only inside {#questions}');
  });

  it('refuses a list or a yes/no printed as text, and an optional value printed unguarded', () => {
    const error = refusal(() =>
      loadTextTemplate(templateFile('misused.txt', '{questions}{isInstitution}联系人：{contactPerson}')),
    );
    expect(error.messages.map((m) => [m.ruleId, m.actual])).toEqual([
      ['template/misused-tag', 'questions'],
      ['template/misused-tag', 'isInstitution'],
      ['template/unguarded-optional-tag', 'contactPerson'],
    ]);
    const guarded = loadTextTemplate(
      templateFile('guarded.txt', '{customerName}{#contactPerson}（联系人：{contactPerson}）{/contactPerson}'),
    );
    expect(guarded.render(dataFor('existing', individual))).toBe('王晓明');
    expect(guarded.render(dataFor('existing', institution))).toBe('上海长河投资管理有限公司（联系人：李静）');
  });

  it("refuses a syntax error with the file, the line and docxtemplater's explanation", () => {
    const path = templateFile('unclosed.txt', '{salutation}\n\n请于{replyBy前寄回。\n');
    const error = refusal(() => loadTextTemplate(path));
    expect(error.message).toContain(path);
    const [m] = error.messages;
    expect(m).toMatchObject({ ruleId: 'template/syntax', place: { file: path } });
    expect(m!.reason).toContain('line 3');
    expect(m!.reason).toContain('{replyBy前寄回。');
    expect(m!.reason).toContain('unclosed');
  });

  it('refuses a loop closed by the wrong tag', () => {
    const error = refusal(() => loadTextTemplate(templateFile('mismatch.txt', '{#questions}{text}\n{/question}')));
    expect(error.messages[0]!.reason).toBe(
      'syntax error on line 1: The tag "questions" is closed by the tag "question"',
    );
  });

  it('reloads a template that changed on disk', () => {
    const path = templateFile('changing.txt', '{customerName}');
    expect(loadTextTemplate(path).render(dataFor())).toBe('王晓明');
    writeFileSync(path, '客户：{customerName}，编号：{visitId}');
    expect(loadTextTemplate(path).render(dataFor())).toBe('客户：王晓明，编号：HF26-7K3M-Q9');
  });
});

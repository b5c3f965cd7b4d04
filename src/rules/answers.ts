/**
 * Answers entered by a person for phone and e-mail visits (第七条: 根据电子邮件内容如实填写
 * 回访记录表): `question=answer` pairs read in the clerk's words — the question by its id or
 * its printed number, the answer as yes/no, 是/否, or a choice's value or label (满意/一般/不满意).
 */
import { message, type Message } from '../domain/messages.ts';
import { questionsFor, type Answer, type Question } from '../domain/questions.ts';
import type { VisitCategory } from '../domain/visit.ts';
import type { AnswerEntry } from '../store/rules.ts';

const YES = new Set(['yes', 'y', '是', '√', 'true', '1']);
const NO = new Set(['no', 'n', '否', '×', 'false', '0']);

function readAnswer(q: Question, raw: string): Answer | undefined {
  const v = raw.trim().toLowerCase();
  if (v === '' || v === 'null' || v === 'clear') return null;
  if (q.type === 'yes-no') return YES.has(v) ? 'yes' : NO.has(v) ? 'no' : undefined;
  const option = q.options.find((o) => o.value === v || o.label === raw.trim());
  return option?.value;
}

function findQuestion(questions: readonly Question[], key: string): Question | undefined {
  const k = key.trim();
  if (/^\d+$/.test(k)) return questions[Number(k) - 1];
  return questions.find((q) => q.id === k) ?? questions.find((q) => q.id.endsWith(`.${k}`));
}

/**
 * Reads `--set` pairs for a visit's category. Returns the entries, or every problem (each
 * naming the pair, what was expected and the questions there are).
 */
export function readAnswerPairs(
  category: VisitCategory,
  pairs: readonly string[],
  visitId: string,
): { entries: AnswerEntry[]; problems: Message[] } {
  const questions = questionsFor(category);
  const entries: AnswerEntry[] = [];
  const problems: Message[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      problems.push(
        message(
          'answers/bad-pair',
          `"${pair}" is not question=answer`,
          { visitId },
          { fix: 'write it as e.g. na.opened-in-person=yes or 1=是' },
        ),
      );
      continue;
    }
    const key = pair.slice(0, eq);
    const q = findQuestion(questions, key);
    if (!q) {
      problems.push(
        message(
          'answers/unknown-question',
          `a ${category} visit has no question "${key}"`,
          { visitId, box: key },
          { fix: `use a number 1–${questions.length} or one of: ${questions.map((x) => x.id).join(', ')}` },
        ),
      );
      continue;
    }
    const answer = readAnswer(q, pair.slice(eq + 1));
    if (answer === undefined) {
      const expected =
        q.type === 'yes-no' ? 'yes/no (是/否)' : q.options.map((o) => `${o.value} (${o.label})`).join(', ');
      problems.push(
        message(
          'answers/bad-answer',
          `"${pair.slice(eq + 1)}" is not an answer to ${q.id}`,
          { visitId, box: q.id },
          { expected, fix: `answer ${q.id} with ${expected}` },
        ),
      );
      continue;
    }
    entries.push({ questionId: q.id, answer });
  }
  return { entries, problems };
}

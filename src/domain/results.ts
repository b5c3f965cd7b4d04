/**
 * Visit results (回访结果, 第四十二条): passed 回访通过, failed 回访不通过, refused 拒绝回访,
 * unreachable 回访不可达 — decided from the answers and what was recorded. Pure.
 *
 * 第四十三条 (new accounts) passes a visit when the customer opened the account in person
 * (or by a notarised agent), has no discretionary mandate or staff operating the account,
 * and — when brought by marketing staff — knows the staff member's name and has no agency
 * or money-management arrangement with them. Those conditions, and those of the other
 * categories, are the `pass` values of the questions in `questions.ts`: a visit fails on
 * any asked question answered against its `pass` value.
 */
import { addDays, DEFAULT_DEADLINES, type DeadlinePolicy } from './deadlines.ts';
import { isAsked, questionsFor, type Answers, type Question } from './questions.ts';
import type { VisitCategory, VisitChannel, VisitResult } from './visit.ts';

/** A refusal or an unreachable customer, recorded by a person (`huifang answers --refused`). */
export interface RecordedOutcome {
  outcome: 'refused' | 'unreachable';
  reason: string;
  recordedBy: string;
  recordedAt: string;
}

export interface ResultInput {
  category: VisitCategory;
  channel: VisitChannel;
  /** Final answers: read from the form after review, or entered from an e-mail or call. */
  answers: Answers;
  outcome?: RecordedOutcome | null;
  /** For letters: the day it was sent, whether the form came back, and today. */
  letter?: { sentOn: string; returned: boolean; today: string };
  policy?: DeadlinePolicy;
}

export interface FailedAnswer {
  questionId: string;
  text: string;
  rule: string;
  expected: string;
  actual: string;
}

export interface MissingAnswer {
  questionId: string;
  text: string;
}

export interface ResultDecision {
  result: VisitResult;
  /** The answers that failed the visit (only for `failed`). */
  failedAnswers: FailedAnswer[];
  /** Questions still unanswered; a visit with any is `pending` unless it already failed. */
  missing: MissingAnswer[];
  /** One sentence saying why, in the clerk's words. */
  reason: string;
}

const YES_NO_LABEL: Record<string, string> = { yes: '是', no: '否' };
const label = (answer: string): string => (YES_NO_LABEL[answer] ? `${YES_NO_LABEL[answer]} (${answer})` : answer);

/** Whether an answer must be given for the visit to be decidable: it can fail it, or it decides what else is asked. */
function needed(q: Question, all: readonly Question[]): boolean {
  if (q.type !== 'yes-no') return false;
  if (q.pass !== null) return true;
  return all.some((other) => other.type === 'yes-no' && other.askedWhen?.questionId === q.id);
}

/**
 * Decides a visit's result.
 *
 * - A recorded refusal or unreachable outcome decides it.
 * - A letter not back `letterReturnDays` after it was sent is `unreachable`.
 * - Any asked question answered against its `pass` value → `failed`, listing those answers.
 * - Otherwise, any needed answer missing → `pending`, listing what is missing.
 * - Otherwise `passed`.
 *
 * @example decideResult({ category: 'ib', channel: 'phone', answers: { 'ib.knows-relationship': 'yes', 'ib.guarantee-promised': 'no', 'ib.operated-futures-account': 'no' } }).result // 'passed'
 */
// eslint-disable-next-line max-lines-per-function -- still to be split into named steps (docs/architecture.md)
export function decideResult(input: ResultInput): ResultDecision {
  const policy = input.policy ?? DEFAULT_DEADLINES;
  if (input.outcome) {
    const { outcome, reason, recordedBy } = input.outcome;
    return { result: outcome, failedAnswers: [], missing: [], reason: `${outcome === 'refused' ? 'the customer refused the visit' : 'the customer could not be reached'}: ${reason} (recorded by ${recordedBy})` };
  }
  const questions = questionsFor(input.category);
  const answered = questions.some((q) => input.answers[q.id] !== null && input.answers[q.id] !== undefined);
  if (input.channel === 'letter' && input.letter && !input.letter.returned && !answered) {
    const backBy = addDays(input.letter.sentOn, policy.letterReturnDays);
    if (input.letter.today > backBy) {
      return { result: 'unreachable', failedAnswers: [], missing: [], reason: `the letter sent on ${input.letter.sentOn} was not back by ${backBy} (${policy.letterReturnDays} days)` };
    }
  }
  const failedAnswers: FailedAnswer[] = [];
  const missing: MissingAnswer[] = [];
  for (const q of questions) {
    if (!isAsked(q, input.answers)) continue;
    const answer = input.answers[q.id];
    if (answer === null || answer === undefined) {
      // A conditional question whose condition is itself unanswered is reported through that one.
      if (needed(q, questions)) missing.push({ questionId: q.id, text: q.text });
      continue;
    }
    if (q.type === 'yes-no' && q.pass !== null && answer !== q.pass) {
      failedAnswers.push({ questionId: q.id, text: q.text, rule: q.rule, expected: label(q.pass), actual: label(answer) });
    }
  }
  if (failedAnswers.length > 0) {
    return { result: 'failed', failedAnswers, missing, reason: `${failedAnswers.length} answer${failedAnswers.length === 1 ? '' : 's'} fail the visit: ${failedAnswers.map((f) => `${f.questionId} = ${f.actual}, expected ${f.expected} (${f.rule})`).join('; ')}` };
  }
  if (missing.length > 0) {
    return { result: 'pending', failedAnswers, missing, reason: `not decidable yet: no answer to ${missing.map((m) => m.questionId).join(', ')}` };
  }
  return { result: 'passed', failedAnswers, missing, reason: 'every answer meets the rules' };
}

/**
 * Visit results (回访结果, 第四十二条): passed 回访通过, failed 回访不通过, refused 拒绝回访,
 * unreachable 回访不可达 — decided from the answers, the recorded outcome and the attempts. Pure.
 *
 * 第四十三条 (new accounts) passes a visit when the customer opened the account in person
 * (or by a notarised agent), has no discretionary mandate or staff operating the account,
 * and — when brought by marketing staff — knows the staff member's name and has no agency
 * or money-management arrangement with them. Which questions fail a visit is the firm
 * policy's `failing` section (its defaults: exactly those of 第四十三条 for new accounts);
 * any other answer against a question's `pass` value is a finding (发现问题), reported but
 * not failing the visit. A customer is unreachable only when the logged attempts meet the
 * policy's `unreachable` rule; a letter nobody answered stays pending (and overdue).
 */
import { unreachableCheck, type Attempt } from './attempts.ts';
import type { UnreachablePolicy } from './policy.ts';
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
  /** The questions whose non-compliant answer fails the visit (policy `failing`); others are findings. */
  failing: readonly string[];
  /** Logged contact attempts. */
  attempts?: readonly Attempt[];
  unreachable: UnreachablePolicy;
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
  /** Adverse answers that do not fail the visit (findings, reported as warnings). */
  findings: FailedAnswer[];
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

/** The answers against the rules, split into those that fail the visit and findings; and those missing. */
function readAnswers(input: ResultInput): {
  failedAnswers: FailedAnswer[];
  findings: FailedAnswer[];
  missing: MissingAnswer[];
  answered: boolean;
} {
  const questions = questionsFor(input.category);
  const failedAnswers: FailedAnswer[] = [];
  const findings: FailedAnswer[] = [];
  const missing: MissingAnswer[] = [];
  const answered = questions.some((q) => input.answers[q.id] !== null && input.answers[q.id] !== undefined);
  for (const q of questions) {
    if (!isAsked(q, input.answers)) continue;
    const answer = input.answers[q.id];
    if (answer === null || answer === undefined) {
      // A conditional question whose condition is itself unanswered is reported through that one.
      if (needed(q, questions)) missing.push({ questionId: q.id, text: q.text });
      continue;
    }
    if (q.type === 'yes-no' && q.pass !== null && answer !== q.pass) {
      const f = { questionId: q.id, text: q.text, rule: q.rule, expected: label(q.pass), actual: label(answer) };
      (input.failing.includes(q.id) ? failedAnswers : findings).push(f);
    }
  }
  return { failedAnswers, findings, missing, answered };
}

/**
 * Decides a visit's result.
 *
 * - A recorded refusal, or an attempt whose outcome was a refusal → `refused`.
 * - Any asked question of the policy's `failing` list answered against its `pass` value →
 *   `failed`, listing those answers; other adverse answers are `findings`.
 * - No answer at all and attempts that meet the `unreachable` policy → `unreachable`.
 * - Otherwise, any needed answer missing → `pending`, listing what is missing.
 * - Otherwise `passed`.
 */
export function decideResult(input: ResultInput): ResultDecision {
  const none = { failedAnswers: [], findings: [], missing: [] };
  if (input.outcome?.outcome === 'refused') {
    const { reason, recordedBy } = input.outcome;
    return {
      result: 'refused',
      ...none,
      reason: `the customer refused the visit: ${reason} (recorded by ${recordedBy})`,
    };
  }
  const refusal = input.attempts?.find((a) => a.outcome === 'refused');
  if (refusal)
    return {
      result: 'refused',
      ...none,
      reason: `the customer refused the visit when contacted by ${refusal.channel} at ${refusal.at} (logged by ${refusal.recordedBy})`,
    };
  const { failedAnswers, findings, missing, answered } = readAnswers(input);
  if (failedAnswers.length > 0) {
    return {
      result: 'failed',
      failedAnswers,
      findings,
      missing,
      reason: `${failedAnswers.length} answer${failedAnswers.length === 1 ? '' : 's'} fail the visit: ${failedAnswers.map((f) => `${f.questionId} = ${f.actual}, expected ${f.expected} (${f.rule})`).join('; ')}`,
    };
  }
  if (!answered) {
    const check = unreachableCheck(input.attempts ?? [], input.unreachable);
    if (check.met)
      return { result: 'unreachable', ...none, reason: `the customer could not be reached: ${check.summary}` };
    if (input.outcome?.outcome === 'unreachable') {
      return {
        result: 'pending',
        failedAnswers,
        findings,
        missing,
        reason: `recorded as unreachable (${input.outcome.reason}), but the attempts do not prove it yet: ${check.summary}`,
      };
    }
  }
  if (missing.length > 0) {
    return {
      result: 'pending',
      failedAnswers,
      findings,
      missing,
      reason: `not decidable yet: no answer to ${missing.map((m) => m.questionId).join(', ')}`,
    };
  }
  return {
    result: 'passed',
    failedAnswers,
    findings,
    missing,
    reason: findings.length
      ? `passed with ${findings.length} finding${findings.length === 1 ? '' : 's'}: ${findings.map((f) => f.questionId).join(', ')}`
      : 'every answer meets the rules',
  };
}

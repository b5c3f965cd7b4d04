/**
 * Exceptions (异常, 第三十八条: 营业部应当及时分析原因，根据情况采取相应处理措施): what opens
 * one for a visit — a failed visit, a customer who does not recognise an account event, a
 * dissatisfied customer (不满意), remarks the customer wrote or gave (备注) — and how old an
 * open one is. The record (owner, cause, measures, escalation, closure) lives in the register. Pure.
 */
import type { Answers } from './questions.ts';
import type { VisitResult } from './visit.ts';

export type ExceptionTrigger = 'failed' | 'account-event' | 'dissatisfied' | 'remarks';

export const TRIGGER_LABELS: Record<ExceptionTrigger, string> = {
  failed: '回访不通过 (failed visit)',
  'account-event': '客户不认可账户事项 (the customer does not recognise an account event)',
  dissatisfied: '不满意 (dissatisfied)',
  remarks: '备注 (the customer left remarks)',
};

/** Answers by which a customer says an account event was not theirs. */
export const ACCOUNT_EVENT_ANSWERS: Readonly<Record<string, string>> = {
  'key.disputes-trading-history': 'yes', // 对历史交易流水有异议 (第二十九条(四))
  'sp.operated-by-self': 'no', // 账户并非本人使用和操作 (第三十条)
};

/** What in a visit opens an exception; empty when nothing does. */
export function exceptionTriggers(input: {
  result: VisitResult;
  answers: Answers;
  remarks: readonly string[];
}): ExceptionTrigger[] {
  const out: ExceptionTrigger[] = [];
  if (input.result === 'failed') out.push('failed');
  if (Object.entries(ACCOUNT_EVENT_ANSWERS).some(([q, a]) => input.answers[q] === a)) out.push('account-event');
  if (input.answers.satisfaction === 'dissatisfied') out.push('dissatisfied');
  if (input.remarks.some((r) => r.trim() !== '')) out.push('remarks');
  return out;
}

/** Whole days from an ISO time to a day (`YYYY-MM-DD`). */
export function ageInDays(openedAt: string, today: string): number {
  const opened = new Date(Date.parse(openedAt) + 8 * 3600_000).toISOString().slice(0, 10);
  return Math.max(0, Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${opened}T00:00:00Z`)) / 86_400_000));
}

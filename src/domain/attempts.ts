/**
 * Contact attempts and when a customer counts as unreachable (回访不可达, 第四十二条): only when
 * the logged attempts meet the firm policy (`unreachable`: by default at least 3 attempts, on
 * at least 2 different days, by at least 2 channels), none of which reached the customer.
 * A letter nobody answered is not an attempt that failed; it is a visit still pending. Pure.
 */
import type { UnreachablePolicy } from './policy.ts';

export type AttemptChannel = 'phone' | 'email' | 'letter' | 'visit';
export const ATTEMPT_CHANNELS: readonly AttemptChannel[] = ['phone', 'email', 'letter', 'visit'];

export type AttemptOutcome = 'reached' | 'no-answer' | 'wrong-number' | 'refused' | 'returned-mail';
export const ATTEMPT_OUTCOMES: readonly AttemptOutcome[] = [
  'reached',
  'no-answer',
  'wrong-number',
  'refused',
  'returned-mail',
];

export interface Attempt {
  attemptId: number;
  channel: AttemptChannel;
  outcome: AttemptOutcome;
  /** ISO time of the attempt. */
  at: string;
  note: string | null;
  recordedBy: string;
}

/** The business day (UTC+8) of an ISO time. */
export function dayOf(isoTime: string): string {
  return new Date(Date.parse(isoTime) + 8 * 3600_000).toISOString().slice(0, 10);
}

export interface UnreachableCheck {
  met: boolean;
  attempts: number;
  days: number;
  channels: number;
  /** What the attempts show, against the policy, in words. */
  summary: string;
}

/** Whether the failed attempts (not `reached`, not `refused`) meet the policy. */
export function unreachableCheck(attempts: readonly Attempt[], policy: UnreachablePolicy): UnreachableCheck {
  const failed = attempts.filter((a) => a.outcome !== 'reached' && a.outcome !== 'refused');
  const days = new Set(failed.map((a) => dayOf(a.at))).size;
  const channels = new Set(failed.map((a) => a.channel)).size;
  const met = failed.length >= policy.minAttempts && days >= policy.minDays && channels >= policy.minChannels;
  const summary = `${failed.length} unsuccessful attempt${failed.length === 1 ? '' : 's'} on ${days} day${days === 1 ? '' : 's'} by ${channels} channel${channels === 1 ? '' : 's'}; the policy asks for at least ${policy.minAttempts} on ${policy.minDays} days by ${policy.minChannels} channels`;
  return { met, attempts: failed.length, days, channels, summary };
}

/**
 * `huifang attempt --visit ID --channel phone|email|letter|visit --outcome … --at ISO-TIME --user U [--note T]`
 * — logs one try to reach the customer. A customer is unreachable (回访不可达) only when the
 * logged attempts meet the firm policy; a logged refusal decides the visit as refused.
 */
import {
  ATTEMPT_CHANNELS,
  ATTEMPT_OUTCOMES,
  unreachableCheck,
  type AttemptChannel,
  type AttemptOutcome,
} from '../domain/attempts.ts';
import { UsageError } from '../domain/messages.ts';
import { VISIT_RESULT_LABELS } from '../domain/visit.ts';
import { redecideVisit } from '../rules/validate.ts';
import { logAttempt } from '../store/attempts.ts';
import { loadPolicy } from '../store/policy.ts';
import { nowIso } from '../env/clock.ts';
import { getVisit } from '../store/visits.ts';
import { defineCommand, EXIT_OK, report } from './common.ts';
import { actingPerson, USER_OPTION } from './people.ts';
import { canonicalVisit } from './review-visit.ts';

interface AttemptArgs {
  visit: string;
  channel: AttemptChannel;
  outcome: AttemptOutcome;
  at: string;
  note?: string;
  user?: string;
}

/** An ISO time with a time of day (and a zone, or read as UTC+8), not in the future. */
function attemptTime(typed: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(typed))
    throw new UsageError(
      `Expected an ISO time such as 2026-11-20T10:30+08:00 for --at but received ${JSON.stringify(typed)}`,
    );
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(typed) ? typed : `${typed}+08:00`;
  const t = Date.parse(withZone);
  if (Number.isNaN(t)) throw new UsageError(`--at ${typed} is not a real time`);
  if (t > Date.parse(nowIso()) + 60_000)
    throw new UsageError(`--at ${typed} is in the future; log an attempt once it has been made`);
  return new Date(t).toISOString();
}

export const attemptCommand = defineCommand<AttemptArgs>({
  command: 'attempt',
  builder: (y) =>
    y
      .option('visit', { type: 'string', demandOption: true, describe: 'the visit id' })
      .option('channel', {
        type: 'string',
        choices: ATTEMPT_CHANNELS as string[],
        demandOption: true,
        describe: 'how the customer was contacted',
      })
      .option('outcome', {
        type: 'string',
        choices: ATTEMPT_OUTCOMES as string[],
        demandOption: true,
        describe: 'what came of it',
      })
      .option('at', {
        type: 'string',
        demandOption: true,
        describe: 'when: ISO time, e.g. 2026-11-20T10:30+08:00 (no zone: Beijing time)',
      })
      .option('note', { type: 'string', describe: 'a note kept with the attempt (number dialled, what was said)' })
      .option('user', {
        ...USER_OPTION,
        describe: 'who made the attempt: 工号 or name on the staff roster (default $HUIFANG_USER)',
      }),
  run: async ({ args, io, workspace }) => {
    const visitId = canonicalVisit(args.visit);
    const at = attemptTime(args.at);
    const ws = workspace();
    const visit = getVisit(ws.register, visitId);
    if (!visit) throw new UsageError(`There is no visit ${visitId} in the register.`);
    const person = actingPerson(ws, args.user, 'log-attempt');
    const { policy } = loadPolicy(ws.dir);
    const attempt = logAttempt(
      ws.register,
      { visitId, channel: args.channel, outcome: args.outcome, at, ...(args.note ? { note: args.note } : {}) },
      person.staffId,
    );
    const { facts, decision } = await redecideVisit(ws, visitId, policy, person.staffId);
    const check = unreachableCheck(facts.attempts, policy.unreachable);
    report(
      io,
      args.json,
      {
        visitId,
        attempt,
        attempts: facts.attempts,
        unreachable: check,
        result: decision.result,
        reason: decision.reason,
      },
      () => [
        `${visitId}: attempt #${attempt.attemptId} logged (${attempt.channel}, ${attempt.outcome}, ${attempt.at}) by ${person.name}`,
        `  ${check.summary}`,
        `result: ${VISIT_RESULT_LABELS[decision.result]} (${decision.result}) — ${decision.reason}`,
      ],
    );
    return EXIT_OK;
  },
});

/**
 * `huifang answers --visit ID [--set q=a …] [--refused REASON | --unreachable REASON | --withdraw-outcome]`
 * — enters a phone or e-mail visit's answers (第七条: the record form filled from the call or
 * the e-mail), or records that the customer refused or could not be reached (第四十二条), with
 * who and when; then shows the answers and the result they decide. Without options it shows
 * the visit's questions (with their numbers and ids) and the answers so far.
 */
import { InputError, UsageError } from '../domain/messages.ts';
import { questionsFor } from '../domain/questions.ts';
import type { ResultDecision } from '../domain/results.ts';
import { VISIT_RESULT_LABELS, type Visit } from '../domain/visit.ts';
import { parseVisitId } from '../domain/visit-id.ts';
import { readAnswerPairs } from '../rules/answers.ts';
import { decisionFor, redecideVisit } from '../rules/validate.ts';
import { visitFacts, type VisitFacts } from '../rules/visit-facts.ts';
import type { Policy } from '../domain/policy-sections.ts';
import { enterCompletionDate, enterRemarks } from '../store/attempts.ts';
import { loadPolicy } from '../store/policy.ts';
import { actingPerson, USER_OPTION } from './people.ts';
import { enterAnswers, recordOutcome, withdrawOutcome } from '../store/rules.ts';
import { getVisit } from '../store/visits.ts';
import type { Workspace } from '../store/workspace.ts';
import { defineCommand, EXIT_OK, report, type Io } from './common.ts';

interface AnswersArgs {
  visit: string;
  set?: string[];
  refused?: string;
  unreachable?: string;
  withdrawOutcome: boolean;
  evidence?: string;
  note?: string;
  completedOn?: string;
  remarks?: string;
  user?: string;
}

export const answersCommand = defineCommand<AnswersArgs>({
  command: 'answers',
  builder: (y) =>
    y
      .option('visit', { type: 'string', demandOption: true, describe: 'the visit id' })
      .option('set', {
        type: 'string',
        array: true,
        describe:
          'question=answer: the question by number or id, the answer yes/no, 是/否, or 满意/一般/不满意 (empty clears)',
      })
      .option('refused', { type: 'string', describe: 'the customer refused the visit (拒绝回访): give the reason' })
      .option('unreachable', {
        type: 'string',
        describe: 'the customer could not be reached (回访不可达): say what was tried',
      })
      .option('withdraw-outcome', {
        type: 'boolean',
        default: false,
        describe: 'withdraw a refusal or unreachable recorded by mistake',
      })
      .option('evidence', { type: 'string', describe: 'SHA-256 of the e-mail or recording the answers were read from' })
      .option('note', { type: 'string', describe: 'a note kept with the answers' })
      .option('completed-on', {
        type: 'string',
        describe: 'the date the visit was completed, as written on the signed form (YYYY-MM-DD)',
      })
      .option('remarks', {
        type: 'string',
        describe:
          "the customer's remarks (备注), from the form, the call or the e-mail; they open an exception for the branch head",
      })
      .option('user', {
        ...USER_OPTION,
        describe:
          'who enters them: the visitor (回访专员), by 工号 or name on the staff roster (default $HUIFANG_USER)',
      })
      .conflicts('refused', 'unreachable'),
  run: async ({ args, io, workspace }) => {
    const parsed = parseVisitId(args.visit);
    if (!parsed.ok) throw new UsageError(`--visit: ${parsed.reason}`);
    const visitId = parsed.visitId;
    const ws = workspace();
    const visit = getVisit(ws.register, visitId);
    if (!visit) throw new UsageError(`There is no visit ${visitId} in the register.`);
    const records = Boolean(
      args.set?.length || args.refused || args.unreachable || args.withdrawOutcome || args.completedOn || args.remarks,
    );
    const actor = records
      ? actingPerson(
          ws,
          args.user,
          args.set?.length || args.completedOn || args.remarks ? 'enter-answers' : 'record-outcome',
        ).staffId
      : undefined;
    if (args.completedOn !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(args.completedOn))
      throw new UsageError(`--completed-on must be a date YYYY-MM-DD, not ${JSON.stringify(args.completedOn)}`);
    const { policy } = loadPolicy(ws.dir);
    if (args.refused !== undefined && !args.refused.trim())
      throw new UsageError('--refused needs the reason the customer gave');
    if (args.unreachable !== undefined && !args.unreachable.trim())
      throw new UsageError('--unreachable needs what was tried (calls, dates)');
    if (args.evidence !== undefined && !/^[0-9a-f]{64}$/.test(args.evidence))
      throw new UsageError(`--evidence must be a SHA-256 (64 hex digits), not ${JSON.stringify(args.evidence)}`);
    const { entries, problems } = readAnswerPairs(visit.category, args.set ?? [], visitId);
    if (problems.length)
      throw new InputError(
        `${problems.length} answer${problems.length === 1 ? '' : 's'} cannot be entered; nothing was recorded`,
        problems,
      );
    if (entries.length) {
      enterAnswers(
        ws.register,
        visitId,
        entries.map((e) => ({
          ...e,
          ...(args.evidence ? { evidenceSha256: args.evidence } : {}),
          ...(args.note ? { note: args.note } : {}),
        })),
        actor!,
      );
    }
    if (actor) recordEntries(ws, visitId, args, actor);
    const { facts, decision } = actor
      ? await redecideWithForm(ws, visitId, policy, actor)
      : await currentVerdict(ws, visitId, policy);
    reportAnswers(io, args.json, visit, facts, decision);
    return EXIT_OK;
  },
});

/** The completion date, remarks and outcome given on the command line, recorded in the name of `actor`. */
function recordEntries(ws: Workspace, visitId: string, args: AnswersArgs, actor: string): void {
  if (args.completedOn) enterCompletionDate(ws.register, visitId, args.completedOn, actor);
  if (args.remarks?.trim()) enterRemarks(ws.register, visitId, args.remarks.trim(), actor);
  if (args.withdrawOutcome) withdrawOutcome(ws.register, visitId, actor);
  if (args.refused) recordOutcome(ws.register, visitId, 'refused', args.refused.trim(), actor);
  if (args.unreachable) recordOutcome(ws.register, visitId, 'unreachable', args.unreachable.trim(), actor);
}

/**
 * The visit decided again and recorded after the visitor's entries; a phone or e-mail visit
 * gets its record form (回访记录表) filled from the entered answers by the same person (第七条).
 */
async function redecideWithForm(
  ws: Workspace,
  visitId: string,
  policy: Policy,
  actor: string,
): Promise<{ facts: VisitFacts; decision: ResultDecision }> {
  const decided = await redecideVisit(ws, visitId, policy, actor);
  const { facts } = decided;
  if ((facts.visit.channel === 'phone' || facts.visit.channel === 'email') && facts.entered.length > 0) {
    const { ensureEnteredForm } = await import('../render/entered-form.ts');
    await ensureEnteredForm(ws, facts, actor);
  }
  return decided;
}

/** Showing a visit's answers records nothing: the verdict as the facts stand. */
async function currentVerdict(
  ws: Workspace,
  visitId: string,
  policy: Policy,
): Promise<{ facts: VisitFacts; decision: ResultDecision }> {
  const facts = await visitFacts(ws, visitId);
  return { facts, decision: decisionFor(facts, policy) };
}

/** What was entered and the verdict, for a person or as JSON. */
function reportAnswers(io: Io, json: boolean, visit: Visit, facts: VisitFacts, decision: ResultDecision): void {
  const questions = questionsFor(visit.category).map((q, i) => ({
    number: i + 1,
    id: q.id,
    text: q.text,
    answer: facts.answers[q.id] ?? null,
    source: facts.answerSources[q.id] ?? null,
    ...(facts.conflicts.some((c) => c.questionId === q.id)
      ? { conflict: facts.conflicts.find((c) => c.questionId === q.id) }
      : {}),
  }));
  const value = {
    visitId: visit.visitId,
    category: visit.category,
    channel: visit.channel,
    questions,
    outcome: facts.outcome,
    result: decision.result,
    reason: decision.reason,
    failedAnswers: decision.failedAnswers,
    missing: decision.missing.map((m) => m.questionId),
  };
  report(io, json, value, () => [
    `${visit.visitId} (${visit.category}, ${visit.channel})`,
    ...questions.map(
      (q) =>
        `  ${String(q.number).padStart(2)}. ${q.id.padEnd(28)} ${(q.answer ?? '—').padEnd(12)} ${q.source ? `[${q.source}]` : ''}  ${q.text}`,
    ),
    ...facts.conflicts.map(
      (c) =>
        `  ${c.questionId}: paper ${c.paper} | typed ${c.typed} (${c.typedBy}) — ${c.decision ? `${c.decision.keep} kept by ${c.decision.decidedBy}` : 'awaiting a reviewer: huifang review conflict'}`,
    ),
    ...(facts.outcome
      ? [
          `  outcome: ${facts.outcome.outcome} — ${facts.outcome.reason} (${facts.outcome.recordedBy}, ${facts.outcome.recordedAt})`,
        ]
      : []),
    `result: ${VISIT_RESULT_LABELS[decision.result]} (${decision.result}) — ${decision.reason}`,
  ]);
}

/**
 * `validate` (SPEC §5): every visit against the rules — its result decided from its answers
 * (第四十二条, 第四十三条), its evidence against the table for its channel and customer kind
 * (第七条, `domain/evidence.ts`), open review items, its deadline, and separation of duties
 * against the staff roster (第四条) — with, per visit, what is missing or wrong in words a
 * clerk can act on, and the exceptions (异常: failed visits) to report to the branch manager.
 *
 * Validating records each visit's decided result in the register (only when it changed) and
 * makes any missing e-mail printout, so the register and the report agree.
 */
import { addDays, DEFAULT_DEADLINES, type DeadlinePolicy } from '../domain/deadlines.ts';
import { checkEvidence, type VisitEvidenceRecord } from '../domain/evidence.ts';
import { message, type Message } from '../domain/messages.ts';
import { decideResult, type FailedAnswer, type ResultDecision } from '../domain/results.ts';
import { SATISFACTION } from '../domain/questions.ts';
import type { VisitCategory, VisitChannel, VisitResult } from '../domain/visit.ts';
import { ensureEmailPrintouts } from '../mail/printouts.ts';
import { today as todayIso } from '../env/clock.ts';
import { listStaff, recordDecision } from '../store/rules.ts';
import { listVisits } from '../store/visits.ts';
import type { Workspace } from '../store/workspace.ts';
import { checkDeadline } from './deadlines.ts';
import { checkDuties, type RosterEntry } from './duties.ts';
import { visitFacts, type VisitFacts } from './visit-facts.ts';

export interface ValidateOptions {
  /** Who runs it (recorded with result changes). */
  actor?: string;
  /** Re-hash every stored file (default true). */
  verifyHashes?: boolean;
  policy?: DeadlinePolicy;
  /** Today as `YYYY-MM-DD` (default: `today()`, which honours HUIFANG_NOW). */
  today?: string;
  /** Record decided results in the register (default true). */
  recordResults?: boolean;
}

/** A failed visit to report to the branch manager (异常, 第三十八条). */
export interface VisitException {
  visitId: string;
  customerId: string;
  customerName: string;
  branchCode: string;
  branchName: string;
  category: VisitCategory;
  channel: VisitChannel;
  reason: string;
  failedAnswers: FailedAnswer[];
}

export interface VisitValidation {
  visitId: string;
  customerId: string;
  branchCode: string;
  category: VisitCategory;
  channel: VisitChannel;
  dueOn: string;
  result: VisitResult;
  /** No error-level problem: the visit may be archived as it is. */
  ok: boolean;
  problems: Message[];
  decision: ResultDecision;
  exception?: VisitException;
  /** The plain record the evidence table checked (what a bundle carries for `verify`). */
  record: VisitEvidenceRecord;
}

export interface ValidationReport {
  /** True when no visit has an error-level problem. */
  ok: boolean;
  visits: VisitValidation[];
  exceptions: VisitException[];
  /** Problems not about one visit (e.g. no staff roster imported). */
  problems: Message[];
}

function pendingFix(facts: VisitFacts): string {
  const id = facts.visit.visitId;
  switch (facts.visit.channel) {
    case 'phone':
    case 'email':
      return `enter the customer's answers: huifang answers --visit ${id} --set <question>=yes|no …; or record --refused / --unreachable with a reason`;
    case 'letter':
      return `wait for the returned form and ingest it, confirm unread answers with huifang review, or record --refused / --unreachable (huifang answers --visit ${id})`;
    default:
      return `ingest the filled-in form or confirm unread answers with huifang review (or enter them: huifang answers --visit ${id} --set …)`;
  }
}

/** Decides the result of a visit from its facts (pure apart from reading `facts`). */
export function decisionFor(facts: VisitFacts, today: string, policy: DeadlinePolicy = DEFAULT_DEADLINES): ResultDecision {
  const returned = facts.documents.some((d) => d.kind === 'form' && d.role === 'received');
  const decision = decideResult({
    category: facts.visit.category,
    channel: facts.visit.channel,
    answers: facts.answers,
    outcome: facts.outcome,
    letter: { sentOn: facts.visit.createdOn, returned, today },
    policy,
  });
  const open = facts.readings.openReviewItems.length;
  if (open > 0 && (decision.result === 'passed' || decision.result === 'failed')) {
    return { ...decision, result: 'pending', reason: `${open} review item${open === 1 ? ' is' : 's are'} open; no verdict until ${open === 1 ? 'it is' : 'they are'} decided (would be ${decision.result})` };
  }
  return decision;
}

function resultMessages(facts: VisitFacts, decision: ResultDecision, policy: DeadlinePolicy): Message[] {
  const place = { visitId: facts.visit.visitId };
  const out: Message[] = [];
  if (decision.result === 'pending') {
    const nothingYet = Object.values(facts.answers).every((a) => a === null || a === undefined) && facts.readings.openReviewItems.length === 0;
    const letterNote =
      facts.visit.channel === 'letter' ? `; if the letter is not back by ${addDays(facts.visit.createdOn, policy.letterReturnDays)} the visit becomes unreachable (回访不可达)` : '';
    const reason = nothingYet ? `no answers have been received yet${letterNote}` : `the result cannot be decided yet: ${decision.reason.replace(/^not decidable yet: /, '')}`;
    out.push(message('result/pending', reason, place, { fix: pendingFix(facts) }));
  }
  if (decision.result === 'failed') {
    for (const f of decision.failedAnswers) {
      out.push(
        message('result/failed', `回访不通过: the customer answered ${f.actual} to "${f.text}" (${f.rule}); a compliant answer is ${f.expected}`, { ...place, box: f.questionId }, {
          severity: 'warning',
          fix: 'report this exception (异常) to the branch manager and follow it up',
          expected: f.expected,
          actual: f.actual,
        }),
      );
    }
  }
  if (facts.answers[SATISFACTION.id] === 'dissatisfied') {
    out.push(message('result/dissatisfied', 'the customer is dissatisfied (不满意) with the service', place, { severity: 'warning', fix: 'pass it on to the branch manager for follow-up' }));
  }
  return out;
}

/** Validates one visit (see the module comment). @throws UnknownVisitError */
// eslint-disable-next-line max-lines-per-function -- still to be split into named steps (docs/architecture.md)
export async function validateVisit(ws: Workspace, visitId: string, options: ValidateOptions = {}, roster?: readonly RosterEntry[]): Promise<VisitValidation> {
  const actor = options.actor ?? 'huifang';
  const today = options.today ?? todayIso();
  const policy = options.policy ?? DEFAULT_DEADLINES;
  const printouts = await ensureEmailPrintouts(ws, visitId, actor);
  const facts = await visitFacts(ws, visitId, options.verifyHashes === undefined ? {} : { verifyHashes: options.verifyHashes });
  const decision = decisionFor(facts, today, policy);
  if (options.recordResults ?? true) {
    recordDecision(ws.db, { visitId, result: decision.result, reason: decision.reason, failedAnswers: decision.failedAnswers, missing: decision.missing }, actor);
  }
  const record: VisitEvidenceRecord = { ...facts.record, result: decision.result };
  const problems: Message[] = [];
  for (const p of printouts) {
    if (p.error) problems.push(message('mail/printout', `no printout could be made of ${p.fileName}: ${p.error}`, { visitId, file: p.fileName }, { fix: "save the message from the mail client as a PDF printout and ingest it" }));
  }
  problems.push(...checkEvidence(record));
  problems.push(...resultMessages(facts, decision, policy));
  const evidenceComplete = !problems.some((m) => m.severity === 'error' && (m.ruleId.startsWith('evidence/') || m.ruleId.startsWith('review/')));
  problems.push(...checkDeadline(visitId, facts.visit.dueOn, today, decision.result !== 'pending' && evidenceComplete));
  problems.push(
    ...checkDuties({
      visitId,
      visitor: facts.visit.visitor,
      reviewer: facts.visit.reviewer,
      customerMarketingStaff: facts.customer.marketingStaff,
      reviewDecisions: facts.readings.decidedReviewItems.filter((i) => i.decidedBy).map((i) => ({ itemId: i.itemId, subject: i.subject, decidedBy: i.decidedBy! })),
      roster: roster ?? listStaff(ws.db),
    }),
  );
  const v: VisitValidation = {
    visitId,
    customerId: facts.customer.customerId,
    branchCode: facts.customer.branchCode,
    category: facts.visit.category,
    channel: facts.visit.channel,
    dueOn: facts.visit.dueOn,
    result: decision.result,
    ok: !problems.some((m) => m.severity === 'error'),
    problems,
    decision,
    record,
  };
  if (decision.result === 'failed') {
    v.exception = {
      visitId,
      customerId: facts.customer.customerId,
      customerName: facts.customer.name,
      branchCode: facts.customer.branchCode,
      branchName: facts.customer.branchName,
      category: facts.visit.category,
      channel: facts.visit.channel,
      reason: decision.reason,
      failedAnswers: decision.failedAnswers,
    };
  }
  return v;
}

export interface ValidateAllOptions extends ValidateOptions {
  /** Only the visits of this branch (营业部 code). */
  branch?: string;
  /** Only these visits. */
  visitIds?: readonly string[];
  onProgress?: (done: number, total: number) => void;
}

/** Validates every visit (of a branch, or the given ones), in visit id order. */
export async function validateAll(ws: Workspace, options: ValidateAllOptions = {}): Promise<ValidationReport> {
  const ids = options.visitIds ?? listVisits(ws.db, options.branch ? { branchCode: options.branch } : {}).map((v) => v.visitId);
  const roster = listStaff(ws.db);
  const problems: Message[] = [];
  if (roster.length === 0 && ids.length > 0) {
    problems.push(
      message('duties/no-roster', 'no staff roster has been imported, so whether visitors are marketing staff (营销序列) cannot be checked', {}, {
        severity: 'warning',
        fix: 'import the roster: huifang staff import <staff.csv>',
      }),
    );
  }
  const visits: VisitValidation[] = [];
  for (const [i, id] of ids.entries()) {
    visits.push(await validateVisit(ws, id, options, roster));
    options.onProgress?.(i + 1, ids.length);
  }
  const exceptions = visits.flatMap((v) => (v.exception ? [v.exception] : []));
  return { ok: visits.every((v) => v.ok) && !problems.some((m) => m.severity === 'error'), visits, exceptions, problems };
}

/**
 * `validate` (SPEC §5): every visit against the rules — its result decided from its answers
 * (第四十二条, 第四十三条), its evidence against the table for its channel and customer kind
 * (第七条, `domain/evidence.ts`), open review items, its deadline, and separation of duties
 * against the staff roster (第四条) — with, per visit, what is missing or wrong in words a
 * clerk can act on, and the exceptions (异常: failed visits) to report to the branch manager.
 *
 * A recording run (`recordResults`, `huifang validate --record`) records each visit's decided
 * result (only when it changed), its completion date and exception record, and makes any missing
 * e-mail printout or filled record form, so the register and the report agree. A check only
 * (`recordResults: false`) writes nothing and names what is not recorded yet (`result/not-recorded`).
 */
import { addDays } from '../domain/deadlines.ts';
import { checkEvidence, type VisitEvidenceRecord } from '../domain/evidence.ts';
import { ageInDays, exceptionTriggers, TRIGGER_LABELS } from '../domain/exceptions.ts';
import { roleOf, type Person } from '../domain/people.ts';
import { defaultPolicy, type Policy } from '../domain/policy-sections.ts';
import { message, type Message } from '../domain/messages.ts';
import { decideResult, type FailedAnswer, type ResultDecision } from '../domain/results.ts';
import { SATISFACTION } from '../domain/questions.ts';
import type { VisitCategory, VisitChannel, VisitResult } from '../domain/visit.ts';
import { ensureEmailPrintouts, type PrintoutOutcome } from '../mail/printouts.ts';
import { today as todayIso } from '../env/clock.ts';
import { recordCompletion, type Completion } from '../store/attempts.ts';
import { recordFileChecks } from '../store/file-checks.ts';
import { openException, type ExceptionRecord } from '../store/exceptions.ts';
import { listStaff, recordDecision, type StoredDecision } from '../store/rules.ts';
import { loadVisitRecords, type VisitRecords } from '../store/visit-records.ts';
import type { Workspace } from '../store/workspace.ts';
import { checkDeadline } from './deadlines.ts';
import { checkDuties, type RosterEntry } from './duties.ts';
import { completionDate, conflictMessages, marketingActs, reviewMessages } from './verdicts.ts';
import { Fixity, type FixityTally, type HashMode } from './fixity.ts';
import { visitFacts, type VisitFacts } from './visit-facts.ts';

export interface ValidateOptions {
  /** Who runs it (recorded with result changes). */
  actor?: string;
  /** How stored files are checked (default `due`: see `fixity.ts`). */
  hashes?: HashMode;
  /** The checker a run of many visits shares (made from `hashes` and the policy when absent). */
  fixity?: Fixity;
  /** The firm policy (default: the 细则's defaults). */
  policy?: Policy;
  /** Today as `YYYY-MM-DD` (default: `today()`, which honours HUIFANG_NOW). */
  today?: string;
  /** Record decided results, completion dates, exceptions, printouts and record forms (default true; false: a check that writes nothing). */
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
  /** What opened the exception record. */
  triggers: string[];
  /** The exception record (owner, cause, measures, escalation, closure) when one was opened. */
  record?: ExceptionRecord;
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
  /** When the visit was completed and whether late (null while pending). */
  completion: Completion | null;
  /** A reviewer approved the visit as it now stands. */
  approved: boolean;
}

export interface ValidationReport {
  /** True when no visit has an error-level problem. */
  ok: boolean;
  visits: VisitValidation[];
  exceptions: VisitException[];
  /** Problems not about one visit (e.g. no staff roster imported). */
  problems: Message[];
  /** How the visits' stored files were checked, and what was found. */
  files: FixityTally & { mode: HashMode; recheckDays: number };
  /** How many threads validated the visits (2: a check shared with a second thread, `validate-all.ts`). */
  threads: 1 | 2;
}

function pendingFix(facts: VisitFacts): string {
  const id = facts.visit.visitId;
  switch (facts.visit.channel) {
    case 'phone':
    case 'email':
      return `enter the customer's answers: huifang answers --visit ${id} --set <question>=yes|no …; or record --refused / --unreachable with a reason`;
    case 'letter':
      return `wait for the returned form and ingest it, confirm unread answers with huifang review; log each further try to reach the customer: huifang attempt --visit ${id} --channel phone|email|letter|visit --outcome … --at TIME`;
    default:
      return `ingest the filled-in form or confirm unread answers with huifang review (or enter them: huifang answers --visit ${id} --set …)`;
  }
}

/** Records a visit's decided result in the register (who decided, and when). */
export function recordVisitDecision(ws: Workspace, visitId: string, decision: ResultDecision, actor: string): void {
  recordDecision(
    ws.register,
    {
      visitId,
      result: decision.result,
      reason: decision.reason,
      failedAnswers: decision.failedAnswers,
      missing: decision.missing,
    },
    actor,
  );
}

/** Rounds of deciding again before the last decision stands (each means another clerk changed the visit meanwhile). */
const MAX_DECISION_ROUNDS = 20;

/**
 * The visit's facts as they stand, its result under the policy and its completion date,
 * recorded: what every act that changes a visit (answers entered, an attempt logged) ends with.
 *
 * Another clerk may change the same visit while this one decides (two attempts logged at once),
 * and whoever records last must not leave a decision made on less than the register holds
 * (three failed tries left "pending"). So, once recorded, the visit is decided again from what
 * the register now holds, and recorded again until the two agree: every writer checks after its
 * own write, so the last write is always checked against the register as it ends.
 */
export async function redecideVisit(
  ws: Workspace,
  visitId: string,
  policy: Policy,
  actor: string,
): Promise<{ facts: VisitFacts; decision: ResultDecision }> {
  let facts = await visitFacts(ws, visitId);
  for (let round = 1; ; round++) {
    const decision = decisionFor(facts, policy);
    recordVisitDecision(ws, visitId, decision, actor);
    completionStep(ws, facts, decision, true, actor);
    const now = await visitFacts(ws, visitId);
    const agrees = sameDecision(decisionFor(now, policy), decision);
    if (agrees || round === MAX_DECISION_ROUNDS) return { facts: agrees ? now : facts, decision };
    facts = now;
  }
}

/** The same result for the same reason (a stored decision or one just made). */
function sameDecision(
  a: Pick<ResultDecision, 'result' | 'reason'>,
  b: Pick<ResultDecision, 'result' | 'reason'>,
): boolean {
  return a.result === b.result && a.reason === b.reason;
}

/**
 * Records a decision that changed, then, as `redecideVisit` does, holds it against what the
 * register holds after the write (another clerk may have logged an attempt or entered answers
 * since the run read the visit) and decides the visit again when the two differ.
 */
async function recordChangedDecision(
  ws: Workspace,
  visitId: string,
  decision: ResultDecision,
  ctx: RunContext,
): Promise<void> {
  recordVisitDecision(ws, visitId, decision, ctx.actor);
  if (!sameDecision(decisionFor(await visitFacts(ws, visitId), ctx.policy), decision))
    await redecideVisit(ws, visitId, ctx.policy, ctx.actor);
}

/** Decides the result of a visit from its facts under the policy (pure apart from reading `facts`). */
export function decisionFor(facts: VisitFacts, policy: Policy = defaultPolicy()): ResultDecision {
  const decision = decideResult({
    category: facts.visit.category,
    channel: facts.visit.channel,
    answers: facts.answers,
    outcome: facts.outcome,
    failing: policy.failing.byCategory[facts.visit.category],
    attempts: facts.attempts,
    unreachable: policy.unreachable,
  });
  const open = facts.readings.openReviewItems.length + facts.conflicts.filter((c) => !c.decision).length;
  if (open > 0 && (decision.result === 'passed' || decision.result === 'failed')) {
    return {
      ...decision,
      result: 'pending',
      reason: `${open} review item${open === 1 ? ' is' : 's are'} open; no verdict until ${open === 1 ? 'it is' : 'they are'} decided (would be ${decision.result})`,
    };
  }
  return decision;
}

function resultMessages(facts: VisitFacts, decision: ResultDecision, policy: Policy): Message[] {
  const place = { visitId: facts.visit.visitId };
  const out: Message[] = [];
  if (decision.result === 'pending') {
    const nothingYet =
      Object.values(facts.answers).every((a) => a === null || a === undefined) &&
      facts.readings.openReviewItems.length === 0 &&
      facts.conflicts.length === 0;
    const u = policy.unreachable;
    const letterNote =
      facts.visit.channel === 'letter'
        ? `; an unanswered letter stays pending: the customer is unreachable (回访不可达) only after ${u.minAttempts} logged attempts on ${u.minDays} days by ${u.minChannels} channels`
        : '';
    const reason = nothingYet
      ? `no answers have been received yet${letterNote}`
      : `the result cannot be decided yet: ${decision.reason.replace(/^not decidable yet: /, '')}`;
    out.push(message('result/pending', reason, place, { fix: pendingFix(facts) }));
  }
  if (decision.result === 'failed') {
    for (const f of decision.failedAnswers) {
      out.push(
        message(
          'result/failed',
          `回访不通过: the customer answered ${f.actual} to "${f.text}" (${f.rule}); a compliant answer is ${f.expected}`,
          { ...place, box: f.questionId },
          {
            severity: 'warning',
            fix: 'an exception (异常) is opened for the branch head: huifang exception list',
            expected: f.expected,
            actual: f.actual,
          },
        ),
      );
    }
  }
  for (const f of decision.findings) {
    out.push(
      message(
        'result/finding',
        `finding (does not fail the visit): the customer answered ${f.actual} to "${f.text}" (${f.rule}); a compliant answer is ${f.expected}`,
        { ...place, box: f.questionId },
        { severity: 'warning', fix: 'follow it up with the staff concerned', expected: f.expected, actual: f.actual },
      ),
    );
  }
  if (facts.answers[SATISFACTION.id] === 'dissatisfied') {
    out.push(
      message('result/dissatisfied', 'the customer is dissatisfied (不满意) with the service', place, {
        severity: 'warning',
        fix: 'an exception (异常) is opened for the branch head: huifang exception list',
      }),
    );
  }
  return out;
}

/** Records the visit's completion (when decided) and reports a late one — for good, once late. */
function completionStep(
  ws: Workspace,
  facts: VisitFacts,
  decision: ResultDecision,
  record: boolean,
  actor: string,
): { completion: Completion | null; messages: Message[]; unrecorded: boolean } {
  const found = completionDate(facts, decision);
  let completion: Completion | null = facts.completion ?? null;
  const unrecorded = Boolean(found && !record && completion?.completedOn !== found.completedOn);
  if (found) {
    const next = { ...found, dueOn: facts.visit.dueOn, late: found.completedOn > facts.visit.dueOn };
    completion = record
      ? recordCompletion(ws.register, facts.visit.visitId, next, actor)
      : { ...next, late: next.late || Boolean(completion?.late) };
  }
  const when =
    completion && completion.completedOn > completion.dueOn
      ? `completed on ${completion.completedOn} (${completion.source}), after its due date ${completion.dueOn}`
      : `recorded as completed after its due date ${completion?.dueOn} before its completion date was changed to ${completion?.completedOn}`;
  const messages = completion?.late
    ? [
        message(
          'deadline/completed-late',
          `${when}; a late visit stays flagged`,
          { visitId: facts.visit.visitId },
          {
            severity: 'warning',
            fix: 'report the delay to the branch head',
            expected: `complete by ${completion.dueOn}`,
            actual: `completed ${completion.completedOn}`,
          },
        ),
      ]
    : [];
  return { completion, messages, unrecorded };
}

/** The branch head (营业部负责人) of a branch on the roster, who owns its exceptions. */
function branchHeadOf(roster: readonly Person[], branchCode: string): Person | undefined {
  return roster.find((p) => roleOf(p) === 'branch-head' && p.branchCode === branchCode);
}

/** Opens (or extends) the visit's exception record when something calls for one; reports an open one with its age. */
function exceptionStep(
  ws: Workspace,
  facts: VisitFacts,
  decision: ResultDecision,
  ctx: {
    roster: readonly Person[];
    policy: Policy;
    today: string;
    record: boolean;
    actor: string;
    existing: ExceptionRecord | undefined;
  },
): { triggers: string[]; record: ExceptionRecord | undefined; messages: Message[] } {
  const visitId = facts.visit.visitId;
  const triggers = exceptionTriggers({
    result: decision.result,
    answers: facts.answers,
    remarks: facts.remarks.map((r) => r.text),
  });
  let record = ctx.existing;
  if (triggers.length && ctx.record) {
    const owner = branchHeadOf(ctx.roster, facts.customer.branchCode);
    record = openException(
      ws.register,
      { visitId, triggers, owner: owner?.staffId ?? null, dueOn: addDays(ctx.today, ctx.policy.exceptions.dueDays) },
      ctx.actor,
    ).record;
  }
  const messages: Message[] = [];
  if (record?.status === 'open') {
    const age = ageInDays(record.openedAt, ctx.today);
    const overdue = ctx.today > record.dueOn ? `, overdue since ${record.dueOn}` : `, due ${record.dueOn}`;
    messages.push(
      message(
        'exception/open',
        `exception #${record.exceptionId} (${record.triggers.map((t) => TRIGGER_LABELS[t]).join('; ')}) open for ${age} day${age === 1 ? '' : 's'}, owner ${record.owner ?? 'none'}, level ${record.level}${overdue}`,
        { visitId },
        {
          severity: 'warning',
          fix: record.owner
            ? `the branch head records cause and measures and closes it: huifang exception update ${record.exceptionId} --cause … --measures …`
            : `no branch head (营业部负责人) of branch ${facts.customer.branchCode} is on the roster; add one, or name an owner: huifang exception update ${record.exceptionId} --owner …`,
        },
      ),
    );
  }
  return { triggers, record, messages };
}

/** What one validation run works with. */
interface RunContext {
  actor: string;
  today: string;
  policy: Policy;
  staff: readonly RosterEntry[];
  /** Records results, completion dates, record forms, printouts and exceptions (false: a check only). */
  record: boolean;
  factsOptions: { fixity: Fixity };
}

function runContext(ws: Workspace, options: ValidateOptions, roster?: readonly RosterEntry[]): RunContext {
  const policy = options.policy ?? defaultPolicy();
  return {
    actor: options.actor ?? 'huifang',
    today: options.today ?? todayIso(),
    policy,
    staff: roster ?? listStaff(ws.register),
    record: options.recordResults ?? true,
    factsOptions: { fixity: options.fixity ?? fixityFor(ws, options, policy) },
  };
}

/** The checker of stored files for a run: how hard to look, and how long a check stands. */
export function fixityFor(ws: Workspace, options: ValidateOptions, policy: Policy): Fixity {
  return new Fixity(ws, options.hashes ?? 'due', policy.files.recheckDays);
}

/** A recording run keeps the checks of stored files it made; a check only keeps nothing. */
export function keepFileChecks(ws: Workspace, fixity: Fixity, record: boolean): void {
  if (!record) return;
  recordFileChecks(ws.register, fixity.made);
  fixity.recorded();
}

/**
 * The visit's facts; when recording, after making any missing e-mail printout and, for a phone
 * or e-mail visit with entered answers, its filled record form (第七条).
 */
async function factsStep(
  ws: Workspace,
  visitId: string,
  ctx: RunContext,
  records: VisitRecords | undefined,
): Promise<{ facts: VisitFacts; printouts: PrintoutOutcome[]; known: VisitRecords }> {
  const printouts = ctx.record
    ? await ensureEmailPrintouts(ws, visitId, ctx.actor, records && (records.documents.get(visitId) ?? []))
    : [];
  // what was read before is stale once a printout was made
  let known = records && !printouts.some((p) => p.printoutSha256) ? records : loadVisitRecords(ws.register, [visitId]);
  let facts = await visitFacts(ws, visitId, ctx.factsOptions, known);
  if (ctx.record && (facts.visit.channel === 'phone' || facts.visit.channel === 'email') && facts.entered.length > 0) {
    const { ensureEnteredForm } = await import('../render/entered-form.ts');
    const form = await ensureEnteredForm(ws, facts, ctx.actor);
    if (form?.made) {
      known = loadVisitRecords(ws.register, [visitId]);
      facts = await visitFacts(ws, visitId, ctx.factsOptions, known);
    }
  }
  return { facts, printouts, known };
}

function printoutMessages(visitId: string, printouts: readonly PrintoutOutcome[]): Message[] {
  return printouts.flatMap((p) =>
    p.error
      ? [
          message(
            'mail/printout',
            `no printout could be made of ${p.fileName}: ${p.error}`,
            { visitId, file: p.fileName },
            { fix: 'save the message from the mail client as a PDF printout and ingest it' },
          ),
        ]
      : [],
  );
}

/** The evidence, conflicts, result and deadline messages, in that order. */
function evidenceStep(
  facts: VisitFacts,
  decision: ResultDecision,
  record: VisitEvidenceRecord,
  ctx: RunContext,
  printouts: readonly PrintoutOutcome[],
): Message[] {
  const visitId = facts.visit.visitId;
  const problems = [...printoutMessages(visitId, printouts), ...checkEvidence(record), ...conflictMessages(facts)];
  problems.push(...resultMessages(facts, decision, ctx.policy));
  const evidenceComplete = !problems.some(
    (m) => m.severity === 'error' && (m.ruleId.startsWith('evidence/') || m.ruleId.startsWith('review/')),
  );
  problems.push(
    ...checkDeadline(visitId, facts.visit.dueOn, ctx.today, decision.result !== 'pending' && evidenceComplete),
  );
  return problems;
}

/** Validates one visit (see the module comment). @throws UnknownVisitError */
export async function validateVisit(
  ws: Workspace,
  visitId: string,
  options: ValidateOptions = {},
  roster?: readonly RosterEntry[],
  records?: VisitRecords,
): Promise<VisitValidation> {
  const ctx = runContext(ws, options, roster);
  const { facts, printouts, known } = await factsStep(ws, visitId, ctx, records);
  const decision = decisionFor(facts, ctx.policy);
  // recorded only when it changed (recordDecision checks again, inside its transaction)
  const stored = known.decisions.get(visitId);
  const unchanged = stored !== undefined && sameDecision(stored, decision) && facts.visit.result === decision.result;
  if (ctx.record && !unchanged) await recordChangedDecision(ws, visitId, decision, ctx);
  const record: VisitEvidenceRecord = { ...facts.record, result: decision.result };
  const problems = evidenceStep(facts, decision, record, ctx, printouts);
  const completion = completionStep(ws, facts, decision, ctx.record, ctx.actor);
  const review = reviewMessages(facts, ctx.staff);
  problems.push(...completion.messages, ...review.messages);
  problems.push(...dutyMessages(facts, ctx.staff, known.acts.get(visitId) ?? []));
  const exception = exceptionStep(ws, facts, decision, {
    ...ctx,
    roster: ctx.staff,
    existing: known.exceptions.get(visitId),
  });
  problems.push(...exception.messages);
  if (!ctx.record) problems.push(...(await unrecordedMessages(stored, facts, decision, completion, exception)));
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
    completion: completion.completion,
    approved: review.approved,
  };
  if (exception.triggers.length || exception.record) v.exception = visitException(facts, decision, exception);
  if (!options.fixity) keepFileChecks(ws, ctx.factsOptions.fixity, ctx.record);
  return v;
}

function visitException(
  facts: VisitFacts,
  decision: ResultDecision,
  exception: { triggers: string[]; record: ExceptionRecord | undefined },
): VisitException {
  return {
    visitId: facts.visit.visitId,
    customerId: facts.customer.customerId,
    customerName: facts.customer.name,
    branchCode: facts.customer.branchCode,
    branchName: facts.customer.branchName,
    category: facts.visit.category,
    channel: facts.visit.channel,
    reason: decision.reason,
    failedAnswers: decision.failedAnswers,
    triggers: exception.record?.triggers ?? exception.triggers,
    ...(exception.record ? { record: exception.record } : {}),
  };
}

/**
 * What a check-only run found that the register does not hold yet: the decided result, the
 * completion date, an exception to open, an e-mail printout or a phone or e-mail visit's filled
 * record form. One `result/not-recorded` warning naming them (archive refuses such a visit).
 */
async function unrecordedMessages(
  stored: StoredDecision | undefined,
  facts: VisitFacts,
  decision: ResultDecision,
  completion: { unrecorded: boolean },
  exception: { triggers: string[]; record: ExceptionRecord | undefined },
): Promise<Message[]> {
  const visitId = facts.visit.visitId;
  const missing: string[] = [];
  if (stored ? stored.result !== decision.result : decision.result !== 'pending')
    missing.push(`the result ${decision.result} (recorded: ${stored?.result ?? 'none'})`);
  if (completion.unrecorded) missing.push('the completion date');
  const had: readonly string[] = exception.record?.triggers ?? [];
  const newTriggers = exception.triggers.filter((t) => !had.includes(t));
  if (newTriggers.length) missing.push(`an exception (异常: ${newTriggers.join(', ')})`);
  if (unprintedEmails(facts)) missing.push('the printout of an e-mail');
  if (await recordFormMissing(facts)) missing.push('the filled record form (回访记录表) of the entered answers');
  if (!missing.length) return [];
  return [
    message(
      'result/not-recorded',
      `not recorded in the register yet: ${missing.join('; ')}`,
      { visitId },
      {
        severity: 'warning',
        fix: `a reviewer, the branch head or compliance records it: huifang validate --record --visit ${visitId} --user <工号>`,
      },
    ),
  ];
}

function unprintedEmails(facts: VisitFacts): boolean {
  const docs = facts.documents;
  return docs.some(
    (e) =>
      e.kind === 'email' &&
      e.role === 'received' &&
      !docs.some((d) => d.kind === 'email-printout' && d.role === 'derived' && d.sourceSha256 === e.sha256),
  );
}

async function recordFormMissing(facts: VisitFacts): Promise<boolean> {
  if (!(facts.visit.channel === 'phone' || facts.visit.channel === 'email') || facts.entered.length === 0) return false;
  const made = facts.documents.filter((d) => d.kind === 'form' && d.role === 'derived');
  if (made.length === 0) return true;
  const { fillKeyOf } = await import('../render/entered-form.ts');
  const key = fillKeyOf(facts.entered);
  return !made.some((d) => d.meta.fillKey === key);
}

function dutyMessages(
  facts: VisitFacts,
  roster: readonly RosterEntry[],
  events: readonly { actor: string; action: string; at: string }[],
): Message[] {
  return [
    ...checkDuties({
      visitId: facts.visit.visitId,
      visitor: facts.visit.visitor,
      reviewer: facts.visit.reviewer,
      customerMarketingStaff: facts.customer.marketingStaff,
      reviewDecisions: facts.readings.decidedReviewItems
        .filter((i) => i.decidedBy)
        .map((i) => ({ itemId: i.itemId, subject: i.subject, decidedBy: i.decidedBy! })),
      roster,
    }),
    ...marketingActs(facts.visit.visitId, events, roster),
  ];
}

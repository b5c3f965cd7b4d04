/**
 * Gathers, from the register and the file store, what the rules look at for one visit:
 * its final answers (read from the form after review, overlaid by answers entered with
 * `huifang answers`), its evidence record (the plain record the evidence table checks, and
 * that bundles carry), the recorded outcome, and the review decisions.
 */
import { InputError } from '../domain/messages.ts';
import type { Customer } from '../domain/customer.ts';
import type { EvidenceChecks, EvidenceDocument, VisitEvidenceRecord } from '../domain/evidence.ts';
import type { Answers } from '../domain/questions.ts';
import type { RecordedOutcome } from '../domain/results.ts';
import type { Visit } from '../domain/visit.ts';
import type { Attempt } from '../domain/attempts.ts';
import type { Completion } from '../store/attempts.ts';
import type { ConflictDecision } from '../store/conflicts.ts';
import type { FinalReadings } from '../store/review.ts';
import type { VisitReview } from '../store/visit-reviews.ts';
import type { EnteredAnswer } from '../store/rules.ts';
import { loadVisitRecords, type VisitRecords } from '../store/visit-records.ts';
import { Fixity } from './fixity.ts';
import type { VisitDocument } from '../store/visits.ts';
import type { Workspace } from '../store/workspace.ts';

export interface VisitFacts {
  visit: Visit;
  customer: Customer;
  documents: VisitDocument[];
  readings: FinalReadings;
  entered: EnteredAnswer[];
  /** Form answers with entered answers on top: what the result is decided from. */
  answers: Answers;
  /** Where each answer came from (`conflict`: paper and typed disagree and no reviewer has decided). */
  answerSources: Record<string, 'form' | 'entered' | 'conflict'>;
  /** Typed answers that disagree with the read paper form, side by side, and the reviewer's decision if any. */
  conflicts: AnswerConflict[];
  outcome: RecordedOutcome | null;
  attempts: Attempt[];
  /** Reviewers' decisions on the whole visit, oldest first. */
  visitReviews: VisitReview[];
  /** The completion recorded so far (the late flag stays once set). */
  completion: Completion | undefined;
  /** A completion date entered by a person (the date on the form). */
  enteredCompletion: { completedOn: string; enteredBy: string } | undefined;
  remarks: { text: string; enteredBy: string; enteredAt: string }[];
  record: VisitEvidenceRecord;
}

export interface FactsOptions {
  /** How the visit's stored files are checked (default: only that they are there). */
  fixity?: Fixity;
}

export interface AnswerConflict {
  questionId: string;
  paper: string;
  typed: string;
  typedBy: string;
  typedAt: string;
  decision: ConflictDecision | null;
}

/** A visit id the register does not know. */
export class UnknownVisitError extends Error {
  constructor(readonly visitId: string) {
    super(`There is no visit ${visitId} in the register; check the id (huifang validate lists the visits).`);
    this.name = 'UnknownVisitError';
  }
}

/**
 * Everything the rules need about a visit, from `records` when they were read for many visits
 * at once (`loadVisitRecords`), else read now. @throws UnknownVisitError
 */
export async function visitFacts(
  ws: Workspace,
  visitId: string,
  options: FactsOptions = {},
  records: VisitRecords = loadVisitRecords(ws.register, [visitId]),
): Promise<VisitFacts> {
  const { visit, customer } = visitAndCustomer(records, visitId);
  const documents = records.documents.get(visitId) ?? [];
  const readings = records.readings.get(visitId)!;
  const entered = records.entered.get(visitId) ?? [];
  const { answers, answerSources, conflicts } = mergeAnswers(
    readings.answers,
    entered,
    records.conflictDecisions.get(visitId) ?? new Map(),
  );
  const record: VisitEvidenceRecord = {
    visitId,
    category: visit.category,
    channel: visit.channel,
    customerKind: customer.kind,
    result: visit.result,
    documents: evidenceDocumentsOf(documents, options.fixity ?? new Fixity(ws, 'none', 0), records),
    checks: evidenceChecksOf(readings),
    answers,
    openReviewItems: readings.openReviewItems.length,
  };
  return {
    visit,
    customer,
    documents,
    readings,
    entered,
    answers,
    answerSources,
    conflicts,
    outcome: records.outcomes.get(visitId) ?? null,
    record,
    attempts: records.attempts.get(visitId) ?? [],
    visitReviews: records.visitReviews.get(visitId) ?? [],
    completion: records.completions.get(visitId),
    enteredCompletion: records.enteredCompletions.get(visitId),
    remarks: records.remarks.get(visitId) ?? [],
  };
}

/** The visit and its customer. @throws UnknownVisitError, InputError when the customer is gone */
function visitAndCustomer(records: VisitRecords, visitId: string): { visit: Visit; customer: Customer } {
  const visit = records.visits.get(visitId);
  if (!visit) throw new UnknownVisitError(visitId);
  const customer = records.customers.get(visit.customerId);
  if (!customer)
    throw new InputError(
      `Visit ${visitId} names customer ${visit.customerId}, who is not in the register; load the customer list again.`,
    );
  return { visit, customer };
}

/** The visit's documents as the evidence table sees them, each with whether its stored file can be had. */
function evidenceDocumentsOf(
  documents: readonly VisitDocument[],
  fixity: Fixity,
  records: VisitRecords,
): EvidenceDocument[] {
  return documents.map((d) => ({
    kind: d.kind,
    role: d.role,
    sha256: d.sha256,
    fileName: d.fileName,
    retrievable: fixity.retrievable(d.sha256, records.fileChecks.get(d.sha256)),
    meta: d.meta,
  }));
}

/** The signatures and seal read from the form, or null when no form was read. */
function evidenceChecksOf(readings: VisitFacts['readings']): EvidenceChecks | null {
  if (!readings.source) return null;
  const c = readings.checks;
  return {
    customerSignature: {
      present: c.customerSignature.present,
      ...(c.customerSignature.score !== null ? { score: c.customerSignature.score } : {}),
    },
    handlerSignature: {
      present: c.handlerSignature.present,
      ...(c.handlerSignature.score !== null ? { score: c.handlerSignature.score } : {}),
    },
    seal: { present: c.seal.present, red: c.seal.red, ...(c.seal.score !== null ? { score: c.seal.score } : {}) },
  };
}

/**
 * Form answers with typed answers on top — except where a typed answer disagrees with a value
 * read from the paper form: then a reviewer's decision naming both values says which stands,
 * and until there is one the answer is undecided (null) and the conflict is listed.
 */
export function mergeAnswers(
  paper: Answers,
  entered: readonly EnteredAnswer[],
  decisions: Map<string, ConflictDecision>,
): { answers: Answers; answerSources: VisitFacts['answerSources']; conflicts: AnswerConflict[] } {
  const answers: Answers = {};
  const answerSources: VisitFacts['answerSources'] = {};
  const conflicts: AnswerConflict[] = [];
  for (const [q, a] of Object.entries(paper)) {
    answers[q] = a;
    if (a !== null) answerSources[q] = 'form';
  }
  for (const e of entered) {
    const onPaper = paper[e.questionId];
    if (onPaper !== null && onPaper !== undefined && e.answer !== null && onPaper !== e.answer) {
      const d = decisions.get(e.questionId);
      const decision = d && d.paper === onPaper && d.typed === e.answer ? d : null;
      conflicts.push({
        questionId: e.questionId,
        paper: onPaper,
        typed: e.answer,
        typedBy: e.enteredBy,
        typedAt: e.enteredAt,
        decision,
      });
      answers[e.questionId] = decision ? (decision.keep === 'paper' ? onPaper : e.answer) : null;
      answerSources[e.questionId] = decision ? (decision.keep === 'paper' ? 'form' : 'entered') : 'conflict';
      continue;
    }
    answers[e.questionId] = e.answer;
    answerSources[e.questionId] = 'entered';
  }
  return { answers, answerSources, conflicts };
}

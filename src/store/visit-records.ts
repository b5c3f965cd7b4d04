/**
 * Everything the register holds about some visits, read in one query per kind of record
 * (the visits, their customers, documents, pages and review items, entered answers, conflict
 * decisions, outcomes, attempts, reviewers' decisions, completions, remarks, acts and
 * exceptions): what the rules read for each visit, so that validating a branch's thousands
 * of visits asks the register a few dozen questions rather than a score per visit.
 */
import type { Attempt } from '../domain/attempts.ts';
import type { Customer } from '../domain/customer.ts';
import type { RecordedOutcome } from '../domain/results.ts';
import type { Visit } from '../domain/visit.ts';
import {
  attemptsOfVisits,
  completionsOfVisits,
  enteredCompletionsOfVisits,
  remarksOfVisits,
  type Completion,
} from './attempts.ts';
import { actsOfVisits, type VisitAct } from './bundles.ts';
import { conflictDecisionsOfVisits, type ConflictDecision } from './conflicts.ts';
import { exceptionsOfVisits, type ExceptionRecord } from './exceptions.ts';
import { fileChecksOfVisits, type FileCheck } from './file-checks.ts';
import { sqlOf, type Register } from './sql.ts';
import { finalReadingsOfVisits, type FinalReadings } from './review.ts';
import {
  decisionsOfVisits,
  enteredAnswersOfVisits,
  outcomesOfVisits,
  type EnteredAnswer,
  type StoredDecision,
} from './rules.ts';
import { visitReviewsOfVisits, type VisitReview } from './visit-reviews.ts';
import { customersOfVisits, documentsOfVisits, visitsByIds, type VisitDocument } from './visits.ts';

/** The records of some visits; a visit the register does not know is absent from `visits`. */
export interface VisitRecords {
  visits: Map<string, Visit & { layoutId?: string }>;
  customers: Map<string, Customer>;
  documents: Map<string, VisitDocument[]>;
  readings: Map<string, FinalReadings>;
  entered: Map<string, EnteredAnswer[]>;
  conflictDecisions: Map<string, Map<string, ConflictDecision>>;
  outcomes: Map<string, RecordedOutcome>;
  attempts: Map<string, Attempt[]>;
  visitReviews: Map<string, VisitReview[]>;
  completions: Map<string, Completion>;
  enteredCompletions: Map<string, { completedOn: string; enteredBy: string }>;
  remarks: Map<string, { text: string; enteredBy: string; enteredAt: string }[]>;
  /** Who did what to each visit, and when (its log without the details). */
  acts: Map<string, VisitAct[]>;
  exceptions: Map<string, ExceptionRecord>;
  /** The last recorded decision on each visit's result. */
  decisions: Map<string, StoredDecision>;
  /** The last check of each of their stored files, by SHA-256 (a file never checked is absent; not read: empty). */
  fileChecks: Map<string, FileCheck>;
}

export interface LoadOptions {
  /** Read the last check of each stored file (default true); who judges files without them need not. */
  fileChecks?: boolean;
}

/** Reads the records of the given visits (keep the list to a few thousand: they are held in memory). */
export function loadVisitRecords(
  register: Register,
  visitIds: readonly string[],
  options: LoadOptions = {},
): VisitRecords {
  const db = sqlOf(register);
  return {
    visits: visitsByIds(db, visitIds),
    customers: customersOfVisits(db, visitIds),
    documents: documentsOfVisits(db, visitIds),
    readings: finalReadingsOfVisits(db, visitIds),
    entered: enteredAnswersOfVisits(db, visitIds),
    conflictDecisions: conflictDecisionsOfVisits(db, visitIds),
    outcomes: outcomesOfVisits(db, visitIds),
    attempts: attemptsOfVisits(db, visitIds),
    visitReviews: visitReviewsOfVisits(db, visitIds),
    completions: completionsOfVisits(db, visitIds),
    enteredCompletions: enteredCompletionsOfVisits(db, visitIds),
    remarks: remarksOfVisits(db, visitIds),
    acts: actsOfVisits(db, visitIds),
    exceptions: exceptionsOfVisits(db, visitIds),
    decisions: decisionsOfVisits(db, visitIds),
    fileChecks: options.fileChecks === false ? new Map() : fileChecksOfVisits(db, visitIds),
  };
}

/**
 * Starts reading the records of the given visits, for a `loadVisitRecords` of the same visits
 * a moment later: on a register on a server, they come while the caller works on others.
 */
export function readVisitRecordsAhead(
  register: Register,
  visitIds: readonly string[],
  options: LoadOptions = {},
): void {
  sqlOf(register).readAhead(() => loadVisitRecords(register, visitIds, options));
}

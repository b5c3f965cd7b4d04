/**
 * What the rules stage keeps in the register: answers entered by a person (phone and
 * e-mail visits), recorded refusals and unreachable customers, the last result decision
 * of each visit, and the staff roster used for separation of duties (第四条).
 */
import type { Answer } from '../domain/questions.ts';
import type { FailedAnswer, MissingAnswer, RecordedOutcome } from '../domain/results.ts';
import type { VisitResult } from '../domain/visit.ts';
import { nowIso } from '../env/clock.ts';
import { groupBy, rowsForIds } from './batch.ts';
import { recordEvent } from './register.ts';
import { sqlOf, type Register } from './sql.ts';

// ── entered answers ────────────────────────────────────────────────────────────────────

export interface AnswerEntry {
  questionId: string;
  /** null clears an earlier entry. */
  answer: Answer;
  /** SHA-256 of the evidence the answer was read from (the e-mail, the recording), when given. */
  evidenceSha256?: string;
  note?: string;
}

export interface EnteredAnswer {
  questionId: string;
  answer: Answer;
  enteredBy: string;
  enteredAt: string;
  evidenceSha256: string | null;
  note: string | null;
}

/** Records answers entered by a person, all in one transaction; earlier entries are kept. */
export function enterAnswers(
  register: Register,
  visitId: string,
  entries: readonly AnswerEntry[],
  actor: string,
): void {
  const db = sqlOf(register);
  db.transaction(() => {
    const insert = db.prepare(
      'INSERT INTO answer_entries (visit_id, question_id, answer, evidence_sha256, entered_by, entered_at, note) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const at = nowIso();
    for (const e of entries)
      insert.run(visitId, e.questionId, e.answer, e.evidenceSha256 ?? null, actor, at, e.note ?? null);
    recordEvent(db, actor, 'answers.entered', visitId, {
      answers: Object.fromEntries(entries.map((e) => [e.questionId, e.answer])),
    });
  });
}

/** The latest entered answer per question (entries that cleared an answer are left out). */
export function enteredAnswersOf(register: Register, visitId: string): EnteredAnswer[] {
  const db = sqlOf(register);
  return enteredAnswersOfVisits(db, [visitId]).get(visitId) ?? [];
}

interface EntryRow {
  visit_id: string;
  question_id: string;
  answer: string | null;
  entered_by: string;
  entered_at: string;
  evidence_sha256: string | null;
  note: string | null;
}

/** The latest entered answer per question of each visit, in the order entered; a visit without any is left out. */
export function enteredAnswersOfVisits(register: Register, visitIds: readonly string[]): Map<string, EnteredAnswer[]> {
  const db = sqlOf(register);
  const rows = rowsForIds<EntryRow>(
    db,
    visitIds,
    (m) =>
      `SELECT visit_id, question_id, answer, entered_by, entered_at, evidence_sha256, note FROM answer_entries WHERE visit_id IN (${m}) ORDER BY visit_id, entry_id`,
  );
  const out = new Map<string, EnteredAnswer[]>();
  for (const [visitId, entries] of groupBy(rows, (r) => r.visit_id)) {
    // the latest entry per question, in the order of those latest entries
    const latest = new Map<string, EntryRow>();
    for (const r of entries) {
      latest.delete(r.question_id);
      latest.set(r.question_id, r);
    }
    const answers = [...latest.values()]
      .filter((r) => r.answer !== null)
      .map((r) => ({
        questionId: r.question_id,
        answer: r.answer,
        enteredBy: r.entered_by,
        enteredAt: r.entered_at,
        evidenceSha256: r.evidence_sha256,
        note: r.note,
      }));
    if (answers.length) out.set(visitId, answers);
  }
  return out;
}

// ── refusals and unreachable customers ─────────────────────────────────────────────────

/** Records that the customer refused the visit or could not be reached; replaces an earlier one. */
export function recordOutcome(
  register: Register,
  visitId: string,
  outcome: RecordedOutcome['outcome'],
  reason: string,
  actor: string,
): void {
  const db = sqlOf(register);
  db.transaction(() => {
    const at = nowIso();
    db.prepare(
      'UPDATE visit_outcomes SET withdrawn_by = ?, withdrawn_at = ? WHERE visit_id = ? AND withdrawn_at IS NULL',
    ).run(actor, at, visitId);
    db.prepare(
      'INSERT INTO visit_outcomes (visit_id, outcome, reason, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?)',
    ).run(visitId, outcome, reason, actor, at);
    recordEvent(db, actor, 'outcome.recorded', visitId, { outcome, reason });
  });
}

/** Withdraws a recorded refusal or unreachable outcome (recorded by mistake, or reached later). */
export function withdrawOutcome(register: Register, visitId: string, actor: string): boolean {
  const db = sqlOf(register);
  const info = db
    .prepare('UPDATE visit_outcomes SET withdrawn_by = ?, withdrawn_at = ? WHERE visit_id = ? AND withdrawn_at IS NULL')
    .run(actor, nowIso(), visitId);
  if (info.changes > 0) recordEvent(db, actor, 'outcome.withdrawn', visitId, {});
  return info.changes > 0;
}

/** The visit's current recorded outcome, if any. */
export function outcomeOf(register: Register, visitId: string): RecordedOutcome | null {
  const db = sqlOf(register);
  return outcomesOfVisits(db, [visitId]).get(visitId) ?? null;
}

/** The standing (latest, not withdrawn) recorded outcome of each visit; a visit without one is left out. */
export function outcomesOfVisits(register: Register, visitIds: readonly string[]): Map<string, RecordedOutcome> {
  const db = sqlOf(register);
  const rows = rowsForIds<{
    visit_id: string;
    outcome: RecordedOutcome['outcome'];
    reason: string;
    recorded_by: string;
    recorded_at: string;
  }>(
    db,
    visitIds,
    (m) =>
      `SELECT visit_id, outcome, reason, recorded_by, recorded_at FROM visit_outcomes WHERE visit_id IN (${m}) AND withdrawn_at IS NULL ORDER BY visit_id, outcome_id`,
  );
  const out = new Map<string, RecordedOutcome>();
  for (const r of rows)
    out.set(r.visit_id, { outcome: r.outcome, reason: r.reason, recordedBy: r.recorded_by, recordedAt: r.recorded_at });
  return out;
}

// ── result decisions ───────────────────────────────────────────────────────────────────

export interface StoredDecision {
  visitId: string;
  result: VisitResult;
  reason: string;
  failedAnswers: FailedAnswer[];
  missing: MissingAnswer[];
  decidedAt: string;
}

/**
 * Records a visit's decided result on the visit and in `result_decisions`. Writes (and logs
 * an event) only when the result or its reason changed, so deciding again changes nothing.
 */
export function recordDecision(register: Register, d: Omit<StoredDecision, 'decidedAt'>, actor: string): boolean {
  const db = sqlOf(register);
  return db.transaction(() => {
    const before = db.prepare('SELECT result, reason FROM result_decisions WHERE visit_id = ?').get(d.visitId) as
      { result: string; reason: string } | undefined;
    const current = db.prepare('SELECT result FROM visits WHERE visit_id = ?').get(d.visitId) as
      { result: string } | undefined;
    if (before && before.result === d.result && before.reason === d.reason && current?.result === d.result)
      return false;
    db.prepare(
      `INSERT INTO result_decisions (visit_id, result, reason, failed_json, missing_json, decided_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (visit_id) DO UPDATE SET result = excluded.result, reason = excluded.reason, failed_json = excluded.failed_json, missing_json = excluded.missing_json, decided_at = excluded.decided_at`,
    ).run(d.visitId, d.result, d.reason, JSON.stringify(d.failedAnswers), JSON.stringify(d.missing), nowIso());
    db.prepare('UPDATE visits SET result = ? WHERE visit_id = ?').run(d.result, d.visitId);
    recordEvent(db, actor, 'visit.result', d.visitId, {
      result: d.result,
      previous: current?.result ?? null,
      reason: d.reason,
      failed: d.failedAnswers.map((f) => f.questionId),
    });
    return true;
  });
}

export function decisionOf(register: Register, visitId: string): StoredDecision | undefined {
  const db = sqlOf(register);
  return decisionsOfVisits(db, [visitId]).get(visitId);
}

/** The last decision on each visit's result; a visit without one is left out. */
export function decisionsOfVisits(register: Register, visitIds: readonly string[]): Map<string, StoredDecision> {
  const db = sqlOf(register);
  const rows = rowsForIds<{
    visit_id: string;
    result: VisitResult;
    reason: string;
    failed_json: string;
    missing_json: string;
    decided_at: string;
  }>(db, visitIds, (m) => `SELECT * FROM result_decisions WHERE visit_id IN (${m})`);
  return new Map(
    rows.map((r) => [
      r.visit_id,
      {
        visitId: r.visit_id,
        result: r.result,
        reason: r.reason,
        failedAnswers: JSON.parse(r.failed_json),
        missing: JSON.parse(r.missing_json),
        decidedAt: r.decided_at,
      },
    ]),
  );
}

// ── staff roster ───────────────────────────────────────────────────────────────────────

export interface StaffRecord {
  staffId: string;
  name: string;
  role: string;
  isMarketing: boolean;
  branchCode?: string;
}

/** Adds or updates staff members from a roster (people no longer listed are kept: old visits name them). */
export function importStaff(
  register: Register,
  staff: readonly StaffRecord[],
  actor: string,
  source: string,
): { added: number; updated: number } {
  const db = sqlOf(register);
  return db.transaction(() => {
    let added = 0;
    let updated = 0;
    const get = db.prepare('SELECT staff_id FROM staff WHERE staff_id = ?');
    const upsert = db.prepare(
      `INSERT INTO staff (staff_id, name, role, is_marketing, branch_code) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (staff_id) DO UPDATE SET name = excluded.name, role = excluded.role, is_marketing = excluded.is_marketing, branch_code = excluded.branch_code`,
    );
    for (const s of staff) {
      if (get.get(s.staffId)) updated += 1;
      else added += 1;
      upsert.run(s.staffId, s.name, s.role, s.isMarketing ? 1 : 0, s.branchCode ?? null);
    }
    recordEvent(db, actor, 'staff.imported', null, { source, added, updated });
    return { added, updated };
  });
}

export function listStaff(register: Register): StaffRecord[] {
  const db = sqlOf(register);
  const rows = db
    .prepare('SELECT staff_id, name, role, is_marketing, branch_code FROM staff ORDER BY staff_id')
    .all() as {
    staff_id: string;
    name: string;
    role: string;
    is_marketing: number;
    branch_code: string | null;
  }[];
  return rows.map((r) => ({
    staffId: r.staff_id,
    name: r.name,
    role: r.role,
    isMarketing: r.is_marketing === 1,
    ...(r.branch_code ? { branchCode: r.branch_code } : {}),
  }));
}

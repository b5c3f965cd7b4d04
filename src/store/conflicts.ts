/**
 * Where answers typed by a person disagree with what was read from the signed paper form, a
 * reviewer decides which stands (`huifang review conflict`); the decision names both values,
 * so a later change to either opens the question again.
 */
import { nowIso } from '../env/clock.ts';
import { groupBy, rowsForIds } from './batch.ts';
import { recordEvent } from './register.ts';
import { sqlOf, type Register } from './sql.ts';

export interface ConflictDecision {
  questionId: string;
  keep: 'paper' | 'typed';
  paper: string | null;
  typed: string | null;
  decidedBy: string;
  decidedAt: string;
  note: string | null;
}

export function decideConflict(
  register: Register,
  visitId: string,
  d: Omit<ConflictDecision, 'decidedAt'>,
): ConflictDecision {
  const db = sqlOf(register);
  const at = nowIso();
  db.transaction(() => {
    db.prepare(
      'INSERT INTO answer_conflict_decisions (visit_id, question_id, keep, paper, typed, decided_by, decided_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(visitId, d.questionId, d.keep, d.paper, d.typed, d.decidedBy, at, d.note);
    recordEvent(db, d.decidedBy, 'answers.conflict-decided', visitId, {
      questionId: d.questionId,
      keep: d.keep,
      paper: d.paper,
      typed: d.typed,
    });
  });
  return { ...d, decidedAt: at };
}

/** The latest decision per question. */
export function conflictDecisionsOf(register: Register, visitId: string): Map<string, ConflictDecision> {
  const db = sqlOf(register);
  return conflictDecisionsOfVisits(db, [visitId]).get(visitId) ?? new Map();
}

/** The latest decision per question of each visit; a visit without any is left out. */
export function conflictDecisionsOfVisits(
  register: Register,
  visitIds: readonly string[],
): Map<string, Map<string, ConflictDecision>> {
  const db = sqlOf(register);
  const rows = rowsForIds<{
    visit_id: string;
    question_id: string;
    keep: 'paper' | 'typed';
    paper: string | null;
    typed: string | null;
    decided_by: string;
    decided_at: string;
    note: string | null;
  }>(
    db,
    visitIds,
    (m) =>
      `SELECT visit_id, question_id, keep, paper, typed, decided_by, decided_at, note FROM answer_conflict_decisions WHERE visit_id IN (${m}) ORDER BY visit_id, decision_id`,
  );
  const out = new Map<string, Map<string, ConflictDecision>>();
  for (const [visitId, list] of groupBy(rows, (r) => r.visit_id)) {
    out.set(
      visitId,
      new Map(
        list.map((r) => [
          r.question_id,
          {
            questionId: r.question_id,
            keep: r.keep,
            paper: r.paper,
            typed: r.typed,
            decidedBy: r.decided_by,
            decidedAt: r.decided_at,
            note: r.note,
          },
        ]),
      ),
    );
  }
  return out;
}

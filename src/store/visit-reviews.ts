/**
 * Reviewers' decisions on whole visits (复核: approve or return, with a note) and spot-check
 * draws (抽检: parameters, seed and the visits drawn). Append-only; the latest decision wins.
 */
import { nowIso } from '../env/clock.ts';
import { groupBy, rowsForIds } from './batch.ts';
import { recordEvent } from './register.ts';
import { sqlOf, type Register } from './sql.ts';

export type VisitReviewDecision = 'approve' | 'return';

export interface VisitReview {
  reviewId: number;
  visitId: string;
  decision: VisitReviewDecision;
  note: string;
  reviewer: string;
  decidedAt: string;
}

interface ReviewRow {
  review_id: number;
  visit_id: string;
  decision: VisitReviewDecision;
  note: string;
  reviewer: string;
  decided_at: string;
}
const fromRow = (r: ReviewRow): VisitReview => ({
  reviewId: r.review_id,
  visitId: r.visit_id,
  decision: r.decision,
  note: r.note,
  reviewer: r.reviewer,
  decidedAt: r.decided_at,
});

export function recordVisitReview(
  register: Register,
  visitId: string,
  decision: VisitReviewDecision,
  note: string,
  reviewer: string,
): VisitReview {
  const db = sqlOf(register);
  return db.transaction(() => {
    const at = nowIso();
    const info = db
      .prepare(
        'INSERT INTO visit_reviews (visit_id, decision, note, reviewer, decided_at) VALUES (?, ?, ?, ?, ?) RETURNING review_id',
      )
      .get(visitId, decision, note, reviewer, at);
    recordEvent(db, reviewer, `visit.review.${decision}`, visitId, { note });
    return {
      reviewId: Number((info as { review_id: number }).review_id),
      visitId,
      decision,
      note,
      reviewer,
      decidedAt: at,
    };
  });
}

/** Every decision on a visit, oldest first. */
export function visitReviewsOf(register: Register, visitId: string): VisitReview[] {
  const db = sqlOf(register);
  return visitReviewsOfVisits(db, [visitId]).get(visitId) ?? [];
}

/** Every decision on each visit, oldest first; a visit without any is left out. */
export function visitReviewsOfVisits(register: Register, visitIds: readonly string[]): Map<string, VisitReview[]> {
  const db = sqlOf(register);
  const rows = rowsForIds<ReviewRow>(
    db,
    visitIds,
    (m) => `SELECT * FROM visit_reviews WHERE visit_id IN (${m}) ORDER BY visit_id, review_id`,
  );
  return groupBy(rows.map(fromRow), (r) => r.visitId);
}

export function latestVisitReview(register: Register, visitId: string): VisitReview | undefined {
  const db = sqlOf(register);
  return visitReviewsOf(db, visitId).at(-1);
}

// ── spot checks (抽检) ──────────────────────────────────────────────────────────────────

export interface SampleDraw {
  period: string;
  branchCode: string | null;
  rate: number;
  seed: string;
  params: Record<string, unknown>;
  drawnBy: string;
  visits: { visitId: string; visitor: string; reason: 'drawn' | 'always' }[];
}

export interface StoredSample extends SampleDraw {
  sampleId: number;
  drawnAt: string;
}

export function recordSample(register: Register, s: SampleDraw): StoredSample {
  const db = sqlOf(register);
  return db.transaction(() => {
    const at = nowIso();
    const info = db
      .prepare(
        'INSERT INTO review_samples (period, branch_code, rate, seed, params_json, drawn_by, drawn_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING sample_id',
      )
      .get(s.period, s.branchCode, s.rate, s.seed, JSON.stringify(s.params), s.drawnBy, at);
    const sampleId = Number((info as { sample_id: number }).sample_id);
    const add = db.prepare(
      'INSERT INTO review_sample_visits (sample_id, visit_id, visitor, reason) VALUES (?, ?, ?, ?)',
    );
    for (const v of s.visits) add.run(sampleId, v.visitId, v.visitor, v.reason);
    recordEvent(db, s.drawnBy, 'review.sample', null, {
      sampleId,
      period: s.period,
      branch: s.branchCode,
      rate: s.rate,
      seed: s.seed,
      visits: s.visits.length,
    });
    return { ...s, sampleId, drawnAt: at };
  });
}

/** The spot-check draws that picked a visit (for its record). */
export function samplesOfVisit(
  register: Register,
  visitId: string,
): { sampleId: number; period: string; seed: string; reason: string; drawnBy: string; drawnAt: string }[] {
  const db = sqlOf(register);
  return (
    db
      .prepare(
        'SELECT s.sample_id, s.period, s.seed, v.reason, s.drawn_by, s.drawn_at FROM review_sample_visits v JOIN review_samples s ON s.sample_id = v.sample_id WHERE v.visit_id = ? ORDER BY s.sample_id',
      )
      .all(visitId) as {
      sample_id: number;
      period: string;
      seed: string;
      reason: string;
      drawn_by: string;
      drawn_at: string;
    }[]
  ).map((r) => ({
    sampleId: r.sample_id,
    period: r.period,
    seed: r.seed,
    reason: r.reason,
    drawnBy: r.drawn_by,
    drawnAt: r.drawn_at,
  }));
}

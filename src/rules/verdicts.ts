/**
 * What makes a verdict trustworthy, beyond the evidence table: a reviewer's approval of the
 * whole visit (复核, never by its visitor, and made after the last change to its evidence),
 * typed answers that disagree with the signed paper shown side by side until a reviewer
 * decides, the visit's completion date (and whether it was late), and no marketing staff
 * acting anywhere in its life (第四条). Pure over the facts and the roster.
 */
import { dayOf } from '../domain/attempts.ts';
import { message, type Message } from '../domain/messages.ts';
import { findPerson, roleOf, samePerson, type Person } from '../domain/people.ts';
import type { ResultDecision } from '../domain/results.ts';
import type { VisitFacts } from './visit-facts.ts';

const YES_NO: Record<string, string> = { yes: '是 (yes)', no: '否 (no)' };
const shown = (a: string): string => YES_NO[a] ?? a;

function describe(roster: readonly Person[], who: string): string {
  const p = findPerson(roster, who);
  return p ? `${p.name} (${p.staffId})` : who;
}

/** The last change to what a reviewer approves: answers entered, documents added, attempts logged, conflicts decided. */
function lastChange(facts: VisitFacts): { at: string; what: string } | null {
  // the latest (of equal times, the one listed last), put in words once it is found
  let at = '';
  let what: (() => string) | undefined;
  for (const e of facts.entered)
    if (e.enteredAt >= at) [at, what] = [e.enteredAt, () => `answer ${e.questionId} entered by ${e.enteredBy}`];
  for (const d of facts.documents)
    if (d.role === 'received' && d.createdAt >= at)
      [at, what] = [d.createdAt, () => `${d.kind} ${d.fileName} received`];
  for (const i of facts.readings.decidedReviewItems)
    if (i.decidedAt && i.decidedAt >= at)
      [at, what] = [i.decidedAt, () => `review item ${i.itemId} (${i.subject}) decided`];
  return what ? { at, what: what() } : null;
}

/** `review/visit-not-reviewed` until a reviewer other than the visitor approved the visit as it now stands. */
export function reviewMessages(
  facts: VisitFacts,
  roster: readonly Person[],
): { messages: Message[]; approved: boolean } {
  const problem = reviewProblem(facts, roster);
  return problem ? { messages: [problem], approved: false } : { messages: [], approved: true };
}

/** What stands between the visit and a reviewer's approval of it as it now stands, or null. */
function reviewProblem(facts: VisitFacts, roster: readonly Person[]): Message | null {
  const place = { visitId: facts.visit.visitId };
  const id = facts.visit.visitId;
  const latest = facts.visitReviews.at(-1);
  const fix = `a reviewer (复核人员) checks the visit and approves it: huifang review visit ${id} --approve --note "…" --user <reviewer>`;
  if (!latest)
    return message(
      'review/visit-not-reviewed',
      'no reviewer (复核人员) has approved this visit; it is not complete until one does',
      place,
      { fix },
    );
  const who = describe(roster, latest.reviewer);
  if (latest.decision === 'return')
    return message(
      'review/visit-not-reviewed',
      `returned by the reviewer ${who} on ${latest.decidedAt.slice(0, 10)}: ${latest.note}`,
      place,
      {
        fix: `put right what the reviewer asked, then have the visit reviewed again (huifang review visit ${id} --approve …)`,
      },
    );
  if (facts.visit.visitor && samePerson(roster, latest.reviewer, facts.visit.visitor))
    return message(
      'duties/review-by-visitor',
      `the visit was approved by its own visitor ${who}; a visit is reviewed by someone else (第四条)`,
      place,
      { fix: 'have another reviewer approve it' },
    );
  const change = lastChange(facts);
  if (change && change.at > latest.decidedAt)
    return message(
      'review/visit-not-reviewed',
      `approved by ${who} at ${latest.decidedAt}, but the visit changed after that (${change.what} at ${change.at})`,
      place,
      { fix },
    );
  return null;
}

/** One error per typed answer that disagrees with the paper form and has no reviewer's decision; both values side by side. */
export function conflictMessages(facts: VisitFacts): Message[] {
  return facts.conflicts
    .filter((c) => !c.decision)
    .map((c) =>
      message(
        'review/answer-conflict',
        `${c.questionId}: the signed form reads ${shown(c.paper)}, typed ${shown(c.typed)} by ${c.typedBy} at ${c.typedAt}; a reviewer must decide which stands`,
        { visitId: facts.visit.visitId, box: c.questionId },
        {
          expected: `paper ${shown(c.paper)}`,
          actual: `typed ${shown(c.typed)}`,
          fix: `huifang review conflict ${facts.visit.visitId} --question ${c.questionId} --keep paper|typed --note "…" --user <reviewer>`,
        },
      ),
    );
}

/**
 * When the visit was completed: the date entered from the form, the call or contact that
 * reached the customer, the arrival of the returned form, e-mail, recording or export, or
 * the recorded refusal or last attempt. Null while the result is pending.
 */
export function completionDate(
  facts: VisitFacts,
  decision: ResultDecision,
): { completedOn: string; source: string } | null {
  if (decision.result === 'pending') return null;
  if (facts.enteredCompletion)
    return {
      completedOn: facts.enteredCompletion.completedOn,
      source: `date on the form, entered by ${facts.enteredCompletion.enteredBy}`,
    };
  if (decision.result === 'unreachable' || decision.result === 'refused') {
    const last = facts.attempts.at(-1);
    if (last)
      return { completedOn: dayOf(last.at), source: `last attempt (${last.channel}, ${last.outcome}) at ${last.at}` };
    if (facts.outcome)
      return {
        completedOn: dayOf(facts.outcome.recordedAt),
        source: `${facts.outcome.outcome} recorded by ${facts.outcome.recordedBy}`,
      };
  }
  const reached = facts.attempts.filter((a) => a.outcome === 'reached').at(-1);
  if (reached)
    return { completedOn: dayOf(reached.at), source: `customer reached by ${reached.channel} at ${reached.at}` };
  const kinds: Record<string, string[]> = {
    letter: ['form'],
    'face-to-face': ['form'],
    email: ['email', 'email-printout'],
    phone: ['recording'],
    'e-questionnaire': ['e-questionnaire'],
  };
  const arrived = facts.documents
    .filter((d) => d.role === 'received' && (kinds[facts.visit.channel] ?? []).includes(d.kind))
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1))[0];
  if (arrived)
    return { completedOn: dayOf(arrived.createdAt), source: `${arrived.kind} arrived (${arrived.fileName})` };
  const firstEntry = [...facts.entered].sort((a, b) => (a.enteredAt < b.enteredAt ? -1 : 1))[0];
  if (firstEntry)
    return { completedOn: dayOf(firstEntry.enteredAt), source: `answers entered by ${firstEntry.enteredBy}` };
  return null;
}

/** `duties/marketing-acted`: anyone the roster names marketing staff who did anything in the visit's life. */
export function marketingActs(
  visitId: string,
  events: readonly { actor: string; action: string; at: string }[],
  roster: readonly Person[],
): Message[] {
  const out: Message[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    const p = findPerson(roster, e.actor);
    if (!p || roleOf(p) !== 'marketing' || seen.has(p.staffId)) continue;
    seen.add(p.staffId);
    out.push(
      message(
        'duties/marketing-acted',
        `${p.name} (${p.staffId}) is marketing staff (营销人员) and acted on this visit (${e.action} at ${e.at}); marketing staff take no part in callback visits (第四条)`,
        { visitId },
        { fix: 'have the step done again by back-office staff, and report it to compliance' },
      ),
    );
  }
  return out;
}

/**
 * The review queue (复核): what the machine was not sure of — a score near a threshold, a
 * grey scan where an institution's red seal is required, two marks on one question, QR
 * codes that disagree, a page attached by following whose own code could not be read.
 * A reviewer confirms the machine's value or corrects it; who and when are recorded, and
 * the decision becomes the visit's final reading (`finalReadingsOf`).
 *
 * Separation of duties (相互制衡, 第四条): a reviewer may never decide an item of a visit
 * they performed (the visit's `visitor`).
 */
import { questionsFor } from '../domain/questions.ts';
import { UsageError } from '../domain/messages.ts';
import { samePerson } from '../domain/people.ts';
import { listStaff } from '../store/rules.ts';
import { parseVisitId } from '../domain/visit-id.ts';
import { getPage, movePage } from '../store/pages.ts';
import {
  getReviewItem,
  listReviewItems,
  recordRemarksTranscription,
  recordReviewDecision,
  reopenReviewItem,
  type ReviewItem,
  type ReviewValue,
} from '../store/review.ts';
import { customersByIds, getVisit, visitsByIds } from '../store/visits.ts';
import type { Customer } from '../domain/customer.ts';
import type { Visit } from '../domain/visit.ts';
import type { Workspace } from '../store/workspace.ts';

export { finalReadingsOf, type FinalReadings } from '../store/review.ts';

/** Refused: the reviewer performed the visit, or the item cannot take the decision. Exit code 2. */
export class ReviewRefusedError extends UsageError {
  readonly itemId: number;
  readonly visitId: string | null;
  readonly user: string;
  constructor(text: string, itemId: number, visitId: string | null, user: string) {
    super(text);
    this.name = 'ReviewRefusedError';
    this.itemId = itemId;
    this.visitId = visitId;
    this.user = user;
  }
}

/** Open review items (optionally of one visit), oldest first. */
export function openReviewItems(ws: Workspace, visitId?: string): ReviewItem[] {
  return listReviewItems(ws.register, { status: 'open', ...(visitId ? { visitId } : {}) });
}

/** The same person, whether named by 工号 or by name (the roster says who is who). */
function sameperson(ws: Workspace, a: string, b: string): boolean {
  return samePerson(listStaff(ws.register), a, b);
}

function openItem(ws: Workspace, itemId: number, user: string): ReviewItem {
  const item = getReviewItem(ws.register, itemId);
  if (!item) throw new UsageError(`There is no review item ${itemId}; huifang review lists the open ones.`);
  if (item.status !== 'open') {
    throw new ReviewRefusedError(
      `Review item ${itemId} was already ${item.status} by ${item.decidedBy} at ${item.decidedAt}; it cannot be decided twice.`,
      itemId,
      item.visitId,
      user,
    );
  }
  assertNotVisitor(ws, item.visitId, item, user);
  return item;
}

function assertNotVisitor(ws: Workspace, visitId: string | null, item: ReviewItem, user: string): void {
  if (!visitId) return;
  const visit = getVisit(ws.register, visitId);
  if (visit?.visitor && sameperson(ws, visit.visitor, user)) {
    throw new ReviewRefusedError(
      `${user} performed visit ${visitId} (its visitor, 回访人员) and so may not review it (相互制衡, 第四条); another reviewer must decide item ${item.itemId}.`,
      item.itemId,
      visitId,
      user,
    );
  }
}

/**
 * Reopens a decided item (the decision was wrong, or made on the wrong page): it goes back
 * to the queue, undecided. A reviewer may not reopen an item of a visit they performed.
 */
export function reopenItem(ws: Workspace, itemId: number, user: string, reason?: string): ReviewItem {
  const item = getReviewItem(ws.register, itemId);
  if (!item) throw new UsageError(`There is no review item ${itemId}.`);
  if (item.status === 'open')
    throw new ReviewRefusedError(
      `Review item ${itemId} is open already; there is no decision to undo.`,
      itemId,
      item.visitId,
      user,
    );
  if (item.status === 'withdrawn')
    throw new ReviewRefusedError(
      `Review item ${itemId} was withdrawn (its page was read again); it cannot be reopened.`,
      itemId,
      item.visitId,
      user,
    );
  assertNotVisitor(ws, item.visitId, item, user);
  return reopenReviewItem(ws.register, itemId, user, reason);
}

/** What a reviewer needs beside the item: the question asked, the customer, the picture. */
export interface ReviewContext {
  /** The question's text (for `answer:` items), or what the box is (客户签名, 盖章处, 备注…). */
  question: string | null;
  customerName: string | null;
  /** Absolute path of the picture of what is in doubt (PNG), or null. */
  crop: string | null;
}

const SUBJECT_TEXT: Record<string, string> = {
  customerSignature: '客户签名 (customer signature): is the box signed?',
  handlerSignature: '经办人签名 (handler signature): is the box signed?',
  seal: '盖章处 (seal box): is a seal stamped?',
  'seal.red': '盖章处 (seal box): is the seal red (公章)?',
  remarks: '备注 (remarks): what did the customer write? Transcribe it.',
  visit: 'Which visit does this page belong to?',
  page: 'The page could not be read by machine: read it from the paper.',
};

export function reviewContextOf(ws: Workspace, item: ReviewItem): ReviewContext {
  return reviewContextsOf(ws, [item])[0]!;
}

/** The context of each item (in the same order), the visits and customers read in one query each. */
export function reviewContextsOf(ws: Workspace, items: readonly ReviewItem[]): ReviewContext[] {
  const visits = visitsByIds(ws.register, [...new Set(items.flatMap((i) => (i.visitId ? [i.visitId] : [])))]);
  const customers = customersByIds(
    ws.register,
    [...visits.values()].map((v) => v.customerId),
  );
  return items.map((item) => {
    const visit = item.visitId ? visits.get(item.visitId) : undefined;
    return contextOf(ws, item, visit, visit && customers.get(visit.customerId));
  });
}

function contextOf(
  ws: Workspace,
  item: ReviewItem,
  visit: Visit | undefined,
  customer: Customer | undefined,
): ReviewContext {
  let question = SUBJECT_TEXT[item.subject] ?? null;
  if (item.subject.startsWith('answer:') && visit) {
    const id = item.subject.slice('answer:'.length);
    const q = questionsFor(visit.category).find((x) => x.id === id);
    if (q)
      question =
        q.type === 'choice' ? `${q.text}（${q.options.map((o) => o.label).join(' / ')}）` : `${q.text}（是 / 否）`;
  }
  return {
    question,
    customerName: customer?.name ?? null,
    crop: item.cropSha256 ? ws.files.pathOf(item.cropSha256) : null,
  };
}

/** Confirms the machine's value of an open item. */
export function confirmReviewItem(ws: Workspace, itemId: number, user: string, note?: string): ReviewItem {
  const item = openItem(ws, itemId, user);
  if (item.machineValue === null) {
    throw new ReviewRefusedError(
      `The machine made no decision on ${item.subject} (item ${itemId}), so there is nothing to confirm; say what the paper shows with: huifang review correct ${itemId} --value ${exampleValue(item.subject)}`,
      itemId,
      item.visitId,
      user,
    );
  }
  return recordReviewDecision(ws.register, {
    itemId,
    status: 'confirmed',
    finalValue: item.machineValue,
    actor: user,
    ...(note ? { note } : {}),
  });
}

/** Corrects an open item with the value the reviewer reads on the paper (see `parseReviewValue`). */
export function correctReviewItem(
  ws: Workspace,
  itemId: number,
  value: string,
  user: string,
  note?: string,
): ReviewItem {
  const item = openItem(ws, itemId, user);
  const finalValue = parseReviewValue(ws, item, value);
  if (item.subject === 'visit') {
    // The page belongs to another visit: move it (which settles this item), never twice.
    const target = finalValue as string;
    assertNotVisitor(ws, target, item, user);
    const page = getPage(ws.register, item.fileSha256, item.page);
    movePage(ws.register, {
      sha256: item.fileSha256,
      page: item.page,
      visitId: target,
      kind: page?.kind ?? 'attachment',
      actor: user,
    });
    return getReviewItem(ws.register, itemId)!;
  }
  // The customer's remarks, transcribed from the 备注 box, are remarks like typed ones: kept
  // on the visit, where validate opens the exception they call for (第三十八条).
  const decision = { itemId, status: 'corrected' as const, finalValue, actor: user, ...(note ? { note } : {}) };
  if (item.subject === 'remarks' && item.visitId && typeof finalValue === 'string' && finalValue.trim() !== '')
    return recordRemarksTranscription(ws.register, { ...decision, visitId: item.visitId, remarks: finalValue.trim() });
  return recordReviewDecision(ws.register, decision);
}

const TRUE_WORDS = new Set(['yes', 'y', 'true', '1', 'present', 'signed', 'stamped', '有', '是']);
const FALSE_WORDS = new Set(['no', 'n', 'false', '0', 'absent', 'none', 'missing', '无', '否', '没有']);
const BLANK_WORDS = new Set(['blank', 'null', 'none', 'empty', '-', '空', '未填']);

function exampleValue(subject: string): string {
  if (subject.startsWith('answer:')) return 'yes';
  if (subject === 'seal.red') return 'red';
  if (subject === 'visit') return 'HF-XXXXX-XXXXX';
  if (subject === 'remarks') return '"what the customer wrote"';
  return 'present';
}

/**
 * Reads a reviewer's value for an item's subject:
 * - `answer:<question>`: `yes`/`no` (是/否), a choice's value or label (`satisfied`, 满意), or `blank`;
 * - `customerSignature`, `handlerSignature`, `seal`: `present` or `absent` (yes/no, 有/无);
 * - `seal.red`: `red` or `not-red` (yes/no; `grey`, `black`, `blue` count as not red);
 * - `visit`: a visit id in the register;
 * - `remarks`: the words written in the 备注 box, as the reviewer transcribes them.
 */
function parseReviewValue(ws: Workspace, item: ReviewItem, text: string): ReviewValue {
  const raw = text.trim();
  const v = raw.toLowerCase();
  const bad = (expected: string) =>
    new UsageError(
      `Expected ${expected} for ${item.subject} (item ${item.itemId}) but received ${JSON.stringify(text)}`,
    );
  if (item.subject.startsWith('answer:')) {
    const questionId = item.subject.slice('answer:'.length);
    const visit = item.visitId ? getVisit(ws.register, item.visitId) : undefined;
    const question = visit ? questionsFor(visit.category).find((q) => q.id === questionId) : undefined;
    if (BLANK_WORDS.has(v)) return null;
    if (!question || question.type === 'yes-no') {
      if (v === 'yes' || raw === '是') return 'yes';
      if (v === 'no' || raw === '否') return 'no';
      throw bad('yes, no (是/否) or blank');
    }
    const option = question.options.find((o) => o.value === v || o.label === raw);
    if (option) return option.value;
    throw bad(`one of ${question.options.map((o) => `${o.value} (${o.label})`).join(', ')} or blank`);
  }
  if (item.subject === 'customerSignature' || item.subject === 'handlerSignature' || item.subject === 'seal') {
    if (TRUE_WORDS.has(v)) return true;
    if (FALSE_WORDS.has(v)) return false;
    throw bad('present or absent (yes/no)');
  }
  if (item.subject === 'seal.red') {
    if (v === 'red' || raw === '红' || raw === '红色' || TRUE_WORDS.has(v)) return true;
    if (['not-red', 'not red', 'grey', 'gray', 'black', 'blue', '黑', '蓝'].includes(v) || FALSE_WORDS.has(v))
      return false;
    throw bad('red or not-red');
  }
  if (item.subject === 'visit') {
    const parsed = parseVisitId(raw);
    if (!parsed.ok) throw bad(`a visit id (${parsed.reason})`);
    if (!getVisit(ws.register, parsed.visitId))
      throw new UsageError(`Visit ${parsed.visitId} is not in this workspace's register; check the id on the paper.`);
    return parsed.visitId;
  }
  return raw;
}

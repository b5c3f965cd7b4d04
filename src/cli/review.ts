/**
 * `huifang review` — the review queue: list open items, `confirm ITEM` the machine's value,
 * or `correct ITEM --value V`; who and when are recorded. A reviewer may not decide an
 * item of a visit they performed (exit code 2, with the reason).
 */
import { UsageError } from '../domain/messages.ts';
import { parseVisitId } from '../domain/visit-id.ts';
import { currentActor } from '../env/actor.ts';
import { confirmReviewItem, correctReviewItem, openReviewItems } from '../scan/review.ts';
import type { ReviewItem } from '../store/review.ts';
import { defineCommand, EXIT_OK, report } from './common.ts';

interface ReviewArgs {
  action: 'list' | 'confirm' | 'correct';
  item?: number;
  value?: string;
  user?: string;
  visit?: string;
  note?: string;
}

function itemJson(i: ReviewItem): object {
  return {
    itemId: i.itemId,
    visitId: i.visitId,
    path: i.sourcePath,
    sha256: i.fileSha256,
    page: i.page === 0 ? null : i.page,
    subject: i.subject,
    machineValue: i.machineValue,
    score: i.score,
    reason: i.reason,
    status: i.status,
    ...(i.status !== 'open' ? { finalValue: i.finalValue ?? null, decidedBy: i.decidedBy, decidedAt: i.decidedAt } : {}),
    createdAt: i.createdAt,
  };
}

const show = (v: unknown): string => (v === null || v === undefined ? '(undecided)' : String(v));

export const reviewCommand = defineCommand<ReviewArgs>({
  command: 'review [action] [item]',
  builder: (y) =>
    y
      .positional('action', { choices: ['list', 'confirm', 'correct'] as const, default: 'list', describe: 'list open items, confirm one, or correct one' })
      .positional('item', { type: 'number', describe: 'the item number (from huifang review)' })
      .option('value', { type: 'string', describe: 'with correct: the value on paper (yes/no/blank, a choice, present/absent, red/not-red, a visit id)' })
      .option('user', { type: 'string', describe: 'who reviews (default $HUIFANG_USER or the OS user)' })
      .option('visit', { type: 'string', describe: 'with list: only this visit' })
      .option('note', { type: 'string', describe: 'a remark kept with the decision' })
      .example('$0 review', 'list open items')
      .example('$0 review confirm 12 --user wang.li', "the machine's value is right")
      .example('$0 review correct 13 --value no --user wang.li', 'the paper says otherwise'),
  run: async ({ args, io, workspace }) => {
    const ws = workspace();
    if (args.action === 'list') {
      const items = openReviewItems(ws, args.visit && canonicalVisit(args.visit));
      report(io, args.json, { items: items.map(itemJson) }, () =>
        items.length
          ? [
              ...items.map((i) => `#${i.itemId}  ${i.visitId ?? '(no visit)'}  ${i.subject}  machine: ${show(i.machineValue)}${i.score !== null ? ` (score ${i.score.toFixed(2)})` : ''}  — ${i.reason}  [${i.sourcePath}, page ${i.page}]`),
              `${items.length} open item${items.length === 1 ? '' : 's'}. Decide with: huifang review confirm ITEM, or huifang review correct ITEM --value V`,
            ]
          : ['Nothing awaits review.'],
      );
      return EXIT_OK;
    }
    if (args.item === undefined || !Number.isInteger(args.item)) throw new UsageError(`Name the item to ${args.action}: huifang review ${args.action} ITEM (numbers from huifang review).`);
    const user = currentActor(args.user);
    let decided: ReviewItem;
    if (args.action === 'confirm') decided = confirmReviewItem(ws, args.item, user, args.note);
    else {
      if (args.value === undefined) throw new UsageError(`Say what the paper shows: huifang review correct ${args.item} --value V.`);
      decided = correctReviewItem(ws, args.item, args.value, user, args.note);
    }
    report(io, args.json, { item: itemJson(decided) }, () => [
      `#${decided.itemId} ${decided.visitId} ${decided.subject}: ${decided.status} as ${show(decided.finalValue)} by ${decided.decidedBy} at ${decided.decidedAt}`,
    ]);
    return EXIT_OK;
  },
});

/** A typed visit id in its printed form (case, separators, look-alikes forgiven). */
function canonicalVisit(typed: string): string {
  const parsed = parseVisitId(typed);
  if (!parsed.ok) throw new UsageError(`--visit ${JSON.stringify(typed)} is not a visit id: ${parsed.reason}`);
  return parsed.visitId;
}

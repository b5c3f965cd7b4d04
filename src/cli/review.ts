/**
 * `huifang review` — the review queue: list open items, `confirm ITEM` the machine's value,
 * or `correct ITEM --value V`; who and when are recorded. A reviewer may not decide an
 * item of a visit they performed (exit code 2, with the reason). `review visit ID --approve|
 * --return` records a reviewer's decision on the whole visit (复核), `review conflict ID
 * --question Q --keep paper|typed` decides between the signed form and typed answers, and
 * `review sample --period YYYY-MM` draws a reproducible spot check (抽检).
 */
import { UsageError } from '../domain/messages.ts';
import { actingPerson, USER_OPTION } from './people.ts';
import { canonicalVisit, decideAnswerConflict, drawReviewSample, reviewVisit, type ReviewArgs } from './review-visit.ts';
import { confirmReviewItem, correctReviewItem, openReviewItems } from '../scan/review.ts';
import type { ReviewItem } from '../store/review.ts';
import { defineCommand, EXIT_OK, report } from './common.ts';


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
  describe: 'the review queue: confirm or correct what the machine was unsure of; approve or return a visit (复核); decide paper against typed answers; draw a spot check (抽检)',
  builder: (y) =>
    y
      .positional('action', { choices: ['list', 'confirm', 'correct', 'visit', 'conflict', 'sample'] as const, default: 'list', describe: 'list open items, confirm or correct one; approve or return a visit; decide a paper/typed conflict; draw a spot check' })
      .positional('item', { type: 'string', describe: 'the item number (confirm, correct), or the visit id (visit, conflict)' })
      .option('approve', { type: 'boolean', describe: 'with visit: approve the visit (复核通过)' })
      .option('return', { type: 'boolean', describe: 'with visit: return it to the visitor, saying why in --note' })
      .option('question', { type: 'string', describe: 'with conflict: the question id' })
      .option('keep', { type: 'string', choices: ['paper', 'typed'] as const, describe: 'with conflict: which answer stands' })
      .option('period', { type: 'string', describe: 'with sample: the month YYYY-MM whose finished visits are sampled' })
      .option('rate', { type: 'number', describe: "with sample: share of each visitor's finished visits (default: the policy's review.sampleRate)" })
      .option('seed', { type: 'string', describe: 'with sample: the seed (recorded; the same seed draws the same sample)' })
      .option('branch', { type: 'string', describe: 'with sample: only this branch' })
      .option('value', { type: 'string', describe: 'with correct: the value on paper (yes/no/blank, a choice, present/absent, red/not-red, a visit id)' })
      .option('user', { ...USER_OPTION, describe: 'who reviews: a 复核人员 by 工号 or name on the staff roster (default $HUIFANG_USER)' })
      .option('visit', { type: 'string', describe: 'with list: only this visit' })
      .option('note', { type: 'string', describe: 'a remark kept with the decision' })
      .example('$0 review', 'list open items')
      .example('$0 review confirm 12 --user wang.li', "the machine's value is right")
      .example('$0 review correct 13 --value no --user wang.li', 'the paper says otherwise')
      .example('$0 review visit HF-7K3M9-Q2T4X --approve --note "evidence complete" --user S310102', 'approve a whole visit')
      .example('$0 review sample --period 2026-11 --seed 2026-11-A --user S310102', 'draw the month\'s spot check'),
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
    if (args.action === 'visit') return reviewVisit(ws, args, io);
    if (args.action === 'conflict') return decideAnswerConflict(ws, args, io);
    if (args.action === 'sample') return drawReviewSample(ws, args, io);
    const itemId = Number(args.item);
    if (args.item === undefined || !Number.isInteger(itemId)) throw new UsageError(`Name the item to ${args.action}: huifang review ${args.action} ITEM (numbers from huifang review).`);
    const user = actingPerson(ws, args.user, 'decide-review-item').staffId;
    let decided: ReviewItem;
    if (args.action === 'confirm') decided = confirmReviewItem(ws, itemId, user, args.note);
    else {
      if (args.value === undefined) throw new UsageError(`Say what the paper shows: huifang review correct ${itemId} --value V.`);
      decided = correctReviewItem(ws, itemId, args.value, user, args.note);
    }
    report(io, args.json, { item: itemJson(decided) }, () => [
      `#${decided.itemId} ${decided.visitId} ${decided.subject}: ${decided.status} as ${show(decided.finalValue)} by ${decided.decidedBy} at ${decided.decidedAt}`,
    ]);
    return EXIT_OK;
  },
});

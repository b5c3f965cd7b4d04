/**
 * `huifang review` — the review queue: list open items, `confirm ITEM` the machine's value,
 * or `correct ITEM --value V`; who and when are recorded. A reviewer may not decide an
 * item of a visit they performed (exit code 2, with the reason). `review visit ID --approve|
 * --return` records a reviewer's decision on the whole visit (复核), `review conflict ID
 * --question Q --keep paper|typed` decides between the signed form and typed answers, and
 * `review sample --period YYYY-MM` draws a reproducible spot check (抽检). Each item is
 * listed with its question, its customer and a picture of what is in doubt; `reopen ITEM`
 * undoes a decision and `sheet --out F.html` writes an offline page of the open items with
 * their pictures for a reviewer.
 */
import { resolve } from 'node:path';
import { UsageError } from '../domain/messages.ts';
import { actingPerson, USER_OPTION } from './people.ts';
import {
  canonicalVisit,
  decideAnswerConflict,
  drawReviewSample,
  reviewVisit,
  type ReviewArgs,
} from './review-visit.ts';
import { nowIso } from '../env/clock.ts';
import {
  confirmReviewItem,
  correctReviewItem,
  openReviewItems,
  reopenItem,
  reviewContextOf,
  reviewContextsOf,
  type ReviewContext,
} from '../scan/review.ts';
import { reviewSheetHtml } from '../scan/review-sheet.ts';
import { writeFileAtomic } from '../store/atomic.ts';
import type { ReviewItem } from '../store/review.ts';
import type { Workspace } from '../store/workspace.ts';
import { defineCommand, EXIT_OK, report, type GlobalOptions, type Io } from './common.ts';

function itemJson(i: ReviewItem, context?: ReviewContext): object {
  return {
    ...(context ? { question: context.question, customerName: context.customerName, crop: context.crop } : {}),
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
    ...(i.status !== 'open'
      ? { finalValue: i.finalValue ?? null, decidedBy: i.decidedBy, decidedAt: i.decidedAt }
      : {}),
    createdAt: i.createdAt,
  };
}

const show = (v: unknown): string => (v === null || v === undefined ? '(undecided)' : String(v));

export const reviewCommand = defineCommand<ReviewArgs>({
  command: 'review [action] [item]',
  builder: (y) =>
    y
      .positional('action', {
        choices: ['list', 'confirm', 'correct', 'reopen', 'sheet', 'visit', 'conflict', 'sample'] as const,
        default: 'list',
        describe:
          'list open items, confirm or correct one, reopen a decided one, write a review sheet; approve or return a visit; decide a paper/typed conflict; draw a spot check',
      })
      .positional('item', {
        type: 'string',
        describe: 'the item number (confirm, correct), or the visit id (visit, conflict)',
      })
      .option('approve', { type: 'boolean', describe: 'with visit: approve the visit (复核通过)' })
      .option('return', { type: 'boolean', describe: 'with visit: return it to the visitor, saying why in --note' })
      .option('question', { type: 'string', describe: 'with conflict: the question id' })
      .option('keep', {
        type: 'string',
        choices: ['paper', 'typed'] as const,
        describe: 'with conflict: which answer stands',
      })
      .option('period', {
        type: 'string',
        describe: 'with sample: the month YYYY-MM whose finished visits are sampled',
      })
      .option('rate', {
        type: 'number',
        describe: "with sample: share of each visitor's finished visits (default: the policy's review.sampleRate)",
      })
      .option('seed', {
        type: 'string',
        describe: 'with sample: the seed (recorded; the same seed draws the same sample)',
      })
      .option('branch', { type: 'string', describe: 'with sample: only this branch' })
      .option('value', {
        type: 'string',
        describe: 'with correct: the value on paper (yes/no/blank, a choice, present/absent, red/not-red, a visit id)',
      })
      .option('user', {
        ...USER_OPTION,
        describe: 'who reviews: a 复核人员 by 工号 or name on the staff roster (default $HUIFANG_USER)',
      })
      .option('visit', { type: 'string', describe: 'with list: only this visit' })
      .option('note', { type: 'string', describe: 'a remark kept with the decision (with reopen: why)' })
      .option('out', { type: 'string', describe: 'with sheet: the HTML file to write' })
      .example('$0 review', 'list open items')
      .example('$0 review confirm 12 --user wang.li', "the machine's value is right")
      .example('$0 review correct 13 --value no --user wang.li', 'the paper says otherwise')
      .example('$0 review reopen 13 --note "wrong page" --user S310102', 'undo the decision on item 13')
      .example('$0 review sheet --out 复核单.html', 'an offline page of the open items with their pictures')
      .example(
        '$0 review visit HF-7K3M9-Q2T4X --approve --note "evidence complete" --user S310102',
        'approve a whole visit',
      )
      .example('$0 review sample --period 2026-11 --seed 2026-11-A --user S310102', "draw the month's spot check"),
  run: async ({ args, io, workspace }) => {
    if (args.action === 'sheet' && !args.out)
      throw new UsageError('Say where to write the sheet: huifang review sheet --out FILE.html');
    const ws = workspace();
    if (args.action === 'sheet') return writeSheet(ws, args, io);
    if (args.action === 'list') return listItems(ws, args, io);
    if (args.action === 'visit') return reviewVisit(ws, args, io);
    if (args.action === 'conflict') return decideAnswerConflict(ws, args, io);
    if (args.action === 'sample') return drawReviewSample(ws, args, io);
    return decideItem(ws, args, io);
  },
});

type Args = ReviewArgs & GlobalOptions;

/** `review sheet --out F.html`: an offline page of the open items with their pictures. */
async function writeSheet(ws: Workspace, args: Args, io: Io): Promise<number> {
  const items = openReviewItems(ws, args.visit && canonicalVisit(args.visit));
  const contexts = reviewContextsOf(ws, items);
  const entries = items.map((item, k) => ({
    item,
    context: contexts[k]!,
    image: item.cropSha256 ? new Uint8Array(ws.files.read(item.cropSha256)) : null,
  }));
  const out = resolve(args.out!);
  await writeFileAtomic(out, reviewSheetHtml(entries, nowIso()));
  report(io, args.json, { sheet: out, items: items.map((i, k) => itemJson(i, entries[k]!.context)) }, () => [
    `Wrote ${out}: ${items.length} open item${items.length === 1 ? '' : 's'}, ${entries.filter((e) => e.image).length} with a picture.`,
  ]);
  return EXIT_OK;
}

/** `review [list]`: the open items, each with its question, customer and picture. */
function listItems(ws: Workspace, args: Args, io: Io): number {
  const items = openReviewItems(ws, args.visit && canonicalVisit(args.visit));
  const contexts = reviewContextsOf(ws, items);
  report(io, args.json, { items: items.map((i, k) => itemJson(i, contexts[k])) }, () =>
    items.length
      ? [
          ...items.flatMap((i, k) => [
            `#${i.itemId}  ${i.visitId ?? '(no visit)'}  ${i.subject}  machine: ${show(i.machineValue)}${i.score !== null ? ` (score ${i.score.toFixed(2)})` : ''}  — ${i.reason}  [${i.sourcePath}, page ${i.page}]`,
            `      ${[contexts[k]!.customerName, contexts[k]!.question, contexts[k]!.crop && `picture: ${contexts[k]!.crop}`].filter(Boolean).join(' · ')}`,
          ]),
          `${items.length} open item${items.length === 1 ? '' : 's'}. Decide with: huifang review confirm ITEM, or huifang review correct ITEM --value V`,
        ]
      : ['Nothing awaits review.'],
  );
  return EXIT_OK;
}

/** `review confirm|correct|reopen ITEM`: a decision on one item, by a reviewer on the roster. */
function decideItem(ws: Workspace, args: Args, io: Io): number {
  const itemId = Number(args.item);
  if (args.item === undefined || !Number.isInteger(itemId))
    throw new UsageError(
      `Name the item to ${args.action}: huifang review ${args.action} ITEM (numbers from huifang review).`,
    );
  const user = actingPerson(ws, args.user, 'decide-review-item').staffId;
  if (args.action === 'reopen') {
    const reopened = reopenItem(ws, itemId, user, args.note);
    report(io, args.json, { item: itemJson(reopened, reviewContextOf(ws, reopened)) }, () => [
      `#${reopened.itemId} ${reopened.visitId} ${reopened.subject}: reopened by ${user}; it awaits a decision again`,
    ]);
    return EXIT_OK;
  }
  let decided: ReviewItem;
  if (args.action === 'confirm') decided = confirmReviewItem(ws, itemId, user, args.note);
  else {
    if (args.value === undefined)
      throw new UsageError(`Say what the paper shows: huifang review correct ${itemId} --value V.`);
    decided = correctReviewItem(ws, itemId, args.value, user, args.note);
  }
  report(io, args.json, { item: itemJson(decided) }, () => [
    `#${decided.itemId} ${decided.visitId} ${decided.subject}: ${decided.status} as ${show(decided.finalValue)} by ${decided.decidedBy} at ${decided.decidedAt}`,
  ]);
  return EXIT_OK;
}

/**
 * `huifang review` — the review queue: list open items (with the question, the customer
 * and a picture of what is in doubt), `confirm ITEM` the machine's value, `correct ITEM
 * --value V`, `reopen ITEM` to undo a decision, or `sheet --out F.html` for an offline page
 * of the open items with their pictures; who and when are recorded. A reviewer may not
 * decide an item of a visit they performed (exit code 2, with the reason).
 */
import { UsageError } from '../domain/messages.ts';
import { parseVisitId } from '../domain/visit-id.ts';
import { currentActor } from '../scan/ingest-actor.ts';
import { resolve } from 'node:path';
import { confirmReviewItem, correctReviewItem, openReviewItems, reopenItem, reviewContextOf, type ReviewContext } from '../scan/review.ts';
import { reviewSheetHtml } from '../scan/review-sheet.ts';
import { writeFileAtomic } from '../store/atomic.ts';
import { nowIso } from '../store/register.ts';
import type { ReviewItem } from '../store/review.ts';
import { defineCommand, EXIT_OK, report } from './common.ts';

interface ReviewArgs {
  action: 'list' | 'confirm' | 'correct' | 'reopen' | 'sheet';
  out?: string;
  item?: number;
  value?: string;
  user?: string;
  visit?: string;
  note?: string;
}

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
    ...(i.status !== 'open' ? { finalValue: i.finalValue ?? null, decidedBy: i.decidedBy, decidedAt: i.decidedAt } : {}),
    createdAt: i.createdAt,
  };
}

const show = (v: unknown): string => (v === null || v === undefined ? '(undecided)' : String(v));

export const reviewCommand = defineCommand<ReviewArgs>({
  command: 'review [action] [item]',
  describe: 'the review queue: list what the machine was unsure of, confirm or correct it',
  builder: (y) =>
    y
      .positional('action', { choices: ['list', 'confirm', 'correct', 'reopen', 'sheet'] as const, default: 'list', describe: 'list open items, confirm or correct one, reopen a decided one, or write a review sheet' })
      .positional('item', { type: 'number', describe: 'the item number (from huifang review)' })
      .option('value', { type: 'string', describe: 'with correct: the value on paper (yes/no/blank, a choice, present/absent, red/not-red, a visit id)' })
      .option('user', { type: 'string', describe: 'who reviews (default $HUIFANG_USER or the OS user)' })
      .option('visit', { type: 'string', describe: 'with list: only this visit' })
      .option('note', { type: 'string', describe: 'a remark kept with the decision (with reopen: why)' })
      .option('out', { type: 'string', describe: 'with sheet: the HTML file to write' })
      .example('$0 review', 'list open items')
      .example('$0 review confirm 12 --user wang.li', "the machine's value is right")
      .example('$0 review correct 13 --value no --user wang.li', 'the paper says otherwise')
      .example('$0 review reopen 13 --note "wrong page" --user zhao.min', 'undo the decision on item 13')
      .example('$0 review sheet --out 复核单.html', 'an offline page of the open items with their pictures'),
  run: async ({ args, io, workspace }) => {
    if (args.action === 'sheet' && !args.out) throw new UsageError('Say where to write the sheet: huifang review sheet --out FILE.html');
    const ws = workspace();
    if (args.action === 'sheet') {
      const items = openReviewItems(ws, args.visit && canonicalVisit(args.visit));
      const entries = items.map((item) => ({ item, context: reviewContextOf(ws, item), image: item.cropSha256 ? new Uint8Array(ws.files.read(item.cropSha256)) : null }));
      const out = resolve(args.out!);
      await writeFileAtomic(out, reviewSheetHtml(entries, nowIso()));
      report(io, args.json, { sheet: out, items: items.map((i, k) => itemJson(i, entries[k]!.context)) }, () => [`Wrote ${out}: ${items.length} open item${items.length === 1 ? '' : 's'}, ${entries.filter((e) => e.image).length} with a picture.`]);
      return EXIT_OK;
    }
    if (args.action === 'list') {
      const items = openReviewItems(ws, args.visit && canonicalVisit(args.visit));
      const contexts = items.map((i) => reviewContextOf(ws, i));
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
    if (args.item === undefined || !Number.isInteger(args.item)) throw new UsageError(`Name the item to ${args.action}: huifang review ${args.action} ITEM (numbers from huifang review).`);
    const user = currentActor(args.user);
    if (args.action === 'reopen') {
      const reopened = reopenItem(ws, args.item, user, args.note);
      report(io, args.json, { item: itemJson(reopened, reviewContextOf(ws, reopened)) }, () => [`#${reopened.itemId} ${reopened.visitId} ${reopened.subject}: reopened by ${user}; it awaits a decision again`]);
      return EXIT_OK;
    }
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

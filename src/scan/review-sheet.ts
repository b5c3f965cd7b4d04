/**
 * The review sheet: one self-contained HTML page (pictures embedded, no script, no network)
 * of the open review items, for a reviewer who works from a browser or a printout. Each
 * item shows its picture, the question asked, the customer, what the machine read and why
 * it is unsure, and the command that records the decision. A pure function of its input.
 */
import type { ReviewItem } from '../store/review.ts';
import type { ReviewContext } from './review.ts';

export interface SheetEntry {
  item: ReviewItem;
  context: ReviewContext;
  /** The picture's PNG bytes, when there is one. */
  image: Uint8Array | null;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const shown = (v: unknown): string => (v === null || v === undefined ? '(undecided)' : String(v));

function entryHtml(e: SheetEntry): string {
  const { item, context } = e;
  const picture = e.image
    ? `<img src="data:image/png;base64,${Buffer.from(e.image).toString('base64')}" alt="${escapeHtml(`${item.subject}, page ${item.page}`)}">`
    : '<p class="none">No picture: look at the paper.</p>';
  const score = item.score === null ? '' : ` (score ${item.score.toFixed(2)})`;
  return `<section class="item" id="item-${item.itemId}">
  <h2>#${item.itemId} · ${escapeHtml(item.visitId ?? '(no visit)')} · ${escapeHtml(context.customerName ?? '')}</h2>
  <p class="question">${escapeHtml(context.question ?? item.subject)}</p>
  ${picture}
  <dl>
    <dt>Machine read</dt><dd>${escapeHtml(shown(item.machineValue))}${escapeHtml(score)}</dd>
    <dt>Why unsure</dt><dd>${escapeHtml(item.reason)}</dd>
    <dt>Page</dt><dd>${escapeHtml(item.sourcePath)}, page ${item.page}</dd>
    <dt>Decide</dt><dd><code>huifang review confirm ${item.itemId}</code> or <code>huifang review correct ${item.itemId} --value …</code></dd>
  </dl>
</section>`;
}

/** The sheet's HTML for the items, in the order given. */
export function reviewSheetHtml(entries: readonly SheetEntry[], generatedAt: string): string {
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>复核单 Review sheet — ${entries.length} open item${entries.length === 1 ? '' : 's'}</title>
<style>
body { font-family: "Noto Sans SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #222; }
.item { border: 1px solid #bbb; padding: 1em; margin-bottom: 1.5em; page-break-inside: avoid; }
.item img { max-width: 100%; border: 1px solid #ddd; }
.question { font-weight: bold; }
dt { float: left; width: 8em; color: #555; } dd { margin-left: 9em; }
.none { color: #a33; }
</style>
</head>
<body>
<h1>复核单 · Review sheet</h1>
<p>${entries.length} open item${entries.length === 1 ? '' : 's'}, as of ${escapeHtml(generatedAt)}.</p>
${entries.map(entryHtml).join('\n')}
</body>
</html>
`;
}

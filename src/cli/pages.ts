/**
 * `huifang pages move --file SHA|PATH --page N --visit ID --kind KIND` — a clerk re-assigns
 * a page to another visit or kind (a quarantined page leaves quarantine); recorded with who
 * and when. `huifang pages list --visit ID` shows a visit's received pages.
 */
import { UsageError } from '../domain/messages.ts';
import { parseVisitId } from '../domain/visit-id.ts';
import { DOCUMENT_KINDS } from '../domain/visit.ts';
import { actingPerson, USER_OPTION } from './people.ts';
import { ensureEmailPrintouts } from '../mail/printouts.ts';
import { movePageByClerk, movePagesByClerk, resolveIngestedFile } from '../ingest/move.ts';
import { pagesOfFile, pagesOfVisit, unclassifiedPages, type PageRecord } from '../store/pages.ts';
import type { Workspace } from '../store/workspace.ts';
import { defineCommand, EXIT_OK, report, type GlobalOptions, type Io } from './common.ts';

interface PagesArgs {
  action: 'move' | 'list' | 'unclassified';
  pages?: string[];
  file?: string;
  page?: number;
  visit?: string;
  kind?: string;
  user?: string;
}

function pageJson(p: PageRecord): object {
  return {
    path: p.sourcePath,
    sha256: p.fileSha256,
    page: p.page === 0 ? null : p.page,
    status: p.status,
    visitId: p.visitId,
    kind: p.kind,
    assignedBy: p.assignedBy,
    updatedAt: p.updatedAt,
    updatedBy: p.updatedBy,
    ...(p.status === 'quarantined' ? { reason: p.reason } : {}),
  };
}

/** A page as `pages unclassified` shows it: how to name it to `pages move`, what was read on it, its picture. */
function unclassifiedJson(ws: Workspace, p: PageRecord): object {
  const numbers = Array.isArray(p.reading.trackingNumbers) ? (p.reading.trackingNumbers as string[]) : [];
  return {
    ref: `${p.fileSha256.slice(0, 12)}:${p.page}`,
    ...pageJson(p),
    trackingNumbers: numbers,
    crop: p.cropSha256 ? ws.files.pathOf(p.cropSha256) : null,
  };
}

const where = (p: PageRecord) => `${p.sourcePath}, ${p.page === 0 ? 'whole file' : `page ${p.page}`}`;

export const pagesCommand = defineCommand<PagesArgs>({
  command: 'pages <action> [pages..]',
  builder: (y) =>
    y
      .positional('action', {
        choices: ['move', 'list', 'unclassified'] as const,
        describe: 'move pages, list pages of a visit or file, or list unclassified pages',
      })
      .positional('pages', {
        type: 'string',
        array: true,
        describe: 'with move: several pages as FILE:PAGE (as pages unclassified shows them)',
      })
      .option('file', { type: 'string', describe: 'the ingested file: SHA-256 (or 8+ leading characters) or its path' })
      .option('page', {
        type: 'number',
        describe: '1-based page in the file (0: a whole file that had no readable pages)',
      })
      .option('visit', { type: 'string', describe: 'the visit id the page belongs to' })
      .option('kind', { type: 'string', choices: DOCUMENT_KINDS as string[], describe: 'what the page is' })
      .option('user', {
        ...USER_OPTION,
        describe: 'who moves it: 工号 or name on the staff roster (default $HUIFANG_USER)',
      })
      .example(
        '$0 pages move --file 3fa9c2e1 --page 4 --visit HF-7K3M9-Q2T4X --kind postal-receipt',
        "page 4 is that visit's postal receipt",
      )
      .example('$0 pages unclassified', 'pages attached only by following a form, or quarantined without a code')
      .example('$0 pages move 3fa9c2e1d0b4:2 7be0d2c31a9f:5 --kind envelope', "both pages are their visits' envelopes"),
  run: async ({ args, io, workspace }) => {
    const ws = workspace();
    if (args.action === 'unclassified') return listUnclassified(ws, args, io);
    if (args.action === 'move' && args.pages?.length) return movePages(ws, args, io);
    if (args.action === 'list') return listPages(ws, args, io);
    return moveOnePage(ws, args, io);
  },
});

type Args = PagesArgs & GlobalOptions;

/** `pages unclassified`: pages attached only by following a form, or quarantined without a code. */
function listUnclassified(ws: Workspace, args: Args, io: Io): number {
  const pages = unclassifiedPages(ws.register);
  report(io, args.json, { pages: pages.map((p) => unclassifiedJson(ws, p)) }, () =>
    pages.length
      ? [
          ...pages.map(
            (p) =>
              `${p.fileSha256.slice(0, 12)}:${p.page}  ${where(p)}: ${p.status === 'assigned' ? `follows ${p.visitId}` : `quarantined — ${p.reason}`}`,
          ),
          `${pages.length} unclassified page${pages.length === 1 ? '' : 's'}. Classify several at once: huifang pages move FILE:PAGE FILE:PAGE --kind envelope|postal-receipt|attachment [--visit ID]`,
        ]
      : ['No unclassified pages.'],
  );
  return EXIT_OK;
}

/** `pages move FILE:PAGE … --kind K [--visit ID]`: several pages at once. */
async function movePages(ws: Workspace, args: Args, io: Io): Promise<number> {
  if (!args.kind) throw new UsageError('Say what the pages are: --kind envelope, postal-receipt, attachment, …');
  const actor = actingPerson(ws, args.user, 'move-page').staffId;
  const moved = await movePagesByClerk(ws, {
    pages: args.pages!,
    kind: args.kind,
    actor,
    ...(args.visit ? { visit: args.visit } : {}),
  });
  await printMovedEmails(ws, moved, actor);
  report(io, args.json, { moved: moved.map((m) => ({ before: pageJson(m.before), after: pageJson(m.after) })) }, () =>
    moved.map(
      ({ before, after }) =>
        `${where(after)}: moved from ${before.status === 'quarantined' ? 'quarantine' : `${before.visitId} ${before.kind}`} to ${after.visitId} ${after.kind}`,
    ),
  );
  return EXIT_OK;
}

/** `pages list --visit ID | --file SHA|PATH` */
async function listPages(ws: Workspace, args: Args, io: Io): Promise<number> {
  if (!args.visit && !args.file)
    throw new UsageError('Say whose pages: huifang pages list --visit ID, or --file SHA|PATH.');
  const pages = args.visit
    ? pagesOfVisit(ws.register, canonicalVisit(args.visit))
    : pagesOfFile(ws.register, (await resolveIngestedFile(ws, args.file!)).sha256);
  report(io, args.json, { pages: pages.map(pageJson) }, () =>
    pages.length
      ? pages.map(
          (p) =>
            `${where(p)}: ${p.status === 'assigned' ? `${p.visitId} ${p.kind} (by ${p.assignedBy})` : `quarantined — ${p.reason}`}`,
        )
      : ['No pages.'],
  );
  return EXIT_OK;
}

/** `pages move --file SHA|PATH [--page N] --visit ID --kind K` */
async function moveOnePage(ws: Workspace, args: Args, io: Io): Promise<number> {
  if (!args.file || !args.visit || !args.kind)
    throw new UsageError(
      'huifang pages move needs --file, --visit and --kind (and --page when the file has several pages).',
    );
  const actor = actingPerson(ws, args.user, 'move-page').staffId;
  const { before, after } = await movePageByClerk(ws, {
    file: args.file,
    ...(args.page !== undefined ? { page: args.page } : {}),
    visit: args.visit,
    kind: args.kind,
    actor,
  });
  await printMovedEmails(ws, [{ after }], actor);
  report(io, args.json, { before: pageJson(before), after: pageJson(after) }, () => [
    `${where(after)}: moved from ${before.status === 'quarantined' ? 'quarantine' : `${before.visitId} ${before.kind}`} to ${after.visitId} ${after.kind} by ${after.updatedBy} at ${after.updatedAt}`,
  ]);
  return EXIT_OK;
}

/** An e-mail moved onto a visit gets its printout at once, in the name of whoever moved it. */
async function printMovedEmails(
  ws: Workspace,
  moved: readonly { after: { visitId: string | null } }[],
  actor: string,
): Promise<void> {
  for (const visitId of new Set(moved.flatMap((m) => (m.after.visitId ? [m.after.visitId] : []))))
    await ensureEmailPrintouts(ws, visitId, actor);
}

/** A typed visit id in its printed form (case, separators, look-alikes forgiven). */
function canonicalVisit(typed: string): string {
  const parsed = parseVisitId(typed);
  if (!parsed.ok) throw new UsageError(`--visit ${JSON.stringify(typed)} is not a visit id: ${parsed.reason}`);
  return parsed.visitId;
}

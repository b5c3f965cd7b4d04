/**
 * `huifang letters <list>` and `huifang forms <list>`: register visits and print their
 * documents (SPEC §8).
 */
import type { Argv } from 'yargs';
import { UsageError } from '../domain/messages.ts';
import { samePerson } from '../domain/people.ts';
import { listStaff } from '../store/rules.ts';
import { loadPolicy } from '../store/policy.ts';
import { personFor, USER_OPTION } from './people.ts';
import { VISIT_CATEGORIES, VISIT_CHANNELS, type VisitCategory, type VisitChannel } from '../domain/visit.ts';
import { startVisits, type PlannedSource, type RunDocuments, type StartVisitsResult } from '../render/start-visits.ts';
import { plannedSource } from '../plan/start.ts';
import type { Workspace } from '../store/workspace.ts';
import {
  defineCommand,
  progress,
  report,
  EXIT_OK,
  type CommandContext,
  type CommandModule,
  type GlobalOptions,
  type Io,
} from './common.ts';

interface StartArgs {
  list?: string;
  plan: boolean;
  branch?: string;
  category?: VisitCategory;
  channel?: VisitChannel;
  out: string;
  docx: boolean;
  visitor?: string;
  reviewer?: string;
  user?: string;
  policy?: string;
  repeat: boolean;
  seed?: string;
  batchSize: number;
}

function startCommand(documents: RunDocuments): CommandModule<StartArgs> {
  return defineCommand<StartArgs>({
    command: `${documents} [list]`,
    builder: (y: Argv) => startOptions(y, documents),
    run: (ctx) => startRun(documents, ctx),
  });
}

function startOptions(y: Argv, documents: RunDocuments): Argv {
  return y
    .positional('list', { type: 'string', describe: 'customer list: CSV (UTF-8 or GBK) or XLSX (or --plan)' })
    .option('plan', {
      type: 'boolean',
      default: false,
      describe: "start the visits of the year's latest plan not started yet (huifang plan), instead of a list",
    })
    .option('branch', { type: 'string', describe: 'with --plan: only this branch' })
    .option('category', {
      type: 'string',
      choices: VISIT_CATEGORIES as string[],
      describe: '回访项目: which questions are asked (default new-account); with --plan, only this category',
    })
    .option('channel', {
      type: 'string',
      choices: VISIT_CHANNELS as string[],
      describe: `回访形式 (default ${documents === 'letters' ? 'letter' : 'face-to-face'})`,
    })
    .option('out', {
      type: 'string',
      default: documents === 'letters' ? 'out/letters' : 'out/forms',
      describe: 'output folder',
    })
    .option('docx', { type: 'boolean', default: false, describe: 'also write editable Word files from templates/' })
    .option('visitor', {
      type: 'string',
      describe: '回访人员 performing the visits: 工号 or name on the staff roster (a 回访专员)',
    })
    .option('reviewer', {
      type: 'string',
      describe: '复核人员 reviewing the visits: 工号 or name on the staff roster (a 复核人员, never the visitor)',
    })
    .option('user', { ...USER_OPTION, describe: 'who starts the run (default $HUIFANG_USER, else the visitor)' })
    .option('policy', {
      type: 'string',
      describe: 'the firm policy file, JSON or YAML (default policy.json or policy.yaml in the workspace)',
    })
    .option('repeat', {
      type: 'boolean',
      default: false,
      describe: 'start visits even for customers with an open visit of the category',
    })
    .option('batch-size', { type: 'number', default: 500, describe: 'letters per batch print file' })
    .option('seed', { type: 'string', hidden: true, describe: 'reproducible visit ids (demos, tests)' });
}

async function startRun(documents: RunDocuments, { args, io, workspace }: CommandContext<StartArgs>): Promise<number> {
  if (!args.visitor?.trim())
    throw new UsageError(`Name the visitor (回访人员) with --visitor <工号 or name on the staff roster>.`);
  if (!args.reviewer?.trim())
    throw new UsageError(
      `Name the reviewer (复核人员) with --reviewer <工号 or name on the staff roster>; a visit is complete only when a reviewer approves it.`,
    );
  const ws = workspace();
  const planned = plannedVisits(ws, args, documents);
  const { visitor, reviewer, actor } = runPeople(ws, {
    visitor: args.visitor,
    reviewer: args.reviewer,
    user: args.user,
  });
  const { policy } = loadPolicy(ws.dir, args.policy);
  const result = await startVisits(ws, {
    ...(args.list !== undefined ? { list: args.list } : {}),
    ...(planned ? { planned } : {}),
    documents,
    category: args.category ?? 'new-account',
    channel: args.channel,
    out: args.out,
    docx: args.docx,
    visitor,
    reviewer,
    actor,
    deadlines: policy.deadlines,
    repeat: args.repeat,
    seed: args.seed,
    maxLettersPerBatch: args.batchSize,
    onProgress: progress(io, `rendering ${documents}`, documents),
  });
  reportStarted(io, args, documents, ws.dir, result);
  return EXIT_OK;
}

/** With --plan, the plan's visits not started yet (of --branch, --category); refused alongside a list. */
function plannedVisits(ws: Workspace, args: StartArgs, documents: RunDocuments): PlannedSource | undefined {
  if (args.plan === (args.list !== undefined))
    throw new UsageError(
      args.plan
        ? 'Give either a customer list or --plan, not both.'
        : `Name a customer list, or start planned visits: huifang ${documents} --plan`,
    );
  if (args.branch !== undefined && !args.plan)
    throw new UsageError('--branch selects planned visits; use it with --plan.');
  return args.plan
    ? plannedSource(ws, {
        ...(args.branch !== undefined ? { branch: String(args.branch) } : {}),
        ...(args.category ? { category: args.category } : {}),
      })
    : undefined;
}

/** The visitor, reviewer (never the visitor) and starter, as staff ids from the roster. */
function runPeople(
  ws: Workspace,
  args: { visitor: string; reviewer: string; user: string | undefined },
): { visitor: string; reviewer: string; actor: string } {
  const visitor = personFor(ws, args.visitor, 'carry-out-visit', '--visitor');
  const reviewer = personFor(ws, args.reviewer, 'review-visit', '--reviewer');
  if (samePerson(listStaff(ws.register), visitor.staffId, reviewer.staffId))
    throw new UsageError(
      `--reviewer ${args.reviewer} is the visitor; a visit is reviewed by someone else (第四条, 相互制衡).`,
    );
  const starter = args.user?.trim() || process.env.HUIFANG_USER?.trim();
  const actor = starter ? personFor(ws, starter, 'start-visits').staffId : visitor.staffId;
  return { visitor: visitor.staffId, reviewer: reviewer.staffId, actor };
}

/** The visits registered, the files written, and what the print room needs of each batch. */
function reportStarted(
  io: Io,
  args: StartArgs & GlobalOptions,
  documents: RunDocuments,
  workspaceDir: string,
  result: StartVisitsResult,
): void {
  report(
    io,
    args.json,
    {
      visits: result.visits.map((v) => ({
        visitId: v.visitId,
        customerId: v.customerId,
        branch: v.branch,
        pdf: v.pdf,
        ...(v.docx ? { docx: v.docx } : {}),
      })),
      batches: result.batches,
      printRoom: result.batchFiles,
      listing: result.listing,
      runId: result.runId,
    },
    () => [
      `${result.visits.length} visits registered (run ${result.runId}) in ${workspaceDir}`,
      `${documents === 'letters' ? 'letters' : 'forms'}: ${result.visits.length} PDFs${args.docx ? ' and DOCX files' : ''}`,
      ...result.batchFiles.flatMap((b) => [
        `batch print file: ${b.path}`,
        `  for the print room: ${b.letters} ${documents}, ${b.pages} pages on ${b.sheets} sheets (A4, double-sided)`,
        ...b.branches.map(
          (x) => `    branch ${x.branchCode}: ${x.letters} ${documents}, ${x.pages} pages, ${x.sheets} sheets`,
        ),
      ]),
      `listing of every file written: ${result.listing}`,
    ],
  );
}

export const lettersCommand = startCommand('letters');
export const formsCommand = startCommand('forms');

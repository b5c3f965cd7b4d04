/**
 * `huifang letters <list>` and `huifang forms <list>`: register visits and print their
 * documents (SPEC §8).
 */
import type { Argv } from 'yargs';
import { currentActor } from '../env/actor.ts';
import { VISIT_CATEGORIES, VISIT_CHANNELS, type VisitCategory, type VisitChannel } from '../domain/visit.ts';
import { startVisits, type RunDocuments } from '../render/start-visits.ts';
import { UsageError } from '../domain/messages.ts';
import { plannedSource } from '../plan/start.ts';
import { defineCommand, progress, report, EXIT_OK, type CommandModule } from './common.ts';

interface StartArgs {
  list?: string;
  plan: boolean;
  branch?: string;
  category?: VisitCategory;
  channel?: VisitChannel;
  out: string;
  docx: boolean;
  visitor?: string;
  repeat: boolean;
  seed?: string;
  batchSize: number;
}

function startCommand(documents: RunDocuments): CommandModule<StartArgs> {
  return defineCommand<StartArgs>({
    command: `${documents} [list]`,
    builder: (y: Argv) =>
      y
        .positional('list', { type: 'string', describe: 'customer list: CSV (UTF-8 or GBK) or XLSX (or --plan)' })
        .option('plan', { type: 'boolean', default: false, describe: 'start the visits of the year\'s latest plan not started yet (huifang plan), instead of a list' })
        .option('branch', { type: 'string', describe: 'with --plan: only this branch' })
        .option('category', { type: 'string', choices: VISIT_CATEGORIES as string[], describe: '回访项目: which questions are asked (default new-account); with --plan, only this category' })
        .option('channel', { type: 'string', choices: VISIT_CHANNELS as string[], describe: `回访形式 (default ${documents === 'letters' ? 'letter' : 'face-to-face'})` })
        .option('out', { type: 'string', default: documents === 'letters' ? 'out/letters' : 'out/forms', describe: 'output folder' })
        .option('docx', { type: 'boolean', default: false, describe: 'also write editable Word files from templates/' })
        .option('visitor', { type: 'string', describe: '回访人员 performing the visits (default $HUIFANG_USER or your login)' })
        .option('repeat', { type: 'boolean', default: false, describe: 'start visits even for customers with an open visit of the category' })
        .option('batch-size', { type: 'number', default: 500, describe: 'letters per batch print file' })
        .option('seed', { type: 'string', hidden: true, describe: 'reproducible visit ids (demos, tests)' }),
    run: async ({ args, io, workspace }) => {
      const ws = workspace();
      if (args.plan === (args.list !== undefined)) throw new UsageError(args.plan ? 'Give either a customer list or --plan, not both.' : `Name a customer list, or start planned visits: huifang ${documents} --plan`);
      if (args.branch !== undefined && !args.plan) throw new UsageError('--branch selects planned visits; use it with --plan.');
      const planned = args.plan ? plannedSource(ws, { ...(args.branch !== undefined ? { branch: String(args.branch) } : {}), ...(args.category ? { category: args.category } : {}) }) : undefined;
      const result = await startVisits(ws, {
        ...(args.list !== undefined ? { list: args.list } : {}),
        ...(planned ? { planned } : {}),
        documents,
        category: args.category ?? 'new-account',
        channel: args.channel,
        out: args.out,
        docx: args.docx,
        visitor: currentActor(args.visitor),
        repeat: args.repeat,
        seed: args.seed,
        maxLettersPerBatch: args.batchSize,
        onProgress: progress(io, `rendering ${documents}`),
      });
      report(
        io,
        args.json,
        {
          visits: result.visits.map((v) => ({ visitId: v.visitId, customerId: v.customerId, branch: v.branch, pdf: v.pdf, ...(v.docx ? { docx: v.docx } : {}) })),
          batches: result.batches,
          listing: result.listing,
          runId: result.runId,
        },
        () => [
          `${result.visits.length} visits registered (run ${result.runId}) in ${ws.dir}`,
          `${documents === 'letters' ? 'letters' : 'forms'}: ${result.visits.length} PDFs${args.docx ? ' and DOCX files' : ''}`,
          ...result.batches.map((b) => `batch print file: ${b}`),
          `listing of every file written: ${result.listing}`,
        ],
      );
      return EXIT_OK;
    },
  });
}

export const lettersCommand = startCommand('letters');
export const formsCommand = startCommand('forms');

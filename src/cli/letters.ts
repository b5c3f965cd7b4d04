/**
 * `huifang letters <list>` and `huifang forms <list>`: register visits and print their
 * documents (SPEC §8).
 */
import type { Argv } from 'yargs';
import { currentActor } from '../env/actor.ts';
import { VISIT_CATEGORIES, VISIT_CHANNELS, type VisitCategory, type VisitChannel } from '../domain/visit.ts';
import { startVisits, type RunDocuments } from '../render/start-visits.ts';
import { defineCommand, progress, report, EXIT_OK, type CommandModule } from './common.ts';

interface StartArgs {
  list: string;
  category: VisitCategory;
  channel?: VisitChannel;
  out: string;
  docx: boolean;
  visitor?: string;
  repeat: boolean;
  seed?: string;
  batchSize: number;
}

// eslint-disable-next-line max-lines-per-function -- still to be split into named steps (docs/architecture.md)
function startCommand(documents: RunDocuments): CommandModule<StartArgs> {
  const noun = documents === 'letters' ? 'callback letters (回访函) with the record form as last page' : 'face-to-face record forms (客户回访记录表)';
  return defineCommand<StartArgs>({
    command: `${documents} <list>`,
    describe: `register one visit per customer in <list> (CSV or XLSX) and render ${noun}, batch print PDFs and a listing`,
    builder: (y: Argv) =>
      y
        .positional('list', { type: 'string', describe: 'customer list: CSV (UTF-8 or GBK) or XLSX', demandOption: true })
        .option('category', { type: 'string', choices: VISIT_CATEGORIES as string[], default: 'new-account', describe: '回访项目: which questions are asked' })
        .option('channel', { type: 'string', choices: VISIT_CHANNELS as string[], describe: `回访形式 (default ${documents === 'letters' ? 'letter' : 'face-to-face'})` })
        .option('out', { type: 'string', default: documents === 'letters' ? 'out/letters' : 'out/forms', describe: 'output folder' })
        .option('docx', { type: 'boolean', default: false, describe: 'also write editable Word files from templates/' })
        .option('visitor', { type: 'string', describe: '回访人员 performing the visits (default $HUIFANG_USER or your login)' })
        .option('repeat', { type: 'boolean', default: false, describe: 'start visits even for customers with an open visit of the category' })
        .option('batch-size', { type: 'number', default: 500, describe: 'letters per batch print file' })
        .option('seed', { type: 'string', hidden: true, describe: 'reproducible visit ids (demos, tests)' }),
    run: async ({ args, io, workspace }) => {
      const ws = workspace();
      const result = await startVisits(ws, {
        list: args.list,
        documents,
        category: args.category,
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

/**
 * `huifang simulate <letters-out-dir> --out DIR` — realistic returned scans and e-mails,
 * with ground truth beside each file, from the PDFs `huifang letters` / `huifang forms`
 * wrote. For demos, tests and the scan accuracy benchmark (docs/simulate.md).
 */
import { formatMessage } from '../domain/messages.ts';
import { invalidParameter } from '../domain/messages.ts';
import { simulateReturns, DEFAULT_DPIS, type SimulationResult } from '../simulate/simulate.ts';
import { defineCommand, EXIT_OK, progress, report } from './common.ts';

interface SimulateArgs {
  lettersDir: string;
  out: string;
  seed: number;
  count?: number;
  dpi?: string;
  emails: number;
  clean: boolean;
  photos?: number;
}

export const simulateCommand = defineCommand<SimulateArgs>({
  command: 'simulate <lettersDir>',
  builder: (y) =>
    y
      .positional('lettersDir', {
        type: 'string',
        describe: 'the --out folder of `huifang letters` or `huifang forms`',
      })
      .option('out', { type: 'string', demandOption: true, describe: 'folder for the scans, e-mails and truth files' })
      .option('seed', {
        type: 'number',
        default: 1,
        describe: 'seed of every random choice; the same seed gives the same bytes',
      })
      .option('count', {
        type: 'number',
        describe: "how many visits' forms come back (default: each visit once; more repeats visits)",
      })
      .option('dpi', {
        type: 'string',
        describe: `scan resolutions to choose from, comma-separated (default ${DEFAULT_DPIS.join(',')})`,
      })
      .option('emails', {
        type: 'number',
        default: 0,
        describe: 'extra e-mail replies for visits of other channels (e-mail visits always reply)',
      })
      .option('photos', {
        type: 'number',
        describe: 'share of single forms that come back as 12 MP phone photos, 0–1 (default about 1 in 16)',
      })
      .option('clean', {
        type: 'boolean',
        default: false,
        describe: 'also write each filled page before degradation (clean/*.png)',
      }),
  run: async ({ args, io }) => {
    const dpi = args.dpi === undefined ? undefined : parseDpis(args.dpi);
    const tick = progress(io, 'simulate', 'files');
    const result = await simulateReturns({
      lettersDir: args.lettersDir,
      out: args.out,
      seed: args.seed,
      ...(args.count !== undefined ? { count: args.count } : {}),
      ...(dpi ? { dpi } : {}),
      emails: args.emails,
      clean: args.clean,
      ...(args.photos !== undefined ? { photos: args.photos } : {}),
      onProgress: tick,
    });
    report(io, args.json, jsonOf(result), () => textOf(result));
    return EXIT_OK;
  },
});

function parseDpis(text: string): number[] {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const values = parts.map(Number);
  if (parts.length === 0 || values.some((v) => !Number.isInteger(v)))
    throw invalidParameter('--dpi', 'comma-separated whole numbers from 150 to 600, e.g. 200,300', text);
  return values;
}

/** The `--json` document (docs/simulate.md): absolute paths. */
export function jsonOf(r: SimulationResult): object {
  return {
    out: r.out,
    truth: r.truthIndex,
    mailingList: r.mailingList,
    visitsFound: r.visitsFound,
    pageCount: r.pageCount,
    files: r.files.map((f) => ({
      path: f.path,
      truth: f.truth,
      format: f.format,
      kind: f.kind,
      pageCount: f.pageCount,
      visitIds: f.visitIds,
    })),
    emails: r.emails.map((e) => ({ path: e.path, truth: e.truth, visitId: e.visitId, variant: e.variant })),
    messages: r.messages,
  };
}

function textOf(r: SimulationResult): string[] {
  const singles = r.files.filter((f) => f.kind === 'single').length;
  const batches = r.files.length - singles;
  const lines = [
    `Simulated ${r.pageCount} scanned pages from ${r.visitsFound} visits: ${singles} single scans, ${batches} batch scans, ${r.emails.length} e-mails.`,
    `Output: ${r.out}`,
    `Ground truth: ${r.truthIndex} (and <file>.truth.json beside each file)`,
    `Mailing list (tracking numbers of the letters): ${r.mailingList} — record it with huifang mailing import`,
  ];
  for (const m of r.messages) lines.push(`  ${formatMessage(m)}`);
  return lines;
}

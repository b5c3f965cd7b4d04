/**
 * `huifang archive --branch B --period YYYY-MM --out DIR [--include-invalid] [--sign KEY]`
 * builds a branch's bundles for a period (BagIt zips, see docs/archive.md);
 * `huifang archive due` lists bundles whose retention date has passed and no legal hold keeps;
 * `huifang archive hold <bundle-id|sha256> --reason …` and `archive release …` place and lift
 * legal holds; `huifang archive list` lists every bundle built.
 */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatMessage, InputError, UsageError } from '../domain/messages.ts';
import { pathSegment } from '../domain/path-segment.ts';
import { extractZip } from '../archive/extract.ts';
import { inspectZip } from '../archive/zip-reader.ts';
import { buildBundles, DEFAULT_MAX_BUNDLE_BYTES, type ArchiveResult, type Stamper } from '../archive/build.ts';
import { workspaceRetentionPolicy } from '../archive/retention.ts';
import { loadSigningKey } from '../archive/signing.ts';
import { validateVisit, type VisitValidation } from '../rules/validate.ts';
import { actingPerson, USER_OPTION } from './people.ts';
import { loadPolicy } from '../store/policy.ts';
import { stampPdf } from '../stamp/stamp.ts';
import {
  activeHolds,
  dueBundles,
  findBundles,
  listBundles,
  placeHold,
  releaseHolds,
  type BundleRecord,
} from '../store/bundles.ts';
import { describeLeftover } from '../store/leftovers.ts';
import type { Workspace } from '../store/workspace.ts';
import { today } from '../env/clock.ts';
import { defineCommand, EXIT_OK, EXIT_PROBLEMS, report, type GlobalOptions, type Io } from './common.ts';
import { startProgress } from './progress.ts';

interface ArchiveArgs {
  policy?: string;
  action?: string;
  bundle?: string;
  branch?: string;
  period?: string;
  out?: string;
  includeInvalid: boolean;
  sign?: string;
  maxBytes?: number;
  baggingDate?: string;
  retention?: string;
  reason?: string;
  user?: string;
  stamp: boolean;
}

const stamper: Stamper = async (bytes, meta) => (await stampPdf(bytes, meta)).pdf;

function mb(n: number): string {
  return `${(n / 2 ** 20).toFixed(1)} MB`;
}

function bundleLine(b: BundleRecord): string {
  return `${b.bundleId}  ${b.period}  retain until ${b.retainUntil}  ${b.sha256.slice(0, 16)}…  ${b.path}`;
}

export const archiveCommand = defineCommand<ArchiveArgs>({
  command: 'archive [action] [bundle]',
  builder: (y) =>
    y
      .positional('action', {
        type: 'string',
        choices: ['build', 'due', 'list', 'hold', 'release', 'extract'],
        describe: 'build (default), due, list, hold, release or extract',
      })
      .positional('bundle', {
        type: 'string',
        describe: 'for hold/release: a bundle id (huifang-3101-2026-05) or its SHA-256; for extract: the zip',
      })
      .option('branch', { type: 'string', describe: 'branch (营业部) code' })
      .option('period', { type: 'string', describe: 'the month, YYYY-MM (visits started in it)' })
      .option('out', {
        type: 'string',
        describe: 'folder the zips are written to (extract: the folder the bag is unpacked into)',
      })
      .option('include-invalid', {
        type: 'boolean',
        default: false,
        describe: 'archive visits that fail validation too (the bundle says so)',
      })
      .option('sign', {
        type: 'string',
        describe: 'Ed25519 private key file (huifang keys create) to sign the bundle with',
      })
      .option('max-bytes', {
        type: 'number',
        describe: `largest zip; a period that does not fit is split into several bags (default ${DEFAULT_MAX_BUNDLE_BYTES})`,
      })
      .option('bagging-date', {
        type: 'string',
        describe: "Bagging-Date and the zip entries' date (default: the period's last day)",
      })
      .option('retention', {
        type: 'string',
        describe: 'retention policy JSON (default: retention.json in the workspace; 3 years, suitability 20)',
      })
      .option('stamp', {
        type: 'boolean',
        default: true,
        describe: 'stamp PDFs (metadata and footer) before archiving; --no-stamp to skip',
      })
      .option('reason', { type: 'string', describe: 'for hold/release: why' })
      .option('policy', {
        type: 'string',
        describe: 'the firm policy file, JSON or YAML (default policy.json or policy.yaml in the workspace)',
      })
      .option('user', {
        ...USER_OPTION,
        describe:
          'who builds the bundle, or places or releases a hold: 工号 or name on the staff roster (default $HUIFANG_USER)',
      }),
  run: async ({ args, io, workspace }) => {
    const action = args.action ?? 'build';
    if (action === 'extract') return extractBundle(args, io);
    const ws = workspace();
    if (action === 'due') return listDue(ws, args, io);
    if (action === 'list') return listAll(ws, args, io);
    if (action === 'hold' || action === 'release') return holdOrRelease(ws, action, args, io);
    return buildArchive(ws, args, io);
  },
});

type Args = ArchiveArgs & GlobalOptions;

/** `archive extract ZIP --out DIR`: the bag unpacked (an earlier unpacking of it replaced). */
async function extractBundle(args: Args, io: Io): Promise<number> {
  if (!args.bundle || !args.out)
    throw new UsageError(
      'archive extract needs the zip and --out DIR, e.g. huifang archive extract huifang-3101-2026-05.zip --out bags',
    );
  const zip = resolve(args.bundle);
  if (!existsSync(zip)) throw new UsageError(`${zip} does not exist`);
  const entries = await inspectZip(zip).catch((e: Error) => {
    throw new InputError(`${zip} cannot be unpacked: ${e.message}`);
  });
  const bag = entries[0]?.name.split('/')[0] ?? '';
  const target = join(resolve(args.out), bag);
  if (bag && existsSync(target)) {
    if (!existsSync(join(target, 'bagit.txt')))
      throw new UsageError(`${target} exists and is not a bag; choose another --out`);
    rmSync(target, { recursive: true, force: true }); // an earlier unpacking of a bag: replaced
  }
  const written = await extractZip(zip, args.out);
  const indexHtml = join(target, 'data', 'index.html');
  const value = { path: zip, bag: target, files: written.length, ...(existsSync(indexHtml) ? { indexHtml } : {}) };
  report(io, args.json, value, () => [
    `Unpacked ${written.length} files into ${target}`,
    ...(value.indexHtml ? [`Open in a browser: ${value.indexHtml}`] : []),
  ]);
  return EXIT_OK;
}

/** `archive due`: bundles past their retention date that no legal hold keeps. */
function listDue(ws: Workspace, args: Args, io: Io): number {
  const due = dueBundles(ws.register, today());
  report(io, args.json, { today: today(), bundles: due.map((b) => b.path), due }, () =>
    due.length
      ? [
          `${due.length} bundle(s) past their retention date and not on legal hold:`,
          ...due.map((b) => `  ${bundleLine(b)}`),
        ]
      : [`No bundle is past its retention date (today ${today()}).`],
  );
  return EXIT_OK;
}

/** `archive list [--branch B]`: every bundle built, with its legal holds. */
function listAll(ws: Workspace, args: Args, io: Io): number {
  const all = listBundles(ws.register, args.branch ? { branchCode: args.branch } : {});
  const withHolds = all.map((b) => ({ ...b, holds: activeHolds(ws.register, b.bundleId) }));
  report(io, args.json, { bundles: all.map((b) => b.path), details: withHolds }, () =>
    withHolds.length
      ? withHolds.map(
          (b) =>
            `${bundleLine(b)}${b.holds.length ? `  [legal hold: ${b.holds.map((h) => h.reason).join('; ')}]` : ''}`,
        )
      : ['No bundles yet.'],
  );
  return EXIT_OK;
}

/** `archive hold|release BUNDLE --reason …`: a legal hold placed or lifted, with who and why. */
function holdOrRelease(ws: Workspace, action: 'hold' | 'release', args: Args, io: Io): number {
  if (!args.bundle)
    throw new UsageError(
      `archive ${action} needs a bundle id or SHA-256, e.g. huifang archive ${action} huifang-3101-2026-05 --reason "…"`,
    );
  if (!args.reason?.trim()) throw new UsageError(`archive ${action} needs --reason (who asked, which case)`);
  const found = findBundles(ws.register, args.bundle);
  if (!found.length)
    throw new UsageError(`No bundle ${args.bundle} in the register; \`huifang archive list\` lists them`);
  const bundleId = found[0]!.bundleId;
  const actor = actingPerson(ws, args.user, 'hold-bundle').staffId;
  if (action === 'hold') {
    const hold = placeHold(ws.register, bundleId, args.reason.trim(), actor);
    report(io, args.json, { hold }, () => [
      `Legal hold placed on ${bundleId}: kept past its retention date until released.`,
    ]);
  } else {
    const released = releaseHolds(ws.register, bundleId, args.reason.trim(), actor);
    report(io, args.json, { released }, () => [
      released.length ? `Released ${released.length} hold(s) on ${bundleId}.` : `${bundleId} had no active hold.`,
    ]);
  }
  return EXIT_OK;
}

/** `archive --branch B --period YYYY-MM --out DIR`: the branch's bundles for the period. */
async function buildArchive(ws: Workspace, args: Args, io: Io): Promise<number> {
  if (!args.branch || !args.period || !args.out)
    throw new UsageError('archive needs --branch, --period YYYY-MM and --out DIR');
  // Both name the bundle and every entry in it: checked here, where they enter.
  pathSegment('branch', args.branch, '--branch');
  pathSegment('period', args.period, '--period');
  const actor = actingPerson(ws, args.user, 'archive').staffId;
  const policy = loadPolicy(ws.dir, args.policy);
  const signingKey = args.sign ? loadSigningKey(args.sign) : undefined;
  const bar = startProgress(io, `archive ${args.branch} ${args.period}`);
  const result = await buildBundles(ws, {
    onProgress: (done, total, phase) => bar.tick(done, total, phase),
    branch: args.branch,
    period: args.period,
    outDir: args.out,
    includeInvalid: args.includeInvalid,
    validate: (id) => sealable(validateVisit(ws, id, { hashes: 'none', policy: policy.policy, recordResults: false })),
    policySha256: policy.sha256,
    retention: workspaceRetentionPolicy(ws.dir, args.retention),
    actor,
    ...(signingKey ? { signingKey } : {}),
    ...(args.maxBytes ? { maxBundleBytes: args.maxBytes } : {}),
    ...(args.baggingDate ? { baggingDate: args.baggingDate } : {}),
    ...(args.stamp ? { stamp: stamper } : {}),
  });
  for (const l of result.leftovers) io.err(`huifang: ${describeLeftover(l)}`);
  bar.finish(
    result.bundles.length
      ? `${result.bundles.length} bundle${result.bundles.length === 1 ? '' : 's'} written`
      : 'nothing written',
  );
  return reportBuilt(args, io, result);
}

/** The bundles written (or, when nothing was, the visits that failed validation). */
function reportBuilt(args: Args, io: Io, result: ArchiveResult): number {
  if (result.refused.length && result.bundles.length === 0) {
    const value = { bundles: [], refused: result.refused.map((r) => ({ visitId: r.visitId, problems: r.problems })) };
    report(io, args.json, value, () => [
      `Not archived: ${result.refused.length} visit(s) of branch ${args.branch} in ${args.period} fail validation. Fix them, or archive them as invalid with --include-invalid (the bundle then says so).`,
      ...result.refused.flatMap((r) =>
        r.problems.filter((m) => m.severity === 'error').map((m) => `  ${formatMessage(m)}`),
      ),
    ]);
    return EXIT_PROBLEMS;
  }
  const value = {
    bundles: result.bundles.map((b) => b.path),
    details: result.bundles.map((b) => ({ ...b, indexHtml: `${b.path}!/${b.indexHtmlEntry}` })),
    notes: result.notes,
    leftovers: result.leftovers,
  };
  report(io, args.json, value, () => [
    ...result.bundles.map(
      (b) =>
        `✓ ${b.path}\n  ${b.bundleId}${b.partCount > 1 ? ` (${b.part} of ${b.partCount})` : ''}: ${b.visitIds.length} visits, ${b.payloadFiles} files, ${mb(b.size)}, retain until ${b.retainUntil}` +
        `${b.invalidVisitIds.length ? `, ${b.invalidVisitIds.length} INVALID visit(s) included` : ''}${b.keyFingerprint ? `, signed ${b.keyFingerprint.slice(0, 23)}…` : ''}\n  SHA-256 ${b.sha256}\n  index: ${b.indexHtmlEntry} inside the zip`,
    ),
    ...result.notes.map((m) => formatMessage(m)),
  ]);
  return EXIT_OK;
}

/**
 * Archiving records no verdict: it seals what the register holds. A visit whose result,
 * completion date, exception, printout or record form is not recorded as it now stands
 * (`result/not-recorded`) is refused like an invalid one until a reviewer, the branch head or
 * compliance records it (`huifang validate --record`).
 */
export async function sealable(validation: Promise<VisitValidation>): Promise<VisitValidation> {
  const v = await validation;
  if (!v.problems.some((m) => m.ruleId === 'result/not-recorded')) return v;
  const problems = v.problems.map((m) =>
    m.ruleId === 'result/not-recorded' ? { ...m, severity: 'error' as const } : m,
  );
  return { ...v, ok: false, problems };
}

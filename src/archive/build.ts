/**
 * Building a period's bundles for one branch: validate the visits (refuse the invalid ones
 * unless told otherwise), cut batch scans down to each visit's pages (page-extract.ts),
 * stamp their PDFs, write each visit's record, plan the bags so
 * that each zip stays under the size limit, and write each bag as a deterministic zip —
 * every stored file read once, its bytes fed to SHA-256, SHA-512 and CRC-32 as they are
 * copied — then sign it, record it in the register with its chain link, and return it.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { RetentionPolicy } from '../domain/deadlines.ts';
import { InputError, message, type Message } from '../domain/messages.ts';
import { pathSegment, quoteValue } from '../domain/path-segment.ts';
import { bundleAtPath, recordBundle, previousBundleOf, visitIdsOfPeriod, visitLogPosition } from '../store/bundles.ts';
import { removeDeadTempFiles, type Leftover } from '../store/leftovers.ts';
import { sha256OfFile } from '../store/files.ts';
import { tempPathFor } from '../store/atomic.ts';
import { documentsOf, getCustomer, getVisit, storeDocument } from '../store/visits.ts';
import type { Workspace } from '../store/workspace.ts';
import { BAGIT_TXT, BAG_INFO_TXT, formatBagInfo, formatManifest, manifestName, tagManifestName } from './bagit.ts';
import {
  indexCsv,
  indexJson,
  indexVisitOf,
  INDEX_CSV,
  INDEX_FORMAT,
  INDEX_HTML,
  INDEX_JSON,
  type BundleIndex,
} from './index-files.ts';
import { indexPage } from './index-page.ts';
import { coverageOf } from '../report/gather.ts';
import { parsePeriod } from '../report/period.ts';
import { archiveSelection, dropStaleExtracts, ensurePageExtracts } from './page-extract.ts';
import { buildVisitRecord, recordBytes, type ArchivedVisitRecord, type VisitValidator } from './record.ts';
import { RECORD_FILE } from './names.ts';
import { DEFAULT_ARCHIVE_RETENTION, periodEnd, periodStart } from './retention.ts';
import { SIGNATURE_FILE, signatureFile, type SigningKey } from './signing.ts';
import { HashPool } from './hashing.ts';
import { ZipWriter, zipOverhead, ZIP32_LIMIT, ZIP32_MAX_ENTRIES } from '../formats/zip-writer.ts';

/** Default size limit of one zip: 4 GiB less a margin (no zip64 needed). */
export const DEFAULT_MAX_BUNDLE_BYTES = ZIP32_LIMIT - 64 * 2 ** 20;
const PAYLOAD_ALGORITHMS = ['sha256', 'sha512'] as const;
const TAG_ALGORITHM = 'sha256';
const HUIFANG_BAG_FORMAT = '1';

/** Stamps an archived PDF (src/stamp): metadata and footer; returns the stamped bytes. */
export type Stamper = (
  bytes: Uint8Array,
  meta: {
    visitId: string;
    customerId: string;
    kind: string;
    sourceSha256: string;
    archiveRef: string;
    fileName: string;
  },
) => Promise<Uint8Array>;

export interface ArchiveOptions {
  branch: string;
  /** `YYYY-MM` */
  period: string;
  outDir: string;
  /** Validation of one visit (the rules stage). */
  validate: VisitValidator;
  includeInvalid?: boolean;
  signingKey?: SigningKey;
  /** Largest zip, in bytes; a period that does not fit is split into several bags of one group. */
  maxBundleBytes?: number;
  /** Bagging-Date and the zip entries' date; default: the period's last day (not the clock). */
  baggingDate?: string;
  retention?: RetentionPolicy;
  /** Source-Organization; default the branch's name. */
  sourceOrganization?: string;
  stamp?: Stamper;
  actor?: string;
  /** SHA-256 of the firm policy the visits were validated under (policy.json, or the defaults). */
  policySha256?: string;
  /** Told after each visit of each phase (validate, stamp, record, pack): `done` of `total` steps. */
  onProgress?: (done: number, total: number, phase: string) => void;
}

export interface BuiltBundle {
  /** Absolute path of the zip. */
  path: string;
  sha256: string;
  size: number;
  bundleId: string;
  part: number;
  partCount: number;
  visitIds: string[];
  invalidVisitIds: string[];
  payloadBytes: number;
  payloadFiles: number;
  retainUntil: string;
  previousSha256: string | null;
  /** Path of the index page inside the zip. */
  indexHtmlEntry: string;
  keyFingerprint: string | null;
}

export interface ArchiveResult {
  bundles: BuiltBundle[];
  /** Visits refused because they fail validation (nothing was written when there are any). */
  refused: { visitId: string; problems: Message[] }[];
  /** Things worth telling (a PDF that could not be stamped…). */
  notes: Message[];
  /** What an interrupted run had left in the output folder, and what this run did with it. */
  leftovers: Leftover[];
}

interface PayloadItem {
  /** Relative to data/. */
  path: string;
  size: number;
  sha256?: string;
  bytes?: Buffer;
}

interface PlannedVisit {
  record: ArchivedVisitRecord;
  items: PayloadItem[];
  estimate: number;
}

const isPdf = (name: string, bytes?: Buffer) =>
  /\.pdf$/i.test(name) || (bytes ? bytes.subarray(0, 5).toString('latin1') === '%PDF-' : false);

/** Stamps every PDF of the visits that has no stamped copy yet; stamped copies are stored as documents (role `stamped`). */
async function stampVisits(
  ws: Workspace,
  visitIds: readonly string[],
  stamp: Stamper,
  groupId: string,
  actor: string,
  tick: () => void,
): Promise<Message[]> {
  const notes: Message[] = [];
  for (const visitId of visitIds) {
    tick();
    const visit = getVisit(ws.register, visitId)!;
    const docs = documentsOf(ws.register, visitId);
    const stampedSources = new Set(docs.filter((d) => d.role === 'stamped').map((d) => d.sourceSha256));
    // only what goes in the bag: a batch scan holding other visits' pages is never stamped whole
    for (const d of archiveSelection(ws, visitId, docs).documents) {
      if (d.role === 'stamped' || stampedSources.has(d.sha256) || !isPdf(d.fileName)) continue;
      try {
        const bytes = await stamp(ws.files.read(d.sha256), {
          visitId,
          customerId: visit.customerId,
          kind: d.kind,
          sourceSha256: d.sha256,
          archiveRef: `${groupId.replace(/^huifang-/, '')}/${visitId}/${String(d.documentId).padStart(2, '0')}`,
          fileName: d.fileName,
        });
        storeDocument(
          ws,
          {
            visitId,
            kind: d.kind,
            role: 'stamped',
            fileName: d.fileName.replace(/(\.pdf)?$/i, '.stamped.pdf'),
            mediaType: 'application/pdf',
            sourceSha256: d.sha256,
            createdBy: actor,
          },
          bytes,
        );
        stampedSources.add(d.sha256);
      } catch (e) {
        notes.push(
          message(
            'archive/not-stamped',
            `${d.fileName} could not be stamped: ${(e as Error).message}; it is archived unstamped`,
            { visitId },
            { severity: 'warning' },
          ),
        );
      }
    }
  }
  return notes;
}

function manifestLineBytes(path: string): number {
  return PAYLOAD_ALGORITHMS.reduce((n, a) => n + (a === 'sha256' ? 64 : 128) + 3 + Buffer.byteLength(path), 0);
}

/** Splits visits (in order) into bags whose estimated zip size stays under the limit. */
function planParts(visits: PlannedVisit[], limit: number, fixedOverhead: number): PlannedVisit[][] {
  const parts: PlannedVisit[][] = [];
  let current: PlannedVisit[] = [];
  let size = fixedOverhead;
  let entries = 10;
  for (const v of visits) {
    if (v.estimate + fixedOverhead > limit) {
      throw new InputError(
        `Visit ${v.record.visit.visitId} alone holds about ${v.estimate} bytes, more than the bundle size limit of ${limit} bytes; raise --max-bytes`,
      );
    }
    if (current.length && (size + v.estimate > limit || entries + v.items.length > ZIP32_MAX_ENTRIES - 10)) {
      parts.push(current);
      current = [];
      size = fixedOverhead;
      entries = 10;
    }
    current.push(v);
    size += v.estimate;
    entries += v.items.length;
  }
  if (current.length) parts.push(current);
  return parts;
}

/** One build's settings, checked where they enter, and what it collects as it runs. */
interface BuildRun {
  opts: ArchiveOptions;
  actor: string;
  policy: RetentionPolicy;
  limit: number;
  baggingDate: string;
  /** `huifang-<branch>-<period>`: the bundle's id, or its group's when the period is split. */
  groupId: string;
  /** Things worth telling (a PDF not stamped, a zip over the size limit). */
  notes: Message[];
  leftovers: Leftover[];
  tick: (phase: string) => void;
}

/**
 * Builds the bundles of one branch and period. Refuses (returns `refused`, writes nothing)
 * when a visit fails validation, unless `includeInvalid`.
 */
export async function buildBundles(ws: Workspace, opts: ArchiveOptions): Promise<ArchiveResult> {
  const settings = checkSettings(opts);
  const visitIds = visitsToArchive(ws, opts, settings.actor);
  const total = visitIds.length * (opts.stamp ? 4 : 3);
  let done = 0;
  const tick = (phase: string) => opts.onProgress?.(++done, total, phase);
  const validations = await validateVisits(ws, visitIds, opts, tick);
  const refused = visitIds
    .filter((id) => !validations.get(id)!.ok)
    .map((id) => ({ visitId: id, problems: validations.get(id)!.problems }));
  if (refused.length && !opts.includeInvalid) return { bundles: [], refused, notes: [], leftovers: [] };
  // A killed run leaves `.<bundle>.zip.@<host>.<pid>.<hex>.partial` beside the bundles: removed first.
  const leftovers = removeDeadTempFiles(
    resolve(opts.outDir),
    (name) => name.startsWith(`.${settings.groupId}`) && name.endsWith('.partial'),
  );
  // A received batch scan that also holds other visits' pages is archived as an extract of this visit's pages.
  for (const id of visitIds) await ensurePageExtracts(ws, id, settings.actor);
  const notes = opts.stamp
    ? await stampVisits(ws, visitIds, opts.stamp, settings.groupId, settings.actor, () => tick('stamping'))
    : [];
  const run: BuildRun = { opts, ...settings, notes, leftovers, tick };
  const planned = await gatherRecords(ws, run, visitIds, validations);
  const bundles = await writeBundles(ws, run, planParts(planned, run.limit, 16 * 1024));
  return { bundles, refused: opts.includeInvalid ? refused : [], notes, leftovers };
}

/** The period, bagging date and group id, refused in the user's words when they are not usable. */
function checkSettings(opts: ArchiveOptions): Pick<BuildRun, 'actor' | 'policy' | 'limit' | 'baggingDate' | 'groupId'> {
  const actor = opts.actor ?? process.env.USER ?? 'huifang';
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(opts.period))
    throw new InputError(`Expected a period YYYY-MM for --period but received ${quoteValue(opts.period)}`);
  const policy = opts.retention ?? DEFAULT_ARCHIVE_RETENTION;
  const limit = opts.maxBundleBytes ?? DEFAULT_MAX_BUNDLE_BYTES;
  const baggingDate = opts.baggingDate ?? periodEnd(opts.period);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(baggingDate))
    throw new InputError(`Expected a date YYYY-MM-DD for --bagging-date but received ${quoteValue(baggingDate)}`);
  const parsed = Date.parse(`${baggingDate}T00:00:00Z`);
  if (
    Number.isNaN(parsed) ||
    new Date(parsed).toISOString().slice(0, 10) !== baggingDate ||
    baggingDate < periodStart(opts.period)
  ) {
    throw new InputError(
      `--bagging-date ${baggingDate} is not a real date on or after the start of the period ${opts.period}; give the day the bag is made, YYYY-MM-DD`,
    );
  }
  const groupId = `huifang-${pathSegment('branch', opts.branch, 'the branch')}-${pathSegment('period', opts.period, 'the period')}`;
  return { actor, policy, limit, baggingDate, groupId };
}

/** The branch's visits of the period (a visit belongs to the month it was started in). */
function visitsToArchive(ws: Workspace, opts: ArchiveOptions, actor: string): string[] {
  const visitIds = visitIdsOfPeriod(ws.register, opts.branch, opts.period);
  if (visitIds.length === 0)
    throw new InputError(
      `Branch ${opts.branch} has no visits in ${opts.period}; nothing to archive (visits belong to the month they were started in)`,
    );
  // Extracts of batch scans whose pages were moved since no longer count, for validation either.
  for (const id of visitIds) dropStaleExtracts(ws, id, actor);
  return visitIds;
}

/** A visit's validation, and how far its log had come when it was made. */
type Validation = { ok: boolean; problems: Message[]; logPosition: number };

/** Times a visit is read again because it changed while it was read, before the archive gives up. */
const MAX_READS = 5;

/**
 * Reads a visit with `read` until nothing was logged for it in between (another clerk may log
 * an attempt or decide a review meanwhile): what is sealed is the visit as it stood at one moment.
 */
async function steadyRead<T>(
  ws: Workspace,
  visitId: string,
  read: (logPosition: number) => Promise<T>,
): Promise<{ value: T; logPosition: number }> {
  for (let round = 1; ; round++) {
    const logPosition = visitLogPosition(ws.register, visitId);
    const value = await read(logPosition);
    if (visitLogPosition(ws.register, visitId) === logPosition) return { value, logPosition };
    if (round === MAX_READS)
      throw new InputError(
        `Visit ${visitId} kept changing while it was being archived (${MAX_READS} reads); nothing was archived. Archive again once the work on it has paused.`,
      );
  }
}

async function validateVisits(
  ws: Workspace,
  visitIds: readonly string[],
  opts: ArchiveOptions,
  tick: (phase: string) => void,
): Promise<Map<string, Validation>> {
  const validations = new Map<string, Validation>();
  for (const id of visitIds) {
    const { value, logPosition } = await steadyRead(ws, id, async () => opts.validate(id));
    validations.set(id, { ...value, logPosition });
    tick('validating');
  }
  return validations;
}

/**
 * The visit's record and where its documents go, read at one moment together with its
 * validation: validated again when the visit changed since it was validated (extracts and
 * stamped copies added, an attempt logged). A visit that now fails is refused, as it would
 * have been at the start, unless invalid visits are archived too.
 */
async function steadyRecord(ws: Workspace, run: BuildRun, id: string, validated: Validation) {
  const { value } = await steadyRead(ws, id, async (logPosition) => {
    const validation = validated.logPosition === logPosition ? validated : await run.opts.validate(id);
    if (!validation.ok && !run.opts.includeInvalid)
      throw new InputError(
        `Visit ${id} changed while it was being archived and now fails validation; nothing was archived. Run \`huifang validate\` on it, then archive again.`,
      );
    return buildVisitRecord(ws, id, run.opts.period, run.policy, validation, {
      baggingDate: run.baggingDate,
      policySha256: run.opts.policySha256 ?? null,
    });
  });
  return value;
}

/** Each visit's record and files, with an estimate of the room they take in a zip. */
async function gatherRecords(
  ws: Workspace,
  run: BuildRun,
  visitIds: readonly string[],
  validations: ReadonlyMap<string, Validation>,
): Promise<PlannedVisit[]> {
  const planned: PlannedVisit[] = [];
  for (const id of visitIds) {
    const { record, documents } = await steadyRecord(ws, run, id, validations.get(id)!);
    const recordItem: PayloadItem = { path: `${id}/${RECORD_FILE}`, bytes: recordBytes(record), size: 0 };
    recordItem.size = recordItem.bytes!.length;
    const items: PayloadItem[] = [
      recordItem,
      ...documents.map(({ doc, path }) => ({ path, size: ws.files.sizeOf(doc.sha256), sha256: doc.sha256 })),
    ];
    const nameRoom = run.groupId.length + 4;
    const estimate =
      items.reduce(
        (n, it) =>
          n +
          it.size +
          zipOverhead('x'.repeat(nameRoom) + '/data/' + it.path) +
          manifestLineBytes('data/' + it.path) * 2,
        0,
      ) +
      4096 +
      Buffer.byteLength(JSON.stringify(record.files)) * 4;
    planned.push({ record, items, estimate });
    run.tick('gathering records');
  }
  return planned;
}

/** The branch's facts every part shows on its index page. */
interface BranchFacts {
  branchName: string;
  coverage: ReturnType<typeof coverageOf>;
}

/** Writes each part as a bag, chained part to part and to the branch's previous bundle. */
async function writeBundles(ws: Workspace, run: BuildRun, parts: PlannedVisit[][]): Promise<BuiltBundle[]> {
  const customer = getCustomer(ws.register, parts[0]![0]!.record.visit.customerId)!;
  // The branch's coverage of the year, as the period report shows it (null: no account list).
  const branch: BranchFacts = {
    branchName: customer.branchName,
    coverage: coverageOf(ws, parsePeriod(run.opts.period), run.opts.branch),
  };
  const bundles: BuiltBundle[] = [];
  // This thread reads, computes the zip's CRC-32s and writes: about 1.7 SHA-256s of work a byte.
  const pool = HashPool.create({ mainThreadLoad: 1.7 });
  try {
    for (let p = 0; p < parts.length; p++) {
      const previous =
        p > 0
          ? { sha256: bundles[p - 1]!.sha256, path: bundles[p - 1]!.path }
          : previousBundleOf(ws.register, run.opts.branch, run.opts.period);
      const bag = planBag(run, branch, parts[p]!, p + 1, parts.length, previous);
      bundles.push(await writeBundle(ws, run, pool, bag));
    }
  } finally {
    await pool.close();
  }
  return bundles;
}

/** One bag as planned: its id, index, payload and bag-info.txt, before anything is written. */
interface PlannedBag {
  bundleId: string;
  part: number;
  partCount: number;
  members: PlannedVisit[];
  previous: { sha256: string; path: string } | null | undefined;
  retainUntil: string;
  invalid: string[];
  items: PayloadItem[];
  octets: number;
  info: { label: string; value: string }[];
}

function planBag(
  run: BuildRun,
  branch: BranchFacts,
  members: PlannedVisit[],
  part: number,
  partCount: number,
  previous: PlannedBag['previous'],
): PlannedBag {
  const bundleId = partCount > 1 ? `${run.groupId}-${part}` : run.groupId;
  const retainUntil = members
    .map((m) => m.record.retention.retainUntil)
    .sort()
    .at(-1)!;
  const invalid = members.filter((m) => !m.record.valid).map((m) => m.record.visit.visitId);
  const index: BundleIndex = {
    format: INDEX_FORMAT,
    bundle: bundleId,
    branch: run.opts.branch,
    branchName: branch.branchName,
    period: run.opts.period,
    part,
    partCount,
    baggingDate: run.baggingDate,
    retainUntil,
    includesInvalid: invalid.length > 0,
    visits: members.map((m) => indexVisitOf(m.record)),
  };
  const items = payloadOf(index, members, branch);
  const octets = items.reduce((n, it) => n + it.size, 0);
  const bag = { bundleId, part, partCount, members, previous, retainUntil, invalid, items, octets, info: [] };
  return { ...bag, info: bagInfoOf(run, branch, bag) };
}

/** The visits' files and records, and the index in its three forms, in path order. */
function payloadOf(index: BundleIndex, members: PlannedVisit[], branch: BranchFacts): PayloadItem[] {
  return [
    ...members.flatMap((m) => m.items),
    ...[
      [INDEX_CSV, indexCsv(index)],
      [
        INDEX_HTML,
        indexPage(
          index,
          members.map((m) => m.record),
          branch.coverage,
        ),
      ],
      [INDEX_JSON, indexJson(index)],
    ].map(([path, bytes]) => ({ path: path as string, bytes: bytes as Buffer, size: (bytes as Buffer).length })),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** bag-info.txt's labels, BagIt's and huifang's. */
function bagInfoOf(run: BuildRun, branch: BranchFacts, bag: Omit<PlannedBag, 'info'>): PlannedBag['info'] {
  const { opts, baggingDate, groupId } = run;
  const { bundleId, part, partCount, members, previous, invalid } = bag;
  const years = Math.max(...members.map((m) => m.record.retention.years));
  return [
    { label: 'Source-Organization', value: opts.sourceOrganization ?? branch.branchName },
    { label: 'Bagging-Date', value: baggingDate },
    { label: 'External-Identifier', value: bundleId },
    {
      label: 'External-Description',
      value: `回访档案 callback visits of branch ${opts.branch} (${branch.branchName}), ${opts.period}`,
    },
    { label: 'Payload-Oxum', value: `${bag.octets}.${bag.items.length}` },
    ...(partCount > 1
      ? [
          { label: 'Bag-Group-Identifier', value: groupId },
          { label: 'Bag-Count', value: `${part} of ${partCount}` },
        ]
      : []),
    { label: 'Bag-Software-Agent', value: 'huifang' },
    { label: 'Huifang-Format', value: HUIFANG_BAG_FORMAT },
    { label: 'Huifang-Branch', value: opts.branch },
    { label: 'Huifang-Period', value: opts.period },
    { label: 'Huifang-Visit-Count', value: String(members.length) },
    { label: 'Huifang-Retention-Years', value: String(years) },
    { label: 'Huifang-Retain-Until', value: bag.retainUntil },
    ...(opts.policySha256 ? [{ label: 'Huifang-Policy-SHA256', value: opts.policySha256 }] : []),
    { label: 'Huifang-Previous-Bundle', value: previous ? basename(previous.path) : 'none' },
    { label: 'Huifang-Previous-Bundle-SHA256', value: previous ? previous.sha256 : 'none' },
    ...(invalid.length
      ? [
          {
            label: 'Huifang-Includes-Invalid',
            value: `${invalid.length} visit(s) failed validation and were archived with --include-invalid: ${invalid.join(' ')}`,
          },
        ]
      : []),
    ...(opts.signingKey ? [{ label: 'Huifang-Signing-Key-Fingerprint', value: opts.signingKey.fingerprint }] : []),
  ];
}

/** Writes one planned bag as a zip, hashes it, and records it in the register. */
async function writeBundle(ws: Workspace, run: BuildRun, pool: HashPool, bag: PlannedBag): Promise<BuiltBundle> {
  const zipPath = resolve(join(run.opts.outDir, `${bag.bundleId}.zip`));
  const unknown = await unregisteredZip(ws, zipPath);
  const zip = await ZipWriter.create(zipPath, run.baggingDate, tempPathFor(zipPath, 'partial'));
  try {
    const size = await writeBagEntries(ws, run, pool, zip, bag);
    if (size > run.limit) {
      run.notes.push(
        message(
          'archive/over-size',
          `${bag.bundleId}.zip is ${size} bytes, over the limit of ${run.limit} the plan expected to keep`,
          { file: zipPath },
          { severity: 'warning', fix: 'lower --max-bytes a little to leave more room' },
        ),
      );
    }
    // Hashed under its temporary name, and moved into place as it is registered: another run
    // writing the same bundle meanwhile can neither slip its zip under this one's hash nor
    // leave the register naming a zip that is no longer there.
    const { sha256 } = await sha256OfFile(zip.temporaryPath);
    if (unknown) run.leftovers.push(leftoverZip(zipPath, unknown, sha256));
    const built = builtBundleOf(run, bag, zipPath, sha256, size);
    registerBundle(ws, run, bag, built, zip.temporaryPath);
    return built;
  } catch (e) {
    await zip.abort();
    throw e;
  }
}

/** bagit.txt, bag-info.txt, the payload, the manifests, the tag manifest and the signature; returns the zip's size. */
async function writeBagEntries(
  ws: Workspace,
  run: BuildRun,
  pool: HashPool,
  zip: ZipWriter,
  bag: PlannedBag,
): Promise<number> {
  const root = `${bag.bundleId}/`;
  const bagitTxt = Buffer.from('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n', 'utf8');
  const bagInfo = Buffer.from(formatBagInfo(bag.info), 'utf8');
  await zip.addBuffer(root + BAGIT_TXT, bagitTxt);
  await zip.addBuffer(root + BAG_INFO_TXT, bagInfo);
  const payloadSums = await writePayload(ws, run, pool, zip, root, bag.items);
  const tagFiles: { path: string; bytes: Buffer }[] = [
    { path: BAGIT_TXT, bytes: bagitTxt },
    { path: BAG_INFO_TXT, bytes: bagInfo },
  ];
  for (const algorithm of PAYLOAD_ALGORITHMS) {
    const bytes = Buffer.from(
      formatManifest(payloadSums.map((s) => ({ path: s.path, checksum: s.sums[algorithm]! }))),
      'utf8',
    );
    await zip.addBuffer(root + manifestName(algorithm), bytes);
    tagFiles.push({ path: manifestName(algorithm), bytes });
  }
  const tagManifest = Buffer.from(
    formatManifest(
      tagFiles.map((t) => ({ path: t.path, checksum: createHash(TAG_ALGORITHM).update(t.bytes).digest('hex') })),
    ),
    'utf8',
  );
  await zip.addBuffer(root + tagManifestName(TAG_ALGORITHM), tagManifest);
  if (run.opts.signingKey) await zip.addBuffer(root + SIGNATURE_FILE, signatureFile(tagManifest, run.opts.signingKey));
  return zip.close();
}

/**
 * The payload, each stored file read once and its bytes fed to the hashers as they are
 * copied; a stored file whose SHA-256 no longer matches stops the build. Returns the sums.
 */
async function writePayload(
  ws: Workspace,
  run: BuildRun,
  pool: HashPool,
  zip: ZipWriter,
  root: string,
  items: PayloadItem[],
): Promise<{ path: string; sums: Record<string, string> }[]> {
  const pending: { path: string; item: PayloadItem; sums: Promise<Record<string, string>> }[] = [];
  for (const it of items) {
    const name = `${root}data/${it.path}`;
    const hasher = pool.begin(PAYLOAD_ALGORITHMS);
    if (it.bytes) {
      await hasher.update(it.bytes);
      await zip.addBuffer(name, it.bytes);
    } else {
      await zip.addStream(name, it.size, ws.files.stream(it.sha256!, { highWaterMark: 1 << 19 }), (c) =>
        hasher.update(c),
      );
    }
    pending.push({ path: `data/${it.path}`, item: it, sums: hasher.digest() });
    if (it.path.endsWith(`/${RECORD_FILE}`)) run.tick('packing');
  }
  const payloadSums: { path: string; sums: Record<string, string> }[] = [];
  for (const p of pending) {
    const sums = await p.sums;
    if (p.item.sha256 && sums.sha256 !== p.item.sha256) {
      throw new InputError(
        `The stored file ${p.item.sha256} (${p.item.path}) no longer matches its SHA-256; the file store is damaged there. Restore it before archiving.`,
      );
    }
    payloadSums.push({ path: p.path, sums });
  }
  return payloadSums;
}

function builtBundleOf(run: BuildRun, bag: PlannedBag, zipPath: string, sha256: string, size: number): BuiltBundle {
  return {
    path: zipPath,
    sha256,
    size,
    bundleId: bag.bundleId,
    part: bag.part,
    partCount: bag.partCount,
    visitIds: bag.members.map((m) => m.record.visit.visitId),
    invalidVisitIds: bag.invalid,
    payloadBytes: bag.octets,
    payloadFiles: bag.items.length,
    retainUntil: bag.retainUntil,
    previousSha256: bag.previous?.sha256 ?? null,
    indexHtmlEntry: `${bag.bundleId}/data/${INDEX_HTML}`,
    keyFingerprint: run.opts.signingKey?.fingerprint ?? null,
  };
}

/** The bundle in the register, with its chain link and its visits; the zip moved from `written` into place. */
function registerBundle(ws: Workspace, run: BuildRun, bag: PlannedBag, built: BuiltBundle, written: string): void {
  recordBundle(
    ws.register,
    {
      sha256: built.sha256,
      bundleId: bag.bundleId,
      branchCode: run.opts.branch,
      period: run.opts.period,
      part: bag.part,
      partCount: bag.partCount,
      path: built.path,
      size: built.size,
      visitCount: bag.members.length,
      payloadBytes: bag.octets,
      baggingDate: run.baggingDate,
      retainUntil: bag.retainUntil,
      previousSha256: built.previousSha256,
      includesInvalid: bag.invalid.length > 0,
      keyFingerprint: built.keyFingerprint,
      builtBy: run.actor,
      policySha256: run.opts.policySha256 ?? null,
    },
    bag.members.map((m) => ({ visitId: m.record.visit.visitId, valid: m.record.valid })),
    written,
  );
}

/**
 * A zip already at a bundle's path that the register does not know: what a run killed right
 * after renaming its zip into place leaves. Its SHA-256, to say after the rebuild whether
 * it was the same bundle (adopted) or another (replaced).
 */
async function unregisteredZip(ws: Workspace, zipPath: string): Promise<{ sha256: string; size: number } | null> {
  if (!existsSync(zipPath) || bundleAtPath(ws.register, zipPath)) return null;
  return sha256OfFile(zipPath);
}

function leftoverZip(path: string, found: { sha256: string; size: number }, built: string): Leftover {
  return found.sha256 === built
    ? {
        path,
        size: found.size,
        action: 'adopted',
        reason:
          'a bundle an interrupted run had written but not registered; rebuilt byte for byte the same and now registered',
      }
    : {
        path,
        size: found.size,
        action: 'replaced',
        reason: `a zip the register did not know (SHA-256 ${found.sha256.slice(0, 16)}…), left by an interrupted run; replaced by the bundle built now`,
      };
}

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
import { bundleAtPath, recordBundle, previousBundleOf, visitIdsOfPeriod } from '../store/bundles.ts';
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

/**
 * Builds the bundles of one branch and period. Refuses (returns `refused`, writes nothing)
 * when a visit fails validation, unless `includeInvalid`.
 */
// eslint-disable-next-line max-lines-per-function -- still to be split into named steps (docs/architecture.md)
export async function buildBundles(ws: Workspace, opts: ArchiveOptions): Promise<ArchiveResult> {
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

  const visitIds = visitIdsOfPeriod(ws.register, opts.branch, opts.period);
  if (visitIds.length === 0)
    throw new InputError(
      `Branch ${opts.branch} has no visits in ${opts.period}; nothing to archive (visits belong to the month they were started in)`,
    );
  // Extracts of batch scans whose pages were moved since no longer count, for validation either.
  for (const id of visitIds) dropStaleExtracts(ws, id, actor);

  const total = visitIds.length * (opts.stamp ? 4 : 3);
  let done = 0;
  const tick = (phase: string) => opts.onProgress?.(++done, total, phase);
  const validations = new Map<string, { ok: boolean; problems: Message[] }>();
  for (const id of visitIds) {
    validations.set(id, await opts.validate(id));
    tick('validating');
  }
  const refused = visitIds
    .filter((id) => !validations.get(id)!.ok)
    .map((id) => ({ visitId: id, problems: validations.get(id)!.problems }));
  if (refused.length && !opts.includeInvalid) return { bundles: [], refused, notes: [], leftovers: [] };
  // A killed run leaves `.<bundle>.zip.@<host>.<pid>.<hex>.partial` beside the bundles: removed first.
  const leftovers = removeDeadTempFiles(
    resolve(opts.outDir),
    (name) => name.startsWith(`.${groupId}`) && name.endsWith('.partial'),
  );

  // A received batch scan that also holds other visits' pages is archived as an extract of this visit's pages.
  for (const id of visitIds) await ensurePageExtracts(ws, id, actor);
  const notes = opts.stamp ? await stampVisits(ws, visitIds, opts.stamp, groupId, actor, () => tick('stamping')) : [];

  const planned: PlannedVisit[] = [];
  for (const id of visitIds) {
    const { record, documents } = await buildVisitRecord(ws, id, opts.period, policy, validations.get(id)!, {
      baggingDate,
      policySha256: opts.policySha256 ?? null,
    });
    const recordItem: PayloadItem = { path: `${id}/${RECORD_FILE}`, bytes: recordBytes(record), size: 0 };
    recordItem.size = recordItem.bytes!.length;
    const items: PayloadItem[] = [
      recordItem,
      ...documents.map(({ doc, path }) => ({ path, size: ws.files.sizeOf(doc.sha256), sha256: doc.sha256 })),
    ];
    const nameRoom = groupId.length + 4;
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
    tick('gathering records');
  }
  const parts = planParts(planned, limit, 16 * 1024);
  const customer = getCustomer(ws.register, planned[0]!.record.visit.customerId)!;
  const branchName = customer.branchName;
  // The branch's coverage of the year, as the period report shows it (null: no account list).
  const coverage = coverageOf(ws, parsePeriod(opts.period), opts.branch);

  const bundles: BuiltBundle[] = [];
  // This thread reads, computes the zip's CRC-32s and writes: about 1.7 SHA-256s of work a byte.
  const pool = HashPool.create({ mainThreadLoad: 1.7 });
  try {
    for (let p = 0; p < parts.length; p++) {
      const part = p + 1;
      const partCount = parts.length;
      const bundleId = partCount > 1 ? `${groupId}-${part}` : groupId;
      const members = parts[p]!;
      const previous =
        part > 1
          ? { sha256: bundles[p - 1]!.sha256, path: bundles[p - 1]!.path }
          : previousBundleOf(ws.register, opts.branch, opts.period);
      const retainUntil = members
        .map((m) => m.record.retention.retainUntil)
        .sort()
        .at(-1)!;
      const years = Math.max(...members.map((m) => m.record.retention.years));
      const invalid = members.filter((m) => !m.record.valid).map((m) => m.record.visit.visitId);

      const index: BundleIndex = {
        format: INDEX_FORMAT,
        bundle: bundleId,
        branch: opts.branch,
        branchName,
        period: opts.period,
        part,
        partCount,
        baggingDate,
        retainUntil,
        includesInvalid: invalid.length > 0,
        visits: members.map((m) => indexVisitOf(m.record)),
      };
      const items: PayloadItem[] = [
        ...members.flatMap((m) => m.items),
        ...[
          [INDEX_CSV, indexCsv(index)],
          [
            INDEX_HTML,
            indexPage(
              index,
              members.map((m) => m.record),
              coverage,
            ),
          ],
          [INDEX_JSON, indexJson(index)],
        ].map(([path, bytes]) => ({ path: path as string, bytes: bytes as Buffer, size: (bytes as Buffer).length })),
      ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

      const octets = items.reduce((n, it) => n + it.size, 0);
      const info: { label: string; value: string }[] = [
        { label: 'Source-Organization', value: opts.sourceOrganization ?? branchName },
        { label: 'Bagging-Date', value: baggingDate },
        { label: 'External-Identifier', value: bundleId },
        {
          label: 'External-Description',
          value: `回访档案 callback visits of branch ${opts.branch} (${branchName}), ${opts.period}`,
        },
        { label: 'Payload-Oxum', value: `${octets}.${items.length}` },
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
        { label: 'Huifang-Retain-Until', value: retainUntil },
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

      const zipPath = resolve(join(opts.outDir, `${bundleId}.zip`));
      const unknown = await unregisteredZip(ws, zipPath);
      const zip = await ZipWriter.create(zipPath, baggingDate, tempPathFor(zipPath, 'partial'));
      try {
        const root = `${bundleId}/`;
        const bagitTxt = Buffer.from('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n', 'utf8');
        const bagInfo = Buffer.from(formatBagInfo(info), 'utf8');
        await zip.addBuffer(root + BAGIT_TXT, bagitTxt);
        await zip.addBuffer(root + BAG_INFO_TXT, bagInfo);
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
          if (it.path.endsWith(`/${RECORD_FILE}`)) tick('packing');
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
        if (opts.signingKey) await zip.addBuffer(root + SIGNATURE_FILE, signatureFile(tagManifest, opts.signingKey));
        const size = await zip.finish();
        if (size > limit) {
          notes.push(
            message(
              'archive/over-size',
              `${bundleId}.zip is ${size} bytes, over the limit of ${limit} the plan expected to keep`,
              { file: zipPath },
              { severity: 'warning', fix: 'lower --max-bytes a little to leave more room' },
            ),
          );
        }
        const { sha256 } = await sha256OfFile(zipPath);
        if (unknown) leftovers.push(leftoverZip(zipPath, unknown, sha256));
        const built: BuiltBundle = {
          path: zipPath,
          sha256,
          size,
          bundleId,
          part,
          partCount,
          visitIds: members.map((m) => m.record.visit.visitId),
          invalidVisitIds: invalid,
          payloadBytes: octets,
          payloadFiles: items.length,
          retainUntil,
          previousSha256: previous?.sha256 ?? null,
          indexHtmlEntry: `${root}data/${INDEX_HTML}`,
          keyFingerprint: opts.signingKey?.fingerprint ?? null,
        };
        recordBundle(
          ws.register,
          {
            sha256,
            bundleId,
            branchCode: opts.branch,
            period: opts.period,
            part,
            partCount,
            path: zipPath,
            size,
            visitCount: members.length,
            payloadBytes: octets,
            baggingDate,
            retainUntil,
            previousSha256: built.previousSha256,
            includesInvalid: invalid.length > 0,
            keyFingerprint: built.keyFingerprint,
            builtBy: actor,
            policySha256: opts.policySha256 ?? null,
          },
          members.map((m) => ({ visitId: m.record.visit.visitId, valid: m.record.valid })),
        );
        bundles.push(built);
      } catch (e) {
        await zip.abort();
        throw e;
      }
    }
  } finally {
    await pool.close();
  }
  return { bundles, refused: opts.includeInvalid ? refused : [], notes, leftovers };
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

/**
 * huifang's own checks of a bundle, after the BagIt ones: the index against the visits'
 * records and files, each visit's evidence against the rules (the evidence table applied to
 * the record, with each document's retrievability taken from the bag itself), the retention
 * date, the chain link to the branch's previous bundle, and the signature.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { retentionDate, MINIMUM_RETENTION_YEARS } from '../domain/deadlines.ts';
import type { VisitEvidenceRecord } from '../domain/evidence.ts';
import type { Message } from '../domain/messages.ts';
import { sha256OfFile } from '../store/files.ts';
import { today as businessToday } from '../env/clock.ts';
import { BAG_INFO_TXT, infoValue } from './bagit.ts';
import { hrefOf, parseIndexCsv, INDEX_CSV, INDEX_HTML, INDEX_JSON, type BundleIndex } from './index-files.ts';
import { RECORD_FILE } from './names.ts';
import type { ArchivedVisitRecord } from './record.ts';
import { periodEnd } from './retention.ts';
import { verdictChecks } from './verdict-checks.ts';
import { checkSignature, SIGNATURE_FILE, SIGNED_FILE } from './signing.ts';
import type { VerifiedBag, VerifyJob, VerifyOptions } from './verify-job.ts';

const INDEX_FILES = new Set([INDEX_JSON, INDEX_CSV, INDEX_HTML].map((f) => `data/${f}`));

function parseJson<T>(bag: VerifiedBag, path: string, job: VerifyJob, what: string): T | undefined {
  const bytes = bag.contents.get(path);
  if (!bytes) {
    if (bag.files.has(path)) job.error(path, `${what} could not be read`, 'huifang/index');
    return undefined;
  }
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (e) {
    job.error(path, `${what} is not valid JSON: ${(e as Error).message}`, 'huifang/record');
    return undefined;
  }
}

/**
 * huifang's profile: what verify checks of a huifang bundle after the BagIt checks, in the
 * order a reader follows them.
 */
export async function huifangChecks(
  bag: VerifiedBag,
  job: VerifyJob,
  opts: VerifyOptions,
  checkEvidence: (r: VisitEvidenceRecord) => Message[],
): Promise<void> {
  const records = checkIndex(bag, job);
  checkEvidenceOfVisits(bag, records, job, checkEvidence);
  verdictChecks(bag.info!, records, job);
  checkRetention(bag, records, job, opts);
  await checkChain(bag, job, opts);
  checkBundleSignature(bag, job, opts);
}

type IndexedVisit = BundleIndex['visits'][number];

/** The index against the visits' records and the bag's files; returns the records read, by visit id. */
function checkIndex(bag: VerifiedBag, job: VerifyJob): Map<string, ArchivedVisitRecord> {
  const records = new Map<string, ArchivedVisitRecord>();
  const index = parseJson<BundleIndex>(bag, `data/${INDEX_JSON}`, job, 'the index');
  if (!bag.files.has(`data/${INDEX_JSON}`))
    job.error(`data/${INDEX_JSON}`, 'missing: a huifang bundle carries an index', 'huifang/index');
  if (!index) return records;
  checkIndexHeader(bag.info!, index, job);
  const indexed = new Set(index.visits.map((v) => v.visitId));
  const folders = new Set(
    [...bag.files.keys()].filter((p) => p.startsWith('data/') && !INDEX_FILES.has(p)).map((p) => p.split('/')[1]!),
  );
  for (const folder of folders)
    if (!indexed.has(folder))
      job.error(`data/${folder}/`, `the folder is not in the index (data/${INDEX_JSON})`, 'huifang/index');
  const accounted = new Set<string>(INDEX_FILES);
  for (const v of index.visits) {
    const record = checkIndexedVisit(bag, v, accounted, job);
    if (record) records.set(v.visitId, record);
  }
  for (const p of bag.files.keys())
    if (p.startsWith('data/') && !accounted.has(p))
      job.error(p, 'the file is in no visit record and not in the index', 'huifang/index');
  checkIndexCsv(bag, index, job);
  checkIndexHtml(bag, index, job);
  return records;
}

/** The index names the bundle, branch, period and visit count bag-info.txt names. */
function checkIndexHeader(info: NonNullable<VerifiedBag['info']>, index: BundleIndex, job: VerifyJob): void {
  const external = infoValue(info, 'External-Identifier');
  if (index.bundle !== external)
    job.error(
      `data/${INDEX_JSON}`,
      `the index is for bundle "${index.bundle}", bag-info.txt says "${external}"`,
      'huifang/index',
    );
  if (index.period !== infoValue(info, 'Huifang-Period') || index.branch !== infoValue(info, 'Huifang-Branch')) {
    job.error(
      `data/${INDEX_JSON}`,
      `the index is for branch ${index.branch}, ${index.period}; bag-info.txt says ${infoValue(info, 'Huifang-Branch')}, ${infoValue(info, 'Huifang-Period')}`,
      'huifang/index',
    );
  }
  if (String(index.visits.length) !== infoValue(info, 'Huifang-Visit-Count')) {
    job.error(
      `data/${INDEX_JSON}`,
      `the index lists ${index.visits.length} visits, bag-info.txt says ${infoValue(info, 'Huifang-Visit-Count')}`,
      'huifang/index',
    );
  }
}

/** One visit of the index: its record present and agreeing, its files in the bag. Returns the record. */
function checkIndexedVisit(
  bag: VerifiedBag,
  v: IndexedVisit,
  accounted: Set<string>,
  job: VerifyJob,
): ArchivedVisitRecord | undefined {
  const recordPath = `data/${v.visitId}/${RECORD_FILE}`;
  accounted.add(recordPath);
  if (!bag.files.has(recordPath)) {
    job.error(recordPath, `the index lists visit ${v.visitId} but its record is not in the bag`, 'huifang/index');
    return undefined;
  }
  const record = parseJson<ArchivedVisitRecord>(bag, recordPath, job, `the record of visit ${v.visitId}`);
  if (!record) return undefined;
  if (record.visit?.visitId !== v.visitId)
    job.error(
      recordPath,
      `the record is of visit ${record.visit?.visitId}, in the folder of ${v.visitId}`,
      'huifang/record',
    );
  if (record.visit?.result !== v.result)
    job.error(recordPath, `the record says result ${record.visit?.result}, the index ${v.result}`, 'huifang/index');
  if (record.valid !== v.valid)
    job.error(
      recordPath,
      `the record says ${record.valid ? 'valid' : 'invalid'}, the index ${v.valid ? 'valid' : 'invalid'}`,
      'huifang/index',
    );
  if (record.customer?.customerId !== v.customerId)
    job.error(recordPath, `the record's customer differs from the index's`, 'huifang/index');
  checkVisitFiles(bag, v, record, accounted, job);
  return record;
}

/** The files of one visit: the index and the record list the same, with the bag's SHA-256. */
function checkVisitFiles(
  bag: VerifiedBag,
  v: IndexedVisit,
  record: ArchivedVisitRecord,
  accounted: Set<string>,
  job: VerifyJob,
): void {
  const recordPath = `data/${v.visitId}/${RECORD_FILE}`;
  const sha256Of = (path: string) => bag.digests.get(path)?.sha256;
  const recordFiles = new Map((record.files ?? []).map((f) => [f.path, f]));
  const indexFiles = new Map(v.files.map((f) => [f.path, f]));
  for (const [path, f] of indexFiles) {
    const full = `data/${path}`;
    accounted.add(full);
    const rf = recordFiles.get(path);
    if (!rf)
      job.error(recordPath, `the index lists ${path} for visit ${v.visitId}, the record does not`, 'huifang/index');
    else if (rf.sha256 !== f.sha256)
      job.error(recordPath, `the record and the index give different SHA-256 for ${path}`, 'huifang/index');
    if (!bag.files.has(full))
      job.error(full, `listed in the index of visit ${v.visitId} but not in the bag`, 'huifang/index');
    else if (sha256Of(full) && sha256Of(full) !== f.sha256)
      job.error(
        full,
        `the file's SHA-256 is ${sha256Of(full)!.slice(0, 16)}…, the index says ${f.sha256.slice(0, 16)}…`,
        'huifang/index',
      );
  }
  for (const path of recordFiles.keys()) {
    accounted.add(`data/${path}`);
    if (!indexFiles.has(path))
      job.error(
        `data/${INDEX_JSON}`,
        `the record of visit ${v.visitId} lists ${path}, the index does not`,
        'huifang/index',
      );
  }
}

/** index.csv tells the same story as index.json. */
function checkIndexCsv(bag: VerifiedBag, index: BundleIndex, job: VerifyJob): void {
  const csvBytes = bag.contents.get(`data/${INDEX_CSV}`);
  if (!csvBytes)
    job.error(`data/${INDEX_CSV}`, 'missing or unreadable: a huifang bundle carries index.csv', 'huifang/index');
  else {
    const rows = parseIndexCsv(csvBytes);
    const fromCsv = new Set(rows.map((r) => `${r.visit_id}|${r.file}|${r.sha256}|${r.result}`));
    const fromJson = new Set(
      index.visits.flatMap((v) => [
        `${v.visitId}|${v.record}||${v.result}`,
        ...v.files.map((f) => `${v.visitId}|${f.path}|${f.sha256}|${v.result}`),
      ]),
    );
    const onlyCsv = [...fromCsv].filter((k) => !fromJson.has(k));
    const onlyJson = [...fromJson].filter((k) => !fromCsv.has(k));
    if (onlyCsv.length || onlyJson.length) {
      const sample = (onlyJson[0] ?? onlyCsv[0])!.split('|');
      job.error(
        `data/${INDEX_CSV}`,
        `index.csv disagrees with index.json in ${onlyCsv.length + onlyJson.length} row(s), e.g. visit ${sample[0]}, file ${sample[1]}`,
        'huifang/index',
      );
    }
  }
}

/** index.html links every file and opens offline. */
function checkIndexHtml(bag: VerifiedBag, index: BundleIndex, job: VerifyJob): void {
  const htmlBytes = bag.contents.get(`data/${INDEX_HTML}`);
  if (!htmlBytes)
    job.error(`data/${INDEX_HTML}`, 'missing or unreadable: a huifang bundle carries index.html', 'huifang/index');
  else {
    const html = htmlBytes.toString('utf8');
    const unlinked = index.visits
      .flatMap((v) => [v.record, ...v.files.map((f) => f.path)])
      .filter((p) => !html.includes(`href="${hrefOf(p)}"`));
    if (unlinked.length)
      job.error(
        `data/${INDEX_HTML}`,
        `index.html does not link ${unlinked.length} file(s), e.g. ${unlinked[0]}`,
        'huifang/index',
      );
    if (/<script|\bsrc\s*=\s*"(?:https?:)?\/\//i.test(html))
      job.error(
        `data/${INDEX_HTML}`,
        'index.html loads scripts or external resources; it must open offline on its own',
        'huifang/index',
      );
  }
}

/** Each visit's evidence re-checked against the rules, with what the bag itself holds. */
function checkEvidenceOfVisits(
  bag: VerifiedBag,
  records: ReadonlyMap<string, ArchivedVisitRecord>,
  job: VerifyJob,
  checkEvidence: (r: VisitEvidenceRecord) => Message[],
): void {
  const declaredInvalid = new Set(
    (infoValue(bag.info!, 'Huifang-Includes-Invalid') ?? '').split(/\s+/).filter((t) => /^HF-/.test(t)),
  );
  for (const [visitId, record] of records)
    checkVisitEvidence(bag, visitId, record, declaredInvalid, job, checkEvidence);
  if (declaredInvalid.size)
    job.note(
      `The bundle includes ${declaredInvalid.size} visit(s) that failed validation, archived with --include-invalid: ${[...declaredInvalid].join(' ')}`,
      'huifang/evidence',
      BAG_INFO_TXT,
    );
}

function checkVisitEvidence(
  bag: VerifiedBag,
  visitId: string,
  record: ArchivedVisitRecord,
  declaredInvalid: ReadonlySet<string>,
  job: VerifyJob,
  checkEvidence: (r: VisitEvidenceRecord) => Message[],
): void {
  const sha256Of = (path: string) => bag.digests.get(path)?.sha256;
  const recordPath = `data/${visitId}/${RECORD_FILE}`;
  const ev = record.evidence;
  if (!ev) {
    job.error(recordPath, 'the record has no evidence record; the evidence cannot be re-checked', 'huifang/evidence');
    return;
  }
  if (
    ev.visitId !== visitId ||
    ev.channel !== record.visit.channel ||
    ev.category !== record.visit.category ||
    ev.result !== record.visit.result ||
    ev.customerKind !== record.customer.kind
  ) {
    job.error(recordPath, 'the evidence record disagrees with the visit or customer it belongs to', 'huifang/evidence');
  }
  const inBag = new Map((record.files ?? []).map((f) => [`${f.kind}|${f.role}|${f.sha256}`, f]));
  const recheck: VisitEvidenceRecord = {
    ...ev,
    documents: ev.documents.map((d) => {
      const f = inBag.get(`${d.kind}|${d.role}|${d.sha256}`);
      return { ...d, retrievable: Boolean(f && sha256Of(`data/${f.path}`) === d.sha256) };
    }),
  };
  const found = checkEvidence(recheck).filter((m) => m.severity === 'error');
  const claimedValid = record.valid === true;
  if (!claimedValid && !declaredInvalid.has(visitId))
    job.error(
      BAG_INFO_TXT,
      `visit ${visitId} failed validation but Huifang-Includes-Invalid does not name it`,
      'huifang/evidence',
    );
  if (claimedValid && declaredInvalid.has(visitId))
    job.error(
      recordPath,
      `bag-info.txt names visit ${visitId} as invalid but its record says valid`,
      'huifang/evidence',
    );
  for (const m of found) {
    const text = `visit ${visitId}: ${m.reason} [${m.ruleId}]`;
    if (claimedValid) job.error(recordPath, text, 'huifang/evidence');
    else job.warn(recordPath, `${text} (archived as invalid with --include-invalid)`, 'huifang/evidence');
  }
}

/** The retention date: a real date, at least the minimum after the period, and what each visit requires. */
function checkRetention(
  bag: VerifiedBag,
  records: ReadonlyMap<string, ArchivedVisitRecord>,
  job: VerifyJob,
  opts: VerifyOptions,
): void {
  const info = bag.info!;
  const period = infoValue(info, 'Huifang-Period') ?? '';
  const retain = infoValue(info, 'Huifang-Retain-Until') ?? '';
  if (!/^\d{4}-\d{2}$/.test(period))
    job.error(BAG_INFO_TXT, `Huifang-Period "${period}" is not YYYY-MM`, 'huifang/retention');
  else if (!/^\d{4}-\d{2}-\d{2}$/.test(retain))
    job.error(BAG_INFO_TXT, `Huifang-Retain-Until "${retain}" is not a date`, 'huifang/retention');
  else {
    const minimum = retentionDate(periodEnd(period), MINIMUM_RETENTION_YEARS);
    if (retain < minimum)
      job.error(
        BAG_INFO_TXT,
        `Huifang-Retain-Until ${retain} is less than ${MINIMUM_RETENTION_YEARS} years after the period (${minimum}, 第三十九条)`,
        'huifang/retention',
      );
    for (const [visitId, r] of records) {
      if (r.retention?.retainUntil && r.retention.retainUntil > retain) {
        job.error(
          BAG_INFO_TXT,
          `Huifang-Retain-Until ${retain} is earlier than visit ${visitId} requires (${r.retention.retainUntil}, ${r.retention.recordCategories.join(', ')})`,
          'huifang/retention',
        );
      }
    }
    const today = opts.today ?? businessToday();
    if (today > retain)
      job.note(
        `Retention passed on ${retain}: the bundle may be disposed of unless a legal hold keeps it.`,
        'huifang/retention',
        BAG_INFO_TXT,
      );
    else job.note(`Retain until ${retain}.`, 'huifang/retention', BAG_INFO_TXT);
  }
}

/** The chain link to the branch's previous bundle, when that bundle is given or lies beside. */
async function checkChain(bag: VerifiedBag, job: VerifyJob, opts: VerifyOptions): Promise<void> {
  const info = bag.info!;
  const prevSha = infoValue(info, 'Huifang-Previous-Bundle-SHA256') ?? '';
  const prevName = infoValue(info, 'Huifang-Previous-Bundle') ?? '';
  if (prevSha === 'none' || prevSha === '') {
    if (opts.previous)
      job.error(
        BAG_INFO_TXT,
        `--previous was given, but this bundle names no previous bundle (Huifang-Previous-Bundle-SHA256: none)`,
        'huifang/chain',
      );
    else job.note('Chain: the first bundle of its branch (no previous bundle).', 'huifang/chain', BAG_INFO_TXT);
  } else if (!/^[0-9a-f]{64}$/.test(prevSha))
    job.error(BAG_INFO_TXT, `Huifang-Previous-Bundle-SHA256 "${prevSha}" is not a SHA-256`, 'huifang/chain');
  else {
    const beside =
      bag.source.kind === 'zip' && prevName && !/[\\/]/.test(prevName)
        ? join(dirname(bag.source.location), prevName)
        : undefined;
    const candidate = opts.previous ? resolve(opts.previous) : beside && existsSync(beside) ? beside : undefined;
    if (!candidate)
      job.note(
        `Chain not checked: the previous bundle ${prevName} (SHA-256 ${prevSha.slice(0, 16)}…) is not beside this one`,
        'huifang/chain',
        BAG_INFO_TXT,
        'pass --previous FILE',
      );
    else {
      const { sha256 } = await sha256OfFile(candidate);
      if (sha256 !== prevSha)
        job.error(
          BAG_INFO_TXT,
          `chain broken: the previous bundle ${candidate} has SHA-256 ${sha256.slice(0, 16)}…, this bundle names ${prevSha.slice(0, 16)}…`,
          'huifang/chain',
        );
      else job.note(`Chain: the previous bundle ${candidate} matches.`, 'huifang/chain', BAG_INFO_TXT);
    }
  }
}

/** The signature over the tag manifest, by the key bag-info.txt names (or the one given). */
function checkBundleSignature(bag: VerifiedBag, job: VerifyJob, opts: VerifyOptions): void {
  const info = bag.info!;
  const declaredKey = infoValue(info, 'Huifang-Signing-Key-Fingerprint');
  const signature = bag.contents.get(SIGNATURE_FILE);
  if (signature) {
    const check = checkSignature(signature, bag.contents.get(SIGNED_FILE), opts.key);
    if (!check.ok) job.error(SIGNATURE_FILE, check.problem, 'huifang/signature');
    else if (declaredKey && declaredKey !== check.fingerprint)
      job.error(
        SIGNATURE_FILE,
        `signed with key ${check.fingerprint}, bag-info.txt names ${declaredKey}`,
        'huifang/signature',
      );
    else if (!declaredKey)
      job.error(
        BAG_INFO_TXT,
        'the bundle is signed but bag-info.txt names no Huifang-Signing-Key-Fingerprint',
        'huifang/signature',
      );
    else
      job.note(
        check.keyGiven
          ? `Signature: valid, by the key given (${check.fingerprint}).`
          : `Signature: valid, by the key embedded in it (${check.fingerprint})`,
        'huifang/signature',
        SIGNATURE_FILE,
        check.keyGiven ? undefined : 'compare that fingerprint with the one you expect, or pass --key',
      );
  } else if (declaredKey)
    job.error(
      SIGNATURE_FILE,
      `removed: bag-info.txt says the bundle is signed by ${declaredKey}, but the signature is not in the bag`,
      'huifang/signature',
    );
  else if (opts.key)
    job.error(SIGNATURE_FILE, 'missing: --key was given but the bundle is not signed', 'huifang/signature');
  else job.note('Signature: the bundle is not signed.', 'huifang/signature');
}

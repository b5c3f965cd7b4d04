/**
 * `verify`: checks a bundle (zip) or any BagIt bag (zip or folder), cheap to expensive, as
 * bagit-python does: structure, bagit.txt, bag-info.txt, Payload-Oxum, completeness, every
 * checksum of every manifest, the tag manifests; then, for huifang's bundles, the index
 * against the visits' records, each visit's evidence against the rules, the retention
 * date, the chain and the signature. A zip is never unpacked: each file is streamed once
 * and every block is fed to all the hashers that file needs.
 *
 * Hostile or unreadable zips are refused before any data is read (HostileZipError,
 * UnreadableZipError from ./zip-reader.ts).
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { getHashes } from 'node:crypto';
import { checkEvidence as domainCheckEvidence } from '../domain/evidence.ts';
import { openFolderBag, openZipBag, EntryCrcError, type BagSource } from './bag-source.ts';
import {
  ALGORITHMS,
  BAGIT_TXT,
  BAG_INFO_TXT,
  DRAFT_VERSIONS,
  FETCH_TXT,
  PACKAGE_INFO_TXT,
  MANIFEST_RE,
  TAGMANIFEST_RE,
  SUPPORTED_VERSIONS,
  decodeTagFile,
  infoValue,
  parseBagInfo,
  parseBagitTxt,
  parseManifest,
  parseOxum,
  type BagInfo,
  type Manifest,
} from './bagit.ts';
import { judgeFetch, parseFetch, type FetchEntry } from './fetch.ts';
import { HashPool } from './hashing.ts';
import { huifangChecks } from './huifang-checks.ts';
import type { Message } from '../domain/messages.ts';
import { VerifyJob, type VerifyOptions } from './verify-job.ts';
import { hostileNameReason } from './zip-reader.ts';
import { collisionKey } from './names.ts';
import { SIGNATURE_FILE } from './signing.ts';

export interface VerifyReport {
  ok: boolean;
  /** The zip or folder, absolute. */
  location: string;
  bag: string;
  version: string | null;
  /** Whether huifang's own checks ran (the bag is a huifang bundle). */
  huifang: boolean;
  files: number;
  bytes: number;
  /**
   * Everything verify found, as domain messages: errors (the bag is invalid), warnings, and
   * infos (what was checked or left unchecked: the chain, the signature, the retention date).
   * `place.entry` is the path inside the bag, relative to its top-level folder.
   */
  problems: Message[];
}

const MAX_TAG_FILE = 1024 * 2 ** 20;
const MAX_KEPT_PAYLOAD = 64 * 2 ** 20;

async function readWhole(source: BagSource, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of source.stream(path)) chunks.push(c);
  return Buffer.concat(chunks);
}

const nodeHashes = new Set(getHashes());
const short = (h: string) => (h.length > 16 ? h.slice(0, 16) + '…' : h);

/** Whether a payload file is one the huifang checks read whole. */
function keptForHuifang(path: string): boolean {
  return /^data\/index\.(json|csv|html)$/.test(path) || /^data\/[^/]+\/record\.json$/.test(path);
}

/** Opens and verifies a bundle or bag. Throws HostileZipError / UnreadableZipError when it refuses. */
export async function verifyBundle(path: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const isDir = statSync(path).isDirectory();
  const source = isDir ? await openFolderBag(path) : await openZipBag(path, opts.limits);
  try {
    return await verifySource(source, opts);
  } finally {
    source.close();
  }
}

/**
 * What the steps of verification learn about the bag, filled in as they run (as a vfile
 * carries its data from one stage to the next). Problems go to `job`.
 */
interface BagReading {
  source: BagSource;
  opts: VerifyOptions;
  job: VerifyJob;
  /** Every file of the bag and its size, by path inside the bag. */
  files: Map<string, number>;
  /** The tag files (outside data/), sorted. */
  tagPaths: string[];
  /** The payload files (inside data/), sorted. */
  payloadPaths: string[];
  /** Whole contents of the tag files, and of the payload files huifang's checks read. */
  contents: Map<string, Buffer>;
  version: string | null;
  /** The tag files' encoding, as bagit.txt declares it. */
  encoding: string;
  /** Read by RFC 8493's rules (1.0, or no version), not a draft's. */
  modern: boolean;
  info: BagInfo | undefined;
  /** bag-info.txt, or package-info.txt in a bag before 0.96. */
  infoPath: string | undefined;
  payloadManifests: Manifest[];
  tagManifests: Manifest[];
  /** Files fetch.txt lists that are not in the bag yet, by path. */
  unfetched: Map<string, FetchEntry>;
  /** bag-info.txt says the bag is a huifang bundle (Huifang-Format). */
  huifang: boolean;
  /** Digests computed from the bytes, by path and algorithm. */
  digests: Map<string, Record<string, string>>;
}

/** Verifies an opened bag source: the steps below, cheap to expensive, each recording on the job. */
async function verifySource(source: BagSource, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const bag = startReading(source, opts);
  if (!checkStructure(bag)) return reportOf(bag);
  await readTagFiles(bag);
  readDeclaration(bag);
  readBagInfoFile(bag);
  readManifests(bag);
  readFetchList(bag);
  checkPayloadOxum(bag);
  const gaps = findGaps(bag);
  await hashEveryFile(bag);
  reportGaps(bag, gaps);
  compareChecksums(bag);
  await runProfile(bag);
  return reportOf(bag);
}

function startReading(source: BagSource, opts: VerifyOptions): BagReading {
  const files = new Map(source.files.map((f) => [f.path, f.size]));
  const paths = [...files.keys()];
  return {
    source,
    opts,
    job: new VerifyJob(),
    files,
    tagPaths: paths.filter((p) => !p.startsWith('data/')).sort(),
    payloadPaths: paths.filter((p) => p.startsWith('data/')).sort(),
    contents: new Map(),
    version: null,
    encoding: 'UTF-8',
    modern: true,
    info: undefined,
    infoPath: undefined,
    payloadManifests: [],
    tagManifests: [],
    unfetched: new Map(),
    huifang: false,
    digests: new Map(),
  };
}

function reportOf(bag: BagReading): VerifyReport {
  return {
    ok: !bag.job.messages.some((m) => m.severity === 'error'),
    location: bag.source.location,
    bag: bag.source.bagName,
    version: bag.version,
    huifang: bag.huifang,
    files: bag.files.size,
    bytes: [...bag.files.values()].reduce((a, b) => a + b, 0),
    problems: bag.job.messages,
  };
}

/** 1. Structure: what the source found (one top-level folder), and bagit.txt present. */
function checkStructure({ source, files, job }: BagReading): boolean {
  for (const p of source.structureProblems) job.error(p.path, p.problem, p.rule);
  if (files.has(BAGIT_TXT)) return true;
  job.error(BAGIT_TXT, 'missing: without bagit.txt this is not a BagIt bag', 'bag/not-a-bag');
  return false;
}

/** Reads every tag file whole; one too large to hold, or unreadable, is named. */
async function readTagFiles({ source, files, tagPaths, contents, job }: BagReading): Promise<void> {
  for (const p of tagPaths) {
    if (files.get(p)! > MAX_TAG_FILE)
      job.error(p, `a tag file of ${files.get(p)} bytes is too large to read`, 'bag/tag-file');
    else {
      try {
        contents.set(p, await readWhole(source, p));
      } catch (e) {
        job.error(p, damage(e), 'bag/damaged');
      }
    }
  }
}

/** 2. bagit.txt: the version, and the encoding of the other tag files. */
function readDeclaration(bag: BagReading): void {
  const declaration = parseBagitTxt(bag.contents.get(BAGIT_TXT) ?? Buffer.alloc(0));
  for (const pr of declaration.problems) bag.job.error(BAGIT_TXT, `line ${pr.line}: ${pr.problem}`, 'bag/bagit-txt');
  const version = declaration.version || null;
  if (version && !SUPPORTED_VERSIONS.includes(version))
    bag.job.error(
      BAGIT_TXT,
      `BagIt-Version ${version} is not one huifang reads (${SUPPORTED_VERSIONS.join(', ')}); checked as 1.0`,
      'bag/version',
    );
  bag.version = version;
  bag.encoding = declaration.encoding;
  bag.modern = version === null || !DRAFT_VERSIONS.includes(version);
}

/** 3. bag-info.txt (package-info.txt before 0.96): its lines, and whether the bag is a huifang bundle. */
function readBagInfoFile(bag: BagReading): void {
  const { files, contents } = bag;
  bag.infoPath = files.has(BAG_INFO_TXT)
    ? BAG_INFO_TXT
    : !bag.modern && files.has(PACKAGE_INFO_TXT)
      ? PACKAGE_INFO_TXT
      : undefined;
  const held = bag.infoPath && contents.get(bag.infoPath);
  if (!held) return;
  const info = parseBagInfo(decodeTagFile(held, bag.encoding));
  for (const pr of info.problems) bag.job.error(bag.infoPath!, `line ${pr.line}: ${pr.problem}`, 'bag/bag-info');
  bag.info = info;
  bag.huifang = Boolean(infoValue(info, 'Huifang-Format'));
}

/** 4. The manifests: a supported algorithm, their lines, and which files each may list. */
function readManifests(bag: BagReading): void {
  const { job, contents } = bag;
  for (const p of bag.tagPaths) {
    const m = MANIFEST_RE.exec(p) ?? TAGMANIFEST_RE.exec(p);
    if (!m || !contents.has(p)) continue;
    const algorithm = m[1]!;
    if (!ALGORITHMS[algorithm] || !nodeHashes.has(algorithm)) {
      job.error(
        p,
        `checksum algorithm "${algorithm}" is not supported (md5, sha1, sha224, sha256, sha384, sha512); its checksums are not checked`,
        'bag/algorithm',
      );
      continue;
    }
    const text = decodeTagFile(contents.get(p)!, bag.encoding);
    const manifest = parseManifest(text, algorithm, bag.modern ? '1.0' : bag.version!);
    for (const pr of manifest.problems) job.error(p, `line ${pr.line}: ${pr.problem}`, 'bag/manifest-line');
    for (const pr of manifest.remarks) job.warn(p, `line ${pr.line}: ${pr.problem}`, 'bag/manifest-style');
    const isTag = p.startsWith('tag');
    manifest.entries = admitEntries(bag, p, manifest, isTag);
    (isTag ? bag.tagManifests : bag.payloadManifests).push(manifest);
  }
  if (bag.payloadManifests.length === 0)
    job.error(
      'manifest-sha256.txt',
      'missing: a bag needs at least one payload manifest (manifest-<algorithm>.txt)',
      'bag/no-manifest',
    );
  if (bag.tagManifests.length === 0 && bag.modern)
    job.note(
      'The bag has no tag manifest: bagit.txt and bag-info.txt are not protected by checksums.',
      'bag/no-tag-manifest',
    );
}

/**
 * A manifest's entries whose paths are safe and in its part of the bag, each file once: of
 * two spellings of one file, the one the bag holds.
 */
function admitEntries(bag: BagReading, manifestPath: string, manifest: Manifest, isTag: boolean): Manifest['entries'] {
  const seen = new Map<string, Manifest['entries'][number]>();
  const admitted = manifest.entries.filter((e) => {
    const bad = entryPathProblem(e.path, isTag);
    if (bad) {
      bag.job.error(manifestPath, `line ${e.line}: "${e.path}"${bad}`, 'bag/manifest-path');
      return false;
    }
    const key = collisionKey(e.path);
    const earlier = seen.get(key);
    if (!earlier) seen.set(key, e);
    else if (keepOneOfTwice(bag.job, manifestPath, earlier, e, bag.files, bag.modern)) seen.set(key, e);
    return true;
  });
  return admitted.filter((e) => seen.get(collisionKey(e.path)) === e);
}

/** Why a manifest may not list this path (the rest of a sentence after it), or undefined. */
function entryPathProblem(path: string, isTag: boolean): string | undefined {
  const bad =
    hostileNameReason(path) ??
    (path.split('/').some((c) => c === '.' || c === '') ? 'the path has an empty or "." component' : undefined);
  if (bad) return `: ${bad}`;
  if (!isTag && !path.startsWith('data/')) return ' is outside data/; a payload manifest lists only payload files';
  if (isTag && path.startsWith('data/')) return ' is a payload file; a tag manifest must not list payload files';
  return undefined;
}

const nameOf = (m: Manifest, tag: boolean) => `${tag ? 'tag' : ''}manifest-${m.algorithm}.txt`;

/** fetch.txt: its lines judged against the bag, and the files still to be fetched. */
function readFetchList(bag: BagReading): void {
  const held = bag.contents.get(FETCH_TXT);
  if (!held) return;
  const list = parseFetch(decodeTagFile(held, bag.encoding), bag.modern);
  bag.unfetched = judgeFetch(list, bag.files, bag.payloadManifests, bag.job);
  if (bag.unfetched.size)
    bag.job.note(
      `The bag is incomplete: ${bag.unfetched.size} file(s) listed in fetch.txt are not in it yet`,
      'bag/incomplete',
      FETCH_TXT,
      'fetch them, then verify again',
    );
}

/** 5. Payload-Oxum against the payload's sizes (cheap: sizes only); files the OS writes by itself. */
function checkPayloadOxum(bag: BagReading): void {
  const { job, files, payloadPaths, infoPath } = bag;
  for (const p of payloadPaths) {
    const name = p.slice(p.lastIndexOf('/') + 1);
    if (SYSTEM_FILE_RE.test(name))
      job.warn(
        p,
        `"${name}" is a file the operating system writes by itself, probably not meant as payload`,
        'bag/system-file',
      );
  }
  const oxumValue = bag.info && infoValue(bag.info, 'Payload-Oxum');
  if (oxumValue !== undefined && bag.unfetched.size)
    job.note('Payload-Oxum not checked: it counts files not fetched yet.', 'bag/oxum', infoPath);
  else if (oxumValue !== undefined) {
    const oxum = parseOxum(oxumValue);
    const octets = payloadPaths.reduce((n, p) => n + files.get(p)!, 0);
    if (!oxum) job.error(infoPath!, `Payload-Oxum "${oxumValue}" is not octets.streams`, 'bag/oxum');
    else if (oxum.octets !== octets || oxum.streams !== payloadPaths.length) {
      job.error(
        infoPath!,
        `Payload-Oxum says ${oxum.octets} bytes in ${oxum.streams} files, the payload holds ${octets} bytes in ${payloadPaths.length} files`,
        'bag/oxum',
      );
    }
  } else if (bag.modern && bag.info) job.note('bag-info.txt has no Payload-Oxum.', 'bag/oxum', infoPath);
}

/** What the manifests and the bag disagree on, before any checksum is computed. */
interface Gaps {
  /** Manifest entries whose file is not in the bag. */
  missing: { path: string; manifest: Manifest; tag: boolean; checksum: string }[];
  /** Payload files a payload manifest does not list, with the manifests that miss them. */
  unlisted: Map<string, string[]>;
  /** Tag files no tag manifest covers, with the tag manifests (the signature excepted). */
  unlistedTags: Map<string, string[]>;
}

/** 6. Completeness: every manifest entry present, every payload file listed. */
function findGaps({ files, payloadPaths, tagPaths, payloadManifests, tagManifests }: BagReading): Gaps {
  const gaps: Gaps = { missing: [], unlisted: new Map(), unlistedTags: new Map() };
  for (const [list, tag] of [
    [payloadManifests, false],
    [tagManifests, true],
  ] as const) {
    for (const m of list) {
      const listed = new Set(m.entries.map((e) => e.path));
      for (const e of m.entries)
        if (!files.has(e.path)) gaps.missing.push({ path: e.path, manifest: m, tag, checksum: e.checksum });
      if (!tag)
        for (const p of payloadPaths)
          if (!listed.has(p)) gaps.unlisted.set(p, [...(gaps.unlisted.get(p) ?? []), nameOf(m, false)]);
    }
  }
  // Tag files outside the tag manifests: RFC 8493 allows them, huifang's bundles have none
  // (but the signature, which cannot list itself). They are hashed, to spot a renamed one.
  if (tagManifests.length) {
    const covered = new Set(tagManifests.flatMap((m) => m.entries.map((e) => e.path)));
    for (const p of tagPaths) {
      if (covered.has(p) || TAGMANIFEST_RE.test(p) || p === SIGNATURE_FILE) continue;
      gaps.unlistedTags.set(
        p,
        tagManifests.map((m) => nameOf(m, true)),
      );
    }
  }
  return gaps;
}

/** 7. Every checksum: each file streamed once, every block fed to all the hashers it needs. */
async function hashEveryFile(bag: BagReading): Promise<void> {
  hashTagFiles(bag);
  const pool = HashPool.create();
  try {
    await collectDigests(bag, await streamPayload(bag, pool));
  } finally {
    await pool.close();
  }
}

/** The tag files, already read whole, hashed here (with SHA-256 for huifang's checks). */
function hashTagFiles(bag: BagReading): void {
  const algorithms = [...new Set([...bag.tagManifests.map((m) => m.algorithm), ...(bag.huifang ? ['sha256'] : [])])];
  for (const p of bag.tagPaths) {
    const held = bag.contents.get(p);
    if (!held || algorithms.length === 0) continue; // unreadable tag file: reported already
    bag.digests.set(p, Object.fromEntries(algorithms.map((a) => [a, createHash(a).update(held).digest('hex')])));
  }
}

type PendingDigest = [path: string, sums: Promise<Record<string, string>>];

/**
 * Streams every payload file to the hashing threads; keeps whole the files huifang's checks
 * read. A zip entry's CRC-32 is computed by the hashing threads with its checksums, so this
 * thread only reads.
 */
async function streamPayload(bag: BagReading, pool: HashPool): Promise<PendingDigest[]> {
  const { source, files, job, contents, payloadPaths } = bag;
  const algorithms = [...new Set(bag.payloadManifests.map((m) => m.algorithm))];
  const pending: PendingDigest[] = [];
  if (algorithms.length === 0) return pending;
  const crcByPool = source.kind === 'zip';
  for (const p of payloadPaths) {
    const hasher = pool.begin(crcByPool ? [...algorithms, 'crc32'] : algorithms);
    const keep = keptForHuifang(p) && files.get(p)! <= MAX_KEPT_PAYLOAD;
    const chunks: Buffer[] = [];
    try {
      // Each chunk is read into memory the hashing threads share, then handed to them.
      for await (const c of source.stream(p, { crc: !crcByPool, buffers: () => hasher.buffer() })) {
        if (keep) chunks.push(Buffer.from(c));
        await hasher.update(c);
      }
    } catch (e) {
      hasher.release();
      job.error(p, damage(e), 'bag/damaged');
      continue;
    }
    if (keep) contents.set(p, Buffer.concat(chunks));
    pending.push([p, hasher.digest()]);
    bag.opts.onProgress?.(pending.length, payloadPaths.length);
  }
  return pending;
}

/** The payload's digests as the threads finish them; a zip entry whose CRC-32 fails is damaged. */
async function collectDigests(bag: BagReading, pending: PendingDigest[]): Promise<void> {
  const { source } = bag;
  for (const [p, d] of pending) {
    const { crc32: crc, ...sums } = await d;
    if (source.kind === 'zip' && crc !== source.crc32Of(p)) {
      // As when the stream checks it: the zip is damaged there, and its checksums say nothing more.
      bag.job.error(p, damage(new EntryCrcError(`${source.bagName}/${p}`)), 'bag/damaged');
      bag.contents.delete(p);
      continue;
    }
    bag.digests.set(p, sums);
  }
}

/** Files removed, added or renamed: a missing path whose checksum an unlisted file has is renamed. */
function reportGaps(bag: BagReading, gaps: Gaps): void {
  const renamedFrom = new Map<string, string>();
  const renamedTo = new Map<string, string>();
  for (const m of gaps.missing) {
    if (renamedTo.has(m.path)) continue;
    for (const p of m.tag ? gaps.unlistedTags.keys() : gaps.unlisted.keys()) {
      if (renamedFrom.has(p)) continue;
      if (bag.digests.get(p)?.[m.manifest.algorithm] === m.checksum) {
        renamedFrom.set(p, m.path);
        renamedTo.set(m.path, p);
        break;
      }
    }
  }
  reportMissing(bag, gaps, renamedTo);
  reportUnlisted(bag, gaps, renamedFrom);
}

function reportMissing({ job, unfetched }: BagReading, gaps: Gaps, renamedTo: Map<string, string>): void {
  const reported = new Set<string>();
  for (const m of gaps.missing) {
    if (reported.has(m.path)) continue;
    reported.add(m.path);
    const manifests = gaps.missing.filter((x) => x.path === m.path).map((x) => nameOf(x.manifest, x.tag));
    const to = renamedTo.get(m.path);
    const fetchFrom = unfetched.get(m.path);
    if (to)
      job.error(
        m.path,
        `renamed: the file is now "${to}" (same checksum); ${manifests.join(', ')} list it under this name`,
        'bag/renamed',
      );
    else if (fetchFrom)
      job.error(
        m.path,
        `not fetched yet: fetch.txt line ${fetchFrom.line} lists it at ${fetchFrom.url}; the bag is incomplete until it is fetched`,
        'bag/incomplete',
      );
    else job.error(m.path, `removed: listed in ${manifests.join(', ')} but not in the bag`, 'bag/missing');
  }
}

function reportUnlisted({ job, huifang }: BagReading, gaps: Gaps, renamedFrom: Map<string, string>): void {
  const renamed = (p: string, from: string, manifests: string[]) =>
    job.error(
      p,
      `renamed: this is "${from}" under a new name; it is not listed in ${manifests.join(', ')}`,
      'bag/renamed',
    );
  for (const [p, manifests] of gaps.unlisted) {
    const from = renamedFrom.get(p);
    if (from) renamed(p, from, manifests);
    else job.error(p, `added: in the bag but not listed in ${manifests.join(', ')}`, 'bag/extra');
  }
  for (const [p, manifests] of gaps.unlistedTags) {
    const from = renamedFrom.get(p);
    if (from) renamed(p, from, manifests);
    else if (huifang)
      job.error(
        p,
        `added: a tag file that ${manifests.join(', ')} does not cover; a huifang bundle has none`,
        'bag/extra',
      );
    else
      job.warn(
        p,
        `a tag file that ${manifests.join(', ')} does not cover (allowed by RFC 8493, but unprotected)`,
        'bag/unlisted-tag-file',
      );
  }
}

/** Every checksum of every manifest against the file's bytes. */
function compareChecksums({ job, digests, payloadManifests, tagManifests }: BagReading): void {
  for (const [list, tag] of [
    [payloadManifests, false],
    [tagManifests, true],
  ] as const) {
    for (const m of list) {
      for (const e of m.entries) {
        const found = digests.get(e.path)?.[m.algorithm];
        if (found !== undefined && found !== e.checksum) {
          job.error(
            e.path,
            `changed: its ${m.algorithm} is ${short(found)}, ${nameOf(m, tag)} says ${short(e.checksum)}`,
            'bag/checksum',
          );
        }
      }
    }
  }
}

/** 8. huifang's own checks, for a huifang bundle; for any other bag, what was not checked. */
async function runProfile(bag: BagReading): Promise<void> {
  const { job, opts } = bag;
  if (bag.huifang) {
    const { source, info, files, digests, contents, payloadManifests, tagManifests } = bag;
    await huifangChecks(
      { source, info: info!, files, digests, contents, payloadManifests, tagManifests },
      job,
      opts,
      opts.checkEvidence ?? domainCheckEvidence,
    );
    return;
  }
  job.note(
    `Not a huifang bundle (bag-info.txt has no Huifang-Format): checked as a BagIt ${bag.version ?? ''} bag; huifang's checks (index, evidence, retention, chain, signature) skipped.`,
    'huifang/format',
  );
  if (opts.key)
    job.error(SIGNATURE_FILE, 'missing: --key was given but the bag carries no huifang signature', 'huifang/signature');
}

/** Names operating systems write into folders by themselves (Finder, Explorer, AppleDouble). */
const SYSTEM_FILE_RE = /^(\.DS_Store|Thumbs\.db|desktop\.ini|\._.+)$/i;

/**
 * A manifest lists one file twice: under the same name, or under names that differ only in
 * case or Unicode normalisation (one file on Windows and macOS). With one checksum this is
 * harmless (a warning; before 1.0 only, for the very same name); with two, the bag
 * contradicts itself. Returns whether to keep `later` in place of `earlier`: the spelling
 * the bag holds wins.
 */
function keepOneOfTwice(
  job: VerifyJob,
  manifestPath: string,
  earlier: Manifest['entries'][number],
  later: Manifest['entries'][number],
  files: ReadonlyMap<string, number>,
  modern: boolean,
): boolean {
  const where = `lines ${earlier.line} and ${later.line}`;
  if (earlier.checksum !== later.checksum) {
    job.error(
      manifestPath,
      `${where}: "${later.path}" is listed twice with different checksums`,
      'bag/manifest-duplicate',
    );
  } else if (earlier.path === later.path) {
    if (modern)
      job.error(
        manifestPath,
        `${where}: "${later.path}" is listed twice; RFC 8493 lists each file once`,
        'bag/manifest-duplicate',
      );
    else
      job.warn(
        manifestPath,
        `${where}: "${later.path}" is listed twice with the same checksum`,
        'bag/manifest-duplicate',
      );
  } else {
    const form = (s: string) => (s === s.normalize('NFC') ? 'NFC' : s === s.normalize('NFD') ? 'NFD' : 'mixed');
    if (earlier.path.normalize('NFC') === later.path.normalize('NFC'))
      job.warn(
        manifestPath,
        `${where}: "${later.path.normalize('NFC')}" is listed twice, in two Unicode normalisations (${form(earlier.path)} and ${form(later.path)}); on macOS and to most tools they are one file`,
        'bag/manifest-duplicate',
      );
    else
      job.warn(
        manifestPath,
        `${where}: "${earlier.path}" and "${later.path}" differ only in case; on Windows and macOS they are one file`,
        'bag/manifest-duplicate',
      );
    return !files.has(earlier.path) && files.has(later.path);
  }
  return false;
}

function damage(e: unknown): string {
  if (e instanceof EntryCrcError) return "damaged: the data does not match the zip's CRC-32 for this entry";
  const msg = (e as Error).message ?? String(e);
  return `cannot be read: ${msg}`;
}

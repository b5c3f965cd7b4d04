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
import type { Message } from '../domain/messages.ts';
import { openFolderBag, openZipBag, EntryCrcError, type BagSource } from './bag-source.ts';
import {
  ALGORITHMS, BAGIT_TXT, BAG_INFO_TXT, PACKAGE_INFO_TXT, MANIFEST_RE, TAGMANIFEST_RE, SUPPORTED_VERSIONS,
  decodeTagFile, infoValue, parseBagInfo, parseBagitTxt, parseManifest, parseOxum, type BagInfo, type Manifest,
} from './bagit.ts';
import { HashPool } from './hashing.ts';
import { huifangProfile } from './huifang-checks.ts';
import { VerifyJob, type VerifiedBag, type VerifyOptions, type VerifyProfile } from './verify-job.ts';
import { hostileNameReason } from './zip-reader.ts';
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
  problems: Message[];
  notes: string[];
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

/** What has been read of a bag so far, passed from step to step. */
interface BagReading extends VerifiedBag {
  job: VerifyJob;
  profile: VerifyProfile;
  tagPaths: string[];
  payloadPaths: string[];
  version: string | null;
  encoding: string;
  /** BagIt 1.0 rules (not 0.97 and older). */
  modern: boolean;
  infoPath: string | undefined;
  /** Whether the bag is of the profile's format (a huifang bundle), so that its checks run. */
  ofProfile: boolean;
}

/** A manifest's entry whose file is not in the bag. */
interface MissingEntry {
  path: string;
  manifest: Manifest;
  tag: boolean;
  checksum: string;
}

/** Files in the bag that a manifest does not list, with the manifests that should. */
interface Incomplete {
  missing: MissingEntry[];
  unlisted: Map<string, string[]>;
  unlistedTags: Map<string, string[]>;
}

/**
 * Verifies an opened bag source, cheap to expensive: structure, bagit.txt, bag-info.txt,
 * manifests, Payload-Oxum, completeness, every checksum; then the profile's own checks.
 */
async function verifySource(source: BagSource, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const job = new VerifyJob();
  const files = new Map(source.files.map((f) => [f.path, f.size]));
  const report = (version: string | null, ofProfile: boolean): VerifyReport => ({
    ok: !job.problems.some((p) => p.severity === 'error'),
    location: source.location,
    bag: source.bagName,
    version,
    huifang: ofProfile,
    files: files.size,
    bytes: [...files.values()].reduce((a, b) => a + b, 0),
    problems: job.problems,
    notes: job.notes,
  });
  for (const p of source.structureProblems) job.error(p.path, p.problem, p.rule);
  if (!files.has(BAGIT_TXT)) {
    job.error(BAGIT_TXT, 'missing: without bagit.txt this is not a BagIt bag', 'bag/not-a-bag');
    return report(null, false);
  }
  const r = await readTagFiles(source, job, files, opts.profile ?? huifangProfile);
  readManifests(r);
  checkOxum(r);
  const incomplete = findIncomplete(r);
  hashTagFiles(r);
  await hashPayload(r);
  reportIncomplete(r, incomplete);
  checkChecksums(r);
  if (r.ofProfile) await r.profile.check(r, job, opts);
  else r.profile.notApplicable(r.version, job, opts);
  return report(r.version, r.ofProfile);
}

/** Steps 1–3: reads every tag file whole, then bagit.txt and bag-info.txt. */
async function readTagFiles(source: BagSource, job: VerifyJob, files: Map<string, number>, profile: VerifyProfile): Promise<BagReading> {
  const contents = new Map<string, Buffer>();
  const tagPaths = [...files.keys()].filter((p) => !p.startsWith('data/')).sort();
  for (const p of tagPaths) {
    if (files.get(p)! > MAX_TAG_FILE) job.error(p, `a tag file of ${files.get(p)} bytes is too large to read`, 'bag/tag-file');
    else {
      try {
        contents.set(p, await readWhole(source, p));
      } catch (e) {
        job.error(p, damage(e), 'bag/damaged');
      }
    }
  }
  const declaration = parseBagitTxt(contents.get(BAGIT_TXT) ?? Buffer.alloc(0));
  for (const pr of declaration.problems) job.error(BAGIT_TXT, `line ${pr.line}: ${pr.problem}`, 'bag/bagit-txt');
  const version = declaration.version || null;
  if (version && !SUPPORTED_VERSIONS.includes(version)) job.error(BAGIT_TXT, `BagIt-Version ${version} is not one huifang reads (${SUPPORTED_VERSIONS.join(', ')}); checked as 1.0`, 'bag/version');
  const modern = version === null || !['0.97', '0.96', '0.95'].includes(version);
  let info: BagInfo | undefined;
  const infoPath = files.has(BAG_INFO_TXT) ? BAG_INFO_TXT : !modern && files.has(PACKAGE_INFO_TXT) ? PACKAGE_INFO_TXT : undefined;
  if (infoPath && contents.has(infoPath)) {
    info = parseBagInfo(decodeTagFile(contents.get(infoPath)!, declaration.encoding));
    for (const pr of info.problems) job.error(infoPath, `line ${pr.line}: ${pr.problem}`, 'bag/bag-info');
  }
  const payloadPaths = [...files.keys()].filter((p) => p.startsWith('data/')).sort();
  const ofProfile = Boolean(info && profile.applies(info));
  return { source, job, profile, files, contents, tagPaths, payloadPaths, version, encoding: declaration.encoding, modern, info, infoPath, ofProfile, digests: new Map(), payloadManifests: [], tagManifests: [] };
}

const nameOf = (m: Manifest, tag: boolean) => `${tag ? 'tag' : ''}manifest-${m.algorithm}.txt`;

/** Step 4: the payload and tag manifests, each line's path checked. */
function readManifests(r: BagReading): void {
  const { job } = r;
  for (const p of r.tagPaths) {
    const m = MANIFEST_RE.exec(p) ?? TAGMANIFEST_RE.exec(p);
    if (!m || !r.contents.has(p)) continue;
    const algorithm = m[1]!;
    if (!ALGORITHMS[algorithm] || !nodeHashes.has(algorithm)) {
      job.error(p, `checksum algorithm "${algorithm}" is not supported (md5, sha1, sha224, sha256, sha384, sha512); its checksums are not checked`, 'bag/algorithm');
      continue;
    }
    const manifest = parseManifest(decodeTagFile(r.contents.get(p)!, r.encoding), algorithm, r.modern ? '1.0' : r.version!);
    for (const pr of manifest.problems) job.error(p, `line ${pr.line}: ${pr.problem}`, 'bag/manifest-line');
    const isTag = p.startsWith('tag');
    manifest.entries = acceptedEntries(job, p, manifest, isTag);
    (isTag ? r.tagManifests : r.payloadManifests).push(manifest);
  }
  if (r.payloadManifests.length === 0) job.error('manifest-sha256.txt', 'missing: a bag needs at least one payload manifest (manifest-<algorithm>.txt)', 'bag/no-manifest');
  if (r.tagManifests.length === 0 && r.modern) job.note('The bag has no tag manifest: bagit.txt and bag-info.txt are not protected by checksums.');
}

/** A manifest's entries whose paths are safe, on the right side of data/, and listed once. */
function acceptedEntries(job: VerifyJob, p: string, manifest: Manifest, isTag: boolean): Manifest['entries'] {
  const seen = new Set<string>();
  return manifest.entries.filter((e) => {
    const bad = hostileNameReason(e.path) ?? (e.path.split('/').some((c) => c === '.' || c === '') ? 'the path has an empty or "." component' : undefined);
    if (bad) job.error(p, `line ${e.line}: "${e.path}": ${bad}`, 'bag/manifest-path');
    else if (!isTag && !e.path.startsWith('data/')) job.error(p, `line ${e.line}: "${e.path}" is outside data/; a payload manifest lists only payload files`, 'bag/manifest-path');
    else if (isTag && e.path.startsWith('data/')) job.error(p, `line ${e.line}: "${e.path}" is a payload file; a tag manifest must not list payload files`, 'bag/manifest-path');
    else if (seen.has(e.path)) job.error(p, `line ${e.line}: "${e.path}" is listed twice`, 'bag/manifest-duplicate');
    else {
      seen.add(e.path);
      return true;
    }
    return false;
  });
}

/** Step 5: Payload-Oxum (cheap: sizes only). */
function checkOxum(r: BagReading): void {
  const oxumValue = r.info && infoValue(r.info, 'Payload-Oxum');
  if (oxumValue === undefined) {
    if (r.modern && r.info) r.job.note('bag-info.txt has no Payload-Oxum.');
    return;
  }
  const oxum = parseOxum(oxumValue);
  const octets = r.payloadPaths.reduce((n, p) => n + r.files.get(p)!, 0);
  if (!oxum) r.job.error(r.infoPath!, `Payload-Oxum "${oxumValue}" is not octets.streams`, 'bag/oxum');
  else if (oxum.octets !== octets || oxum.streams !== r.payloadPaths.length) {
    r.job.error(r.infoPath!, `Payload-Oxum says ${oxum.octets} bytes in ${oxum.streams} files, the payload holds ${octets} bytes in ${r.payloadPaths.length} files`, 'bag/oxum');
  }
}

/** Step 6: completeness — listed files that are missing, files no manifest lists. */
function findIncomplete(r: BagReading): Incomplete {
  const missing: MissingEntry[] = [];
  const unlisted = new Map<string, string[]>();
  for (const [list, tag] of [[r.payloadManifests, false], [r.tagManifests, true]] as const) {
    for (const m of list) {
      const listed = new Set(m.entries.map((e) => e.path));
      for (const e of m.entries) if (!r.files.has(e.path)) missing.push({ path: e.path, manifest: m, tag, checksum: e.checksum });
      if (!tag) for (const p of r.payloadPaths) if (!listed.has(p)) unlisted.set(p, [...(unlisted.get(p) ?? []), nameOf(m, false)]);
    }
  }
  // Tag files outside the tag manifests: RFC 8493 allows them, huifang's bundles have none
  // (but the signature, which cannot list itself). They are hashed, to spot a renamed one.
  const unlistedTags = new Map<string, string[]>();
  if (r.tagManifests.length) {
    const covered = new Set(r.tagManifests.flatMap((m) => m.entries.map((e) => e.path)));
    for (const p of r.tagPaths) {
      if (covered.has(p) || TAGMANIFEST_RE.test(p) || p === SIGNATURE_FILE) continue;
      unlistedTags.set(p, r.tagManifests.map((m) => nameOf(m, true)));
    }
  }
  return { missing, unlisted, unlistedTags };
}

/** Step 7a: the tag files' digests, from the contents already read. */
function hashTagFiles(r: BagReading): void {
  const tagAlgorithms = [...new Set([...r.tagManifests.map((m) => m.algorithm), ...(r.ofProfile ? r.profile.tagAlgorithms : [])])];
  for (const p of r.tagPaths) {
    const held = r.contents.get(p);
    if (!held || tagAlgorithms.length === 0) continue; // unreadable tag file: reported already
    r.digests.set(p, Object.fromEntries(tagAlgorithms.map((a) => [a, createHash(a).update(held).digest('hex')])));
  }
}

/** Step 7b: every payload checksum — each file streamed once, every block fed to all its hashers. */
async function hashPayload(r: BagReading): Promise<void> {
  const algorithms = [...new Set(r.payloadManifests.map((m) => m.algorithm))];
  if (algorithms.length === 0) return;
  const pool = HashPool.create();
  try {
    const pending: [string, Promise<Record<string, string>>][] = [];
    // A zip entry's CRC-32 is computed by the hashing threads with its checksums, so this
    // thread only reads.
    const crcByPool = r.source.kind === 'zip';
    for (const p of r.payloadPaths) {
      const hashing = await hashOnePayloadFile(r, pool, p, crcByPool ? [...algorithms, 'crc32'] : algorithms, crcByPool);
      if (hashing) pending.push([p, hashing.digest]);
    }
    for (const [p, d] of pending) {
      const { crc32: crc, ...sums } = await d;
      if (crcByPool && crc !== r.source.crc32Of(p)) {
        // As when the stream checks it: the zip is damaged there, and its checksums say nothing more.
        r.job.error(p, damage(new EntryCrcError(`${r.source.bagName}/${p}`)), 'bag/damaged');
        r.contents.delete(p);
        continue;
      }
      r.digests.set(p, sums);
    }
  } finally {
    await pool.close();
  }
}

/**
 * Streams one payload file into the hashers (keeping it whole when the profile reads it);
 * undefined when it cannot be read. The digest is not awaited here, so that the threads
 * finish one file while the next is read.
 */
async function hashOnePayloadFile(r: BagReading, pool: HashPool, p: string, algorithms: string[], crcByPool: boolean): Promise<{ digest: Promise<Record<string, string>> } | undefined> {
  const hasher = pool.begin(algorithms);
  const keep = r.ofProfile && r.profile.keeps(p) && r.files.get(p)! <= MAX_KEPT_PAYLOAD;
  const chunks: Buffer[] = [];
  try {
    // Each chunk is read into memory the hashing threads share, then handed to them.
    for await (const c of r.source.stream(p, { crc: !crcByPool, buffers: () => hasher.buffer() })) {
      if (keep) chunks.push(Buffer.from(c));
      await hasher.update(c);
    }
  } catch (e) {
    hasher.release();
    r.job.error(p, damage(e), 'bag/damaged');
    return undefined;
  }
  if (keep) r.contents.set(p, Buffer.concat(chunks));
  return { digest: hasher.digest() };
}

/** Renamed files: a missing path whose checksum an unlisted file has. */
function findRenames(r: BagReading, { missing, unlisted, unlistedTags }: Incomplete): { from: Map<string, string>; to: Map<string, string> } {
  const from = new Map<string, string>();
  const to = new Map<string, string>();
  for (const m of missing) {
    if (to.has(m.path)) continue;
    for (const p of m.tag ? unlistedTags.keys() : unlisted.keys()) {
      if (from.has(p)) continue;
      if (r.digests.get(p)?.[m.manifest.algorithm] === m.checksum) {
        from.set(p, m.path);
        to.set(m.path, p);
        break;
      }
    }
  }
  return { from, to };
}

/** Step 6, reported once the checksums are known: removed, added and renamed files. */
function reportIncomplete(r: BagReading, incomplete: Incomplete): void {
  const { job } = r;
  const renamed = findRenames(r, incomplete);
  const reportedMissing = new Set<string>();
  for (const m of incomplete.missing) {
    if (reportedMissing.has(m.path)) continue;
    reportedMissing.add(m.path);
    const manifests = incomplete.missing.filter((x) => x.path === m.path).map((x) => nameOf(x.manifest, x.tag));
    const to = renamed.to.get(m.path);
    if (to) job.error(m.path, `renamed: the file is now "${to}" (same checksum); ${manifests.join(', ')} list it under this name`, 'bag/renamed');
    else job.error(m.path, `removed: listed in ${manifests.join(', ')} but not in the bag`, 'bag/missing');
  }
  for (const [p, manifests] of incomplete.unlisted) {
    const from = renamed.from.get(p);
    if (from) job.error(p, `renamed: this is "${from}" under a new name; it is not listed in ${manifests.join(', ')}`, 'bag/renamed');
    else job.error(p, `added: in the bag but not listed in ${manifests.join(', ')}`, 'bag/extra');
  }
  for (const [p, manifests] of incomplete.unlistedTags) {
    const from = renamed.from.get(p);
    if (from) job.error(p, `renamed: this is "${from}" under a new name; it is not listed in ${manifests.join(', ')}`, 'bag/renamed');
    else if (r.ofProfile && r.profile.strictTagFiles) job.error(p, `added: a tag file that ${manifests.join(', ')} does not cover; a huifang bundle has none`, 'bag/extra');
    else job.warn(p, `a tag file that ${manifests.join(', ')} does not cover (allowed by RFC 8493, but unprotected)`, 'bag/unlisted-tag-file');
  }
}

/** Step 7c: every listed file's checksum against what its bytes give. */
function checkChecksums(r: BagReading): void {
  for (const [list, tag] of [[r.payloadManifests, false], [r.tagManifests, true]] as const) {
    for (const m of list) {
      for (const e of m.entries) {
        const found = r.digests.get(e.path)?.[m.algorithm];
        if (found !== undefined && found !== e.checksum) {
          r.job.error(e.path, `changed: its ${m.algorithm} is ${short(found)}, ${nameOf(m, tag)} says ${short(e.checksum)}`, 'bag/checksum');
        }
      }
    }
  }
}

function damage(e: unknown): string {
  if (e instanceof EntryCrcError) return 'damaged: the data does not match the zip\'s CRC-32 for this entry';
  const msg = (e as Error).message ?? String(e);
  return `cannot be read: ${msg}`;
}

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

/** Verifies an opened bag source. */
// eslint-disable-next-line max-lines-per-function -- still to be split into named steps (docs/architecture.md)
async function verifySource(source: BagSource, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const job = new VerifyJob();
  const files = new Map(source.files.map((f) => [f.path, f.size]));
  const report = (version: string | null, huifang: boolean): VerifyReport => ({
    ok: !job.messages.some((m) => m.severity === 'error'),
    location: source.location,
    bag: source.bagName,
    version,
    huifang,
    files: files.size,
    bytes: [...files.values()].reduce((a, b) => a + b, 0),
    problems: job.messages,
  });

  // 1. structure
  for (const p of source.structureProblems) job.error(p.path, p.problem, p.rule);
  if (!files.has(BAGIT_TXT)) {
    job.error(BAGIT_TXT, 'missing: without bagit.txt this is not a BagIt bag', 'bag/not-a-bag');
    return report(null, false);
  }
  const contents = new Map<string, Buffer>();
  const tagPaths = [...files.keys()].filter((p) => !p.startsWith('data/')).sort();
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

  // 2. bagit.txt
  const declaration = parseBagitTxt(contents.get(BAGIT_TXT) ?? Buffer.alloc(0));
  for (const pr of declaration.problems) job.error(BAGIT_TXT, `line ${pr.line}: ${pr.problem}`, 'bag/bagit-txt');
  const version = declaration.version || null;
  if (version && !SUPPORTED_VERSIONS.includes(version))
    job.error(
      BAGIT_TXT,
      `BagIt-Version ${version} is not one huifang reads (${SUPPORTED_VERSIONS.join(', ')}); checked as 1.0`,
      'bag/version',
    );
  const encoding = declaration.encoding;
  const modern = version === null || !DRAFT_VERSIONS.includes(version);

  // 3. bag-info.txt
  let info: BagInfo | undefined;
  const infoPath = files.has(BAG_INFO_TXT)
    ? BAG_INFO_TXT
    : !modern && files.has(PACKAGE_INFO_TXT)
      ? PACKAGE_INFO_TXT
      : undefined;
  if (infoPath && contents.has(infoPath)) {
    info = parseBagInfo(decodeTagFile(contents.get(infoPath)!, encoding));
    for (const pr of info.problems) job.error(infoPath, `line ${pr.line}: ${pr.problem}`, 'bag/bag-info');
  }

  // 4. manifests
  const payloadManifests: Manifest[] = [];
  const tagManifests: Manifest[] = [];
  for (const p of tagPaths) {
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
    const manifest = parseManifest(decodeTagFile(contents.get(p)!, encoding), algorithm, modern ? '1.0' : version!);
    for (const pr of manifest.problems) job.error(p, `line ${pr.line}: ${pr.problem}`, 'bag/manifest-line');
    for (const pr of manifest.remarks) job.warn(p, `line ${pr.line}: ${pr.problem}`, 'bag/manifest-style');
    const isTag = p.startsWith('tag');
    const seen = new Map<string, Manifest['entries'][number]>();
    manifest.entries = manifest.entries.filter((e) => {
      const bad =
        hostileNameReason(e.path) ??
        (e.path.split('/').some((c) => c === '.' || c === '') ? 'the path has an empty or "." component' : undefined);
      if (bad) {
        job.error(p, `line ${e.line}: "${e.path}": ${bad}`, 'bag/manifest-path');
        return false;
      }
      if (!isTag && !e.path.startsWith('data/')) {
        job.error(
          p,
          `line ${e.line}: "${e.path}" is outside data/; a payload manifest lists only payload files`,
          'bag/manifest-path',
        );
        return false;
      }
      if (isTag && e.path.startsWith('data/')) {
        job.error(
          p,
          `line ${e.line}: "${e.path}" is a payload file; a tag manifest must not list payload files`,
          'bag/manifest-path',
        );
        return false;
      }
      const earlier = seen.get(collisionKey(e.path));
      if (earlier && keepOneOfTwice(job, p, earlier, e, files, modern)) seen.set(collisionKey(e.path), e);
      if (earlier) return true; // the spelling kept is chosen below
      seen.set(collisionKey(e.path), e);
      return true;
    });
    manifest.entries = manifest.entries.filter((e) => seen.get(collisionKey(e.path)) === e);
    (isTag ? tagManifests : payloadManifests).push(manifest);
  }
  const nameOf = (m: Manifest, tag: boolean) => `${tag ? 'tag' : ''}manifest-${m.algorithm}.txt`;
  if (payloadManifests.length === 0)
    job.error(
      'manifest-sha256.txt',
      'missing: a bag needs at least one payload manifest (manifest-<algorithm>.txt)',
      'bag/no-manifest',
    );
  if (tagManifests.length === 0 && modern)
    job.note(
      'The bag has no tag manifest: bagit.txt and bag-info.txt are not protected by checksums.',
      'bag/no-tag-manifest',
    );
  let unfetched = new Map<string, FetchEntry>();
  if (contents.has(FETCH_TXT)) {
    unfetched = judgeFetch(
      parseFetch(decodeTagFile(contents.get(FETCH_TXT)!, encoding), modern),
      files,
      payloadManifests,
      job,
    );
    if (unfetched.size)
      job.note(
        `The bag is incomplete: ${unfetched.size} file(s) listed in fetch.txt are not in it yet`,
        'bag/incomplete',
        FETCH_TXT,
        'fetch them, then verify again',
      );
  }

  // 5. Payload-Oxum (cheap: sizes only)
  const payloadPaths = [...files.keys()].filter((p) => p.startsWith('data/')).sort();
  const oxumValue = info && infoValue(info, 'Payload-Oxum');
  for (const p of payloadPaths) {
    const name = p.slice(p.lastIndexOf('/') + 1);
    if (SYSTEM_FILE_RE.test(name))
      job.warn(
        p,
        `"${name}" is a file the operating system writes by itself, probably not meant as payload`,
        'bag/system-file',
      );
  }
  if (oxumValue !== undefined && unfetched.size)
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
  } else if (modern && info) job.note('bag-info.txt has no Payload-Oxum.', 'bag/oxum', infoPath);

  // 6. completeness
  const missing: { path: string; manifest: Manifest; tag: boolean; checksum: string }[] = [];
  const unlisted = new Map<string, string[]>();
  for (const [list, tag] of [
    [payloadManifests, false],
    [tagManifests, true],
  ] as const) {
    for (const m of list) {
      const listed = new Set(m.entries.map((e) => e.path));
      for (const e of m.entries)
        if (!files.has(e.path)) missing.push({ path: e.path, manifest: m, tag, checksum: e.checksum });
      if (!tag)
        for (const p of payloadPaths)
          if (!listed.has(p)) unlisted.set(p, [...(unlisted.get(p) ?? []), nameOf(m, false)]);
    }
  }
  const huifang = Boolean(info && infoValue(info, 'Huifang-Format'));
  // Tag files outside the tag manifests: RFC 8493 allows them, huifang's bundles have none
  // (but the signature, which cannot list itself). They are hashed, to spot a renamed one.
  const unlistedTags = new Map<string, string[]>();
  if (tagManifests.length) {
    const covered = new Set(tagManifests.flatMap((m) => m.entries.map((e) => e.path)));
    for (const p of tagPaths) {
      if (covered.has(p) || TAGMANIFEST_RE.test(p) || p === SIGNATURE_FILE) continue;
      unlistedTags.set(
        p,
        tagManifests.map((m) => nameOf(m, true)),
      );
    }
  }

  // 7. every checksum: stream each file once, feeding every hasher it needs
  const payloadAlgorithms = [...new Set(payloadManifests.map((m) => m.algorithm))];
  const tagAlgorithms = [...new Set([...tagManifests.map((m) => m.algorithm), ...(huifang ? ['sha256'] : [])])];
  const digests = new Map<string, Record<string, string>>();
  for (const p of tagPaths) {
    const held = contents.get(p);
    if (!held || tagAlgorithms.length === 0) continue; // unreadable tag file: reported already
    digests.set(p, Object.fromEntries(tagAlgorithms.map((a) => [a, createHash(a).update(held).digest('hex')])));
  }
  const pool = HashPool.create();
  try {
    const pending: [string, Promise<Record<string, string>>][] = [];
    // A zip entry's CRC-32 is computed by the hashing threads with its checksums, so this
    // thread only reads.
    const crcByPool = source.kind === 'zip';
    for (const p of payloadPaths) {
      if (payloadAlgorithms.length === 0) break;
      const hasher = pool.begin(crcByPool ? [...payloadAlgorithms, 'crc32'] : payloadAlgorithms);
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
      opts.onProgress?.(pending.length, payloadPaths.length);
    }
    for (const [p, d] of pending) {
      const { crc32: crc, ...sums } = await d;
      if (crcByPool && crc !== source.crc32Of(p)) {
        // As when the stream checks it: the zip is damaged there, and its checksums say nothing more.
        job.error(p, damage(new EntryCrcError(`${source.bagName}/${p}`)), 'bag/damaged');
        contents.delete(p);
        continue;
      }
      digests.set(p, sums);
    }
  } finally {
    await pool.close();
  }

  // renamed files: a missing path whose checksum an unlisted file has
  const renamedFrom = new Map<string, string>();
  const renamedTo = new Map<string, string>();
  for (const m of missing) {
    if (renamedTo.has(m.path)) continue;
    for (const p of m.tag ? unlistedTags.keys() : unlisted.keys()) {
      if (renamedFrom.has(p)) continue;
      if (digests.get(p)?.[m.manifest.algorithm] === m.checksum) {
        renamedFrom.set(p, m.path);
        renamedTo.set(m.path, p);
        break;
      }
    }
  }
  const reportedMissing = new Set<string>();
  for (const m of missing) {
    if (reportedMissing.has(m.path)) continue;
    reportedMissing.add(m.path);
    const manifests = missing.filter((x) => x.path === m.path).map((x) => nameOf(x.manifest, x.tag));
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
  for (const [p, manifests] of unlisted) {
    const from = renamedFrom.get(p);
    if (from)
      job.error(
        p,
        `renamed: this is "${from}" under a new name; it is not listed in ${manifests.join(', ')}`,
        'bag/renamed',
      );
    else job.error(p, `added: in the bag but not listed in ${manifests.join(', ')}`, 'bag/extra');
  }
  for (const [p, manifests] of unlistedTags) {
    const from = renamedFrom.get(p);
    if (from)
      job.error(
        p,
        `renamed: this is "${from}" under a new name; it is not listed in ${manifests.join(', ')}`,
        'bag/renamed',
      );
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

  // 8. huifang's own checks
  if (huifang) {
    await huifangChecks(
      { source, info: info!, files, digests, contents, payloadManifests, tagManifests },
      job,
      opts,
      opts.checkEvidence ?? domainCheckEvidence,
    );
  } else {
    job.note(
      `Not a huifang bundle (bag-info.txt has no Huifang-Format): checked as a BagIt ${version ?? ''} bag; huifang's checks (index, evidence, retention, chain, signature) skipped.`,
      'huifang/format',
    );
    if (opts.key)
      job.error(
        SIGNATURE_FILE,
        'missing: --key was given but the bag carries no huifang signature',
        'huifang/signature',
      );
  }
  return report(version, huifang);
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

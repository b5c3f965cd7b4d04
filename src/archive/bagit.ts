/**
 * BagIt (RFC 8493, and the older 0.97 draft): the spec's own names, and pure parsers for
 * bagit.txt, bag-info.txt and manifests. Tag files are decoded with the encoding that
 * bagit.txt declares (iconv-lite), so bags from other tools in GBK or Latin-1 read right.
 */
import iconv from 'iconv-lite';
import { decodeManifestPath } from './names.ts';

export const BAGIT_TXT = 'bagit.txt';
export const BAG_INFO_TXT = 'bag-info.txt';
/** 0.96 and earlier named it package-info.txt. */
export const PACKAGE_INFO_TXT = 'package-info.txt';
export const FETCH_TXT = 'fetch.txt';
export const MANIFEST_RE = /^manifest-([a-z0-9]+)\.txt$/;
export const TAGMANIFEST_RE = /^tagmanifest-([a-z0-9]+)\.txt$/;
export const manifestName = (algorithm: string) => `manifest-${algorithm}.txt`;
export const tagManifestName = (algorithm: string) => `tagmanifest-${algorithm}.txt`;

/** Checksum algorithms we read; the lengths of their hex digests. */
export const ALGORITHMS: Record<string, number> = {
  md5: 32,
  sha1: 40,
  sha224: 56,
  sha256: 64,
  sha384: 96,
  sha512: 128,
};
export const SUPPORTED_VERSIONS = ['1.0', '0.97', '0.96', '0.95', '0.94', '0.93'];
/** Versions before RFC 8493: no percent-encoding in manifests, `package-info.txt` before 0.96. */
export const DRAFT_VERSIONS = ['0.97', '0.96', '0.95', '0.94', '0.93'];

/** One problem found while parsing a tag file: the line and what is wrong. */
export interface ParseProblem {
  line: number;
  problem: string;
}

/** Splits text into lines on CRLF, LF or CR (RFC 8493 §2: any of the three). */
function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Decodes a tag file; a UTF-8 BOM is accepted and dropped. */
export function decodeTagFile(bytes: Buffer, encoding: string): string {
  const text = iconv.decode(bytes, encoding, { stripBOM: true });
  return text;
}

function isKnownEncoding(encoding: string): boolean {
  return iconv.encodingExists(encoding);
}

export interface BagitDeclaration {
  version: string;
  encoding: string;
  problems: ParseProblem[];
}

/**
 * bagit.txt: exactly `BagIt-Version: M.N` and `Tag-File-Character-Encoding: ENCODING`.
 * It is itself always UTF-8 (RFC 8493 §2.1.1).
 */
export function parseBagitTxt(bytes: Buffer): BagitDeclaration {
  const problems: ParseProblem[] = [];
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    problems.push({
      line: 1,
      problem:
        'begins with a byte-order mark (EF BB BF); bagit.txt must not (RFC 8493 §2.1.1): save it as UTF-8 without BOM',
    });
  const lines = splitLines(decodeTagFile(bytes, 'utf8'));
  const fields = new Map<string, { value: string; line: number }>();
  lines.forEach((l, i) => {
    const m = /^([^:]+):\s+(.*?)\s*$/.exec(l);
    if (!m) problems.push({ line: i + 1, problem: `"${l}" is not a "Label: value" line` });
    else fields.set(m[1]!, { value: m[2]!, line: i + 1 });
  });
  const version = fields.get('BagIt-Version')?.value ?? '';
  const encoding = fields.get('Tag-File-Character-Encoding')?.value ?? '';
  if (!version) problems.push({ line: 1, problem: 'BagIt-Version is missing' });
  else if (!/^\d+\.\d+$/.test(version))
    problems.push({ line: fields.get('BagIt-Version')!.line, problem: `BagIt-Version "${version}" is not M.N` });
  if (!encoding) problems.push({ line: 2, problem: 'Tag-File-Character-Encoding is missing' });
  else if (!isKnownEncoding(encoding))
    problems.push({
      line: fields.get('Tag-File-Character-Encoding')!.line,
      problem: `Tag-File-Character-Encoding "${encoding}" is not an encoding huifang knows`,
    });
  if (version === '1.0') {
    if (lines[0] !== undefined && !lines[0].startsWith('BagIt-Version:'))
      problems.push({ line: 1, problem: 'the first line must be BagIt-Version' });
    if (lines.length !== 2)
      problems.push({ line: lines.length, problem: `bagit.txt must have exactly two lines, it has ${lines.length}` });
  }
  return { version, encoding: encoding && isKnownEncoding(encoding) ? encoding : 'utf8', problems };
}

/** bag-info.txt as an ordered list of labels and values (labels may repeat). */
export interface BagInfo {
  entries: { label: string; value: string }[];
  problems: ParseProblem[];
}

/** Values of a label (labels compare case-insensitively). */
function infoValues(info: BagInfo, label: string): string[] {
  const l = label.toLowerCase();
  return info.entries.filter((e) => e.label.toLowerCase() === l).map((e) => e.value);
}

export function infoValue(info: BagInfo, label: string): string | undefined {
  return infoValues(info, label)[0];
}

/** bag-info.txt: `Label: value`, a value continued on lines that start with space or tab. */
export function parseBagInfo(text: string): BagInfo {
  const entries: BagInfo['entries'] = [];
  const problems: ParseProblem[] = [];
  splitLines(text).forEach((l, i) => {
    if (/^[ \t]/.test(l)) {
      const last = entries[entries.length - 1];
      if (!last) problems.push({ line: i + 1, problem: 'a continuation line comes before any label' });
      else last.value += ' ' + l.trim();
      return;
    }
    if (l.trim() === '') return;
    const m = /^([^:\s][^:]*?)\s*:\s*(.*)$/.exec(l);
    if (!m) problems.push({ line: i + 1, problem: `"${l.slice(0, 60)}" is not a "Label: value" line` });
    else entries.push({ label: m[1]!, value: m[2]!.trim() });
  });
  return { entries, problems };
}

/** Formats bag-info.txt, wrapping nothing (values are short) and ending every line with LF. */
export function formatBagInfo(entries: readonly { label: string; value: string }[]): string {
  return entries.map((e) => `${e.label}: ${e.value.replace(/[\r\n]+/g, ' ')}\n`).join('');
}

export interface ManifestEntry {
  path: string;
  checksum: string;
  line: number;
}

export interface Manifest {
  algorithm: string;
  entries: ManifestEntry[];
  problems: ParseProblem[];
  /** Lines read, but written in a way the spec does not ask for (`*path`, `./path`). */
  remarks: ParseProblem[];
}

/**
 * A manifest: `checksum<whitespace>path` per line. From 1.0 on, CR, LF and `%` in paths
 * are percent-encoded; 0.97 bags written by md5sum-like tools may prefix the path with `*`.
 */
export function parseManifest(text: string, algorithm: string, version: string): Manifest {
  const entries: ManifestEntry[] = [];
  const problems: ParseProblem[] = [];
  const remarks: ParseProblem[] = [];
  const hexLength = ALGORITHMS[algorithm];
  const modern = version === '1.0' || Number(version) >= 1;
  splitLines(text).forEach((l, i) => {
    if (l.trim() === '') return;
    const m = /^(\S+)[ \t]+(.+)$/.exec(l);
    if (!m) {
      problems.push({ line: i + 1, problem: `"${l.slice(0, 80)}" is not "checksum path"` });
      return;
    }
    let raw = m[2]!;
    if (!modern && raw.startsWith('*')) {
      raw = raw.slice(1);
      remarks.push({
        line: i + 1,
        problem: `"*${raw}": the "*" of md5sum's binary mode is not part of the name and was dropped; the manifest was made with md5sum-like tools`,
      });
    }
    let path = modern ? decodeManifestPath(raw) : raw;
    if (path.startsWith('./')) {
      path = path.slice(2);
      remarks.push({
        line: i + 1,
        problem: `"./${path}": paths are relative to the bag without a leading "./"; read as "${path}"`,
      });
    }
    const checksum = m[1]!.toLowerCase();
    if (hexLength && (checksum.length !== hexLength || !/^[0-9a-f]+$/.test(checksum))) {
      problems.push({ line: i + 1, problem: `"${m[1]}" is not a ${algorithm} checksum (${hexLength} hex digits)` });
    }
    entries.push({ path, checksum, line: i + 1 });
  });
  return { algorithm, entries, problems, remarks };
}

/** Formats a manifest: sorted by path, `checksum  path` (two spaces, as sha256sum writes). */
export function formatManifest(entries: readonly { path: string; checksum: string }[]): string {
  return [...entries]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((e) => `${e.checksum}  ${e.path.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}\n`)
    .join('');
}

/** Payload-Oxum: `octets.streams`. */
export function parseOxum(value: string): { octets: number; streams: number } | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(value.trim());
  return m ? { octets: Number(m[1]), streams: Number(m[2]) } : undefined;
}

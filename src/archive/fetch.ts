/**
 * fetch.txt (RFC 8493 §2.2.3): `URL LENGTH FILEPATH` per line, the payload files a "holey"
 * bag does not hold yet. Each path must name a payload file inside the bag and be listed in
 * every payload manifest; a listed file that is not in the bag makes the bag incomplete
 * (it is fetched, then verified). Nothing is ever fetched here.
 */
import { decodeManifestPath } from './names.ts';
import { hostileNameReason } from './zip-reader.ts';
import type { Manifest, ParseProblem } from './bagit.ts';

export interface FetchEntry {
  url: string;
  /** Octets, or null for `-` (unknown). */
  length: number | null;
  path: string;
  line: number;
}

export interface FetchList {
  entries: FetchEntry[];
  problems: ParseProblem[];
}

/** Where fetch.txt's judgements are recorded (the verify job). */
export interface FetchJudge {
  error(path: string, problem: string, rule: string): void;
}

/** Why a path in fetch.txt is not a payload file of this bag, or undefined when it is. */
export function fetchPathProblem(path: string): string | undefined {
  const hostile = hostileNameReason(path);
  if (hostile) return `${hostile}; fetch.txt may only fill in payload files inside the bag`;
  if (path.startsWith('~'))
    return 'the path starts with "~" (a home folder outside the bag); fetch.txt may only fill in payload files inside the bag';
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(path)) return 'the path is a URL or drive, not a path inside the bag';
  if (path.split('/').some((c) => c === '' || c === '.')) return 'the path has an empty or "." component';
  if (!path.startsWith('data/')) return 'the path is outside data/; fetch.txt lists only payload files';
  return undefined;
}

/** Parses fetch.txt; from 1.0 on, CR, LF and `%` in paths are percent-encoded as in manifests. */
export function parseFetch(text: string, modern: boolean): FetchList {
  const entries: FetchEntry[] = [];
  const problems: ParseProblem[] = [];
  text.split(/\r\n|\n|\r/).forEach((l, i) => {
    if (l.trim() === '') return;
    const m = /^(\S+)[ \t]+(\S+)[ \t]+(.+)$/.exec(l);
    if (!m) {
      problems.push({ line: i + 1, problem: `"${l.slice(0, 80)}" is not "URL length path"` });
      return;
    }
    const [, url, size, raw] = m as unknown as [string, string, string, string];
    if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/.test(url))
      problems.push({ line: i + 1, problem: `"${url.slice(0, 80)}" is not an absolute URL` });
    if (size !== '-' && !/^\d+$/.test(size))
      problems.push({ line: i + 1, problem: `length "${size}" is neither a number of octets nor "-"` });
    entries.push({
      url,
      length: /^\d+$/.test(size) ? Number(size) : null,
      path: modern ? decodeManifestPath(raw) : raw,
      line: i + 1,
    });
  });
  return { entries, problems };
}

/**
 * Judges fetch.txt against the bag: paths that leave the payload, paths no manifest lists,
 * lengths that disagree with a file already fetched. Returns the files still to be fetched
 * (listed, safe, not in the bag), by path.
 */
export function judgeFetch(
  list: FetchList,
  files: ReadonlyMap<string, number>,
  payloadManifests: readonly Manifest[],
  judge: FetchJudge,
): Map<string, FetchEntry> {
  const unfetched = new Map<string, FetchEntry>();
  for (const p of list.problems) judge.error('fetch.txt', `line ${p.line}: ${p.problem}`, 'bag/fetch-line');
  for (const e of list.entries) {
    const bad = fetchPathProblem(e.path);
    if (bad) {
      judge.error('fetch.txt', `line ${e.line}: "${e.path}": ${bad}`, 'bag/fetch-path');
      continue;
    }
    const unlisted = payloadManifests.filter((m) => !m.entries.some((x) => x.path === e.path));
    if (unlisted.length)
      judge.error(
        'fetch.txt',
        `line ${e.line}: "${e.path}" is not listed in ${unlisted.map((m) => `manifest-${m.algorithm}.txt`).join(', ')}; every file to fetch must be`,
        'bag/fetch-path',
      );
    const size = files.get(e.path);
    if (size === undefined) unfetched.set(e.path, e);
    else if (e.length !== null && e.length !== size)
      judge.error(e.path, `fetched with ${size} bytes, fetch.txt line ${e.line} says ${e.length}`, 'bag/fetch-length');
  }
  return unfetched;
}

/**
 * Values that become part of a path on disk or in a bundle: branch codes, periods, customer
 * ids, file names from e-mails. Each is checked against a strict pattern where it enters
 * (a customer list, a roster, a command-line option, an e-mail) and only a checked value
 * has the type `PathSegment`; paths are joined from `PathSegment`s only (`segmentPath`),
 * so `../../x` can never reach a folder name. Pure.
 */
import { InputError, message, quoteValue } from './messages.ts';

export { quoteValue } from './messages.ts';

/** A string that passed `checkSegment` (or `safeFileName`): one path component, no separator, no `..`. */
export type PathSegment = string & { readonly __pathSegment: unique symbol };

export type SegmentKind = 'branch' | 'period' | 'customer' | 'visit' | 'file';

interface SegmentRule {
  pattern: RegExp;
  /** What the value must look like, for people. */
  expected: string;
  /** What to do about a value that does not. */
  fix: string;
}

/** The one definition of what each kind of path value may hold. */
export const SEGMENT_RULES: Readonly<Record<SegmentKind, SegmentRule>> = {
  branch: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$/,
    expected: 'a branch (营业部) code of 1 to 16 letters, digits, - or _, starting with a letter or digit, e.g. 3101',
    fix: 'write the code as the trading system gives it, e.g. 3101',
  },
  period: {
    pattern: /^\d{4}-(0[1-9]|1[0-2])$/,
    expected: 'a month written YYYY-MM, e.g. 2026-05',
    fix: 'write the month as YYYY-MM, e.g. 2026-05',
  },
  customer: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/,
    expected: 'a customer id (客户号/资金账号) of 1 to 40 letters, digits, - or _, starting with a letter or digit',
    fix: 'copy the id from the trading system: letters and digits only, no spaces, signs or formulas',
  },
  visit: {
    pattern: /^HF-[0-9A-Z]{5}-[0-9A-Z]{5}$/,
    expected: 'a visit id, e.g. HF-7K3M9-Q2T4X',
    fix: 'copy the visit id from the letter or form',
  },
  file: {
    pattern: /^(?!\.)(?!.*\.\.)[\p{L}\p{N}\p{M}._()\- ]{1,150}$/u,
    expected: 'a file name of letters, digits, spaces, . _ - ( ), not starting with a dot',
    fix: 'rename the file with letters, digits and . _ - ( ) only',
  },
};

export type SegmentCheck = { ok: true; value: PathSegment } | { ok: false; reason: string; fix: string };

/**
 * Checks one value against its kind's pattern. The refusal quotes at most the first 40
 * characters of the value (`quoteValue`).
 *
 * @example checkSegment('branch', '../../x') // { ok: false, reason: 'branch code "../../x" is not …' }
 */
export function checkSegment(kind: SegmentKind, value: string): SegmentCheck {
  const rule = SEGMENT_RULES[kind];
  if (rule.pattern.test(value)) return { ok: true, value: value as PathSegment };
  return { ok: false, reason: `${SEGMENT_NOUNS[kind]} ${quoteValue(value)} is not ${rule.expected}`, fix: rule.fix };
}

/**
 * A checked segment, or an `InputError` naming the option or field it came from: for values
 * that should have been checked where they entered (a second line of defence at the place a
 * path is built), and for command-line options.
 */
export function pathSegment(kind: SegmentKind, value: string, from: string = SEGMENT_NOUNS[kind]): PathSegment {
  const check = checkSegment(kind, value);
  if (check.ok) return check.value;
  throw new InputError(`${from}: ${check.reason}`, [message(`path/bad-${kind}`, check.reason, {}, { fix: check.fix })]);
}

const SEGMENT_NOUNS: Record<SegmentKind, string> = {
  branch: 'branch code',
  period: 'period',
  customer: 'customer id',
  visit: 'visit id',
  file: 'file name',
};

/** A path under `base` made of checked segments only. */
export function segmentPath(base: string, ...segments: PathSegment[]): string {
  return [base.replace(/\/+$/, ''), ...segments].join('/');
}

/** Longest file-name component we write, in UTF-8 bytes (most file systems allow 255). */
const MAX_FILE_NAME_BYTES = 150;

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * A safe file name from any original (an e-mail attachment's name, a scan's name): NFC,
 * letters and digits of any script kept, `.`, `-`, `_`, `(`, `)` kept, everything else
 * (separators, controls, `%`, quotes, spaces) becomes `_`; no leading dot; at most 150 bytes
 * with the extension kept. The result always passes `checkSegment('file', …)`.
 */
export function safeFileName(original: string, fallback = 'file'): PathSegment {
  let s = original.normalize('NFC');
  s = s.split(/[\\/]/).pop() ?? ''; // keep only the last component of a path someone typed
  s = s
    .replace(/[^\p{L}\p{N}\p{M}._()\-]/gu, '_')
    .replace(/_+/g, '_')
    .replace(/\.{2,}/g, '.');
  s = s.replace(/^[.\s_]+/, '').replace(/[.\s]+$/, '');
  if (!s || WINDOWS_RESERVED.test(s)) s = s ? `_${s}` : fallback;
  if (Buffer.byteLength(s) > MAX_FILE_NAME_BYTES) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 10 ? s.slice(dot) : '';
    let stem = s.slice(0, s.length - ext.length);
    while (Buffer.byteLength(stem + ext) > MAX_FILE_NAME_BYTES) stem = [...stem].slice(0, -1).join('');
    s = stem + ext;
  }
  return s.normalize('NFC') as PathSegment;
}

/**
 * A file name from outside (an e-mail attachment's name) as it enters: kept as sent when it
 * passes the file-name pattern, else made safe by `safeFileName`; `fallback` for no name.
 */
export function fileNameSegment(original: string, fallback: string): PathSegment {
  const check = checkSegment('file', original.normalize('NFC'));
  if (check.ok && !WINDOWS_RESERVED.test(check.value) && Buffer.byteLength(check.value) <= MAX_FILE_NAME_BYTES)
    return check.value;
  return safeFileName(original, fallback);
}

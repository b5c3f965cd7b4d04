/**
 * Messages: what a stage found about one input, with where and by which rule.
 * Modelled on vfile-message: every job (a customer row, a scanned page, a zip entry,
 * a visit) collects its own messages; the CLI reports them as text or JSON.
 */

/** Where in an input a message points. All fields optional; give what is known. */
export interface Place {
  /** File the message is about (absolute when reported). */
  file?: string;
  /** 1-based data row in a customer list (the header is row 1, so data starts at 2). */
  row?: number;
  /** 1-based line in a text file (a YAML policy). */
  line?: number;
  /** Column name as the file spells it. */
  column?: string;
  /** 1-based page in a scanned file or PDF. */
  page?: number;
  /** A box on a form, e.g. `seal` or `na.opened-in-person:yes`. */
  box?: string;
  /** A path inside a bag or zip. */
  entry?: string;
  visitId?: string;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Message {
  /** Stable rule id, e.g. `list/missing-column`, `evidence/letter-seal`. */
  ruleId: string;
  severity: Severity;
  /** What is wrong, in the user's words. */
  reason: string;
  place: Place;
  /** What to do about it. */
  fix?: string;
  expected?: string;
  actual?: string;
}

export function message(
  ruleId: string,
  reason: string,
  place: Place = {},
  extra: Partial<Pick<Message, 'fix' | 'expected' | 'actual' | 'severity'>> = {},
): Message {
  return {
    ruleId,
    severity: extra.severity ?? 'error',
    reason,
    place,
    ...(extra.fix ? { fix: extra.fix } : {}),
    ...(extra.expected ? { expected: extra.expected } : {}),
    ...(extra.actual ? { actual: extra.actual } : {}),
  };
}

/** "file, row 7, column 邮编" — the place as a person reads it. */
function formatPlace(place: Place): string {
  const parts: string[] = [];
  if (place.file) parts.push(place.file);
  if (place.entry) parts.push(place.entry);
  if (place.visitId) parts.push(`visit ${place.visitId}`);
  if (place.row !== undefined) parts.push(`row ${place.row}`);
  if (place.line !== undefined) parts.push(`line ${place.line}`);
  if (place.column !== undefined) parts.push(`column ${place.column}`);
  if (place.page !== undefined) parts.push(`page ${place.page}`);
  if (place.box !== undefined) parts.push(`box ${place.box}`);
  return parts.join(', ');
}

/** One line per message: `path, row 3, column 邮编: postcode "1234" is not six digits [list/bad-postcode]`. */
export function formatMessage(m: Message): string {
  const where = formatPlace(m.place);
  const fix = m.fix ? ` — ${m.fix}` : '';
  return `${m.severity === 'error' ? '✗' : m.severity === 'warning' ? '!' : '·'} ${where ? where + ': ' : ''}${m.reason}${fix} [${m.ruleId}]`;
}

/**
 * An error that stops a command because its input is unusable (exit code 2). It carries
 * every message found, so that a bad customer list is reported whole, not one row at a time.
 */
export class InputError extends Error {
  readonly messages: Message[];
  constructor(summary: string, messages: Message[] = []) {
    super(summary);
    this.name = 'InputError';
    this.messages = messages;
  }
}

/** Usage errors: a bad option, a missing argument (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** "Expected a six-digit postcode for 邮编 but received "1234"" — one helper for parameter errors. */
export function invalidParameter(name: string, expected: string, actual: unknown): UsageError {
  return new UsageError(
    `Expected ${expected} for ${name} but received ${typeof actual === 'string' ? quoteValue(actual) : JSON.stringify(actual)}`,
  );
}

/** What the operating system's error codes mean, in words for people. */
const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'there is no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many files are open',
  EEXIST: 'it already exists',
  ENOTEMPTY: 'the folder is not empty',
  ENAMETOOLONG: 'the path is too long',
};

/** Words for an operating-system error (ENOENT and the like), or the error's own message. */
export function systemErrorWords(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  const words = typeof code === 'string' ? SYSTEM_ERRORS[code] : undefined;
  return words ?? (e instanceof Error ? e.message : String(e));
}

/** An operating-system error as a sentence naming the path; undefined for any other error. */
export function systemErrorSentence(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const { code, path, syscall } = e as Error & { code?: string; path?: string; syscall?: string };
  if (!code || !SYSTEM_ERRORS[code]) return undefined;
  const reading = ['open', 'read', 'stat', 'lstat', 'scandir', 'access'].includes(syscall ?? '');
  return `${reading ? 'cannot read' : 'cannot write'}${path ? ` ${path}` : ''}: ${SYSTEM_ERRORS[code]}.`;
}

/** How many characters of a value a message may quote. */
export const QUOTED_CHARACTERS = 40;

/**
 * A value as messages quote it: JSON-quoted, at most its first 40 characters, and its
 * length when it was cut (`"AAAA…" (5242880 characters)`). Every message that names a value
 * a user gave goes through here, so a 5 MB cell never becomes a 15 MB error.
 */
export function quoteValue(value: string): string {
  const chars = [...value.slice(0, QUOTED_CHARACTERS * 2)];
  if (chars.length <= QUOTED_CHARACTERS && value.length <= QUOTED_CHARACTERS * 2) return JSON.stringify(value);
  return `${JSON.stringify(chars.slice(0, QUOTED_CHARACTERS).join('') + '…')} (${value.length} characters)`;
}

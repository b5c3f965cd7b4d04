/**
 * Reading an e-mail (.eml, RFC 5322 + MIME) into what a printout and the matcher need:
 * headers with RFC 2047 words decoded (any charset: UTF-8, GBK, GB2312, GB18030, Big5…),
 * the body as readable text (text/plain, or HTML converted), and every attachment with its
 * name, type, size and SHA-256.
 *
 * A message is refused, with the file named and the reason, when it is not an e-mail at all
 * (no header block, binary content) or names a charset nobody can decode — never rendered
 * as mojibake. Callers keep the original bytes before parsing, so nothing is lost either way.
 */
import { fileNameSegment } from '../domain/path-segment.ts';
import { createHash } from 'node:crypto';
import iconv from 'iconv-lite';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { htmlToText } from './html-text.ts';

export interface MailAddress {
  /** Display name, decoded (e.g. `张三`); empty when none. */
  name: string;
  /** Lower-case address. */
  address: string;
}

export interface MailAttachment {
  /** File name as the sender gave it (decoded), or a made-up `attachment-N` when none. */
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  /** Inline parts (images referenced from the HTML body) are listed too. */
  inline: boolean;
  content: Buffer;
}

export interface ParsedEmail {
  /** The file the message came from, as given. */
  fileName: string;
  messageId: string | null;
  from: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  /** The Date header as ISO, or null when absent or unreadable. */
  date: string | null;
  /** The Date header as written. */
  dateHeader: string | null;
  subject: string;
  /** The body as readable text. */
  text: string;
  /** Where the text came from. */
  bodySource: 'text' | 'html' | 'none';
  attachments: MailAttachment[];
  /** Every charset the message names (lower-case), for the record. */
  charsets: string[];
}

export type EmlProblem = 'not-an-email' | 'unknown-charset' | 'unreadable';

/** An .eml that cannot be read; `file` and `problem` are kept as fields for reports. */
export class EmlError extends Error {
  readonly file: string;
  readonly problem: EmlProblem;
  readonly ruleId: string;
  constructor(file: string, problem: EmlProblem, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'EmlError';
    this.file = file;
    this.problem = problem;
    this.ruleId = `mail/${problem}`;
  }
}

const JAPANESE = /^(jis|iso-?2022-?jp|euc-?jp)/i;

/** Whether a charset name can be decoded (what mailparser would otherwise turn into mojibake). */
function isKnownCharset(name: string): boolean {
  const n = name
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, '');
  if (/^(us-)?ascii$|^utf-?8$|^7bit$|^8bit$/.test(n)) return true;
  if (JAPANESE.test(n)) return true;
  if (/^utf-?7/.test(n)) return false; // refused by the parser on purpose (markup smuggling)
  const exists = (cs: string): boolean => iconv.encodingExists(cs);
  return exists(n) || exists(n.replace(/^x-/, ''));
}

/** The header blocks of every MIME part, unfolded (top-level header first). */
function headerBlocks(raw: string): string[] {
  const blocks: string[] = [];
  const top = raw.search(/\r?\n\r?\n/);
  blocks.push(top < 0 ? raw : raw.slice(0, top));
  // Part headers follow a boundary line `--boundary`.
  for (const m of raw.matchAll(/\n--[^\r\n]+\r?\n((?:[!-9;-~]+:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*)+)/g))
    blocks.push(m[1]!);
  return blocks.map((b) => b.replace(/\r?\n[ \t]+/g, ' '));
}

function namedCharsets(raw: string): string[] {
  const found = new Set<string>();
  for (const block of headerBlocks(raw)) {
    for (const line of block.split(/\r?\n/)) {
      if (/^content-type\s*:/i.test(line)) {
        const m = /charset\s*=\s*("([^"]*)"|'([^']*)'|([^;\s]+))/i.exec(line);
        const cs = m && (m[2] ?? m[3] ?? m[4]);
        if (cs) found.add(cs.toLowerCase());
      }
      for (const w of line.matchAll(/=\?([^?*\s]+)(?:\*[^?\s]*)?\?[bq]\?/gi)) found.add(w[1]!.toLowerCase());
      for (const w of line.matchAll(/\*\d*\*?\s*=\s*([^'\s;]+)'[^']*'/g)) found.add(w[1]!.toLowerCase()); // RFC 2231 filename*=gbk''…
    }
  }
  return [...found];
}

function addresses(a: AddressObject | AddressObject[] | undefined): MailAddress[] {
  if (!a) return [];
  const list = Array.isArray(a) ? a : [a];
  const out: MailAddress[] = [];
  const walk = (entries: AddressObject['value']): void => {
    for (const e of entries) {
      if (e.group) walk(e.group);
      else if (e.address) out.push({ name: (e.name ?? '').trim(), address: e.address.trim().toLowerCase() });
    }
  };
  for (const o of list) walk(o.value);
  return out;
}

/** Reads an .eml. @throws EmlError naming the file when it is not an e-mail or uses an unknown charset. */
export async function parseEml(bytes: Uint8Array, fileName: string): Promise<ParsedEmail> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length === 0) throw new EmlError(fileName, 'not-an-email', 'the file is empty; it is not an e-mail');
  const raw = buf.toString('latin1');
  refuseNonEmail(raw, fileName);
  const charsets = knownCharsets(raw, fileName);
  const mail = await parseMime(buf, fileName);
  const date = mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : null;
  return {
    fileName,
    messageId: mail.messageId ?? null,
    from: addresses(mail.from),
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    date,
    dateHeader: dateHeaderOf(mail),
    subject: (mail.subject ?? '').trim(),
    ...bodyText(mail),
    attachments: attachmentsOf(mail),
    charsets,
  };
}

/** Refused: a binary file, or one without an e-mail header block at its start. */
function refuseNonEmail(raw: string, fileName: string): void {
  const headerEnd = raw.search(/\r?\n\r?\n/);
  const head = headerEnd < 0 ? raw : raw.slice(0, headerEnd);
  if (head.slice(0, 4096).includes('\u0000')) {
    throw new EmlError(
      fileName,
      'not-an-email',
      'the file is binary, not an e-mail; save the message from the mail client as .eml (or a PDF printout)',
    );
  }
  const headerNames = [...head.matchAll(/^([!-9;-~]+):/gm)].map((m) => m[1]!.toLowerCase());
  if (!headerNames.includes('from') && !headerNames.includes('subject')) {
    const first = head.split(/\r?\n/, 1)[0]!.slice(0, 60);
    throw new EmlError(
      fileName,
      'not-an-email',
      `no e-mail header block (From:, Subject:, Date:) at the start of the file; it begins "${first}"`,
    );
  }
}

/** The character sets the message names; refused while one of them cannot be decoded. */
function knownCharsets(raw: string, fileName: string): string[] {
  const charsets = namedCharsets(raw);
  const unknown = charsets.filter((c) => !isKnownCharset(c));
  if (unknown.length > 0) {
    throw new EmlError(
      fileName,
      'unknown-charset',
      `the message is written in the character set${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `"${c}"`).join(', ')}, which huifang cannot decode; the text would come out garbled. Ask the sender to resend, or save the message from the mail client as a PDF printout and ingest that`,
    );
  }
  return charsets;
}

/** The message parsed by mailparser; refused, naming the file, when it cannot be. */
async function parseMime(buf: Buffer, fileName: string): Promise<ParsedMail> {
  try {
    return await simpleParser(buf, {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      keepCidLinks: true,
    });
  } catch (e) {
    throw new EmlError(
      fileName,
      'unreadable',
      `the message cannot be parsed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/** The body as text: the plain part, else the HTML part as text, else nothing. */
function bodyText(mail: ParsedMail): Pick<ParsedEmail, 'text' | 'bodySource'> {
  if (typeof mail.text === 'string' && mail.text.trim()) {
    return { text: mail.text.replace(/\r\n?/g, '\n').trimEnd(), bodySource: 'text' };
  }
  if (typeof mail.html === 'string' && mail.html.trim()) return { text: htmlToText(mail.html), bodySource: 'html' };
  return { text: '', bodySource: 'none' };
}

function attachmentsOf(mail: ParsedMail): MailAttachment[] {
  return mail.attachments.map((a, i) => ({
    // The sender chose this name: it enters as a checked file name (`../../etc/x` → `etc_x`).
    fileName: fileNameSegment((a.filename ?? '').trim(), `attachment-${i + 1}`),
    contentType: (a.contentType || 'application/octet-stream').toLowerCase(),
    size: a.content.length,
    sha256: createHash('sha256').update(a.content).digest('hex'),
    inline: a.contentDisposition === 'inline' || Boolean(a.related),
    content: a.content,
  }));
}

/** The Date header as written (mailparser gives it parsed). */
function dateHeaderOf(mail: ParsedMail): string | null {
  const dateHeader = mail.headers.get('date');
  return typeof dateHeader === 'string'
    ? dateHeader
    : dateHeader instanceof Date
      ? (mail.headerLines.find((l) => l.key === 'date')?.line.replace(/^date:\s*/i, '') ?? null)
      : null;
}

/** `张三 <zhangsan@example.com>` */
export function formatAddress(a: MailAddress): string {
  return a.name ? `${a.name} <${a.address}>` : a.address;
}

/**
 * Ingest handlers for e-mails (registered in `src/scan/ingest-handlers.ts`):
 *
 * - `email`: an .eml file. Ingest has already stored it byte-for-byte; this reads it, matches
 *   it to a visit (`match.ts`), renders the printout (`render/email-printout.ts`) and stores
 *   it and every attachment as the visit's documents (`email-printout`, `attachment`, both
 *   `derived` from the .eml, which is the visit's `email` document). An e-mail that matches
 *   no visit, or cannot be read (not an e-mail, an unknown charset), is quarantined with the
 *   reason and, when unmatched, a review item — never lost.
 * - `email-printout`: a PDF printout of an e-mail made by a mail client, recognised by its
 *   From/发件人 and Subject/主题 header lines; matched the same way and kept as the visit's
 *   `email-printout` document. A PDF with text that is not such a printout is handed to the
 *   scan handler unchanged.
 */
import { readFileSync, statSync } from 'node:fs';
import { addDocument, type NewDocument } from '../store/visits.ts';
import { recordEvent, type Register } from '../store/register.ts';
import type { Workspace } from '../store/workspace.ts';
import type {
  HandledPage,
  HandlerResult,
  IngestCandidate,
  IngestContext,
  IngestHandler,
  StoredInput,
} from '../ingest/handlers.ts';
import { scanHandler } from '../ingest/scan-handler.ts';
import { renderEmailPrintout } from './printout-pdf.ts';
import { readMailClientPrintout, type MailClientPrintout } from './mail-client-pdf.ts';
import { matchMail, type MailMatch } from './match.ts';
import { EmlError, formatAddress, parseEml, type ParsedEmail } from './parse.ts';

/** Rule ids of e-mail quarantine reasons. */
const MAIL_RULES = {
  unmatched: 'mail/unmatched',
  notAnEmail: 'mail/not-an-email',
  unknownCharset: 'mail/unknown-charset',
  unreadable: 'mail/unreadable',
} as const;

const HEADER_LINE =
  /^(Return-Path|Received|Delivered-To|From|Message-ID|MIME-Version|Date|Subject|To|X-[A-Za-z0-9-]+|DKIM-Signature|ARC-[A-Za-z-]+|Authentication-Results):[ \t]/i;

/** Whether the first bytes read like an RFC 5322 message (for .eml files saved under another name). */
function looksLikeEmail(head: Uint8Array): boolean {
  const text = Buffer.from(head).toString('latin1');
  const lines = text.split(/\r?\n/).slice(0, 12);
  return HEADER_LINE.test(lines[0] ?? '') && lines.filter((l) => HEADER_LINE.test(l)).length >= 2;
}

function base(name: string): string {
  return name.replace(/\.[^.]+$/, '');
}

/** The printout and attachments of a parsed e-mail, stored and recorded as the visit's documents. */
export interface DerivedEmailDocuments {
  printout: { sha256: string; size: number; pageCount: number; fileName: string; missingGlyphs: number };
  attachments: { sha256: string; size: number; fileName: string; contentType: string; inline: boolean }[];
  /** The register's records of them on the visit, made by `actor`. */
  documents(actor: string): NewDocument[];
}

/**
 * Renders the printout of an e-mail for a visit and stores it and the attachments in the
 * file store (idempotent: the same e-mail and visit give the same bytes). Their records are
 * returned as `documents`, for the caller to add in the same transaction as its own.
 */
export function deriveEmailDocuments(
  ws: Workspace,
  mail: ParsedEmail,
  emlSha256: string,
  visitId: string,
  extraMeta: Record<string, unknown> = {},
): DerivedEmailDocuments {
  const printout = renderEmailPrintout(mail, { visitId, sourceSha256: emlSha256 });
  const stored = ws.files.putBytes(printout.pdf);
  const printoutName = `${base(mail.fileName)}.printout.pdf`;
  const attachments = mail.attachments.map((a) => ({
    ...ws.files.putBytes(a.content),
    fileName: a.fileName,
    contentType: a.contentType,
    inline: a.inline,
  }));
  const derived = {
    printout: {
      ...stored,
      pageCount: printout.pageCount,
      fileName: printoutName,
      missingGlyphs: printout.missingGlyphs,
    },
    attachments,
  };
  return {
    ...derived,
    documents: (actor) => emailDocuments(actor, { mail, emlSha256, visitId, extraMeta, derived }),
  };
}

/** The printout and every attachment as the visit's documents, derived from the .eml. */
function emailDocuments(
  actor: string,
  {
    mail,
    emlSha256,
    visitId,
    extraMeta,
    derived: { printout, attachments },
  }: {
    mail: ParsedEmail;
    emlSha256: string;
    visitId: string;
    extraMeta: Record<string, unknown>;
    derived: Omit<DerivedEmailDocuments, 'documents'>;
  },
): NewDocument[] {
  return [
    {
      visitId,
      kind: 'email-printout',
      role: 'derived',
      sha256: printout.sha256,
      size: printout.size,
      mediaType: 'application/pdf',
      fileName: printout.fileName,
      pageCount: printout.pageCount,
      sourceSha256: emlSha256,
      createdBy: actor,
      meta: {
        attachmentOf: 'form',
        subject: mail.subject,
        from: mail.from.map(formatAddress),
        date: mail.date,
        attachments: mail.attachments.length,
        ...(printout.missingGlyphs ? { missingGlyphs: printout.missingGlyphs } : {}),
        ...extraMeta,
      },
    },
    ...attachments.map((a) => ({
      visitId,
      kind: 'attachment' as const,
      role: 'derived' as const,
      sha256: a.sha256,
      size: a.size,
      mediaType: a.contentType,
      fileName: a.fileName,
      sourceSha256: emlSha256,
      createdBy: actor,
      meta: { fromEmail: mail.fileName, inline: a.inline },
    })),
  ];
}

function quarantined(page: number, reason: string, ruleId: string, review?: HandledPage['review']): HandledPage {
  return {
    page,
    visitId: null,
    kind: page === 0 ? null : 'email',
    assignedBy: 'none',
    reason,
    ruleId,
    ...(review ? { review } : {}),
  };
}

function unmatchedReview(match: Extract<MailMatch, { matched: false }>): HandledPage['review'] {
  return [
    {
      subject: 'visit',
      machineValue: match.candidates.length === 1 ? match.candidates[0]! : null,
      score: null,
      reason: `${match.reason}; give the visit with \`huifang pages move\` (or attach it by hand)${match.candidates.length > 1 ? ` — candidates: ${match.candidates.join(', ')}` : ''}`,
    },
  ];
}

/** The .eml handler. */
export const emailHandler: IngestHandler = {
  name: 'email',
  accepts: (c: IngestCandidate) => /\.eml$/i.test(c.name) || looksLikeEmail(c.head),
  async ingest(ctx: IngestContext, input: StoredInput): Promise<HandlerResult> {
    ctx.onPage(1, 1);
    const mail = await readEmail(input);
    if ('pages' in mail) return mail;
    const match = matchMail(ctx.ws.register, {
      subject: mail.subject,
      body: mail.text,
      senders: mail.from.map((a) => a.address),
    });
    const reading = emailReading(mail, match);
    if (!match.matched) {
      return {
        pageCount: 1,
        pages: [
          {
            ...quarantined(
              1,
              `e-mail "${mail.subject}" from ${mail.from.map(formatAddress).join(', ') || '(no sender)'}: ${match.reason}`,
              MAIL_RULES.unmatched,
              unmatchedReview(match),
            ),
            reading,
          },
        ],
      };
    }
    const derived = deriveEmailDocuments(ctx.ws, mail, input.sha256, match.visitId, { matchedBy: match.by });
    return {
      pageCount: 1,
      pages: [{ page: 1, visitId: match.visitId, kind: 'email', assignedBy: 'handler', reading }],
      alsoInTransaction: (register) => {
        for (const d of derived.documents(ctx.actor)) addDocument(register, d);
        recordEvent(register, ctx.actor, 'email.matched', match.visitId, {
          sha256: input.sha256,
          by: match.by,
          note: match.note,
          printout: derived.printout.sha256,
        });
      },
    };
  },
};

/** The stored .eml parsed; quarantined with the reason when it is not an e-mail or cannot be decoded. */
async function readEmail(input: StoredInput): Promise<ParsedEmail | HandlerResult> {
  try {
    return await parseEml(input.read(), input.name);
  } catch (e) {
    if (!(e instanceof EmlError)) throw e;
    const kept = `; the original is kept in the workspace (SHA-256 ${input.sha256.slice(0, 12)}…)`;
    return { pageCount: null, pages: [quarantined(0, `${e.message}${kept}`, e.ruleId)] };
  }
}

/** What was read of the e-mail (headers and attachments) and how it was matched. */
function emailReading(mail: ParsedEmail, match: MailMatch): HandledPage['reading'] {
  return {
    email: {
      subject: mail.subject,
      from: mail.from.map(formatAddress),
      to: mail.to.map(formatAddress),
      date: mail.date,
      attachments: mail.attachments.map((a) => ({
        fileName: a.fileName,
        contentType: a.contentType,
        size: a.size,
        sha256: a.sha256,
      })),
    },
    notes: [match.matched ? `matched by ${match.note}` : `not matched: ${match.reason}`],
  };
}

const PDF_MAGIC = '%PDF-';

/** Cheap test on the whole file: a PDF with text (fonts) not made by huifang. */
function mayBeMailClientPdf(c: IngestCandidate): boolean {
  if (Buffer.from(c.head.subarray(0, 5)).toString('latin1') !== PDF_MAGIC) return false;
  try {
    // PDFs over 50 MB are scans; a PDF without fonts has no text to read.
    if (statSync(c.path).size > 50 * 1024 * 1024) return false;
    const bytes = readFileSync(c.path);
    return bytes.includes('/Font') && !/\/(Producer|Creator)\s*\(huifang/.test(bytes.toString('latin1'));
  } catch {
    return false;
  }
}

type PrintoutPrepared = { printout: MailClientPrintout } | { scan: unknown };

/** The file read as a mail client's printout; null when it is not one (or cannot be read as one). */
async function readPrintout(input: StoredInput): Promise<MailClientPrintout | null> {
  try {
    return await readMailClientPrintout(input.read());
  } catch {
    return null;
  }
}

/** The mail client printout handler (PDFs with text); other PDFs go on to the scan handler. */
export const emailPrintoutHandler: IngestHandler = {
  name: 'email-printout',
  accepts: mayBeMailClientPdf,
  // Telling a printout from a scan with a text layer (many office scanners add one) reads
  // no register: it may run ahead, and a scan's pages then go to the reading threads.
  async prepare(env, input): Promise<PrintoutPrepared> {
    const printout = await readPrintout(input);
    return printout ? { printout } : { scan: await scanHandler.prepare!(env, input) };
  },
  async ingest(ctx: IngestContext, input: StoredInput, prepared?: unknown): Promise<HandlerResult> {
    const ready = prepared as PrintoutPrepared | undefined;
    const printout = ready ? ('printout' in ready ? ready.printout : null) : await readPrintout(input);
    if (!printout) return scanHandler.ingest(ctx, input, ready && 'scan' in ready ? ready.scan : undefined);
    ctx.onPage(printout.pageCount, printout.pageCount);
    const match = matchMail(ctx.ws.register, {
      subject: printout.subject,
      body: printout.text,
      senders: printout.senders,
    });
    const reading = {
      email: { subject: printout.subject, from: printout.fromLine, source: 'mail-client-pdf' },
      notes: [match.matched ? `matched by ${match.note}` : `not matched: ${match.reason}`],
    };
    const pages: HandledPage[] = [];
    for (let n = 1; n <= printout.pageCount; n++) {
      if (match.matched)
        pages.push({ page: n, visitId: match.visitId, kind: 'email-printout', assignedBy: 'handler', reading });
      else {
        const reason = `printout of the e-mail "${printout.subject}" (${printout.fromLine}): ${match.reason}`;
        pages.push({
          page: n,
          visitId: null,
          kind: 'email-printout',
          assignedBy: 'none',
          reason,
          ruleId: MAIL_RULES.unmatched,
          reading,
          ...(n === 1 ? { review: unmatchedReview(match) } : {}),
        });
      }
    }
    return {
      pageCount: printout.pageCount,
      pages,
      ...(match.matched
        ? {
            alsoInTransaction: (register: Register) =>
              recordEvent(register, ctx.actor, 'email.matched', match.visitId, {
                sha256: input.sha256,
                by: match.by,
                note: match.note,
                source: 'mail-client-pdf',
              }),
          }
        : {}),
    };
  },
};

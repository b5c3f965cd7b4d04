/**
 * Ingest handlers: what turns one stored input file into pages of visits. `ingest` asks
 * each handler in order whether it accepts a file (by name and first bytes) and hands the
 * file to the first that does; scans (JPEG, PNG, TIFF, PDF) are the default, tried last.
 *
 * To add a kind of input (the mail stage's .eml files and PDF printouts of e-mails):
 * write a module that exports an `IngestHandler` and add it to the list where the stages
 * are wired (`src/cli/ingest-handlers.ts`); nothing in ingest's logic changes. A handler
 * may delegate to `scanHandler` (`scan-handler.ts`), as the e-mail printout handler does
 * for PDFs that are not printouts. A handler does not write to the register itself: it returns its pages (with
 * their review items) and, if it needs them, writes extra records in `alsoInTransaction`,
 * which ingest runs in the file's one final transaction — so a crash never leaves half a
 * file. It may store derived bytes (printouts, attachments) with `ctx.ws.files.putBytes`
 * at any time: the file store is content-addressed, so storing twice changes nothing.
 */
import type { DocumentKind } from '../domain/visit.ts';
import type { Register } from '../store/register.ts';
import type { NewPage } from '../store/pages.ts';
import type { NewReviewItem } from '../store/review.ts';
import type { Workspace } from '../store/workspace.ts';
import type { DecodeLimits } from '../scan/decode.ts';
import type { ScanReader } from '../scan/read-pool.ts';

/** What a handler sees before the file is processed, to decide whether it is its kind. */
export interface IngestCandidate {
  /** Absolute path as given (or found in a folder). */
  path: string;
  /** The file's base name, e.g. `batch-07.tif`. */
  name: string;
  size: number;
  /** The first bytes of the file (up to 4 KiB). */
  head: Uint8Array;
}

/** A file after it was stored byte-for-byte in the workspace. */
export interface StoredInput extends IngestCandidate {
  sha256: string;
  /** The stored bytes (read from the file store, not from the original path). */
  read(): Buffer;
}

export interface IngestContext {
  ws: Workspace;
  /** Who is ingesting (recorded with every page). */
  actor: string;
  /** Attach pages without a QR code to the visit of the page before (default true). */
  follow: boolean;
  limits: DecodeLimits;
  /** Reports progress within the file (page n of m, m null when not known yet). */
  onPage(page: number, pageCount: number | null): void;
}

/** One page (or, for inputs without pages such as an .eml, one item numbered 1) and its review items. */
export interface HandledPage extends NewPage {
  review?: (Omit<NewReviewItem, 'page' | 'visitId'> & { crop?: Uint8Array })[];
  /** A picture of the page (PNG) to store before the page is written (its SHA-256 goes to `cropSha256`). */
  crop?: Uint8Array;
}

export interface HandlerResult {
  /** Pages the file has (null when it could not be told, e.g. an unreadable file). */
  pageCount: number | null;
  /** Every page, assigned to a visit or quarantined with a reason: none may be left out. */
  pages: HandledPage[];
  /** Extra register writes (e.g. a derived e-mail printout document), run in the file's final transaction. */
  alsoInTransaction?: (register: Register) => void;
}

export interface IngestHandler {
  /** Short name recorded with the file, e.g. `scan`, `email`. */
  name: string;
  /** Whether this handler reads the file; decided from its name and first bytes only. */
  accepts(candidate: IngestCandidate): boolean;
  /**
   * Optional: the pure part of reading a file (decoding, page reading; no register access),
   * which ingest may start before the file is recorded as `processing`, so that the next
   * files are read on other threads while this one is written. Its result is handed to
   * `ingest` as `prepared`; a rejection is handled as if `ingest` had thrown it.
   */
  prepare?(env: PrepareContext, input: StoredInput): Promise<unknown>;
  ingest(ctx: IngestContext, input: StoredInput, prepared?: unknown): Promise<HandlerResult>;
}

/** What `prepare` may use: the decoding limits and the (possibly multi-threaded) page reader. */
export interface PrepareContext {
  limits: DecodeLimits;
  reader: ScanReader;
}

/** The handler for a file, or undefined when none reads it. */
export function handlerFor(candidate: IngestCandidate, handlers: readonly IngestHandler[]): IngestHandler | undefined {
  return handlers.find((h) => h.accepts(candidate));
}

/** Kinds a clerk may give a page (all document kinds). */
export type PageKind = DocumentKind;

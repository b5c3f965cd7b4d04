/**
 * Where the stages are wired for ingest: the readers a returned file is handed to, asked in
 * order. E-mails (.eml) and PDF printouts of e-mails first; scans (JPEG, PNG, TIFF, PDF)
 * are the default, tried last. Add a kind of input here: one import, one list entry.
 */
import type { IngestHandler } from '../ingest/handlers.ts';
import { scanHandler } from '../ingest/scan-handler.ts';
import { emailHandler, emailPrintoutHandler } from '../mail/ingest-email.ts';

export const INGEST_HANDLERS: readonly IngestHandler[] = [emailHandler, emailPrintoutHandler, scanHandler];

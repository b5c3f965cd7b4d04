/**
 * Printouts for e-mails that reached their visit by hand (a clerk moved an unmatched
 * e-mail to its visit, or attached an .eml): every `email` document of a visit gets its
 * printout and attachments as derived documents, once. Idempotent.
 */
import { addDerivedDocuments, documentsOf, type VisitDocument } from '../store/visits.ts';
import type { Workspace } from '../store/workspace.ts';

export interface PrintoutOutcome {
  emlSha256: string;
  fileName: string;
  printoutSha256?: string;
  /** Why no printout could be made (the .eml cannot be read). */
  error?: string;
}

/**
 * Makes the missing printouts of a visit's e-mails; returns what it did (nothing when all
 * exist). `documents`: the visit's documents when they were just read.
 */
export async function ensureEmailPrintouts(
  ws: Workspace,
  visitId: string,
  actor: string,
  documents?: readonly VisitDocument[],
): Promise<PrintoutOutcome[]> {
  const docs = documents ?? documentsOf(ws.register, visitId);
  const emails = docs.filter((d) => d.kind === 'email' && d.role === 'received');
  const out: PrintoutOutcome[] = [];
  for (const eml of emails) {
    if (docs.some((d) => d.kind === 'email-printout' && d.role === 'derived' && d.sourceSha256 === eml.sha256))
      continue;
    // the mail parser is loaded only when a printout is to be made
    const { EmlError, parseEml } = await import('./parse.ts');
    try {
      const mail = await parseEml(ws.files.read(eml.sha256), eml.fileName);
      // Loaded when a printout is missing: the e-mail ingest handler brings the scan reader with it.
      const { deriveEmailDocuments } = await import('./ingest-email.ts');
      const derived = deriveEmailDocuments(ws, mail, eml.sha256, visitId, { madeAfterIngest: true });
      addDerivedDocuments(ws.register, derived.documents(actor), {
        actor,
        action: 'email.printout',
        visitId,
        details: { sha256: eml.sha256, printout: derived.printout.sha256 },
      });
      out.push({ emlSha256: eml.sha256, fileName: eml.fileName, printoutSha256: derived.printout.sha256 });
    } catch (e) {
      if (!(e instanceof EmlError)) throw e;
      out.push({ emlSha256: eml.sha256, fileName: eml.fileName, error: e.message });
    }
  }
  return out;
}

/**
 * Stamping a visit's stored PDF document: the stamped copy is stored as a new document
 * (role `stamped`, same kind, `source_sha256` naming the original), beside the original,
 * which is never touched. Stamping the same document with the same reference again changes
 * nothing (the stamped bytes are the same).
 */
import { InputError } from '../domain/messages.ts';
import { getVisit, addDocument, getDocument, type VisitDocument } from '../store/visits.ts';
import type { Workspace } from '../store/workspace.ts';
import { stampPdf, type StampResult } from './stamp.ts';

export interface StampDocumentOptions {
  archiveRef: string;
  /** ISO date-time recorded as the modification date (e.g. the bagging date). */
  date?: string;
  actor?: string;
}

export interface StampedDocument {
  source: VisitDocument;
  documentId: number;
  sha256: string;
  size: number;
  result: StampResult;
}

/** Stamps one of a visit's PDF documents and records the stamped copy. @throws StampError */
export async function stampVisitDocument(
  ws: Workspace,
  documentId: number,
  options: StampDocumentOptions,
): Promise<StampedDocument> {
  const source = getDocument(ws.register, documentId);
  if (!source) throw new InputError(`There is no document ${documentId} in the register.`);
  if (source.role === 'stamped')
    throw new InputError(
      `Document ${documentId} (${source.fileName}) is already a stamped copy; stamp its original instead.`,
    );
  const visit = getVisit(ws.register, source.visitId)!;
  const bytes = ws.files.read(source.sha256);
  const result = await stampPdf(bytes, {
    visitId: source.visitId,
    customerId: visit.customerId,
    kind: source.kind,
    sourceSha256: source.sha256,
    archiveRef: options.archiveRef,
    fileName: source.fileName,
    ...(options.date ? { date: options.date } : {}),
  });
  const stored = ws.files.putBytes(result.pdf);
  const id = addDocument(ws.register, {
    visitId: source.visitId,
    kind: source.kind,
    role: 'stamped',
    sha256: stored.sha256,
    size: stored.size,
    mediaType: 'application/pdf',
    fileName: source.fileName.replace(/(\.pdf)?$/i, '.stamped.pdf'),
    pageCount: result.pageCount,
    sourceSha256: source.sha256,
    createdBy: options.actor ?? 'huifang',
    meta: {
      archiveRef: options.archiveRef,
      footers: result.footers.map((f) => f.placement),
      ...(result.footerSkipped.length ? { footerSkipped: result.footerSkipped } : {}),
    },
  });
  return { source, documentId: id, sha256: stored.sha256, size: stored.size, result };
}

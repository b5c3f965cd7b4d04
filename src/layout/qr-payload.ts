/**
 * What a page's QR code says: `HF1|<visit id>|<document kind>|<page>/<count>|<layout>`,
 * e.g. `HF1|HF-7K3M9-Q2T4X|form|3/3|form.new-account.v1`. Short enough for a 20 mm code
 * with error correction level Q, and readable by any phone.
 */
import { parseVisitId, type VisitId } from '../domain/visit-id.ts';
import { DOCUMENT_KINDS, type DocumentKind } from '../domain/visit.ts';

const QR_PAYLOAD_PREFIX = 'HF1';

export interface PagePayload {
  visitId: VisitId;
  kind: DocumentKind;
  /** 1-based page number within the document (the letter pages and the form count together). */
  page: number;
  pageCount: number;
  /** Layout id of this page, e.g. `letter.v1` or `form.new-account.v1`. */
  layout: string;
}

export function encodePagePayload(p: PagePayload): string {
  return [QR_PAYLOAD_PREFIX, p.visitId, p.kind, `${p.page}/${p.pageCount}`, p.layout].join('|');
}

export type PagePayloadParse = { ok: true; payload: PagePayload } | { ok: false; reason: string };

export function decodePagePayload(text: string): PagePayloadParse {
  const parts = text.trim().split('|');
  if (parts.length !== 5 || parts[0] !== QR_PAYLOAD_PREFIX) {
    return { ok: false, reason: `QR code does not hold a huifang page payload: ${JSON.stringify(text.slice(0, 60))}` };
  }
  const [, id, kind, pages, layout] = parts as [string, string, string, string, string];
  const visit = parseVisitId(id);
  if (!visit.ok) return { ok: false, reason: `QR code visit id: ${visit.reason}` };
  if (!(DOCUMENT_KINDS as readonly string[]).includes(kind))
    return { ok: false, reason: `QR code names an unknown document kind "${kind}"` };
  const m = /^(\d{1,3})\/(\d{1,3})$/.exec(pages);
  if (!m) return { ok: false, reason: `QR code page "${pages}" is not n/m` };
  const page = Number(m[1]);
  const pageCount = Number(m[2]);
  if (page < 1 || page > pageCount)
    return { ok: false, reason: `QR code page ${page} of ${pageCount} is out of range` };
  if (!/^[a-z0-9.-]+$/.test(layout)) return { ok: false, reason: `QR code layout "${layout}" is malformed` };
  return { ok: true, payload: { visitId: visit.visitId, kind: kind as DocumentKind, page, pageCount, layout } };
}

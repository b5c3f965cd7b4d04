/**
 * Re-assigning a page by hand: a clerk who sees that a page belongs to another visit, or
 * is an envelope rather than an attachment, or sits in quarantine but is plainly visit X's
 * postal receipt, moves it. Recorded with who and when (events `page.moved`).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, invalidParameter } from '../domain/messages.ts';
import { parseVisitId } from '../domain/visit-id.ts';
import { DOCUMENT_KINDS, type DocumentKind } from '../domain/visit.ts';
import { sha256OfFile } from '../store/files.ts';
import { findIngestFilesByPrefix, getIngestFile, type IngestFileRecord } from '../store/ingest.ts';
import { movePage, pagesOfFile, type PageRecord } from '../store/pages.ts';
import { getVisit } from '../store/visits.ts';
import type { Workspace } from '../store/workspace.ts';

export interface MoveRequest {
  /** The ingested file: its SHA-256 (or a unique prefix of 8+ characters), or a path to the same bytes. */
  file: string;
  /** 1-based page; may be left out when the file has one page, or only a whole-file entry. */
  page?: number;
  visit: string;
  kind: string;
  actor: string;
}

export interface MoveResult {
  file: IngestFileRecord;
  before: PageRecord;
  after: PageRecord;
}

/** Finds an ingested file by SHA-256, prefix or path. */
export async function resolveIngestedFile(ws: Workspace, file: string): Promise<IngestFileRecord> {
  const f = file.trim();
  if (/^[0-9a-f]{64}$/i.test(f)) {
    const found = getIngestFile(ws.register, f.toLowerCase());
    if (!found) throw new UsageError(`No file with SHA-256 ${f} was ingested into this workspace.`);
    return found;
  }
  if (/^[0-9a-f]{8,63}$/i.test(f) && !existsSync(resolve(f))) {
    const matches = findIngestFilesByPrefix(ws.register, f);
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1)
      throw new UsageError(`${f} is the start of ${matches.length} ingested files' SHA-256; give more characters.`);
    throw new UsageError(`No ingested file's SHA-256 starts with ${f}.`);
  }
  const path = resolve(f);
  if (!existsSync(path))
    throw new UsageError(
      `${path} does not exist; name the file by its path or by the SHA-256 that huifang ingest --json or huifang quarantine shows.`,
    );
  const { sha256 } = await sha256OfFile(path);
  const found = getIngestFile(ws.register, sha256);
  if (!found)
    throw new UsageError(
      `${path} (SHA-256 ${sha256.slice(0, 12)}…) was never ingested into this workspace; run huifang ingest on it first.`,
    );
  return found;
}

export interface BulkMoveRequest {
  /** Pages as `FILE:PAGE` (file by SHA-256, 8+ leading characters or path; page 1-based). */
  pages: string[];
  /** The visit for every page; when left out, each page keeps the visit it is attached to. */
  visit?: string;
  kind: string;
  actor: string;
}

/**
 * Moves several pages at once (bulk classification after `huifang pages unclassified`):
 * every page is checked first, and if one cannot be moved none is.
 */
export async function movePagesByClerk(ws: Workspace, req: BulkMoveRequest): Promise<MoveResult[]> {
  if (req.pages.length === 0)
    throw new UsageError(
      'Name the pages to move as FILE:PAGE, e.g. huifang pages move 3fa9c2e1:4 7be0d2c3:2 --kind envelope.',
    );
  if (!(DOCUMENT_KINDS as readonly string[]).includes(req.kind))
    throw invalidParameter('--kind', `one of ${DOCUMENT_KINDS.join(', ')}`, req.kind);
  const planned: MoveRequest[] = [];
  for (const ref of req.pages) {
    const m = /^(.+):(\d+)$/.exec(ref.trim());
    if (!m)
      throw new UsageError(
        `"${ref}" does not name a page: write FILE:PAGE, e.g. 3fa9c2e1:4 (the file's SHA-256 start, as huifang pages unclassified shows it).`,
      );
    const file = await resolveIngestedFile(ws, m[1]!);
    const page = Number(m[2]);
    const current = pagesOfFile(ws.register, file.sha256).find((p) => p.page === page);
    if (!current) throw new UsageError(`${file.sourcePath} has no page ${page}.`);
    const visit = req.visit ?? current.visitId;
    if (!visit)
      throw new UsageError(
        `${file.sourcePath}, page ${page} is in quarantine and belongs to no visit yet; say which with --visit ID.`,
      );
    const parsed = parseVisitId(visit);
    if (!parsed.ok) throw new UsageError(`--visit ${JSON.stringify(visit)} is not a visit id: ${parsed.reason}`);
    if (!getVisit(ws.register, parsed.visitId))
      throw new UsageError(`Visit ${parsed.visitId} is not in this workspace's register.`);
    if (file.status !== 'done')
      throw new UsageError(
        `${file.sourcePath} is still being ingested (an earlier run stopped inside it); run huifang ingest on it again first.`,
      );
    planned.push({ file: file.sha256, page, visit, kind: req.kind, actor: req.actor });
  }
  const results: MoveResult[] = [];
  // Checked above; each move validates again and records who and when.
  for (const m of planned) results.push(await movePageByClerk(ws, m));
  return results;
}

/** Moves a page to a visit and kind (see the module comment). */
export async function movePageByClerk(ws: Workspace, req: MoveRequest): Promise<MoveResult> {
  if (!(DOCUMENT_KINDS as readonly string[]).includes(req.kind))
    throw invalidParameter('--kind', `one of ${DOCUMENT_KINDS.join(', ')}`, req.kind);
  const parsed = parseVisitId(req.visit);
  if (!parsed.ok) throw new UsageError(`--visit ${JSON.stringify(req.visit)} is not a visit id: ${parsed.reason}`);
  if (!getVisit(ws.register, parsed.visitId))
    throw new UsageError(`Visit ${parsed.visitId} is not in this workspace's register.`);
  const file = await resolveIngestedFile(ws, req.file);
  if (file.status !== 'done')
    throw new UsageError(
      `${file.sourcePath} is still being ingested (an earlier run stopped inside it); run huifang ingest on it again first.`,
    );
  const pages = pagesOfFile(ws.register, file.sha256);
  let page = req.page;
  if (page === undefined) {
    if (pages.length !== 1)
      throw new UsageError(`${file.sourcePath} has ${pages.length} pages; say which with --page N.`);
    page = pages[0]!.page;
  }
  if (!pages.some((p) => p.page === page)) {
    const pageNumbers = pages.map((p) => p.page).filter((p) => p > 0);
    const hasWhole = pages.some((p) => p.page === 0);
    throw new UsageError(
      `${file.sourcePath} has no page ${page}; ${pageNumbers.length ? `its pages are ${pageNumbers.join(', ')}` : 'it has no readable pages'}${hasWhole ? ' (the whole file is --page 0)' : ''}.`,
    );
  }
  const { before, after } = movePage(ws.register, {
    sha256: file.sha256,
    page,
    visitId: parsed.visitId,
    kind: req.kind as DocumentKind,
    actor: req.actor,
  });
  return { file, before, after };
}

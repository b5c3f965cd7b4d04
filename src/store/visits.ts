/**
 * Customers, runs, visits and their documents in the register.
 */
import type { Customer, CustomerKind } from '../domain/customer.ts';
import type { DocumentKind, Visit, VisitCategory, VisitChannel, VisitResult } from '../domain/visit.ts';
import type { VisitId } from '../domain/visit-id.ts';
import { nowIso } from '../env/clock.ts';
import { groupBy, rowsForIds } from './batch.ts';
import { recordEvent } from './register.ts';
import { sqlOf, type Db, type Register, type SqlValue } from './sql.ts';
import type { Workspace } from './workspace.ts';

interface CustomerRow {
  customer_id: string;
  name: string;
  kind: CustomerKind;
  branch_code: string;
  branch_name: string;
  address: string;
  postcode: string;
  phone: string;
  email: string;
  opened_on: string;
  marketing_staff: string | null;
  contact_person: string | null;
}

function customerFromRow(r: CustomerRow): Customer {
  const c: Customer = {
    customerId: r.customer_id,
    name: r.name,
    kind: r.kind,
    branchCode: r.branch_code,
    branchName: r.branch_name,
    address: r.address,
    postcode: r.postcode,
    phone: r.phone,
    email: r.email,
    openedOn: r.opened_on,
  };
  if (r.marketing_staff) c.marketingStaff = r.marketing_staff;
  if (r.contact_person) c.contactPerson = r.contact_person;
  return c;
}

/** Adds a customer or updates its details from a newer list. */
export function upsertCustomer(register: Register, c: Customer): void {
  const db = sqlOf(register);
  db.prepare(
    `INSERT INTO customers (customer_id, name, kind, branch_code, branch_name, address, postcode, phone, email, opened_on, marketing_staff, contact_person, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (customer_id) DO UPDATE SET name=excluded.name, kind=excluded.kind, branch_code=excluded.branch_code, branch_name=excluded.branch_name,
       address=excluded.address, postcode=excluded.postcode, phone=excluded.phone, email=excluded.email, opened_on=excluded.opened_on,
       marketing_staff=excluded.marketing_staff, contact_person=excluded.contact_person, updated_at=excluded.updated_at`,
  ).run(
    c.customerId,
    c.name,
    c.kind,
    c.branchCode,
    c.branchName,
    c.address,
    c.postcode,
    c.phone,
    c.email,
    c.openedOn,
    c.marketingStaff ?? null,
    c.contactPerson ?? null,
    nowIso(),
  );
}

export function getCustomer(register: Register, customerId: string): Customer | undefined {
  const db = sqlOf(register);
  return customersByIds(db, [customerId]).get(customerId);
}

/** Customers by id (unknown ids are left out). */
export function customersByIds(register: Register, customerIds: readonly string[]): Map<string, Customer> {
  const db = sqlOf(register);
  const rows = rowsForIds<CustomerRow>(
    db,
    [...new Set(customerIds)],
    (m) => `SELECT * FROM customers WHERE customer_id IN (${m})`,
  );
  return new Map(rows.map((r) => [r.customer_id, customerFromRow(r)]));
}

/** The customers of these visits, by customer id. */
export function customersOfVisits(register: Register, visitIds: readonly string[]): Map<string, Customer> {
  const rows = rowsForIds<CustomerRow>(
    register,
    visitIds,
    (m) => `SELECT * FROM customers WHERE customer_id IN (SELECT customer_id FROM visits WHERE visit_id IN (${m}))`,
  );
  return new Map(rows.map((r) => [r.customer_id, customerFromRow(r)]));
}

export function findCustomersByEmail(register: Register, email: string): Customer[] {
  const db = sqlOf(register);
  const rows = db.prepare('SELECT * FROM customers WHERE lower(email) = lower(?)').all(email.trim()) as CustomerRow[];
  return rows.map(customerFromRow);
}

export interface RunRecord {
  runId: string;
  command: string;
  sourcePath: string;
  sourceSha256: string;
  options: object;
}

export function recordRun(register: Register, run: RunRecord): void {
  const db = sqlOf(register);
  db.prepare(
    'INSERT INTO runs (run_id, command, started_at, source_path, source_sha256, options_json) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(run.runId, run.command, nowIso(), run.sourcePath, run.sourceSha256, JSON.stringify(run.options));
}

interface VisitRow {
  visit_id: string;
  customer_id: string;
  category: VisitCategory;
  channel: VisitChannel;
  visitor: string | null;
  reviewer: string | null;
  created_on: string;
  due_on: string;
  result: VisitResult;
  run_id: string | null;
  layout_id: string | null;
}

function visitFromRow(r: VisitRow): Visit & { layoutId?: string } {
  const v: Visit & { layoutId?: string } = {
    visitId: r.visit_id as VisitId,
    customerId: r.customer_id,
    category: r.category,
    channel: r.channel,
    createdOn: r.created_on,
    dueOn: r.due_on,
    result: r.result,
  };
  if (r.visitor) v.visitor = r.visitor;
  if (r.reviewer) v.reviewer = r.reviewer;
  if (r.run_id) v.runId = r.run_id;
  if (r.layout_id) v.layoutId = r.layout_id;
  return v;
}

export function insertVisit(register: Register, v: Visit & { layoutId?: string }, actor: string): void {
  const db = sqlOf(register);
  db.prepare(
    `INSERT INTO visits (visit_id, customer_id, category, channel, visitor, reviewer, created_on, due_on, result, run_id, layout_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    v.visitId,
    v.customerId,
    v.category,
    v.channel,
    v.visitor ?? null,
    v.reviewer ?? null,
    v.createdOn,
    v.dueOn,
    v.result,
    v.runId ?? null,
    v.layoutId ?? null,
  );
  recordEvent(db, actor, 'visit.created', v.visitId, { category: v.category, channel: v.channel, runId: v.runId });
}

export function getVisit(register: Register, visitId: string): (Visit & { layoutId?: string }) | undefined {
  const db = sqlOf(register);
  return visitsByIds(db, [visitId]).get(visitId);
}

/** Visits by id (unknown ids are left out). */
export function visitsByIds(
  register: Register,
  visitIds: readonly string[],
): Map<string, Visit & { layoutId?: string }> {
  const db = sqlOf(register);
  const rows = rowsForIds<VisitRow>(db, visitIds, (m) => `SELECT * FROM visits WHERE visit_id IN (${m})`);
  return new Map(rows.map((r) => [r.visit_id, visitFromRow(r)]));
}

export interface VisitFilter {
  branchCode?: string;
  customerId?: string;
  runId?: string;
  /** Started on or after this day (`YYYY-MM-DD`). */
  createdFrom?: string;
  /** Started on or before this day (`YYYY-MM-DD`). */
  createdTo?: string;
}

export function listVisits(register: Register, filter: VisitFilter = {}): (Visit & { layoutId?: string })[] {
  return (visitsWhere(register, 'v.*', filter) as VisitRow[]).map(visitFromRow);
}

/** The ids of the visits `listVisits` lists, in the same order: for who reads the visits' records later. */
export function visitIdsOf(register: Register, filter: VisitFilter = {}): string[] {
  return (visitsWhere(register, 'v.visit_id', filter) as { visit_id: string }[]).map((r) => r.visit_id);
}

function visitsWhere(register: Register, columns: string, filter: VisitFilter): unknown[] {
  const db = sqlOf(register);
  const where: string[] = [];
  const args: SqlValue[] = [];
  if (filter.branchCode) {
    where.push('c.branch_code = ?');
    args.push(filter.branchCode);
  }
  if (filter.customerId) {
    where.push('v.customer_id = ?');
    args.push(filter.customerId);
  }
  if (filter.runId) {
    where.push('v.run_id = ?');
    args.push(filter.runId);
  }
  if (filter.createdFrom) {
    where.push('v.created_on >= ?');
    args.push(filter.createdFrom);
  }
  if (filter.createdTo) {
    where.push('v.created_on <= ?');
    args.push(filter.createdTo);
  }
  const sql = `SELECT ${columns} FROM visits v JOIN customers c ON c.customer_id = v.customer_id ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY v.visit_id`;
  return db.prepare(sql).all(...args);
}

export type DocumentRole = 'rendered' | 'received' | 'derived' | 'stamped';

export interface VisitDocument {
  documentId: number;
  visitId: VisitId;
  kind: DocumentKind;
  role: DocumentRole;
  sha256: string;
  fileName: string;
  pageCount: number | null;
  sourceSha256: string | null;
  createdAt: string;
  createdBy: string | null;
  meta: Record<string, unknown>;
}

export interface NewDocument {
  visitId: string;
  kind: DocumentKind;
  role: DocumentRole;
  sha256: string;
  size: number;
  mediaType?: string;
  fileName: string;
  pageCount?: number;
  sourceSha256?: string;
  createdBy?: string;
  meta?: Record<string, unknown>;
}

/** Records a stored object as a blob (once) — call after `files.putBytes`/`putFile`. */
export function recordBlob(register: Register, sha256: string, size: number, mediaType?: string): void {
  const db = sqlOf(register);
  db.prepare(
    'INSERT INTO blobs (sha256, size, media_type, first_seen_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
  ).run(sha256, size, mediaType ?? null, nowIso());
}

/**
 * Adds a document to a visit; adding the same one again changes nothing. Returns its id. One
 * transaction: two processes adding the same document at once (two archive runs extracting
 * or stamping the same pages) give one document, not a constraint error.
 */
export function addDocument(register: Register, d: NewDocument): number {
  const db = sqlOf(register);
  return db.transaction(() => addDocumentNow(db, d));
}

function addDocumentNow(db: Db, d: NewDocument): number {
  recordBlob(db, d.sha256, d.size, d.mediaType);
  const existing = db
    .prepare('SELECT document_id FROM documents WHERE visit_id = ? AND kind = ? AND role = ? AND sha256 = ?')
    .get(d.visitId, d.kind, d.role, d.sha256) as { document_id: number } | undefined;
  if (existing) return existing.document_id;
  const info = db
    .prepare(
      `INSERT INTO documents (visit_id, kind, role, sha256, file_name, page_count, source_sha256, created_at, created_by, meta_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING document_id`,
    )
    .get(
      d.visitId,
      d.kind,
      d.role,
      d.sha256,
      d.fileName,
      d.pageCount ?? null,
      d.sourceSha256 ?? null,
      nowIso(),
      d.createdBy ?? null,
      JSON.stringify(d.meta ?? {}),
    );
  recordEvent(db, d.createdBy ?? 'huifang', 'document.added', d.visitId, {
    kind: d.kind,
    role: d.role,
    sha256: d.sha256,
    fileName: d.fileName,
  });
  return Number((info as { document_id: number }).document_id);
}

interface DocumentRow {
  document_id: number;
  visit_id: string;
  kind: DocumentKind;
  role: DocumentRole;
  sha256: string;
  file_name: string;
  page_count: number | null;
  source_sha256: string | null;
  created_at: string;
  created_by: string | null;
  meta_json: string;
}

export function documentsOf(register: Register, visitId: string): VisitDocument[] {
  const db = sqlOf(register);
  return documentsOfVisits(db, [visitId]).get(visitId) ?? [];
}

/** The documents of each visit (oldest first); a visit without any is left out. */
export function documentsOfVisits(register: Register, visitIds: readonly string[]): Map<string, VisitDocument[]> {
  const db = sqlOf(register);
  const rows = rowsForIds<DocumentRow>(
    db,
    visitIds,
    (m) => `SELECT * FROM documents WHERE visit_id IN (${m}) ORDER BY visit_id, document_id`,
  );
  return groupBy(rows.map(documentFromRow), (d) => d.visitId as string);
}

function documentFromRow(r: DocumentRow): VisitDocument {
  return {
    documentId: r.document_id,
    visitId: r.visit_id as VisitId,
    kind: r.kind,
    role: r.role,
    sha256: r.sha256,
    fileName: r.file_name,
    pageCount: r.page_count,
    sourceSha256: r.source_sha256,
    createdAt: r.created_at,
    createdBy: r.created_by,
    meta: JSON.parse(r.meta_json) as Record<string, unknown>,
  };
}

/** Stores bytes in the file store and records them as a visit's document, in one step. */
export function storeDocument(
  ws: Workspace,
  d: Omit<NewDocument, 'sha256' | 'size'>,
  bytes: Uint8Array,
): { documentId: number; sha256: string } {
  const { sha256, size } = ws.files.putBytes(bytes);
  const documentId = addDocument(ws.register, { ...d, sha256, size });
  return { documentId, sha256 };
}

/** A run of `letters` or `forms` as the register records it, all at once. */
export interface StartedRun {
  run: RunRecord;
  customers: readonly Customer[];
  visits: readonly (Visit & { layoutId?: string })[];
  /** The rendered documents, already in the file store. */
  documents: readonly NewDocument[];
  actor: string;
  /** More of the store's own writes that belong to the same run (a plan's rows marked started). */
  alsoInTransaction?: () => void;
  /**
   * What must still hold when the run is registered, checked first under the write lock (no
   * customer of the list has an open visit of the category: another run may have started one
   * since the run was checked); throws to register nothing.
   */
  checkFirst?: () => void;
}

/** Registers a run, its customers, visits and rendered documents in one transaction: all or nothing. */
export function registerStartedRun(register: Register, started: StartedRun): void {
  const db = sqlOf(register);
  db.transaction(() => {
    started.checkFirst?.();
    recordRun(db, started.run);
    for (const c of started.customers) upsertCustomer(db, c);
    for (const v of started.visits) insertVisit(db, v, started.actor);
    started.alsoInTransaction?.();
    for (const d of started.documents) {
      recordBlob(db, d.sha256, d.size, d.mediaType);
      addDocument(db, d);
    }
  });
}

/** One document of the register by its number. */
export function getDocument(register: Register, documentId: number): VisitDocument | undefined {
  const db = sqlOf(register);
  const row = db.prepare('SELECT visit_id FROM documents WHERE document_id = ?').get(documentId) as
    { visit_id: string } | undefined;
  return row ? documentsOf(db, row.visit_id).find((d) => d.documentId === documentId) : undefined;
}

/** Takes documents off their visit (their stored files stay), each removal an event with its reason. */
export function removeDocuments(
  register: Register,
  documents: readonly VisitDocument[],
  actor: string,
  reason: string,
): void {
  const db = sqlOf(register);
  db.transaction(() => {
    for (const d of documents) {
      db.prepare('DELETE FROM documents WHERE document_id = ?').run(d.documentId);
      recordEvent(db, actor, 'document.removed', d.visitId, { kind: d.kind, role: d.role, sha256: d.sha256, reason });
    }
  });
}

/** Adds documents made from one the visit has (an e-mail's printout, its attachments) and the event that says so, together. */
export function addDerivedDocuments(
  register: Register,
  documents: readonly NewDocument[],
  event: { actor: string; action: string; visitId: string; details: object },
): void {
  const db = sqlOf(register);
  db.transaction(() => {
    for (const d of documents) addDocument(db, d);
    recordEvent(db, event.actor, event.action, event.visitId, event.details);
  });
}

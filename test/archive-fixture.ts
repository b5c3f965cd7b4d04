/**
 * A small register for the archive tests: branch 3101 with visits in 2026-05 — a phone
 * visit (recording, answers entered), an e-questionnaire (exported PDF-like response and a
 * JPEG scan attachment with an awkward name), and a letter visit that never came back
 * (invalid: no returned form). Built directly with the register's functions.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Customer } from '../src/domain/customer.ts';
import { questionsFor } from '../src/domain/questions.ts';
import type { Visit } from '../src/domain/visit.ts';
import type { VisitId } from '../src/domain/visit-id.ts';
import { checkCharacter } from '../src/domain/visit-id.ts';
import { enterAnswers } from '../src/store/rules.ts';
import { insertVisit, storeDocument, upsertCustomer } from '../src/store/visits.ts';
import { recordVisitReview } from '../src/store/visit-reviews.ts';
import type { Workspace } from '../src/store/workspace.ts';
import { openTestWorkspace } from './workspace-helpers.ts';

export function visitIdFor(n: number): VisitId {
  const body = ('ARCH' + String(n).padStart(5, '0')).slice(0, 9);
  return `HF-${body.slice(0, 5)}-${body.slice(5)}${checkCharacter(body)}` as VisitId;
}

/** Deterministic pseudo-random bytes (looks like compressed data). */
export function noise(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha512').update(seed).digest();
  for (let o = 0; o < size; o += block.length) {
    block.copy(out, o, 0, Math.min(block.length, size - o));
    block = createHash('sha512').update(block).digest();
  }
  return out;
}

const jpeg = (seed: string, size: number) =>
  Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), noise(seed, size - 6), Buffer.from([0xff, 0xd9])]);

export function customer(id: string, kind: Customer['kind'], branch = '3101'): Customer {
  return {
    customerId: id,
    name: kind === 'institution' ? '上海某某投资有限公司' : '张三',
    kind,
    branchCode: branch,
    branchName: '上海浦东南路证券营业部',
    address: '上海市浦东新区浦东南路100号',
    postcode: '200120',
    phone: '13800138000',
    email: 'zhang@example.com',
    openedOn: '2026-04-20',
  };
}

function passingAnswers(category: Visit['category']): { questionId: string; answer: string }[] {
  return questionsFor(category)
    .filter((q) => q.type === 'choice' || (q.type === 'yes-no' && !q.askedWhen))
    .map((q) => ({ questionId: q.id, answer: q.type === 'choice' ? 'satisfied' : (q.pass ?? 'no') }));
}

export interface Fixture {
  ws: Workspace;
  dir: string;
  valid: VisitId[];
  invalid: VisitId[];
}

/** Adds a passing phone visit with a recording of `size` bytes. */
export function addPhoneVisit(ws: Workspace, n: number, period: string, size = 40_000, branch = '3101'): VisitId {
  const c = customer(`31010000${String(n).padStart(4, '0')}`, 'individual', branch);
  upsertCustomer(ws.register, c);
  const visitId = visitIdFor(n);
  insertVisit(
    ws.register,
    {
      visitId,
      customerId: c.customerId,
      category: 'new-account',
      channel: 'phone',
      visitor: '李四',
      reviewer: '王五',
      createdOn: `${period}-05`,
      dueOn: `${period}-28`,
      result: 'pending',
    },
    'clerk',
  );
  storeDocument(
    ws,
    {
      visitId,
      kind: 'recording',
      role: 'received',
      fileName: `call ${n}.mp3`,
      mediaType: 'audio/mpeg',
      createdBy: 'clerk',
    },
    noise(`rec${n}`, size),
  );
  enterAnswers(ws.register, visitId, passingAnswers('new-account'), '李四');
  // 复核: a reviewer other than the visitor approves the visit once its evidence is in.
  recordVisitReview(ws.register, visitId, 'approve', 'recording and answers checked', '王五');
  return visitId;
}

export function makeFixture(): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'huifang-archive-'));
  const ws = openTestWorkspace(join(dir, 'ws'));
  const v1 = addPhoneVisit(ws, 1, '2026-05');
  // e-questionnaire with a scan attachment whose name is hostile to file systems
  const c2 = customer('310100000002', 'institution');
  upsertCustomer(ws.register, c2);
  const v2 = visitIdFor(2);
  insertVisit(
    ws.register,
    {
      visitId: v2,
      customerId: c2.customerId,
      category: 'existing',
      channel: 'e-questionnaire',
      visitor: '李四',
      reviewer: '王五',
      createdOn: '2026-05-10',
      dueOn: '2026-06-09',
      result: 'pending',
    },
    'clerk',
  );
  storeDocument(
    ws,
    {
      visitId: v2,
      kind: 'e-questionnaire',
      role: 'received',
      fileName: '问卷导出.json',
      mediaType: 'application/json',
      createdBy: 'clerk',
    },
    Buffer.from(JSON.stringify({ answers: { 'ex.risks-disclosed': 'yes' } })),
  );
  storeDocument(
    ws,
    {
      visitId: v2,
      kind: 'attachment',
      role: 'received',
      fileName: 'C:\\scans\\100%\r\n回执 ../扫描.JPG',
      mediaType: 'image/jpeg',
      createdBy: 'clerk',
    },
    jpeg('scan2', 30_000),
  );
  storeDocument(
    ws,
    {
      visitId: v2,
      kind: 'attachment',
      role: 'received',
      fileName: 'cafe\u0301.jpg',
      mediaType: 'image/jpeg',
      createdBy: 'clerk',
    },
    jpeg('scan2b', 5_000),
  );
  storeDocument(
    ws,
    {
      visitId: v2,
      kind: 'attachment',
      role: 'received',
      fileName: 'CAFÉ.jpg',
      mediaType: 'image/jpeg',
      createdBy: 'clerk',
    },
    jpeg('scan2c', 5_000),
  );
  enterAnswers(ws.register, v2, passingAnswers('existing'), '李四');
  recordVisitReview(ws.register, v2, 'approve', 'export and attachments checked', '王五');
  // a letter that never came back: fails validation (no returned form)
  const c3 = customer('310100000003', 'individual');
  upsertCustomer(ws.register, c3);
  const v3 = visitIdFor(3);
  insertVisit(
    ws.register,
    {
      visitId: v3,
      customerId: c3.customerId,
      category: 'new-account',
      channel: 'letter',
      visitor: '李四',
      reviewer: '王五',
      createdOn: '2026-05-20',
      dueOn: '2026-06-20',
      result: 'pending',
    },
    'clerk',
  );
  return { ws, dir, valid: [v1, v2], invalid: [v3] };
}

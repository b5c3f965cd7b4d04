/**
 * A register for the report tests: the archive fixture's branch 3101 in 2026-05 (two passed
 * visits, a letter that never came back), a phone visit the customer failed (staff operated
 * the account, 第十八条(三)) and a passed phone visit in branch 1101.
 */
import { join } from 'node:path';
import type { VisitId } from '../src/domain/visit-id.ts';
import { enterAnswers } from '../src/store/rules.ts';
import { insertVisit, storeDocument, upsertCustomer } from '../src/store/visits.ts';
import { addPhoneVisit, customer, makeFixture, noise, visitIdFor } from './archive-fixture.ts';

export interface ReportFixture {
  dir: string;
  ws: string;
  failed: VisitId;
}

/** The day the report tests run on (HUIFANG_NOW). */
export const REPORT_NOW = '2026-06-10T02:00:00Z';

export function makeReportFixture(): ReportFixture {
  const f = makeFixture();
  const failed = visitIdFor(4);
  const c = customer('310100000004', 'individual');
  upsertCustomer(f.ws.register, { ...c, name: '李雷' });
  insertVisit(
    f.ws.register,
    {
      visitId: failed,
      customerId: c.customerId,
      category: 'new-account',
      channel: 'phone',
      visitor: '李四',
      reviewer: '王五',
      createdOn: '2026-05-12',
      dueOn: '2026-06-12',
      result: 'pending',
    },
    'clerk',
  );
  storeDocument(
    f.ws,
    {
      visitId: failed,
      kind: 'recording',
      role: 'received',
      fileName: 'call 4.mp3',
      mediaType: 'audio/mpeg',
      createdBy: 'clerk',
    },
    noise('rec4', 20_000),
  );
  enterAnswers(
    f.ws.register,
    failed,
    [
      { questionId: 'na.staff-operated-account', answer: 'yes' },
      { questionId: 'na.opened-in-person', answer: 'yes' },
      { questionId: 'na.password-set-personally', answer: 'yes' },
      { questionId: 'na.discretionary-mandate', answer: 'no' },
      { questionId: 'na.risks-disclosed', answer: 'yes' },
      { questionId: 'na.brought-by-staff', answer: 'no' },
      { questionId: 'na.agency-with-staff', answer: 'no' },
      { questionId: 'satisfaction', answer: 'dissatisfied' },
    ],
    '李四',
  );
  addPhoneVisit(f.ws, 5, '2026-05', 10_000, '1101');
  f.ws.close();
  return { dir: f.dir, ws: join(f.dir, 'ws'), failed };
}

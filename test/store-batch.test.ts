/**
 * Reading many visits at once (what validate and the period report do for a branch) gives
 * each visit exactly what reading it alone gives, across the chunks the ids are read in.
 */
import { describe, expect, it } from 'vitest';
import { newVisitId } from '../src/domain/visit-id.ts';
import { attemptsOf, enterRemarks, logAttempt, remarksOf } from '../src/store/attempts.ts';
import { enterAnswers, enteredAnswersOf } from '../src/store/rules.ts';
import { loadVisitRecords } from '../src/store/visit-records.ts';
import { addDocument, documentsOf, getVisit, insertVisit, listVisits, upsertCustomer } from '../src/store/visits.ts';
import { customer, tempWorkspace } from './rules-fixtures.ts';
import { sqlOf } from '../src/store/sql.ts';

describe('reading many visits at once', () => {
  it('gives every one of 1,201 visits (three chunks) its own documents, attempts, answers and remarks', () => {
    const ws = tempWorkspace('huifang-batch-');
    try {
      const branch = customer({ customerId: '310100000001' });
      const other = customer({ customerId: '320100000002', branchCode: '3201', branchName: '南京营业部' });
      upsertCustomer(ws.register, branch);
      upsertCustomer(ws.register, other);
      const ids: string[] = [];
      sqlOf(ws.register).transaction(() => {
        for (let i = 0; i < 1201; i++) {
          const visitId = newVisitId();
          const c = i % 10 === 0 ? other : branch;
          insertVisit(
            ws.register,
            {
              visitId,
              customerId: c.customerId,
              category: 'existing',
              channel: 'phone',
              createdOn: '2026-10-01',
              dueOn: '2026-10-31',
              result: 'pending',
            },
            'test',
          );
          ids.push(visitId);
          const sha = (i + 1).toString(16).padStart(64, '0');
          addDocument(ws.register, {
            visitId,
            kind: 'recording',
            role: 'received',
            sha256: sha,
            size: i,
            fileName: `${i}.mp3`,
          });
          if (i % 3 === 0)
            logAttempt(
              ws.register,
              { visitId, channel: 'phone', outcome: 'no-answer', at: `2026-10-0${1 + (i % 9)}T02:00:00Z` },
              'S1',
            );
          if (i % 7 === 0) {
            enterAnswers(ws.register, visitId, [{ questionId: 'ex.risks-disclosed', answer: 'no' }], 'S1');
            enterAnswers(ws.register, visitId, [{ questionId: 'ex.risks-disclosed', answer: 'yes' }], 'S1');
          }
          if (i % 11 === 0) enterRemarks(ws.register, visitId, `remark ${i}`, 'S1');
        }
      });
      const records = loadVisitRecords(ws.register, ids);
      expect(records.visits.size).toBe(1201);
      for (const id of ids) {
        expect(records.visits.get(id)).toEqual(getVisit(ws.register, id));
        expect(records.documents.get(id)).toEqual(documentsOf(ws.register, id));
        expect(records.attempts.get(id) ?? []).toEqual(attemptsOf(ws.register, id));
        expect(records.entered.get(id) ?? []).toEqual(enteredAnswersOf(ws.register, id));
        expect(records.remarks.get(id) ?? []).toEqual(remarksOf(ws.register, id));
      }
      // the latest entry of a question wins, read alone or with the others
      const answered = ids.filter((_, i) => i % 7 === 0);
      expect(
        answered.every(
          (id) =>
            records.entered
              .get(id)
              ?.map((e) => e.answer)
              .join() === 'yes',
        ),
      ).toBe(true);
      expect([...records.attempts.values()].flat()).toHaveLength(Math.ceil(1201 / 3));
      // one branch's visits are its customers' visits, read through the branch index
      expect(listVisits(ws.register, { branchCode: '3201' })).toHaveLength(121);
      expect(
        listVisits(ws.register, { branchCode: '3101', createdFrom: '2026-10-01', createdTo: '2026-10-31' }),
      ).toHaveLength(1080);
      expect(listVisits(ws.register, { branchCode: '3101', createdFrom: '2026-10-02' })).toHaveLength(0);
    } finally {
      ws.close();
    }
  });
});

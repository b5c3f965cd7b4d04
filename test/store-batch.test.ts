/**
 * Reading many visits at once (what validate and the period report do for a branch) gives
 * each visit exactly what reading it alone gives, across the chunks the ids are read in.
 */
import { describe, expect, it } from 'vitest';
import { newVisitId } from '../src/domain/visit-id.ts';
import { attemptsOf, enterRemarks, logAttempt, remarksOf } from '../src/store/attempts.ts';
import { enterAnswers, enteredAnswersOf } from '../src/store/rules.ts';
import { eventsOfVisit } from '../src/store/bundles.ts';
import { beginIngestFile } from '../src/store/ingest.ts';
import { pagesOfVisits, replacePagesOfFile, visitPagesOfVisits, type NewPage } from '../src/store/pages.ts';
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
        // its acts are its log without the details
        expect(records.acts.get(id)).toEqual(eventsOfVisit(ws.register, id).map(({ details: _, ...act }) => act));
        expect(records.acts.get(id)!.length).toBeGreaterThan(0);
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

  it('gives each visit its pages file by file as the files arrived, with the readings of its form pages', () => {
    const ws = tempWorkspace('huifang-batch-pages-');
    try {
      upsertCustomer(ws.register, customer());
      const [a, b] = [newVisitId(), newVisitId()];
      for (const visitId of [a, b])
        insertVisit(
          ws.register,
          {
            visitId,
            customerId: customer().customerId,
            category: 'existing',
            channel: 'letter',
            createdOn: '2026-10-01',
            dueOn: '2026-10-31',
            result: 'pending',
          },
          'test',
        );
      const reading = (answer: 'yes' | 'no') => ({
        answers: { 'ex.risks-disclosed': answer },
        checks: {
          customerSignature: { present: true, score: 0.9 },
          handlerSignature: { present: null, score: 0.5 },
          seal: { present: false, score: 0.1, red: null },
        },
      });
      // three files: the latest arrives first by name, two arrive at the same moment (then by SHA-256)
      const files: [string, string, NewPage[]][] = [
        [
          '2026-10-03T02:00:00.000Z',
          'a'.repeat(64),
          [
            { page: 2, visitId: a, kind: 'form', assignedBy: 'qr', reading: reading('no') },
            { page: 1, visitId: a, kind: 'envelope', assignedBy: 'follow', reading: { notes: ['envelope'] } },
          ],
        ],
        [
          '2026-10-02T02:00:00.000Z',
          'c'.repeat(64),
          [
            { page: 1, visitId: a, kind: 'form', assignedBy: 'qr', reading: reading('yes') },
            { page: 2, visitId: b, kind: 'attachment', assignedBy: 'follow' },
          ],
        ],
        ['2026-10-02T02:00:00.000Z', 'b'.repeat(64), [{ page: 1, visitId: b, kind: 'form', assignedBy: 'clerk' }]],
      ];
      for (const [at, sha256, pages] of files) {
        process.env.HUIFANG_NOW = at;
        beginIngestFile(ws.register, {
          sha256,
          size: 1,
          fileName: `${sha256[0]}.pdf`,
          sourcePath: `/scans/${sha256[0]}.pdf`,
          handler: 'scan',
          actor: 'S1',
        });
        replacePagesOfFile(ws.register, sha256, pages, 'S1');
      }
      delete process.env.HUIFANG_NOW;
      const full = pagesOfVisits(ws.register, [a, b]);
      const light = visitPagesOfVisits(ws.register, [a, b]);
      for (const id of [a, b])
        expect(light.get(id)).toEqual(
          full.get(id)!.map((p) => ({
            fileSha256: p.fileSha256,
            page: p.page,
            kind: p.kind,
            assignedBy: p.assignedBy,
            reading: p.kind === 'form' ? p.reading : {},
            fileName: p.fileName,
            sourcePath: p.sourcePath,
          })),
        );
      expect(light.get(a)!.map((p) => `${p.fileSha256[0]}${p.page}`)).toEqual(['c1', 'a1', 'a2']);
      expect(light.get(b)!.map((p) => `${p.fileSha256[0]}${p.page}`)).toEqual(['b1', 'c2']);
      expect(light.get(a)![2]!.reading.answers).toEqual({ 'ex.risks-disclosed': 'no' });
    } finally {
      ws.close();
    }
  });
});

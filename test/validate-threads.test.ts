/**
 * A check of many visits shared with a second thread (`validate-all.ts`) gives the report one
 * thread gives: the same visits in the same order with the same problems, exceptions and
 * stored-file tally (a file two visits share counted once), on either register. When the
 * second thread cannot open the register, this thread does its share. One thread reading a
 * chunk while it validates the one before (ahead, on a server) gives the same report too.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf } from '../src/cli/validate.ts';
import { Fixity } from '../src/rules/fixity.ts';
import { chunkBounds, validateAll } from '../src/rules/validate-all.ts';
import type { ValidationReport } from '../src/rules/validate.ts';
import { recordVisitReview } from '../src/store/visit-reviews.ts';
import { storeDocument } from '../src/store/visits.ts';
import { openWorkspace, type Workspace } from '../src/store/workspace.ts';
import { addPhoneVisit, noise, visitIdFor } from './archive-fixture.ts';
import { makeReportFixture, REPORT_NOW } from './report-fixture.ts';

let ws: Workspace;
let dir: string;

beforeAll(() => {
  process.env.HUIFANG_NOW = REPORT_NOW;
  const f = makeReportFixture();
  dir = f.dir;
  ws = openWorkspace(f.ws);
  // more visits, in two branches: some approved, one whose recording is gone from the file store,
  // and one recording that three visits share (a file judged once, however many visits hold it)
  for (let n = 10; n < 40; n++) {
    const visitId = addPhoneVisit(ws, n, n % 3 ? '2026-05' : '2026-04', 2_000 + n, n % 4 ? '3101' : '1101');
    if (n % 5 === 0) recordVisitReview(ws.register, visitId, 'return', 'recording unclear', '王五');
  }
  for (const n of [11, 12, 13])
    storeDocument(
      ws,
      {
        visitId: visitIdFor(n),
        kind: 'attachment',
        role: 'received',
        fileName: 'shared.jpg',
        mediaType: 'image/jpeg',
        createdBy: 'clerk',
      },
      noise('shared', 3_000),
    );
  const gone = storeDocument(
    ws,
    {
      visitId: visitIdFor(14),
      kind: 'attachment',
      role: 'received',
      fileName: 'lost.jpg',
      mediaType: 'image/jpeg',
      createdBy: 'clerk',
    },
    noise('lost', 3_000),
  );
  rmSync(ws.files.pathOf(gone.sha256), { force: true });
});
afterAll(() => {
  ws.close();
  rmSync(dir, { recursive: true, force: true });
  delete process.env.HUIFANG_NOW;
});

/** The report as `huifang validate --json` prints it. */
const printed = (r: ValidationReport) => JSON.parse(JSON.stringify(jsonOf(r))) as unknown;

describe('a check shared with a second thread', () => {
  for (const hashes of ['due', 'all', 'none'] as const)
    it(`gives the report one thread gives (hashes: ${hashes})`, async () => {
      const one = await validateAll(ws, { recordResults: false, hashes, threads: 1 });
      const seen: number[] = [];
      const two = await validateAll(ws, {
        recordResults: false,
        hashes,
        threads: 2,
        chunk: 3,
        onProgress: (done, total) => {
          expect(total).toBe(one.visits.length);
          seen.push(done);
        },
      });
      expect(one.threads).toBe(1);
      expect(two.threads).toBe(2);
      expect(one.visits.length).toBeGreaterThan(30);
      expect(printed(two)).toEqual(printed(one));
      expect(two.visits.map((v) => v.visitId)).toEqual(one.visits.map((v) => v.visitId));
      // every visit was counted once: the last tick is the whole run, and no tick goes back
      expect(seen.at(-1)).toBe(one.visits.length);
      expect(seen.every((d, i) => i === 0 || d >= seen[i - 1]!)).toBe(true);
      // the shared recording is one file in the tally, the lost one fails on both
      expect(one.files.failed).toBe(1);
      if (hashes === 'all')
        expect(two.files.hashed).toBe(
          new Set(one.visits.flatMap((v) => v.record.documents.map((d) => d.sha256))).size - 1,
        );
    });

  it('counts a stored file that both threads judged once', () => {
    const sha256 = ws.files.putBytes(noise('shared', 3_000)).sha256;
    const [mine, theirs] = [new Fixity(ws, 'all', 30), new Fixity(ws, 'all', 30)];
    expect(mine.retrievable(sha256, undefined) && theirs.retrievable(sha256, undefined)).toBe(true);
    mine.absorb(theirs.judgements());
    expect(mine.tally).toEqual({ hashed: 1, recent: 0, present: 0, failed: 0 });
  });

  it('is done by this thread alone when the second cannot open the register', async () => {
    const one = await validateAll(ws, { recordResults: false, threads: 1 });
    const unreachable = { ...ws, registerAddress: `${dir}/no such folder/register.sqlite` };
    const two = await validateAll(unreachable, { recordResults: false, threads: 2, chunk: 3 });
    expect(two.threads).toBe(1);
    expect(printed(two)).toEqual(printed(one));
  });

  it('reads one chunk while the one before is validated, and gives the report of one read', async () => {
    // on PostgreSQL the next chunk's records are read ahead, on SQLite as it comes
    const whole = await validateAll(ws, { recordResults: false, threads: 1 });
    const chunked = await validateAll(ws, { recordResults: false, threads: 1, chunk: 4 });
    expect(printed(chunked)).toEqual(printed(whole));
  });

  it('starts with small chunks, doubling up to the chunk size', () => {
    expect(chunkBounds(0, 1000)).toEqual([0]);
    expect(chunkBounds(40, 8)).toEqual([0, 1, 3, 7, 15, 23, 31, 39, 40]);
    const bounds = chunkBounds(4043, 1000);
    expect(bounds).toEqual([0, 125, 375, 875, 1875, 2875, 3875, 4043]);
  });

  it('is not used by a recording run (one writer at a time)', async () => {
    const r = await validateAll(ws, { recordResults: true, actor: 'S310102', threads: 2, chunk: 3 });
    expect(r.threads).toBe(1);
  });
});

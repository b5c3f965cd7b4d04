import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../src/ingest/ingest.ts';
import { INGEST_HANDLERS } from '../src/cli/ingest-handlers.ts';
import {
  confirmReviewItem,
  correctReviewItem,
  finalReadingsOf,
  openReviewItems,
  ReviewRefusedError,
} from '../src/scan/review.ts';
import { pagesOfVisit } from '../src/store/pages.ts';
import type { Workspace } from '../src/store/workspace.ts';
import { importStaff } from '../src/store/rules.ts';
import { formScan, GOOD_FILL, cli, imagePdfOf, seedWorkspace, tempDir } from './ingest-helpers.ts';

// Visit A (individual) and B (institution), both performed by li.visitor. B's form comes back
// as a grey scan, sealed, with two marks on question 1; A's batch holds A's form and then a
// page whose two QR codes disagree (A's code on top, B's at the bottom).
let dir: string;
let ws: Workspace;
let A: string;
let B: string;

async function pageWithDisagreeingCodes(top: string, bottom: string): Promise<Buffer> {
  const upper = await formScan(top, GOOD_FILL, { jpeg: 90 });
  const lower = await formScan(bottom, GOOD_FILL, { jpeg: 90 });
  const { width, height } = await sharp(upper).metadata();
  const cut = Math.round(height! * 0.82);
  const bottomPart = await sharp(lower)
    .extract({ left: 0, top: cut, width: width!, height: height! - cut })
    .png()
    .toBuffer();
  return sharp(upper)
    .composite([{ input: bottomPart, left: 0, top: cut }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

beforeAll(async () => {
  dir = tempDir('review');
  const seeded = seedWorkspace(join(dir, 'ws'), [
    { visitor: 'li.visitor' },
    { customerKind: 'institution', visitor: 'li.visitor' },
  ]);
  // li.visitor is a reviewer who also carried out these visits; wang.reviewer reviews them.
  importStaff(
    seeded.ws.register,
    [
      { staffId: 'li.visitor', name: '李访', role: '复核人员', isMarketing: false },
      { staffId: 'wang.reviewer', name: '王审', role: '复核人员', isMarketing: false },
    ],
    'test',
    'roster',
  );
  ws = seeded.ws;
  [A, B] = seeded.visitIds as [string, string];
  mkdirSync(join(dir, 'in'));
  const greyB = await formScan(
    B,
    { ticks: { ...GOOD_FILL.ticks, 'na.opened-in-person': ['yes', 'no'] }, customerSignature: true, seal: true },
    { grey: true, jpeg: 85 },
  );
  writeFileSync(join(dir, 'in', 'b-grey.jpg'), greyB);
  writeFileSync(
    join(dir, 'in', 'batch.pdf'),
    await imagePdfOf([await formScan(A), await pageWithDisagreeingCodes(A, B)]),
  );
  await ingest(ws, [join(dir, 'in')], { actor: 'clerk.test', handlers: INGEST_HANDLERS });
}, 300_000);

afterAll(() => ws?.close());

const itemOf = (visitId: string, subject: string) => openReviewItems(ws, visitId).find((i) => i.subject === subject)!;

describe('the review queue', () => {
  it('holds what the machine was unsure of, and leaves those values undecided', async () => {
    expect(
      openReviewItems(ws, B)
        .map((i) => i.subject)
        .sort(),
    ).toEqual(['answer:na.opened-in-person', 'seal.red']);
    expect(itemOf(B, 'answer:na.opened-in-person').reason).toContain('more than one box is marked');
    expect(itemOf(B, 'seal.red').reason).toContain('grey scan');
    const visitItem = itemOf(A, 'visit');
    expect(visitItem).toMatchObject({ machineValue: A, page: 2 });
    expect(visitItem.reason).toContain('disagree');
    const b = finalReadingsOf(ws.register, B);
    expect(b.answers['na.opened-in-person']).toBeNull();
    expect(b.answers['na.risks-disclosed']).toBe('yes');
    expect(b.checks.seal).toMatchObject({ present: true, red: null, redBy: 'none' });
    expect(b.openReviewItems).toHaveLength(2);
  });

  it('lists open items as JSON, and refuses a reviewer who performed the visit (exit 2)', async () => {
    const list = await cli(['review', '--workspace', join(dir, 'ws'), '--json']);
    expect(list.status, list.stderr).toBe(0);
    const items = JSON.parse(list.stdout).items as { itemId: number; visitId: string; subject: string; path: string }[];
    expect(items.map((i) => `${i.visitId} ${i.subject}`).sort()).toEqual(
      [`${A} visit`, `${B} answer:na.opened-in-person`, `${B} seal.red`].sort(),
    );
    const seal = items.find((i) => i.subject === 'seal.red')!;
    expect(seal.path).toBe(join(dir, 'in', 'b-grey.jpg'));
    const refused = await cli([
      'review',
      'correct',
      String(seal.itemId),
      '--value',
      'red',
      '--workspace',
      join(dir, 'ws'),
      '--user',
      'li.visitor',
    ]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`li.visitor performed visit ${B}`);
    expect(() => confirmReviewItem(ws, itemOf(A, 'visit').itemId, 'LI.VISITOR')).toThrow(ReviewRefusedError);
    expect(() => confirmReviewItem(ws, seal.itemId, 'wang.reviewer')).toThrow(
      /made no decision on seal\.red .*nothing to confirm/,
    );
    expect(openReviewItems(ws)).toHaveLength(3);
  });

  it('records a correction with who and when, and the final readings follow it', async () => {
    const corrected = await cli([
      'review',
      'correct',
      String(itemOf(B, 'seal.red').itemId),
      '--value',
      'red',
      '--workspace',
      join(dir, 'ws'),
      '--user',
      'wang.reviewer',
    ]);
    expect(corrected.status, corrected.stderr).toBe(0);
    expect(corrected.stdout).toMatch(/seal\.red: corrected as true by wang\.reviewer at \d{4}-/);
    const answer = correctReviewItem(ws, itemOf(B, 'answer:na.opened-in-person').itemId, '是', 'wang.reviewer');
    expect(answer).toMatchObject({ status: 'corrected', finalValue: 'yes', decidedBy: 'wang.reviewer' });
    const b = finalReadingsOf(ws.register, B);
    expect(b.answers['na.opened-in-person']).toBe('yes');
    expect(b.checks.seal).toMatchObject({ present: true, red: true, redBy: 'reviewer' });
    expect(b.openReviewItems).toEqual([]);
    expect(b.decidedReviewItems.map((i) => i.decidedBy)).toEqual(['wang.reviewer', 'wang.reviewer']);
    expect(() => confirmReviewItem(ws, answer.itemId, 'wang.reviewer')).toThrow(/already corrected/);
  });

  it('refuses values that do not fit the subject; confirming the visit keeps the page where it is', async () => {
    const item = itemOf(A, 'visit');
    expect(() => correctReviewItem(ws, item.itemId, 'HF-12345', 'wang.reviewer')).toThrow(/Expected a visit id/);
    expect(() => confirmReviewItem(ws, itemOf(A, 'visit').itemId, 'wang.reviewer')).not.toThrow();
    expect(pagesOfVisit(ws.register, A).map((p) => [p.page, p.kind])).toEqual([
      [1, 'form'],
      [2, 'attachment'],
    ]);
  });

  it('moves the page when a reviewer corrects which visit it belongs to', async () => {
    // Ingest the same disagreeing page on its own after A's form again, in a new file, and correct it to B.
    const again = join(dir, 'in2');
    mkdirSync(again);
    writeFileSync(
      join(again, 'batch2.pdf'),
      await imagePdfOf([await formScan(A, GOOD_FILL, { jpeg: 80 }), await pageWithDisagreeingCodes(A, B)]),
    );
    await ingest(ws, [again], { actor: 'clerk.test', handlers: INGEST_HANDLERS });
    const item = itemOf(A, 'visit');
    const done = correctReviewItem(ws, item.itemId, B, 'wang.reviewer');
    expect(done).toMatchObject({ status: 'corrected', finalValue: B, decidedBy: 'wang.reviewer', visitId: B });
    expect(
      pagesOfVisit(ws.register, B).some(
        (p) => p.fileSha256 === item.fileSha256 && p.page === 2 && p.assignedBy === 'clerk',
      ),
    ).toBe(true);
    expect(pagesOfVisit(ws.register, A).some((p) => p.fileSha256 === item.fileSha256 && p.page === 2)).toBe(false);
  });
});

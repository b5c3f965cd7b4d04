import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../src/ingest/ingest.ts';
import type { IngestHandler } from '../src/ingest/handlers.ts';
import { INGEST_HANDLERS } from '../src/cli/ingest-handlers.ts';
import { finalReadingsOf } from '../src/scan/review.ts';
import { eventsOfAction } from '../src/store/bundles.ts';
import { pagesOfVisit } from '../src/store/pages.ts';
import { recordEvent } from '../src/store/register.ts';
import type { Workspace } from '../src/store/workspace.ts';
import { seedWorkspace, tempDir } from './ingest-helpers.ts';

// A made-up input kind, "memo" files (`visit=<id>` on the first line), read by a handler of
// its own: what the mail stage does for .eml files, without images.
const memoHandler: IngestHandler = {
  name: 'memo',
  accepts: ({ name }) => name.endsWith('.memo'),
  ingest: async (_ctx, input) => {
    const text = input.read().toString('utf8');
    const visitId = /visit=(\S+)/.exec(text)?.[1] ?? null;
    return {
      pageCount: 1,
      pages: [
        visitId
          ? {
              page: 1,
              visitId,
              kind: 'attachment',
              assignedBy: 'handler',
              review: [{ subject: 'visit', machineValue: visitId, score: 0.5, reason: 'memo names its visit by hand' }],
            }
          : {
              page: 1,
              visitId: null,
              kind: null,
              assignedBy: 'none',
              reason: 'the memo names no visit',
              ruleId: 'memo/no-visit',
            },
      ],
      alsoInTransaction: (db) => {
        if (text.includes('fail-inside')) throw new Error('the memo register refused it');
        recordEvent(db, 'memo', 'memo.read', visitId, { sha256: input.sha256 });
      },
    };
  },
};

let dir: string;
let ws: Workspace;
let A: string;

beforeAll(() => {
  dir = tempDir('ingest-handlers');
  const seeded = seedWorkspace(join(dir, 'ws'), [{}]);
  ws = seeded.ws;
  A = seeded.visitIds[0]!;
  mkdirSync(join(dir, 'in'));
  writeFileSync(join(dir, 'in', '1-good.memo'), `visit=${A}\n`);
  writeFileSync(join(dir, 'in', '2-unknown-visit.memo'), 'visit=HF-ZZZZZ-ZZZZZ\n');
  writeFileSync(join(dir, 'in', '3-no-visit.memo'), 'nothing\n');
  writeFileSync(join(dir, 'in', '4-fails.memo'), `visit=${A} fail-inside\n`);
});

afterAll(() => ws?.close());

describe('ingest handlers', () => {
  it('lets another kind of input in without touching ingest, scans last', async () => {
    expect(INGEST_HANDLERS.at(-1)!.name).toBe('scan');
    const report = await ingest(ws, [join(dir, 'in')], {
      actor: 'clerk.test',
      handlers: [memoHandler, ...INGEST_HANDLERS],
    });
    expect(report.files.map((f) => [f.path.split('/').pop(), f.handler, f.status])).toEqual([
      ['1-good.memo', 'memo', 'ingested'],
      ['2-unknown-visit.memo', 'memo', 'ingested'],
      ['3-no-visit.memo', 'memo', 'ingested'],
      ['4-fails.memo', 'memo', 'ingested'],
    ]);
    // Assigned, with its review item, and its extra record written in the same transaction.
    expect(report.files[0]!.pages[0]).toMatchObject({
      visitId: A,
      kind: 'attachment',
      assignedBy: 'handler',
      review: true,
    });
    expect(finalReadingsOf(ws.register, A).openReviewItems.map((i) => i.subject)).toEqual(['visit']);
    const memoEvents = eventsOfAction(ws.register, 'memo.read').map((e) => e.details.sha256);
    expect(memoEvents).toEqual([report.files[0]!.sha256, report.files[2]!.sha256]);
    // A result the register refuses, or a failure inside the final transaction, leaves the
    // file whole in quarantine and nothing half-written; the batch goes on.
    expect(report.files[1]!.pages).toEqual([
      expect.objectContaining({
        page: null,
        quarantine: expect.objectContaining({ reason: expect.stringContaining('could not be recorded') }),
      }),
    ]);
    expect(report.files[2]!.pages[0]).toMatchObject({
      page: 1,
      quarantine: { reason: 'the memo names no visit', ruleId: 'memo/no-visit' },
    });
    expect(report.files[3]!.pages[0]!.quarantine?.reason).toContain('the memo register refused it');
    expect(pagesOfVisit(ws.register, A).map((p) => p.fileName)).toEqual(['1-good.memo']);
    expect(report.quarantined).toHaveLength(3);
  });
});

/**
 * Phone photos of the record form, made by `huifang simulate` (12 MP frame, hand-held angle,
 * lamp fall-off, the phone's shadow, soft focus, JPEG at 72 dpi) and ingested as a clerk
 * would: each is filed as its own visit's form, and every answer is either the one on the
 * paper or waits for a person with a reason — never a wrong answer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_HANDLERS } from '../src/cli/ingest-handlers.ts';
import { ingest, type IngestReport } from '../src/ingest/ingest.ts';
import { simulateReturns, type SimulationResult } from '../src/simulate/simulate.ts';
import type { FileTruth } from '../src/simulate/truth.ts';
import type { Workspace } from '../src/store/workspace.ts';
import { seedWorkspace, tempDir } from './ingest-helpers.ts';
import { writeLettersFolder } from './simulate-fixture.ts';

let ws: Workspace;
let simulation: SimulationResult;
let report: IngestReport;

beforeAll(async () => {
  const dir = tempDir('ingest-phone');
  const visits = await writeLettersFolder(join(dir, 'letters'), 3);
  ws = seedWorkspace(
    join(dir, 'ws'),
    visits.map((v) => ({ visitId: v.visitId, customerKind: v.kind, category: v.category, channel: v.channel })),
  ).ws;
  simulation = await simulateReturns({
    lettersDir: join(dir, 'letters'),
    out: join(dir, 'returns'),
    seed: 12,
    count: 2,
    photos: 1,
    emails: 0,
  });
  report = await ingest(ws, [join(dir, 'returns', 'scans')], { actor: 'clerk.test', handlers: INGEST_HANDLERS });
}, 600_000);

afterAll(() => ws?.close());

describe('phone photos of the form', () => {
  it('are written as a phone saves them: a 12 MP JPEG claiming 72 dpi, the truth saying how it was taken', async () => {
    expect(simulation.files).toHaveLength(2);
    for (const f of simulation.files) {
      const meta = await sharp(f.path).metadata();
      expect([meta.format, meta.width, meta.height, meta.density]).toEqual(['jpeg', 3024, 4032, 72]);
      const page = (JSON.parse(readFileSync(f.truth, 'utf8')) as FileTruth).pages[0]!;
      expect(page.kind).toBe('form');
      expect(page.degradation.photographed).toBe(true);
      expect(page.degradation.phone).toMatchObject({ width: 3024, height: 4032, fileDpi: 72 });
      expect(page.degradation.perspective).toHaveLength(4);
    }
  });

  it("files each as its own visit's form by its QR code, and reads every answer right or asks a person why", () => {
    let decided = 0;
    for (const f of simulation.files) {
      const truth = (JSON.parse(readFileSync(f.truth, 'utf8')) as FileTruth).pages[0]!;
      const page = report.files.find((x) => x.path === f.path)!.pages[0]!;
      expect(page.quarantine, f.path).toBeUndefined();
      expect([page.visitId, page.kind, page.assignedBy]).toEqual([truth.visitId, 'form', 'qr']);
      for (const [qid, answer] of Object.entries(truth.answers)) {
        const open = page.reviewItems.filter((i) => i.status === 'open' && i.subject === `answer:${qid}`);
        if (open.length === 0) {
          expect(page.answers[qid], `${f.path} ${qid}`).toBe(answer);
          decided++;
        } else expect(open[0]!.reason.length, `${f.path} ${qid}`).toBeGreaterThan(10);
      }
    }
    // Photographed forms are read, not all handed to a person.
    expect(decided).toBeGreaterThan(0);
  });
});

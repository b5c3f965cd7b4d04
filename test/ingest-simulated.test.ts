import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateReturns, type SimulationResult } from '../src/simulate/simulate.ts';
import type { FileTruth, PageTruth } from '../src/simulate/truth.ts';
import { readMailingList } from '../src/input/mailing-list.ts';
import { recordMailings } from '../src/store/mailings.ts';
import { ingest, type IngestReport, type PageReport } from '../src/ingest/ingest.ts';
import { INGEST_HANDLERS } from '../src/cli/ingest-handlers.ts';
import { ingestCounts } from '../src/store/ingest.ts';
import type { Workspace } from '../src/store/workspace.ts';
import { seedWorkspace, tempDir } from './ingest-helpers.ts';
import { writeLettersFolder } from './simulate-fixture.ts';

// Real letters and forms from the renderer, filled, degraded and scanned by the simulator
// (single scans and batches with envelopes and postal receipts, e-mail replies), with
// ground truth beside every file; registered and ingested as a clerk would.
let dir: string;
let ws: Workspace;
let simulation: SimulationResult;
let report: IngestReport;

beforeAll(async () => {
  dir = tempDir('ingest-simulated');
  const visits = await writeLettersFolder(join(dir, 'letters'), 8);
  ws = seedWorkspace(
    join(dir, 'ws'),
    visits.map((v) => ({ visitId: v.visitId, customerKind: v.kind, category: v.category, channel: v.channel })),
  ).ws;
  simulation = await simulateReturns({
    lettersDir: join(dir, 'letters'),
    out: join(dir, 'returns'),
    seed: 5,
    dpi: [150, 200],
  });
  // The post office's list of the letters' tracking numbers, recorded before the returns come in.
  const list = await readMailingList(simulation.mailingList);
  const mailed = recordMailings(
    ws.register,
    list.rows.map((r) => ({ trackingNumber: r.trackingNumber, visitId: r.visitId!, file: list.path, row: r.row })),
    'clerk.test',
  );
  expect(mailed.problems).toEqual([]);
  report = await ingest(ws, [join(dir, 'returns')], { actor: 'clerk.test', handlers: INGEST_HANDLERS });
}, 600_000);

afterAll(() => ws?.close());

/**
 * Where the truth says a page belongs: a printed return envelope identifies itself by its QR
 * code, a postal receipt by its barcode's tracking number; a customer's own envelope (no
 * code) is the visit's attachment by following its form.
 */
const expectedKind = (t: PageTruth) => (t.kind === 'envelope' && !t.hasQr ? 'attachment' : t.kind);
const expectedBy = (t: PageTruth) => (t.kind === 'postal-receipt' ? 'handler' : t.hasQr ? 'qr' : 'follow');
const openSubjects = (p: PageReport) => p.reviewItems.filter((i) => i.status === 'open').map((i) => i.subject);

describe('ingest of simulated returns (rendered, filled, degraded)', () => {
  it('takes every scan and e-mail the simulator wrote, and skips its truth files', () => {
    const taken = report.files.map((f) => f.path).sort();
    expect(taken).toEqual([...simulation.files.map((f) => f.path), ...simulation.emails.map((e) => e.path)].sort());
    expect(report.skipped.every((s) => s.path.endsWith('.json') || s.path === simulation.mailingList)).toBe(true);
  });

  it('puts every page where the truth says, or says plainly that a person must look', () => {
    let exact = 0;
    let total = 0;
    let returns = 0;
    let returnsRight = 0;
    for (const file of simulation.files) {
      const truth = JSON.parse(readFileSync(file.truth, 'utf8')) as FileTruth;
      const got = report.files.find((f) => f.path === file.path)!;
      expect(got.pages.filter((p) => p.page !== null)).toHaveLength(truth.pageCount);
      for (const t of truth.pages) {
        total++;
        const p = got.pages.find((x) => x.page === t.page)!;
        const right = p.visitId === t.visitId && p.kind === expectedKind(t);
        if (right) exact++;
        // Never silently wrong: a page not where the truth says is in quarantine or asks which visit it is.
        else
          expect(
            p.quarantine !== undefined || openSubjects(p).includes('visit'),
            `${file.path} page ${t.page}: ${JSON.stringify(p)}`,
          ).toBe(true);
        if (right && t.kind === 'form' && t.expectReview.includes('grey-seal-required'))
          expect(openSubjects(p)).toContain('seal.red');
        if (right && t.kind === 'form' && t.expectReview.includes('two-marks'))
          expect(openSubjects(p).some((s) => s.startsWith('answer:'))).toBe(true);
        if (right) expect(p.assignedBy, `${file.path} page ${t.page}`).toBe(expectedBy(t));
        if (['envelope', 'postal-receipt'].includes(t.kind)) {
          returns++;
          if (right) returnsRight++;
        }
      }
    }
    expect(exact).toBeGreaterThanOrEqual(Math.ceil(total * 0.75));
    // Envelopes and receipts come back in every batch: most must file themselves, with no pages move.
    expect(returns).toBeGreaterThan(0);
    expect(returnsRight).toBeGreaterThanOrEqual(Math.ceil(returns * 0.75));
  });

  it('keeps every input byte-for-byte, and a second ingest changes nothing', async () => {
    for (const f of report.files) expect(ws.files.read(f.sha256).equals(readFileSync(f.path))).toBe(true);
    const before = ingestCounts(ws.register);
    const again = await ingest(ws, [join(dir, 'returns')], { actor: 'clerk.test', handlers: INGEST_HANDLERS });
    expect(again.files.every((f) => f.status === 'duplicate')).toBe(true);
    expect(ingestCounts(ws.register)).toEqual(before);
    expect(existsSync(join(dir, 'returns', 'truth.json'))).toBe(true);
  });
});

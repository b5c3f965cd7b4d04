import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Of } from '../src/store/files.ts';
import { documentsOf } from '../src/store/visits.ts';
import { ingest, type FileReport, type IngestReport } from '../src/ingest/ingest.ts';
import { INGEST_HANDLERS } from '../src/cli/ingest-handlers.ts';
import type { Workspace } from '../src/store/workspace.ts';
import {
  attachmentScan,
  formScan,
  huifang,
  imagePdfOf,
  mixedPdfOf,
  seedWorkspace,
  tempDir,
  tiffOf,
} from './ingest-helpers.ts';
import { syntheticScan } from './scan-synthetic.ts';
import { main } from '../src/cli/main.ts';

// One workspace, one ingest of a folder holding every input format scanners write.
let dir: string;
let ws: Workspace;
let A: string; // individual, letter
let B: string; // institution, letter
let C: string; // individual, face-to-face
let report: IngestReport;
const inputs: Record<string, string> = {};

const file = (name: string): FileReport => report.files.find((f) => f.path === inputs[name])!;
const placed = (f: FileReport) => f.pages.map((p) => [p.page, p.visitId, p.kind, p.assignedBy]);

beforeAll(async () => {
  dir = tempDir('ingest-formats');
  const seeded = seedWorkspace(join(dir, 'ws'), [{}, { customerKind: 'institution' }, { channel: 'face-to-face' }]);
  ws = seeded.ws;
  [A, B, C] = seeded.visitIds as [string, string, string];
  const formA = await formScan(A, undefined, { skew: 1.5, jpeg: 80 });
  const formAUpsideDown = await formScan(A, undefined, { upsideDown: true, skew: -1, jpeg: 85 });
  const formB = await formScan(B, { ticks: { 'na.opened-in-person': 'yes' }, customerSignature: true, seal: true });
  const formC = await formScan(C, undefined, { shift: { x: 3, y: -2 } });
  const letterC = await syntheticScan({ visitId: C, kind: 'letter' }, { dpi: 150 });
  const envelope = await attachmentScan('envelope');
  const receipt = await attachmentScan('receipt');
  const write = (name: string, bytes: Buffer) => {
    inputs[name] = join(dir, 'in', name);
    writeFileSync(inputs[name]!, bytes);
  };
  mkdirSync(join(dir, 'in', 'sub'), { recursive: true });
  write('a.jpg', formA);
  write('b.png', formB);
  write('batch.tif', await tiffOf([formC, envelope, receipt], 'lzw'));
  write('g4.tif', await tiffOf([formB, receipt], 'ccitt-g4'));
  write('scan.pdf', await imagePdfOf([formAUpsideDown, envelope, formB, receipt]));
  write('sub/mixed.pdf', await mixedPdfOf([letterC, letterC, formC]));
  write('sub/notes.txt', Buffer.from('not a scan'));
  report = await ingest(ws, [join(dir, 'in')], { actor: 'clerk.test', handlers: INGEST_HANDLERS });
}, 300_000);

afterAll(() => ws?.close());

describe('ingest of every input format', () => {
  it('walks the folder in a stable order and skips what it cannot read', () => {
    expect(report.files.map((f) => f.path)).toEqual(
      ['a.jpg', 'b.png', 'batch.tif', 'g4.tif', 'scan.pdf', 'sub/mixed.pdf'].map((n) => inputs[n]),
    );
    expect(report.skipped).toEqual([{ path: inputs['sub/notes.txt'], reason: expect.stringContaining('not a scan') }]);
    expect(report.files.every((f) => f.status === 'ingested')).toBe(true);
  });

  it('stores every input byte-for-byte under its SHA-256', () => {
    for (const f of report.files) {
      const original = readFileSync(f.path);
      expect(f.sha256).toBe(sha256Of(original));
      expect(ws.files.read(f.sha256).equals(original)).toBe(true);
    }
  });

  it('reads a JPEG and a PNG form and assigns them by their QR codes', () => {
    expect(placed(file('a.jpg'))).toEqual([[1, A, 'form', 'qr']]);
    const a = file('a.jpg').pages[0]!;
    expect(a.answers).toMatchObject({
      'na.opened-in-person': 'yes',
      'na.staff-operated-account': 'no',
      satisfaction: 'satisfied',
    });
    expect(a.checks?.customerSignature.present).toBe(true);
    expect(placed(file('b.png'))).toEqual([[1, B, 'form', 'qr']]);
    expect(file('b.png').pages[0]!.checks?.seal).toMatchObject({ present: true, red: true });
  });

  it('splits a multi-page TIFF batch: the pages without a code follow the form, in scan order', () => {
    expect(placed(file('batch.tif'))).toEqual([
      [1, C, 'form', 'qr'],
      [2, C, 'attachment', 'follow'],
      [3, C, 'attachment', 'follow'],
    ]);
    const docs = documentsOf(ws.register, C).filter((d) => d.sha256 === file('batch.tif').sha256);
    expect(docs.map((d) => [d.kind, d.role, d.meta.pages])).toEqual([
      ['form', 'received', [1]],
      ['attachment', 'received', [2, 3]],
    ]);
  });

  it("reads a CCITT G4 TIFF, and sends an institution's seal colour on a black-and-white scan to review", () => {
    expect(placed(file('g4.tif'))).toEqual([
      [1, B, 'form', 'qr'],
      [2, B, 'attachment', 'follow'],
    ]);
    const page = file('g4.tif').pages[0]!;
    expect(page.checks?.seal.red).toBeNull();
    expect(page.review).toBe(true);
    expect(page.reviewItems.map((i) => i.subject)).toContain('seal.red');
  });

  it('reads an image-only PDF batch of two visits, an upside-down page included', () => {
    expect(placed(file('scan.pdf'))).toEqual([
      [1, A, 'form', 'qr'],
      [2, A, 'attachment', 'follow'],
      [3, B, 'form', 'qr'],
      [4, B, 'attachment', 'follow'],
    ]);
    expect(file('scan.pdf').pages[0]!.answers['na.opened-in-person']).toBe('yes');
  });

  it('reads a PDF whose pages are more than one image, and keeps a multi-page document one document', () => {
    expect(placed(file('sub/mixed.pdf'))).toEqual([
      [1, C, 'letter', 'qr'],
      [2, C, 'letter', 'qr'],
      [3, C, 'form', 'qr'],
    ]);
    const letters = documentsOf(ws.register, C).filter((d) => d.kind === 'letter' && d.role === 'received');
    expect(letters).toHaveLength(1);
    expect(letters[0]!.meta.pages).toEqual([1, 2]);
    expect(letters[0]!.pageCount).toBe(2);
  });

  it('prints the SPEC JSON shape with absolute paths from the command line', () => {
    const r = huifang(['ingest', '--workspace', join(dir, 'ws'), '--json', inputs['batch.tif']!]);
    const json = JSON.parse(r.stdout);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(json.files[0]).toMatchObject({
      path: inputs['batch.tif'],
      sha256: file('batch.tif').sha256,
      status: 'duplicate',
    });
    const page = json.files[0].pages[0];
    expect(Object.keys(page)).toEqual(
      expect.arrayContaining(['page', 'visitId', 'kind', 'checks', 'answers', 'review']),
    );
    expect(Object.keys(page.checks).sort()).toEqual(['customerSignature', 'handlerSignature', 'seal']);
    expect(Object.keys(page.checks.seal).sort()).toEqual(['present', 'red', 'score']);
    expect(json.quarantined).toEqual([]);
  });

  it('with --no-follow, quarantines the pages without a code instead of attaching them', async () => {
    const noFollow = join(dir, 'no-follow.pdf');
    writeFileSync(
      noFollow,
      await imagePdfOf([await formScan(C, undefined, { jpeg: 75 }), await attachmentScan('receipt')]),
    );
    const out: string[] = [];
    const io = { out: (t: string) => void out.push(t), err: (t: string) => void out.push(t), interactive: false };
    const code = await main(
      ['ingest', '--workspace', join(dir, 'ws'), '--no-follow', '--json', noFollow, '--user', 'clerk.test'],
      io,
    );
    expect(code).toBe(1);
    const json = JSON.parse(out.join(''));
    expect(json.files[0].pages.map((p: { visitId: string | null }) => p.visitId)).toEqual([C, null]);
    expect(json.quarantined).toEqual([
      expect.objectContaining({ path: noFollow, page: 2, reason: expect.stringContaining('--no-follow') }),
    ]);
  });
});

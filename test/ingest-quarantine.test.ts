import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newVisitId } from '../src/domain/visit-id.ts';
import { ingest, type IngestReport } from '../src/ingest/ingest.ts';
import { INGEST_HANDLERS } from '../src/cli/ingest-handlers.ts';
import { finalReadingsOf } from '../src/scan/review.ts';
import { pagesOfVisit, quarantinedPages } from '../src/store/pages.ts';
import type { Workspace } from '../src/store/workspace.ts';
import { attachmentScan, formScan, cli, imagePdfOf, seedWorkspace, tempDir } from './ingest-helpers.ts';
import { lacks } from './tools.ts';

/** A PNG whose header claims 60000 × 60000 pixels (3.6 gigapixels) in a few hundred bytes. */
function pngBomb(): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = table[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(60000, 0);
  ihdr.writeUInt32BE(60000, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit grey
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

let dir: string;
let ws: Workspace;
let A: string;
let report: IngestReport;
const inputs: Record<string, string> = {};
const unknownVisit = newVisitId();

beforeAll(async () => {
  dir = tempDir('ingest-quarantine');
  const seeded = seedWorkspace(join(dir, 'ws'), [{}]);
  ws = seeded.ws;
  A = seeded.visitIds[0]!;
  mkdirSync(join(dir, 'in'));
  const write = (name: string, bytes: Buffer) => writeFileSync((inputs[name] = join(dir, 'in', name)), bytes);
  const good = await formScan(A, undefined, { jpeg: 85 });
  const png = await attachmentScan('receipt');
  write('a-empty.jpg', Buffer.alloc(0));
  const corrupt = Buffer.from(png);
  for (let i = 200; i < corrupt.length - 200; i += 97) corrupt[i] = corrupt[i]! ^ 0x5a;
  write('b-corrupt.png', corrupt);
  write('c-truncated.jpg', good.subarray(0, Math.floor(good.length * 0.4)));
  write('d-bomb.png', pngBomb());
  write('e-unknown-visit.png', await formScan(unknownVisit));
  write('f-orphan.png', png);
  if (!lacks('qpdf')) {
    const plain = join(dir, 'plain.pdf');
    writeFileSync(plain, await imagePdfOf([png]));
    const out = join(dir, 'in', 'g-encrypted.pdf');
    expect(spawnSync('qpdf', ['--encrypt', 'secret', 'owner', '256', '--', plain, out]).status).toBe(0);
    inputs['g-encrypted.pdf'] = out;
  }
  write('z-good.jpg', good);
  report = await ingest(ws, [join(dir, 'in')], { actor: 'clerk.test', handlers: INGEST_HANDLERS });
}, 300_000);

afterAll(() => ws?.close());

const entry = (name: string) => report.quarantined.find((q) => q.path === inputs[name]);

describe('bad input and quarantine', () => {
  it('goes on with the batch: the good file after the bad ones is read', async () => {
    expect(report.files).toHaveLength(Object.keys(inputs).length);
    const good = report.files.find((f) => f.path === inputs['z-good.jpg'])!;
    expect(good.pages.map((p) => [p.visitId, p.kind])).toEqual([[A, 'form']]);
  });

  it('keeps every file, even the unreadable ones, byte-for-byte', async () => {
    for (const f of report.files) {
      expect(f.status).toBe('ingested');
      expect(ws.files.has(f.sha256)).toBe(true);
    }
  });

  it('names the file and the problem for empty, corrupt, truncated and oversized images', async () => {
    expect(entry('a-empty.jpg')).toMatchObject({
      page: null,
      reason: expect.stringMatching(/a-empty\.jpg is empty \(0 bytes\)/),
    });
    expect(entry('b-corrupt.png')?.reason).toMatch(/b-corrupt\.png.*(damaged|cannot be decoded|truncated)/);
    expect(entry('c-truncated.jpg')?.reason).toMatch(/c-truncated\.jpg.*(truncated|damaged)/);
    expect(entry('d-bomb.png')?.reason).toMatch(/d-bomb\.png.*pixel limit/);
    for (const q of report.quarantined) expect(q.date).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it.skipIf(lacks('qpdf'))('says an encrypted PDF needs its password removed', () => {
    expect(entry('g-encrypted.pdf')?.reason).toMatch(/g-encrypted\.pdf.*encrypted/);
  });

  it('quarantines a page of an unknown visit, and a page with no code and nothing to follow', async () => {
    expect(entry('e-unknown-visit.png')).toMatchObject({
      page: 1,
      ruleId: 'ingest/unknown-visit',
      reason: expect.stringContaining(unknownVisit),
    });
    expect(entry('f-orphan.png')).toMatchObject({ page: 1, ruleId: 'ingest/no-qr-code' });
  });

  it('stores a file of a kind it cannot read when it is named, and quarantines it whole', async () => {
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, '客户来电说明：已寄回回访函。');
    const r = await ingest(ws, [notes], { actor: 'clerk.test', handlers: INGEST_HANDLERS });
    expect(r.files[0]).toMatchObject({ status: 'ingested', handler: 'none' });
    expect(r.quarantined).toEqual([
      expect.objectContaining({ path: notes, page: null, ruleId: 'ingest/unsupported-file' }),
    ]);
    expect(ws.files.read(r.files[0]!.sha256).toString('utf8')).toBe('客户来电说明：已寄回回访函。');
  });

  it('lists the quarantine, lets a clerk move a page out of it, and records who did', async () => {
    const wsDir = join(dir, 'ws');
    const listed = await cli(['quarantine', '--workspace', wsDir, '--json']);
    expect(listed.status, listed.stderr).toBe(0);
    const q = JSON.parse(listed.stdout).quarantined as {
      path: string;
      sha256: string;
      page: number | null;
      reason: string;
      date: string;
    }[];
    expect(q.map((e) => e.path)).toEqual(expect.arrayContaining(report.quarantined.map((e) => e.path)));
    expect(q.every((e) => e.reason && /^\d{4}-/.test(e.date))).toBe(true);
    const orphan = q.find((e) => e.path === inputs['f-orphan.png'])!;
    const moved = await cli([
      'pages',
      'move',
      '--workspace',
      wsDir,
      '--file',
      orphan.sha256.slice(0, 10),
      '--page',
      '1',
      '--visit',
      A,
      '--kind',
      'postal-receipt',
      '--user',
      'zhao.clerk',
    ]);
    expect(moved.status, moved.stderr).toBe(0);
    expect(moved.stdout).toContain(`moved from quarantine to ${A} postal-receipt by zhao.clerk`);
    expect(quarantinedPages(ws.register).map((p) => p.sourcePath)).not.toContain(inputs['f-orphan.png']);
    const page = pagesOfVisit(ws.register, A).find((p) => p.sourcePath === inputs['f-orphan.png'])!;
    expect(page).toMatchObject({
      kind: 'postal-receipt',
      assignedBy: 'clerk',
      updatedBy: 'zhao.clerk',
      status: 'assigned',
    });
    expect(finalReadingsOf(ws.register, A).pages.map((p) => p.kind)).toContain('postal-receipt');
  });

  it('exits 1 when pages went to quarantine, and refuses a missing path before writing anything', async () => {
    const again = await cli([
      'ingest',
      '--workspace',
      join(dir, 'ws'),
      inputs['e-unknown-visit.png']!,
      '--user',
      'zhao.clerk',
    ]);
    expect(again.status).toBe(1);
    expect(again.stdout).toContain('quarantined p.1');
    const fresh = join(dir, 'never-created');
    const missing = await cli(['ingest', '--workspace', fresh, inputs['z-good.jpg']!, join(dir, 'no-such-scan.pdf')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`${join(dir, 'no-such-scan.pdf')} does not exist`);
    expect(existsSync(fresh)).toBe(false);
  });
});

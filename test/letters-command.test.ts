/**
 * `huifang letters` and `huifang forms` end to end, through the CLI as a clerk runs them:
 * the register, the files written, the JSON of SPEC §8, and refusal of bad lists.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument } from '@cantoo/pdf-lib';
import { main } from '../src/cli/main.ts';
import type { Io } from '../src/cli/common.ts';
import { parseVisitId } from '../src/domain/visit-id.ts';
import { listVisits } from '../src/store/visits.ts';
import { openWorkspace } from '../src/store/workspace.ts';
import { newWorkspace } from './workspace-helpers.ts';

const SAMPLES = join(import.meta.dirname, '..', 'samples');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), interactive: false };
  const code = await main(argv, io);
  return { code, out, err };
}

/** Imports the sample roster (who is 回访专员, 复核人员, 营销人员) into a new workspace. */
async function withRoster(ws: string): Promise<void> {
  const r = await run(['staff', 'import', join(SAMPLES, 'staff.csv'), '--workspace', ws]);
  expect(r.code).toBe(0);
}

async function pageCount(path: string): Promise<number> {
  return (await PDFDocument.load(readFileSync(path))).getPageCount();
}

describe('huifang letters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'huifang-letters-'));
  const ws = join(dir, 'ws');
  const out = join(dir, 'letters');
  let json: any;

  beforeAll(async () => {
    newWorkspace(ws);
    await withRoster(ws);
    const r = await run([
      'letters',
      join(SAMPLES, 'customers-gbk.csv'),
      '--workspace',
      ws,
      '--out',
      out,
      '--docx',
      '--visitor',
      '周敏',
      '--reviewer',
      '沈佳怡',
      '--json',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    json = JSON.parse(r.out);
  });

  it('prints one JSON document with a visit per customer, absolute paths, PDF and DOCX', () => {
    expect(json.visits).toHaveLength(66);
    for (const v of json.visits) {
      expect(parseVisitId(v.visitId).ok).toBe(true);
      expect(v.pdf.startsWith('/')).toBe(true);
      expect(existsSync(v.pdf)).toBe(true);
      expect(existsSync(v.docx)).toBe(true);
      expect(v.pdf).toContain(`/${v.branch}/`);
    }
    expect(new Set(json.visits.map((v: any) => v.visitId)).size).toBe(66);
    expect(json.batches.length).toBeGreaterThanOrEqual(1);
  });

  it('registers the visits with their visitor and due date one month after opening (第十七条)', () => {
    const w = openWorkspace(ws);
    try {
      const visits = listVisits(w.register);
      expect(visits).toHaveLength(66);
      const first = visits.find((v) => v.customerId === '310100018001')!;
      expect(first.visitor).toBe('S310101'); // 周敏, by 工号
      expect(first.reviewer).toBe('S310102'); // 沈佳怡
      expect(first.channel).toBe('letter');
      expect(first.category).toBe('new-account');
      expect(first.dueOn).toBe('2026-10-01'); // opened 2026-09-01
    } finally {
      w.close();
    }
  });

  it('pads every letter to an even page count in the batch, and lists every file with its SHA-256', async () => {
    let letterPages = 0;
    for (const v of json.visits)
      letterPages += (await pageCount(v.pdf)) % 2 === 0 ? await pageCount(v.pdf) : (await pageCount(v.pdf)) + 1;
    let batchPages = 0;
    for (const b of json.batches) batchPages += await pageCount(b);
    // Each letter is padded to even, and the form gets a sheet of its own: never fewer pages than even padding.
    expect(batchPages % 2).toBe(0);
    expect(batchPages).toBeGreaterThanOrEqual(letterPages);
    const listing = readFileSync(json.listing, 'utf8')
      .replace(/^\ufeff/, '')
      .trim()
      .split(/\r\n/);
    expect(listing[0]).toBe('visitId,customerId,branchCode,postcode,kind,path,pages,sha256,batch,batchPages');
    // every letter names its batch file and its pages there, one after another
    const letters = listing.filter((l) => l.includes(',letter-pdf,')).map((l) => l.split(','));
    const ranges = letters.map((r) => r[9]!.split('-').map(Number) as [number, number]).sort((a, b) => a[0] - b[0]);
    expect(letters.every((r) => r[8] === 'batches/batch-001.pdf')).toBe(true);
    expect(ranges[0]![0]).toBe(1);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1] + 1);
    expect(ranges.at(-1)![1]).toBe(batchPages);
    expect(listing.filter((l) => l.includes(',letter-pdf,'))).toHaveLength(66);
    expect(listing.filter((l) => l.includes(',letter-docx,'))).toHaveLength(66);
    expect(listing.filter((l) => l.includes(',batch-pdf,'))).toHaveLength(json.batches.length);
  });

  it('refuses to start a second open visit of the same category for the same customers', async () => {
    const again = await run([
      'letters',
      join(SAMPLES, 'customers.csv'),
      '--workspace',
      ws,
      '--out',
      join(dir, 'again'),
      '--json',
      '--visitor',
      '周敏',
      '--reviewer',
      '沈佳怡',
    ]);
    expect(again.code).toBe(2);
    const body = JSON.parse(again.out);
    expect(body.error).toContain('already have an open visit');
    expect(body.problems[0].ruleId).toBe('run/open-visit');
    expect(existsSync(join(dir, 'again'))).toBe(false);
  });
});

describe('huifang forms', () => {
  it('writes one-page record forms for face-to-face visits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'huifang-forms-'));
    await withRoster(newWorkspace(join(dir, 'ws')));
    const r = await run([
      'forms',
      join(SAMPLES, 'customers.xlsx'),
      '--workspace',
      join(dir, 'ws'),
      '--out',
      join(dir, 'forms'),
      '--category',
      'existing',
      '--json',
      '--visitor',
      'S310101',
      '--reviewer',
      'S310102',
    ]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.visits).toHaveLength(66);
    expect(await pageCount(json.visits[0].pdf)).toBe(1);
    const w = openWorkspace(join(dir, 'ws'));
    try {
      expect(listVisits(w.register).every((v) => v.channel === 'face-to-face' && v.category === 'existing')).toBe(true);
    } finally {
      w.close();
    }
  });
});

describe('a bad customer list', () => {
  it('is refused whole with every problem by row and column, exit 2, and nothing written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'huifang-badlist-'));
    const lines = readFileSync(join(SAMPLES, 'customers.csv'), 'utf8').split(/\r\n/);
    lines[3] = lines[3]!.replace(',200001,', ',20001,'); // row 4: postcode of five digits
    lines[5] = lines[5]!.replace(',个人,', ',散户,'); // row 6: unknown kind
    const list = join(dir, 'bad.csv');
    writeFileSync(list, lines.join('\r\n'));
    await withRoster(newWorkspace(join(dir, 'ws')));
    const r = await run([
      'letters',
      list,
      '--workspace',
      join(dir, 'ws'),
      '--out',
      join(dir, 'letters'),
      '--visitor',
      '周敏',
      '--reviewer',
      '沈佳怡',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/row 4, column 邮编/);
    expect(r.err).toMatch(/row 6, column 客户类型/);
    expect(existsSync(join(dir, 'letters'))).toBe(false);
    const w = openWorkspace(join(dir, 'ws'));
    try {
      expect(listVisits(w.register)).toHaveLength(0);
    } finally {
      w.close();
    }
    expect(readdirSync(join(dir, 'ws', 'files', 'objects'))).toHaveLength(0);
  });
});

/**
 * Many clerks at once on one register (in the `postgres` run: one PostgreSQL schema shared by
 * every process; in the `sqlite` run: one SQLite file). Four `huifang ingest` processes over
 * overlapping folders lose nothing and double nothing: the register, page by page, is what
 * one clerk ingesting everything alone would have made. Two reviewers deciding the same item
 * at once give one decision; two `letters` runs at once give distinct visit ids.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../src/ingest/ingest.ts';
import { INGEST_HANDLERS } from '../src/cli/ingest-handlers.ts';
import { sha256Of } from '../src/store/files.ts';
import { ingestCounts } from '../src/store/ingest.ts';
import { pagesOfFile } from '../src/store/pages.ts';
import { openReviewItems } from '../src/scan/review.ts';
import { importStaff } from '../src/store/rules.ts';
import { listVisits } from '../src/store/visits.ts';
import { sqlOf } from '../src/store/sql.ts';
import { openWorkspace, type Workspace } from '../src/store/workspace.ts';
import {
  attachmentScan,
  BIN,
  formScan,
  GOOD_FILL,
  imagePdfOf,
  seedWorkspace,
  tempDir,
  tiffOf,
} from './ingest-helpers.ts';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `huifang ARGS` as its own process; resolves when it ends. */
function start(args: string[], user = 'clerk.test'): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, HUIFANG_USER: user } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const REVIEWERS = [
  { staffId: 'wang.reviewer', name: '王审', role: '复核人员', isMarketing: false },
  { staffId: 'zhou.reviewer', name: '周审', role: '复核人员', isMarketing: false },
];

let dir: string;
let shared: string;
let reference: Workspace;
let visitIds: string[];
let files: Record<string, string>;
let runs: Run[];

/** What the register says about a file's pages, comparable across workspaces. */
const placement = (ws: Workspace, path: string) =>
  pagesOfFile(ws.register, sha256Of(readFileSync(path))).map((p) => [
    p.page,
    p.status,
    p.visitId,
    p.kind,
    p.assignedBy,
  ]);

beforeAll(async () => {
  dir = tempDir('concurrent');
  const seeds = [{}, { customerKind: 'institution' as const }, {}, {}, {}];
  const seeded = seedWorkspace(join(dir, 'shared'), seeds);
  visitIds = seeded.visitIds;
  importStaff(seeded.ws.register, REVIEWERS, 'test', 'roster');
  seeded.ws.close();
  shared = join(dir, 'shared');
  const [v1, v2, v3, v4, v5] = visitIds as [string, string, string, string, string];
  const envelope = await attachmentScan('envelope');
  mkdirSync(join(dir, 'scans'));
  files = {
    'one.jpg': join(dir, 'scans', 'one.jpg'),
    'batch.pdf': join(dir, 'scans', 'batch.pdf'),
    'batch.tif': join(dir, 'scans', 'batch.tif'),
    'doubt.png': join(dir, 'scans', 'doubt.png'),
  };
  writeFileSync(files['one.jpg']!, await formScan(v1, undefined, { jpeg: 85 }));
  writeFileSync(files['batch.pdf']!, await imagePdfOf([await formScan(v2), envelope, await formScan(v3), envelope]));
  writeFileSync(files['batch.tif']!, await tiffOf([await formScan(v4), envelope]));
  // Two marks on one question: the reader is not sure, a reviewer must decide.
  writeFileSync(
    files['doubt.png']!,
    await formScan(v5, {
      ticks: { ...GOOD_FILL.ticks, 'na.opened-in-person': ['yes', 'no'] },
      customerSignature: true,
    }),
  );
  // Four clerks' folders, each sharing files with the others (same bytes, other names).
  const folders: Record<string, string[]> = {
    a: ['one.jpg', 'batch.pdf', 'batch.tif'],
    b: ['batch.pdf', 'batch.tif', 'doubt.png'],
    c: ['batch.tif', 'doubt.png', 'one.jpg'],
    d: ['doubt.png', 'one.jpg', 'batch.pdf'],
  };
  for (const [name, list] of Object.entries(folders)) {
    mkdirSync(join(dir, name));
    for (const f of list) copyFileSync(files[f]!, join(dir, name, `${name}-${f}`));
  }
  runs = await Promise.all(
    Object.keys(folders).map((name) => start(['ingest', '--workspace', shared, '--json', join(dir, name)])),
  );
  // The same files, ingested by one clerk alone.
  reference = seedWorkspace(
    join(dir, 'alone'),
    visitIds.map((visitId, i) => ({ ...seeds[i], visitId })),
  ).ws;
  await ingest(reference, Object.values(files), { actor: 'clerk.test', handlers: INGEST_HANDLERS });
}, 600_000);

afterAll(() => reference?.close());

describe('four ingest processes at once over overlapping folders', () => {
  it('every process finishes, and each file is ingested by exactly one of them', () => {
    for (const r of runs) expect(r.status, r.stderr).toBeLessThanOrEqual(1);
    const outcomes = runs.flatMap(
      (r) => (JSON.parse(r.stdout) as { files: { sha256: string; status: string }[] }).files,
    );
    expect(outcomes).toHaveLength(12);
    for (const path of Object.values(files)) {
      const sha = sha256Of(readFileSync(path));
      const mine = outcomes.filter((o) => o.sha256 === sha).map((o) => o.status);
      expect(mine, path).toHaveLength(3);
      expect(
        mine.filter((s) => s === 'ingested'),
        `${path}: ${mine.join(', ')}`,
      ).toHaveLength(1);
    }
  });

  it('the register holds every page once, where one clerk alone would have put it', () => {
    const ws = openWorkspace(shared);
    try {
      expect(ingestCounts(ws.register)).toEqual(ingestCounts(reference.register));
      for (const path of Object.values(files)) expect(placement(ws, path), path).toEqual(placement(reference, path));
      const pages = Object.values(files).flatMap((p) => placement(ws, p));
      expect(pages).toHaveLength(1 + 4 + 2 + 1);
      expect(pages.filter((p) => p[1] === 'assigned')).toHaveLength(8);
    } finally {
      ws.close();
    }
  });
});

describe('two reviewers deciding the same item at once', () => {
  it('give one decision; the other is refused, and the log holds one decision', async () => {
    const ws = openWorkspace(shared);
    let itemId: number;
    try {
      const items = openReviewItems(ws).filter((i) => i.subject === 'answer:na.opened-in-person');
      expect(items).toHaveLength(1);
      itemId = items[0]!.itemId;
    } finally {
      ws.close();
    }
    const [a, b] = await Promise.all([
      start(['review', 'correct', String(itemId), '--value', 'yes', '--workspace', shared], 'wang.reviewer'),
      start(['review', 'correct', String(itemId), '--value', 'no', '--workspace', shared], 'zhou.reviewer'),
    ]);
    expect([a.status, b.status].sort(), a.stderr + b.stderr).toEqual([0, 2]);
    expect(a.stderr + b.stderr).toMatch(new RegExp(`Review item ${itemId} (is|was) already (confirmed|corrected)`));
    const after = openWorkspace(shared);
    try {
      const decisions = sqlOf(after.register)
        .prepare("SELECT actor, action FROM events WHERE action IN ('review.confirmed', 'review.corrected')")
        .all() as { actor: string; action: string }[];
      expect(decisions).toHaveLength(1);
      const winner = {
        actor: a.status === 0 ? 'wang.reviewer' : 'zhou.reviewer',
        action: 'review.corrected',
      };
      expect(decisions[0]).toEqual(winner);
      expect(
        sqlOf(after.register).prepare('SELECT final_json, decided_by FROM review_items WHERE item_id = ?').get(itemId),
      ).toEqual({
        final_json: JSON.stringify(a.status === 0 ? 'yes' : 'no'),
        decided_by: winner.actor,
      });
    } finally {
      after.close();
    }
  });
});

describe('two letters runs at once', () => {
  it('register every visit of both, with distinct visit ids', async () => {
    const list = join(dir, 'customers.csv');
    const lines = readFileSync(join(import.meta.dirname, '..', 'samples', 'customers.csv'), 'utf8').split('\n');
    writeFileSync(list, lines.slice(0, 4).join('\n') + '\n');
    const before = openWorkspace(shared);
    const known = new Set(listVisits(before.register).map((v) => v.visitId));
    before.close();
    const letters = (out: string) =>
      start([
        'letters',
        list,
        '--workspace',
        shared,
        '--out',
        join(dir, out),
        '--visitor',
        'li.visitor',
        '--reviewer',
        'wang.reviewer',
        '--json',
      ]);
    const [first, second] = await Promise.all([letters('letters-1'), letters('letters-2')]);
    expect(first.status, first.stderr).toBe(0);
    expect(second.status, second.stderr).toBe(0);
    const ids = [first, second].flatMap((r) =>
      (JSON.parse(r.stdout).visits as { visitId: string }[]).map((v) => v.visitId),
    );
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    const after = openWorkspace(shared);
    try {
      const added = listVisits(after.register).filter((v) => !known.has(v.visitId));
      expect(added.map((v) => v.visitId).sort()).toEqual([...ids].sort());
    } finally {
      after.close();
    }
  });
});

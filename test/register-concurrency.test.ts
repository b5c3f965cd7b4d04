/**
 * Many clerks at once on one register (in the `postgres` run: one PostgreSQL schema shared by
 * every process; in the `sqlite` run: one SQLite file). Four `huifang ingest` processes over
 * overlapping folders lose nothing and double nothing: the register, page by page, is what
 * one clerk ingesting everything alone would have made. Two reviewers deciding the same item
 * at once give one decision. Two `letters` runs for the same customers start their visits
 * once (the other is refused); with --repeat, both do, with distinct visit ids. `attempt`
 * processes logging tries on the same visits while three `archive` runs build the period:
 * every attempt is registered once and the visit is decided on all of them; no document is
 * added twice; every zip is the one the register names, verifies, and seals each visit as it
 * stood at one moment.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractZip } from '../src/archive/extract.ts';
import { ingest } from '../src/ingest/ingest.ts';
import { INGEST_HANDLERS } from '../src/cli/ingest-handlers.ts';
import { sha256Of } from '../src/store/files.ts';
import { ingestCounts } from '../src/store/ingest.ts';
import { pagesOfFile } from '../src/store/pages.ts';
import { openReviewItems } from '../src/scan/review.ts';
import { importStaff } from '../src/store/rules.ts';
import { attemptsOf } from '../src/store/attempts.ts';
import { bundleAtPath, eventsOfVisit, findBundles, listBundles, visitIdsOfPeriod } from '../src/store/bundles.ts';
import { documentsOf, getVisit, insertVisit, listVisits, upsertCustomer } from '../src/store/visits.ts';
import { newVisitId } from '../src/domain/visit-id.ts';
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

describe('letters runs at once', () => {
  it('two runs for the same customers start their visits once: one run is refused, nothing of it written', async () => {
    const lines = readFileSync(join(import.meta.dirname, '..', 'samples', 'customers.csv'), 'utf8').split('\n');
    const list = join(dir, 'customers.csv');
    writeFileSync(list, lines.slice(0, 9).join('\n') + '\n');
    const again = join(dir, 'customers-again.csv');
    writeFileSync(again, [lines[0], ...lines.slice(9, 12)].join('\n') + '\n');
    const before = openWorkspace(shared);
    const known = new Set(listVisits(before.register).map((v) => v.visitId));
    before.close();
    const letters = (from: string, out: string, more: string[] = []) =>
      start([
        'letters',
        from,
        '--workspace',
        shared,
        '--out',
        join(dir, out),
        '--visitor',
        'li.visitor',
        '--reviewer',
        'wang.reviewer',
        '--json',
        ...more,
      ]);
    // Two runs over one list, and two over another with --repeat (a second visit on purpose), all at once.
    const [one, two, three, four] = await Promise.all([
      letters(list, 'letters-1'),
      letters(list, 'letters-2'),
      letters(again, 'letters-3', ['--repeat']),
      letters(again, 'letters-4', ['--repeat']),
    ]);
    const [won, refused] = one.status === 0 ? [one, two] : [two, one];
    expect(won.status, won.stdout + won.stderr).toBe(0);
    expect(refused.status, refused.stdout + refused.stderr).toBe(2);
    expect(JSON.parse(refused.stdout).error).toMatch(/8 customer\(s\) .* already have an open visit/);
    const refusedOut = join(dir, refused === one ? 'letters-1' : 'letters-2');
    if (existsSync(refusedOut)) {
      const left = readdirSync(refusedOut, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
      expect(left.map((e) => e.name)).toEqual([]);
    }
    for (const r of [three, four]) expect(r.status, r.stdout + r.stderr).toBe(0);
    const ids = [won, three, four].flatMap((r) =>
      (JSON.parse(r.stdout).visits as { visitId: string }[]).map((v) => v.visitId),
    );
    expect(new Set(ids).size).toBe(14);
    const after = openWorkspace(shared);
    try {
      const added = listVisits(after.register).filter((v) => !known.has(v.visitId));
      expect(added.map((v) => v.visitId).sort()).toEqual([...ids].sort());
      const perCustomer = new Map<string, number>();
      for (const v of added) perCustomer.set(v.customerId, (perCustomer.get(v.customerId) ?? 0) + 1);
      expect([...perCustomer.values()].sort()).toEqual([...Array<number>(8).fill(1), 2, 2, 2]);
    } finally {
      after.close();
    }
  });
});

describe('attempts logged and the period archived, all at once', () => {
  /** Three callers try to reach each of three customers at once; each logs one failed try. */
  const TRIES = [
    { channel: 'phone', at: '2026-11-05T10:00+08:00' },
    { channel: 'email', at: '2026-11-06T09:30+08:00' },
    { channel: 'phone', at: '2026-11-06T15:00+08:00' },
  ];
  let phoneVisits: string[];
  let attempts: Run[];
  let archives: Run[];
  /**
   * Two archive runs start together into one folder (their bags dated differently, so their zips
   * differ whatever the register holds), a third one wave later into another folder.
   */
  const ARCHIVE_RUNS = [
    { folder: 'bundles-a', wave: 0, more: [] },
    { folder: 'bundles-a', wave: 0, more: ['--bagging-date', '2026-12-01'] },
    { folder: 'bundles-b', wave: 1, more: [] },
  ];
  const outs = () => ARCHIVE_RUNS.map((a) => join(dir, a.folder));

  beforeAll(async () => {
    const ws = openWorkspace(shared);
    try {
      phoneVisits = [1, 2, 3, 4].map((n) => {
        const customerId = `31010000${String(90 + n).padStart(4, '0')}`;
        upsertCustomer(ws.register, {
          customerId,
          name: `李电话${n}`,
          kind: 'individual',
          branchCode: '3101',
          branchName: '上海浦东南路证券营业部',
          address: '上海市浦东新区浦东南路100号',
          postcode: '200120',
          phone: '13800138000',
          email: `p${n}@example.com`,
          openedOn: '2026-10-20',
        });
        const visitId = newVisitId();
        insertVisit(
          ws.register,
          {
            visitId,
            customerId,
            category: 'new-account',
            channel: 'phone',
            visitor: 'li.visitor',
            createdOn: '2026-11-01',
            dueOn: '2026-11-20',
            result: 'pending',
          },
          'test',
        );
        return visitId;
      });
    } finally {
      ws.close();
    }
    const attempt = (visitId: string, t: (typeof TRIES)[number]) =>
      start([
        'attempt',
        '--visit',
        visitId,
        '--channel',
        t.channel,
        '--outcome',
        'no-answer',
        '--at',
        t.at,
        '--workspace',
        shared,
        '--json',
      ]);
    const archive = (out: string, more: string[]) =>
      start([
        'archive',
        '--branch',
        '3101',
        '--period',
        '2026-11',
        '--out',
        out,
        '--include-invalid',
        '--workspace',
        shared,
        '--json',
        ...more,
      ]);
    // Three customers' three tries, all at once; meanwhile tries on a fourth customer, two at a
    // time, wave after wave, until the three archive runs of the period (see `outs`) have ended.
    const runs: Promise<Run>[] = [];
    let ended = 0;
    const more = async () => {
      const out: Run[] = [];
      for (let wave = 0; wave < 8; wave++) {
        for (const a of ARCHIVE_RUNS.filter((r) => r.wave === wave))
          runs.push(archive(join(dir, a.folder), a.more).finally(() => ended++));
        if (wave > 1 && ended === runs.length) break;
        out.push(...(await Promise.all(TRIES.slice(0, 2).map((t) => attempt(phoneVisits[3]!, t)))));
      }
      return out;
    };
    const [first, then] = await Promise.all([
      Promise.all(phoneVisits.slice(0, 3).flatMap((v) => TRIES.map((t) => attempt(v, t)))),
      more(),
    ]);
    attempts = [...first, ...then];
    archives = await Promise.all(runs);
  }, 600_000);

  it('every process finishes without a raw database message', () => {
    for (const r of [...attempts, ...archives]) {
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/SQLITE_|constraint|duplicate key|deadlock|could not serialize/i);
    }
  });

  it('every attempt is in the register once, with its own number, and the visit is decided on all of them', () => {
    const logged = attempts.map((r) => JSON.parse(r.stdout) as { visitId: string; attempt: { attemptId: number } });
    const ids = logged.map((l) => l.attempt.attemptId);
    expect(new Set(ids).size).toBe(attempts.length);
    expect(attempts.length).toBeGreaterThanOrEqual(11);
    const ws = openWorkspace(shared);
    try {
      for (const visitId of phoneVisits) {
        const stored = attemptsOf(ws.register, visitId);
        const mine = logged.filter((l) => l.visitId === visitId).map((l) => l.attempt.attemptId);
        expect(stored.map((a) => a.attemptId).sort()).toEqual(mine.sort());
        if (visitId !== phoneVisits[3])
          expect(stored.map((a) => [a.channel, a.at]).sort()).toEqual(
            TRIES.map((t) => [t.channel, new Date(t.at).toISOString()]).sort(),
          );
        expect(eventsOfVisit(ws.register, visitId).filter((e) => e.action === 'visit.attempt')).toHaveLength(
          mine.length,
        );
        // Three failed tries on two days by two channels: unreachable, whichever process decided last.
        expect(getVisit(ws.register, visitId)?.result, visitId).toBe(mine.length >= 3 ? 'unreachable' : 'pending');
      }
    } finally {
      ws.close();
    }
  });

  it('no visit gets a document twice from two archive runs', () => {
    const ws = openWorkspace(shared);
    try {
      for (const visitId of visitIds) {
        const docs = documentsOf(ws.register, visitId);
        const derived = docs.filter((d) => d.role !== 'received' && d.role !== 'rendered');
        const keys = derived.map((d) => `${d.role} ${d.kind} ${d.sourceSha256}`);
        expect(new Set(keys).size, `${visitId}: ${keys.join(', ')}`).toBe(keys.length);
        const added = eventsOfVisit(ws.register, visitId).filter((e) => e.action === 'document.added');
        expect(added, visitId).toHaveLength(docs.length);
      }
    } finally {
      ws.close();
    }
  });

  it('each folder holds one whole bundle, the one the register names, which verifies; no temporary file is left', async () => {
    const reported = archives.map(
      (r) => (JSON.parse(r.stdout) as { details: { path: string; sha256: string; visitIds: string[] }[] }).details,
    );
    for (const d of reported) expect(d).toHaveLength(1);
    const ws = openWorkspace(shared);
    try {
      const period = visitIdsOfPeriod(ws.register, '3101', '2026-11');
      expect(period).toHaveLength(9);
      for (const folder of new Set(outs())) {
        expect(readdirSync(folder)).toEqual(['huifang-3101-2026-11.zip']);
        const zip = join(folder, 'huifang-3101-2026-11.zip');
        const onDisk = sha256Of(readFileSync(zip));
        // The zip in the folder is a bundle the register knows, and where the register says it is, it is.
        const rows = findBundles(ws.register, onDisk);
        expect(rows, zip).toHaveLength(1);
        expect(sha256Of(readFileSync(rows[0]!.path))).toBe(onDisk);
        if (rows[0]!.path === zip) expect(bundleAtPath(ws.register, zip)?.sha256, zip).toBe(onDisk);
        expect(reported.flat().some((b) => b.sha256 === onDisk)).toBe(true);
        const verified = await start(['verify', zip]);
        expect(verified.status, verified.stdout + verified.stderr).toBe(0);
      }
      // The two runs into one folder made different zips, and each says which one it made.
      expect(
        new Set(
          reported
            .flat()
            .filter((b) => b.path.includes('bundles-a'))
            .map((b) => b.sha256),
        ).size,
      ).toBe(2);
      const recorded = listBundles(ws.register, { branchCode: '3101' });
      for (const b of reported.flat()) {
        const row = recorded.filter((r) => r.sha256 === b.sha256);
        expect(row, b.sha256).toHaveLength(1);
        expect(row[0]!.bundleId).toBe('huifang-3101-2026-11');
        expect([...b.visitIds].sort()).toEqual(period);
        expect(row[0]!.visitCount).toBe(9);
      }
    } finally {
      ws.close();
    }
  });

  it('each bundle seals one moment: every visit record holds the attempts its own log names, and a result decided on them', async () => {
    for (const [i, folder] of [...new Set(outs())].entries()) {
      const unpacked = join(dir, `unpacked-${i}`);
      await extractZip(join(folder, 'huifang-3101-2026-11.zip'), unpacked);
      for (const visitId of phoneVisits) {
        const record = JSON.parse(
          readFileSync(join(unpacked, 'huifang-3101-2026-11', 'data', visitId, 'record.json'), 'utf8'),
        ) as {
          attempts: { attemptId: number }[];
          events: { action: string }[];
          decision: { result: string } | null;
          valid: boolean;
          validation: { ruleId: string }[];
        };
        const logged = record.events.filter((e) => e.action === 'visit.attempt').length;
        expect(record.attempts, `${folder} ${visitId}`).toHaveLength(logged);
        // The result it carries is the one its attempts give, or the bundle says it is not recorded yet.
        const due = record.attempts.length >= 3 ? 'unreachable' : 'pending';
        if ((record.decision?.result ?? 'pending') !== due)
          expect(
            record.validation.map((m) => m.ruleId),
            `${folder} ${visitId}`,
          ).toContain('result/not-recorded');
      }
    }
  });
});

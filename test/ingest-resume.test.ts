import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../src/ingest/ingest.ts';
import { INGEST_HANDLERS } from '../src/cli/ingest-handlers.ts';
import { sha256Of } from '../src/store/files.ts';
import { ingestCounts, getIngestFile } from '../src/store/ingest.ts';
import { pagesOfFile } from '../src/store/pages.ts';
import { documentsOf } from '../src/store/visits.ts';
import { openWorkspace, type Workspace } from '../src/store/workspace.ts';
import { attachmentScan, BIN, formScan, huifang, imagePdfOf, seedWorkspace, tempDir } from './ingest-helpers.ts';

// A six-page batch of three visits (form + envelope each) and a single scan, ingested into
// a reference workspace; then twice more (idempotence). For crash safety, a long batch (the
// six pages six times over, long enough to be read for several seconds) is ingested by a
// process killed while the batch is being read, then run again, and compared with a run
// that was never killed.
let dir: string;
let reference: Workspace;
let visitIds: string[];
let batch: string;
let single: string;
let long: string;
let pages: Buffer[];

const seeds = () =>
  visitIds.map((visitId, i) => ({
    visitId,
    customerKind: i === 1 ? ('institution' as const) : ('individual' as const),
  }));
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
  dir = tempDir('ingest-resume');
  const seeded = seedWorkspace(join(dir, 'reference'), [{}, { customerKind: 'institution' }, {}]);
  reference = seeded.ws;
  visitIds = seeded.visitIds;
  const envelope = await attachmentScan('envelope');
  pages = [];
  for (const v of visitIds) pages.push(await formScan(v, undefined, { jpeg: 85 }), envelope);
  mkdirSync(join(dir, 'in'));
  batch = join(dir, 'in', 'batch.pdf');
  single = join(dir, 'in', 'single.jpg');
  writeFileSync(batch, await imagePdfOf(pages));
  writeFileSync(single, await formScan(visitIds[0]!, undefined, { jpeg: 70, skew: -2 }));
  long = join(dir, 'in', 'long.pdf');
  writeFileSync(long, await imagePdfOf(Array.from({ length: 6 }, () => pages).flat()));
  await ingest(reference, [batch, single], { actor: 'clerk.test', handlers: INGEST_HANDLERS });
}, 300_000);

afterAll(() => reference?.close());

describe('ingesting the same files again', () => {
  it('changes nothing, under any name', async () => {
    const before = ingestCounts(reference.register);
    expect(before).toMatchObject({ files: 2, filesDone: 2, pages: 7, assignedPages: 7, quarantinedPages: 0 });
    const copy = join(dir, 'in', 'batch-renamed-copy.pdf');
    copyFileSync(batch, copy);
    const again = await ingest(reference, [batch, single, copy], { actor: 'clerk.test', handlers: INGEST_HANDLERS });
    expect(again.files.map((f) => f.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(again.files[2]!.firstIngested?.path).toBe(batch);
    expect(again.files[0]!.pages.map((p) => [p.visitId, p.kind])).toEqual(
      placement(reference, batch).map((p) => [p[2], p[3]]),
    );
    expect(ingestCounts(reference.register)).toEqual(before);
  });
});

describe('a run killed in the middle of a file', () => {
  it('is completed by the next run with nothing lost and nothing doubled', async () => {
    const wsDir = join(dir, 'killed');
    seedWorkspace(wsDir, seeds()).ws.close();
    const child = spawn(process.execPath, [BIN, 'ingest', '--workspace', wsDir, long, single], {
      env: { ...process.env, HUIFANG_USER: 'clerk.test' },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    // Wait until the register shows the batch as `processing` (stored, being read), then kill.
    const batchSha = sha256Of(readFileSync(long));
    const watcher = openWorkspace(wsDir);
    try {
      while (getIngestFile(watcher.register, batchSha)?.status !== 'processing')
        await new Promise((r) => setTimeout(r, 50));
    } finally {
      watcher.close();
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const killed = openWorkspace(wsDir);
    try {
      // The original is kept; the file is marked unfinished; none of its pages was half-written.
      expect(killed.files.has(batchSha)).toBe(true);
      expect(getIngestFile(killed.register, batchSha)?.status).toBe('processing');
      expect(pagesOfFile(killed.register, batchSha)).toEqual([]);
    } finally {
      killed.close();
    }

    const rerun = huifang(['ingest', '--workspace', wsDir, '--json', long, single]);
    expect(rerun.status, rerun.stderr).toBe(0);
    const statuses = (JSON.parse(rerun.stdout).files as { status: string }[]).map((f) => f.status);
    expect(statuses).toEqual(['resumed', 'ingested']);

    const neverKilled = seedWorkspace(join(dir, 'never-killed'), seeds()).ws;
    await ingest(neverKilled, [long, single], { actor: 'clerk.test', handlers: INGEST_HANDLERS });
    const resumed = openWorkspace(wsDir);
    const reference = neverKilled;
    try {
      expect(ingestCounts(resumed.register)).toEqual(ingestCounts(reference.register));
      expect(placement(resumed, long)).toEqual(placement(reference, long));
      expect(placement(resumed, single)).toEqual(placement(reference, single));
      expect(getIngestFile(resumed.register, batchSha)).toMatchObject({ status: 'done', attempts: 2 });
      for (const v of visitIds) {
        const received = (w: Workspace) =>
          documentsOf(w.register, v)
            .filter((d) => d.role === 'received')
            .map((d) => ({ kind: d.kind, sha256: d.sha256, meta: d.meta }))
            .sort((a, b) => a.kind.localeCompare(b.kind) || a.sha256.localeCompare(b.sha256));
        const docs = received(resumed);
        const ref = received(reference);
        expect(docs).toEqual(ref);
      }
    } finally {
      resumed.close();
      neverKilled.close();
    }
  });
});

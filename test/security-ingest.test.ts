/**
 * Every command ends by itself, and folder ingest stays inside the folder it is given.
 *
 * Each command runs as a user runs it (the binary, in its own process) under a time limit:
 * a process still alive when the limit passes is killed and fails the test. The limit is a
 * hang detector, not a speed requirement: it is far above what any of these runs needs.
 * Among them: a second ingest of four scans (every file a duplicate), which before printed
 * its JSON and then never exited (reading threads started after the pool was closed).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Of } from '../src/store/files.ts';
import { attachmentScan, BIN, formScan, seedWorkspace, tempDir, tiffOf } from './ingest-helpers.ts';

const LIMIT_MS = 150_000;
const dir = tempDir('security-ingest');
const ws = join(dir, 'ws');
const scans = join(dir, 'scans');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `huifang args…`; `ended` is false when the process had to be killed at the limit. */
function runLimited(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ ended: boolean; status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, HUIFANG_USER: 'clerk.test', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let ended = true;
    const timer = setTimeout(() => {
      ended = false;
      child.kill('SIGKILL');
    }, LIMIT_MS);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ ended, status, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  const { ws: w, visitIds } = seedWorkspace(ws, [{}, {}, {}, {}]);
  w.close();
  mkdirSync(scans);
  // Single scans and multi-page batches, as a clerk's scanner leaves them: reading a batch
  // takes long enough for the reading threads to be busy when a re-run reaches its end.
  const pages: Buffer[] = [];
  for (const [i, v] of visitIds.entries()) {
    const page = await formScan(v, undefined, { jpeg: 85 });
    writeFileSync(join(scans, `scan-${i + 1}.jpg`), page);
    pages.push(page, await attachmentScan('envelope'));
  }
  writeFileSync(join(scans, 'batch-1.tif'), await tiffOf(pages));
}, 300_000);

describe('every command ends by itself', () => {
  it(
    'ingest of four scans and a batch, then the same folder again (every file a duplicate), then an empty folder',
    async () => {
      const first = await runLimited(['ingest', scans, '--workspace', ws, '--json']);
      expect(first.ended, 'the first ingest did not end').toBe(true);
      expect(JSON.parse(first.stdout).files).toHaveLength(5);
      const again = await runLimited(['ingest', scans, '--workspace', ws, '--json']);
      expect(again.ended, 'the re-run over duplicates printed its JSON and did not end').toBe(true);
      expect(again.status).toBe(first.status);
      expect(JSON.parse(again.stdout).files.map((f: { status: string }) => f.status)).toEqual(
        Array(5).fill('duplicate'),
      );
      const empty = join(dir, 'empty');
      mkdirSync(empty);
      const none = await runLimited(['ingest', empty, '--workspace', ws, '--json']);
      expect(none.ended).toBe(true);
      expect(none.status).toBe(0);
      expect(JSON.parse(none.stdout).files).toEqual([]);
    },
    4 * LIMIT_MS,
  );

  it('the reading threads end when closed while their replies wait for a busy main thread', async () => {
    // What hung a re-run over duplicates: ingest closed the pool while replies of readings it
    // no longer waited for were queued; delivered as the threads ended, they started new ones.
    const script = join(dir, 'close-busy.mts');
    writeFileSync(
      script,
      `import { readFileSync } from 'node:fs';
const { openScanReader } = await import(${JSON.stringify(join(import.meta.dirname, '..', 'src', 'scan', 'read-pool.ts'))});
const reader = openScanReader(2);
const tiff = readFileSync(${JSON.stringify(join(scans, 'batch-1.tif'))});
await Promise.all([reader.read(tiff, 'a.tif', { targetDpi: 150 }), reader.read(tiff, 'b.tif', { targetDpi: 150 })]);
for (const n of ['c', 'd', 'e', 'f']) reader.read(tiff, n + '.tif', { targetDpi: 150 }).catch(() => null);
const until = Date.now() + 1500;
while (Date.now() < until); // the register's work keeps this thread busy; replies queue up
await reader.close();
process.stdout.write('closed');
`,
    );
    const r = await new Promise<{ ended: boolean; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      let ended = true;
      const timer = setTimeout(() => {
        ended = false;
        child.kill('SIGKILL');
      }, 60_000);
      child.on('close', () => {
        clearTimeout(timer);
        resolve({ ended, stdout });
      });
    });
    expect(r.stdout).toBe('closed');
    expect(r.ended, 'the process did not end after the pool was closed').toBe(true);
  }, 90_000);

  it.each([
    [['validate', '--no-verify-hashes']],
    [['review', 'list']],
    [['quarantine']],
    [['staff', 'list']],
    [['archive', 'list']],
    [['archive', 'due']],
    [['report', '--period', '2026-11']],
    [['pages', 'list', '--visit', 'HF-00000-00000']],
    [['verify', join(dir, 'missing.zip')]],
    [['archive', '--branch', '3101', '--period', '2026-01', '--out', join(dir, 'bundles')]],
    [
      [
        'letters',
        join(import.meta.dirname, '..', 'samples', 'customers.csv'),
        '--out',
        join(dir, 'letters'),
        '--visitor',
        '周敏',
        '--seed',
        'e',
      ],
    ],
  ])(
    '%j ends by itself with its exit code',
    async (args) => {
      const r = await runLimited([...args, '--workspace', ws, '--json']);
      expect(r.ended, `huifang ${args.join(' ')} did not end`).toBe(true);
      expect([0, 1, 2]).toContain(r.status);
      expect(() => JSON.parse(r.stdout), r.stdout.slice(0, 500)).not.toThrow();
    },
    LIMIT_MS + 10_000,
  );
});

describe('folder ingest and links', () => {
  it(
    'refuses links that leave the folder, with the reason, and reads links that stay inside',
    async () => {
      const folder = join(dir, 'linked');
      const outside = join(dir, 'outside');
      mkdirSync(folder);
      mkdirSync(outside);
      const secret = join(outside, 'secret.eml');
      writeFileSync(
        secret,
        'From: a@example.cn\r\nSubject: private\r\nDate: Mon, 1 Jun 2026 10:00:00 +0800\r\n\r\nnot for this workspace\r\n',
      );
      symlinkSync(secret, join(folder, 'secret.eml'));
      symlinkSync('/etc/hostname', join(folder, 'hostname.eml'));
      symlinkSync(outside, join(folder, 'elsewhere'));
      writeFileSync(join(folder, 'inside.jpg'), readFileSync(join(scans, 'scan-1.jpg')));
      symlinkSync(join(folder, 'inside.jpg'), join(folder, 'same-folder.jpg'));
      const r = await runLimited(['ingest', folder, '--workspace', ws, '--json']);
      expect(r.ended).toBe(true);
      expect(r.status).toBe(1);
      const json = JSON.parse(r.stdout);
      expect(json.refused.map((x: { path: string }) => x.path).sort()).toEqual([
        join(folder, 'elsewhere'),
        join(folder, 'hostname.eml'),
        join(folder, 'secret.eml'),
      ]);
      for (const x of json.refused) expect(x.reason).toContain('outside the folder');
      expect(json.files.map((f: { path: string }) => f.path)).toEqual([
        join(folder, 'inside.jpg'),
        join(folder, 'same-folder.jpg'),
      ]);
      expect(
        existsSync(
          join(ws, 'files', 'objects', sha256Of(readFileSync(secret)).slice(0, 2), sha256Of(readFileSync(secret))),
        ),
      ).toBe(false);
    },
    LIMIT_MS + 10_000,
  );
});

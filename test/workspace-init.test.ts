/**
 * A workspace is made by `huifang init`; every other command refuses a folder that is not
 * one (exit 2, nothing created) instead of answering "0 visits" from an empty register.
 * The firm's settings live in the workspace's huifang.json, checked key by key.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { SAMPLE_FIRM, SAMPLE_STAFF } from './workspace-helpers.ts';

const SAMPLES = join(import.meta.dirname, '..', 'samples');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), interactive: false };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('a folder that is not a workspace', () => {
  it('is refused by every command that reads the register, and nothing is created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'huifang-nows-'));
    const typo = join(dir, 'huifang-wrokspace');
    for (const argv of [['validate'], ['review', 'list'], ['report', '--period', '2026-11'], ['archive', 'due']]) {
      const r = await run([...argv, '--workspace', typo]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toContain(`${typo} is not a huifang workspace`);
      expect(r.err).toContain('huifang init');
    }
    expect(existsSync(typo)).toBe(false);
    mkdirSync(join(dir, 'documents'));
    const existing = await run(['validate', '--workspace', join(dir, 'documents'), '--json']);
    expect(existing.code).toBe(2);
    expect(JSON.parse(existing.out).error).toContain('is not a huifang workspace');
    expect(readdirSync(join(dir, 'documents'))).toEqual([]);
  });
});

describe('huifang init', () => {
  it("makes a workspace with the firm's settings, then letters use its sender block", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'huifang-init-'));
    const ws = join(dir, 'ws');
    const made = await run(['init', ws, '--config', SAMPLE_FIRM, '--json']);
    expect(made.code).toBe(0);
    expect(JSON.parse(made.out)).toMatchObject({ workspace: ws, config: join(ws, 'huifang.json'), sender: true });
    expect(JSON.parse(readFileSync(join(ws, 'huifang.json'), 'utf8')).sender.companyName).toBe('华信证券股份有限公司');
    expect((await run(['staff', 'import', SAMPLE_STAFF, '--workspace', ws])).code).toBe(0);
    const letters = await run([
      'letters',
      join(SAMPLES, 'customers.csv'),
      '--workspace',
      ws,
      '--out',
      join(dir, 'out'),
      '--visitor',
      '周敏',
      '--reviewer',
      '沈佳怡',
      '--json',
    ]);
    expect(letters.code).toBe(0);
    expect(JSON.parse(letters.out).visits.length).toBeGreaterThan(0);
    const again = await run(['init', ws]);
    expect(again.code).toBe(2);
    expect(again.err).toContain('is already a huifang workspace; nothing was changed');
  }, 120_000);

  it('keeps stored files in the folder --files names, recorded for later runs and shared by two workspaces', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'huifang-init-files-'));
    const shared = join(dir, 'shared-files');
    for (const clerk of ['clerk-a', 'clerk-b']) {
      const ws = join(dir, clerk);
      const made = await run(['init', ws, '--config', SAMPLE_FIRM, '--files', shared, '--json']);
      expect(made.code, made.err).toBe(0);
      expect(JSON.parse(made.out).files).toBe(shared);
      expect(JSON.parse(readFileSync(join(ws, 'huifang.json'), 'utf8')).files).toBe(shared);
      expect((await run(['staff', 'import', SAMPLE_STAFF, '--workspace', ws])).code).toBe(0);
    }
    const objects = (folder: string) =>
      readdirSync(join(folder, 'objects'), { recursive: true }).filter((p) => /[0-9a-f]{64}$/.test(String(p)));
    const letters = (clerk: string, ...more: string[]) =>
      run([
        'letters',
        join(SAMPLES, 'customers.csv'),
        '--workspace',
        join(dir, clerk),
        ...more,
        '--out',
        join(dir, `out-${clerk}`),
        '--visitor',
        '周敏',
        '--reviewer',
        '沈佳怡',
        '--json',
      ]);
    const a = await letters('clerk-a');
    expect(a.code, a.err).toBe(0);
    expect(objects(shared).length).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'clerk-a', 'files'))).toBe(false);
    // --files on one run puts that run's files elsewhere; the settings stay as they are.
    const elsewhere = join(dir, 'elsewhere');
    const b = await letters('clerk-b', '--files', elsewhere);
    expect(b.code, b.err).toBe(0);
    expect(objects(elsewhere).length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(dir, 'clerk-b', 'huifang.json'), 'utf8')).files).toBe(shared);
  }, 120_000);

  it('without settings, refuses to print letters until the sender block is filled in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'huifang-init-bare-'));
    const ws = join(dir, 'ws');
    const made = await run(['init', ws]);
    expect(made.code).toBe(0);
    expect(made.out).toContain('fill in the "sender" block');
    expect((await run(['staff', 'import', SAMPLE_STAFF, '--workspace', ws])).code).toBe(0);
    const letters = await run([
      'letters',
      join(SAMPLES, 'customers.csv'),
      '--workspace',
      ws,
      '--out',
      join(dir, 'out'),
      '--visitor',
      '周敏',
      '--reviewer',
      '沈佳怡',
    ]);
    expect(letters.code).toBe(2);
    expect(letters.err).toContain('has no sender block');
    expect(letters.err).toContain(join(ws, 'huifang.json'));
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('refuses settings with unknown keys or bad values, naming each key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'huifang-init-bad-'));
    const firm = JSON.parse(readFileSync(SAMPLE_FIRM, 'utf8'));
    firm.sender.postcode = '2001';
    firm.sender.replyDays = 0;
    firm.colour = 'red';
    const bad = join(dir, 'firm.json');
    writeFileSync(bad, JSON.stringify(firm));
    const r = await run(['init', join(dir, 'ws'), '--config', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('sender.postcode: must be six digits');
    expect(r.err).toContain('sender.replyDays: must be a whole number of days from 1 to 90');
    expect(r.err).toContain('colour: is not a key huifang knows');
    expect(existsSync(join(dir, 'ws'))).toBe(false);
  });
});

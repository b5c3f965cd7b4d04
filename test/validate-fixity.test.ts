/**
 * How `validate` checks the stored files a visit's evidence rests on (fixity): by default it
 * hashes a file only when it was never checked, when the file changed on disk since its last
 * check, or when that check is older than the policy's files.recheckDays; a recording run keeps
 * what it found; `--verify-hashes` hashes everything; `--no-verify-hashes` only looks.
 */
import { chmodSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import type { Io } from '../src/cli/common.ts';
import { attachEvidence } from '../src/rules/attach.ts';
import { fileChecksOf, recordFileChecks } from '../src/store/file-checks.ts';
import { importStaff } from '../src/store/rules.ts';
import type { Workspace } from '../src/store/workspace.ts';
import { addVisit, customer, tempWorkspace, wav } from './rules-fixtures.ts';

const ROSTER = [
  { staffId: 'S310101', name: '周敏', role: '回访专员', isMarketing: false },
  { staffId: 'S310102', name: '沈佳怡', role: '复核人员', isMarketing: false },
];
const NOW = '2026-11-20T02:00:00.000Z';

let ws: Workspace;
let visitId: string;
let recording: string;
let envelope: string;

beforeEach(async () => {
  process.env.HUIFANG_NOW = NOW;
  ws = tempWorkspace('huifang-fixity-');
  importStaff(ws.register, ROSTER, 'test', 'roster');
  const dir = mkdtempSync(join(tmpdir(), 'huifang-fixity-in-'));
  const visit = addVisit(ws, customer(), { channel: 'phone' });
  visitId = visit.visitId;
  writeFileSync(join(dir, 'call.wav'), wav(12.5));
  writeFileSync(join(dir, 'note.txt'), '客户来电确认地址变更。\n');
  const [rec] = await attachEvidence(ws, {
    visitId,
    kind: 'recording',
    paths: [join(dir, 'call.wav')],
    actor: 'S310101',
  });
  const [note] = await attachEvidence(ws, {
    visitId,
    kind: 'attachment',
    paths: [join(dir, 'note.txt')],
    actor: 'S310101',
  });
  recording = rec!.sha256;
  envelope = note!.sha256;
});
afterEach(() => {
  ws.close();
  delete process.env.HUIFANG_NOW;
});

interface Files {
  mode: string;
  hashed: number;
  recent: number;
  present: number;
  failed: number;
}

async function validate(...args: string[]): Promise<{ code: number; files: Files; rules: string[]; text: string }> {
  let out = '';
  const io: Io = { out: (t) => (out += t + '\n'), err: () => {}, interactive: false };
  const code = await main(['validate', '--workspace', ws.dir, '--json', ...args], io);
  const doc = JSON.parse(out) as { files: Files; visits: { problems: { ruleId: string }[] }[] };
  let text = '';
  const textIo: Io = { out: (t) => (text += t + '\n'), err: () => {}, interactive: false };
  await main(['validate', '--workspace', ws.dir, ...args.filter((a) => a !== '--record')], textIo);
  return { code, files: doc.files, rules: doc.visits[0]!.problems.map((m) => m.ruleId), text };
}

/** A whole second, so that a modification time put back is the same to the nanosecond. */
const ROUND_TIME = new Date('2026-11-19T08:00:00Z');

/** Flips one byte of a stored file (its size stays), then puts its times back as they were. */
function alterKeepingTimes(sha256: string): void {
  const path = ws.files.pathOf(sha256);
  utimesSync(path, ROUND_TIME, ROUND_TIME);
  const before = statSync(path, { bigint: true });
  const bytes = readFileSync(path);
  const middle = bytes.length >> 1;
  bytes[middle] = bytes[middle]! ^ 0x01;
  chmodSync(path, 0o644);
  writeFileSync(path, bytes);
  chmodSync(path, 0o444);
  utimesSync(path, ROUND_TIME, ROUND_TIME);
  const after = statSync(path, { bigint: true });
  // only the change time tells: the size and the modification time are what they were
  expect([after.size, after.mtimeNs]).toEqual([before.size, before.mtimeNs]);
}

describe('validate: the stored files under the evidence', () => {
  it('a check only hashes files never checked and keeps nothing; a recording run keeps its checks', async () => {
    let r = await validate();
    expect(r.files).toMatchObject({ mode: 'due', hashed: 2, recent: 0, failed: 0 });
    expect(fileChecksOf(ws.register, [recording, envelope]).size).toBe(0);
    expect(r.text).toContain('Stored files: 2 hashed now, 0 unchanged since a check in the last 30 days');

    r = await validate('--record', '--user', 'S310102');
    expect(r.files).toMatchObject({ hashed: 2, recent: 0 });
    const kept = fileChecksOf(ws.register, [recording, envelope]);
    expect([...kept.values()].map((c) => [c.checkedAt, c.ok])).toEqual([
      [NOW, true],
      [NOW, true],
    ]);

    r = await validate();
    expect(r.files).toMatchObject({ hashed: 0, recent: 2, failed: 0 });
    expect(r.rules).not.toContain('evidence/phone-recording');
  });

  it('a file written to since its check is hashed again and named, even with its size and modification time as they were', async () => {
    utimesSync(ws.files.pathOf(recording), ROUND_TIME, ROUND_TIME);
    await validate('--record', '--user', 'S310102');
    alterKeepingTimes(recording);
    const r = await validate();
    expect(r.files).toMatchObject({ hashed: 1, recent: 1, failed: 1 });
    expect(r.rules).toContain('evidence/phone-recording');
    expect(r.code).toBe(1);
    expect(r.text).toContain('1 missing or altered');
  });

  it('a check older than files.recheckDays is made again; a bad check stands until the file changes', async () => {
    await validate('--record', '--user', 'S310102');
    // The disk decays under an unchanged stamp: within the interval the last check stands.
    alterKeepingTimes(recording);
    const stamp = ws.files.stampOf(recording)!;
    recordFileChecks(ws.register, [{ sha256: recording, checkedAt: NOW, stamp, ok: true }]);
    expect((await validate()).files).toMatchObject({ hashed: 0, recent: 2 });

    process.env.HUIFANG_NOW = '2026-12-21T02:00:00.000Z'; // 31 days on
    let r = await validate('--record', '--user', 'S310102');
    expect(r.files).toMatchObject({ hashed: 2, failed: 1 });
    expect(r.rules).toContain('evidence/phone-recording');
    expect(fileChecksOf(ws.register, [recording]).get(recording)).toMatchObject({ ok: false });

    // The next plain check takes the recorded failure without reading the file again.
    r = await validate();
    expect(r.files).toMatchObject({ hashed: 0, recent: 1, failed: 1 });
    expect(r.rules).toContain('evidence/phone-recording');
  });

  it('files.recheckDays 0 hashes on every run; a bad value is refused naming the key', async () => {
    await validate('--record', '--user', 'S310102');
    writeFileSync(join(ws.dir, 'policy.json'), JSON.stringify({ files: { recheckDays: 0 } }));
    expect((await validate()).files).toMatchObject({ hashed: 2, recent: 0 });
    writeFileSync(join(ws.dir, 'policy.json'), JSON.stringify({ files: { recheckDays: -1 } }));
    let err = '';
    const code = await main(['validate', '--workspace', ws.dir], {
      out: () => {},
      err: (t) => (err += t),
      interactive: false,
    });
    expect(code).toBe(2);
    expect(err).toContain('files.recheckDays');
  });

  it('--verify-hashes hashes every file; --no-verify-hashes only looks and says so', async () => {
    await validate('--record', '--user', 'S310102');
    expect((await validate('--verify-hashes')).files).toMatchObject({ mode: 'all', hashed: 2, recent: 0 });
    alterKeepingTimes(recording);
    const r = await validate('--no-verify-hashes');
    expect(r.files).toMatchObject({ mode: 'none', hashed: 0, present: 2, failed: 0 });
    expect(r.rules).not.toContain('evidence/phone-recording');
    expect(r.text).toContain('Stored files: 2 there, not hashed (--no-verify-hashes)');
  });
});

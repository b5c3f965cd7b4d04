/**
 * Every act is recorded in the name of a person on the roster whose role may do it, and a look
 * records nothing: a stranger's e-mail moved onto its visit gets its printout in the mover's
 * name (a stranger, marketing staff and anyone unnamed are refused, nothing moved); `validate`
 * without `--record`, `answers` without entries and the period report write nothing to the
 * register; `validate --record` writes in the recorder's name only.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import type { Io } from '../src/cli/common.ts';
import { eventsOfVisit } from '../src/store/bundles.ts';
import { decisionOf } from '../src/store/rules.ts';
import { documentsOf } from '../src/store/visits.ts';
import { openWorkspace } from '../src/store/workspace.ts';
import { newWorkspace } from './workspace-helpers.ts';

const SAMPLES = join(import.meta.dirname, '..', 'samples');
const root = mkdtempSync(join(tmpdir(), 'huifang-acting-'));
const ws = newWorkspace(join(root, 'ws'));
let visitId = '';
let emailSha = '';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string; json: () => any }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), interactive: false };
  const code = await main([...argv, '--workspace', ws], io);
  return { code, out, err, json: () => JSON.parse(out) };
}

/** What the register holds about the visit: its events, documents and recorded result. */
function registerOf(id: string): { events: number; documents: number; decision: unknown } {
  const w = openWorkspace(ws);
  try {
    return {
      events: eventsOfVisit(w.register, id).length,
      documents: documentsOf(w.register, id).length,
      decision: decisionOf(w.register, id) ?? null,
    };
  } finally {
    w.close();
  }
}

beforeAll(async () => {
  process.env.HUIFANG_NOW = '2026-10-25T02:00:00Z';
  delete process.env.HUIFANG_USER;
  expect((await cli('staff', 'import', join(SAMPLES, 'staff.csv'))).code).toBe(0);
  const lines = readFileSync(join(SAMPLES, 'customers.csv'), 'utf8').split('\r\n');
  const list = join(root, 'one.csv');
  writeFileSync(list, [lines[0], lines[1]].join('\r\n') + '\r\n');
  const made = await cli(
    'forms',
    list,
    '--channel',
    'email',
    '--out',
    join(root, 'forms'),
    '--visitor',
    '周敏',
    '--reviewer',
    '沈佳怡',
    '--user',
    '周敏',
    '--json',
  );
  expect(made.code, made.err).toBe(0);
  visitId = made.json().visits[0].visitId;
  // An answer from an address that is not the customer's: quarantined, for a person to judge.
  const eml = `From: cousin@elsewhere.example\r\nTo: huifang@broker.example\r\nSubject: 回访 ${visitId}\r\nDate: Sun, 25 Oct 2026 09:00:00 +0800\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n1 是 2 是 3 否 4 否\r\n`;
  const path = join(root, 'reply.eml');
  writeFileSync(path, eml);
  const ingested = await cli('ingest', path, '--user', '顾文斌', '--json');
  emailSha = ingested.json().quarantined[0].sha256;
}, 120_000);

describe('acts in the name of a person on the roster; looks record nothing', () => {
  it("moving an e-mail onto its visit: refused for a stranger, marketing staff and no one named; the printout is made in the mover's name", async () => {
    const move = ['pages', 'move', '--file', emailSha, '--visit', visitId, '--kind', 'email'];
    const before = registerOf(visitId);
    expect((await cli(...move, '--user', '张三')).err).toContain(
      '--user 张三: there is no such person on the staff roster',
    );
    expect((await cli(...move, '--user', '陆晓峰')).err).toContain('marketing staff take no part');
    expect((await cli(...move)).err).toContain('Say who you are with --user');
    expect(registerOf(visitId)).toEqual(before);
    const moved = await cli(...move, '--user', '顾文斌', '--json');
    expect(moved.code, moved.err).toBe(0);
    const w = openWorkspace(ws);
    try {
      const docs = documentsOf(w.register, visitId);
      expect(docs.find((d) => d.kind === 'email')).toBeDefined();
      expect(docs.find((d) => d.kind === 'email-printout')).toMatchObject({ role: 'derived', sourceSha256: emailSha });
      expect(eventsOfVisit(w.register, visitId).find((e) => e.action === 'email.printout')?.actor).toBe('S310103');
    } finally {
      w.close();
    }
  });

  it('validate without --record, answers without entries and the report write nothing to the register', async () => {
    // the customer's remarks call for an exception (异常) for the branch head
    const entered = await cli('answers', '--visit', visitId, '--set', '1=是', '--remarks', '请回电', '--user', '周敏');
    expect(entered.code, entered.err).toBe(0);
    const before = registerOf(visitId);
    const check = (await cli('validate', '--json')).json();
    expect(check.recorded).toBe(false);
    expect(check.exceptions).toEqual([expect.objectContaining({ visitId, triggers: ['remarks'] })]);
    expect(check.visits[0].problems).toContainEqual(
      expect.objectContaining({ ruleId: 'result/not-recorded', reason: expect.stringContaining('an exception') }),
    );
    expect((await cli('validate', '--user', '沈佳怡')).out).toContain('A check only: nothing was recorded.');
    expect((await cli('answers', '--visit', visitId, '--json')).code).toBe(0);
    const report = await cli('report', '--period', '2026-10', '--out', join(root, 'report.html'), '--format', 'html');
    expect(report.code, report.err).toBe(0);
    expect(registerOf(visitId)).toEqual(before);
  });

  it("validate --record is refused for a visitor and a clerk (nothing written) and records in a reviewer's name", async () => {
    const before = registerOf(visitId);
    for (const who of ['周敏', '顾文斌']) {
      const r = await cli('validate', '--record', '--user', who);
      expect(r.code).toBe(2);
      expect(r.err).toContain('may not record verdicts');
    }
    expect(registerOf(visitId)).toEqual(before);
    const recorded = await cli('validate', '--record', '--user', '林慧', '--json');
    expect(recorded.json().recorded).toBe(true);
    expect(recorded.json().exceptions[0].record).toMatchObject({ status: 'open', owner: 'S310100' });
    const w = openWorkspace(ws);
    try {
      const opened = eventsOfVisit(w.register, visitId).filter((e) => e.action === 'exception.opened');
      expect(opened.map((e) => e.actor)).toEqual(['S310106']); // 林慧, compliance (合规专员)
    } finally {
      w.close();
    }
    const after = (await cli('validate', '--json')).json().visits[0].problems;
    expect(after.map((m: any) => m.ruleId)).not.toContain('result/not-recorded');
  });

  it('--reveal names who looks: refused without a name (never the login name) and for a visitor, allowed for compliance', async () => {
    const unnamed = await cli('validate', '--json', '--reveal');
    expect(unnamed.code).toBe(2);
    expect(unnamed.out).toContain('Say who you are with --user');
    expect((await cli('validate', '--json', '--reveal', '--user', '周敏')).code).toBe(2);
    const allowed = await cli('validate', '--json', '--reveal', '--user', '林慧');
    expect(allowed.code).toBe(1);
    expect(allowed.json().visits[0].customerId).toBe('310100018001');
  });
});

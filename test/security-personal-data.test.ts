/**
 * Personal data in `--json`: customer ids and phone numbers are masked as in text output;
 * `--reveal` shows them only to compliance (合规/稽核) and branch heads (营业部负责人) on the
 * staff roster, and is refused (exit 2) for anyone else.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import type { Io } from '../src/cli/common.ts';
import { maskPersonalData } from '../src/domain/personal-data.ts';
import { readCustomerList } from '../src/input/customer-list.ts';
import { eventsOfAction } from '../src/store/bundles.ts';
import { importStaff } from '../src/store/rules.ts';
import { upsertCustomer } from '../src/store/visits.ts';
import { openWorkspace } from '../src/store/workspace.ts';
import { newWorkspace } from './workspace-helpers.ts';

const SAMPLES = join(import.meta.dirname, '..', 'samples');
const dir = mkdtempSync(join(tmpdir(), 'huifang-personal-'));
const ws = join(dir, 'ws');
/** A workspace whose register holds the sample customers but no staff roster yet. */
const bare = join(dir, 'bare');

async function run(
  argv: string[],
  env: Record<string, string> = {},
  workspace = ws,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), interactive: false };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await main([...argv, '--workspace', workspace], io);
    return { code, out, err };
  } finally {
    process.env = saved;
  }
}

/** Every customer id of the sample list (12 digits). */
const ids = readFileSync(join(SAMPLES, 'customers.csv'), 'utf8')
  .split(/\r?\n/)
  .slice(1)
  .filter(Boolean)
  .map((l) => l.split(',')[0]!);
const phones = readFileSync(join(SAMPLES, 'customers.csv'), 'utf8')
  .split(/\r?\n/)
  .slice(1)
  .filter(Boolean)
  .map((l) => l.split(',')[7]!);
const leaks = (text: string) => [...ids, ...phones].filter((v) => v.length > 6 && text.includes(v));

let letters: { code: number; out: string };
beforeAll(async () => {
  // Letters are started by people on the roster: a visitor, a reviewer, and the branch head who
  // later imports the full roster below.
  const w = openWorkspace(newWorkspace(ws));
  try {
    importStaff(
      w.register,
      [
        { staffId: 'S001', name: '周敏', role: '回访专员', isMarketing: false, branchCode: '3101' },
        { staffId: 'S003', name: '沈佳怡', role: '复核人员', isMarketing: false, branchCode: '3101' },
        { staffId: 'S901', name: '孙经理', role: '营业部负责人', isMarketing: false, branchCode: '3101' },
      ],
      'test setup',
      'test roster',
    );
  } finally {
    w.close();
  }
  const b = openWorkspace(newWorkspace(bare));
  try {
    for (const c of (await readCustomerList(join(SAMPLES, 'customers.csv'))).customers) upsertCustomer(b.register, c);
  } finally {
    b.close();
  }
  letters = await run([
    'letters',
    join(SAMPLES, 'customers.csv'),
    '--out',
    join(dir, 'letters'),
    '--visitor',
    '周敏',
    '--reviewer',
    '沈佳怡',
    '--seed',
    'p',
    '--json',
  ]);
}, 300_000);

describe('--json masks personal data', () => {
  it('letters --json prints no full customer id, each masked to its last four characters', () => {
    expect(letters.code).toBe(0);
    expect(ids.length).toBeGreaterThan(10);
    const json = JSON.parse(letters.out);
    expect(json.visits).toHaveLength(ids.length);
    for (const v of json.visits) expect(v.customerId).toMatch(/^\*{8}\d{4}$/);
    expect(leaks(letters.out)).toEqual([]);
  });

  it('validate --json prints no full customer id or phone number', async () => {
    const r = await run(['validate', '--json', '--no-verify-hashes']);
    expect(r.code).toBe(1); // nothing has come back yet: problems found
    expect(JSON.parse(r.out).visits.length).toBe(ids.length);
    expect(leaks(r.out)).toEqual([]);
  });

  it('the masker reaches nested records and leaves other fields alone', () => {
    const masked = maskPersonalData({
      a: [{ customer: { customerId: '310100018001', phone: '13800001000', name: '王静怡' } }],
      customer_id: 3101000123,
    });
    expect(masked).toEqual({
      a: [{ customer: { customerId: '********8001', phone: '*******1000', name: '王静怡' } }],
      customer_id: '******0123',
    });
  });
});

describe('--reveal', () => {
  it('is refused (exit 2) while no roster is imported, and nothing is printed but the refusal', async () => {
    const r = await run(['validate', '--json', '--no-verify-hashes', '--reveal'], { HUIFANG_USER: 'S900' }, bare);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).error).toContain('--reveal refused');
    expect(leaks(r.out + r.err)).toEqual([]);
  });

  it('is refused for a visitor and for marketing staff, allowed for compliance and branch heads', async () => {
    const roster = join(dir, 'staff.csv');
    writeFileSync(
      roster,
      '工号,姓名,岗位,是否营销人员,营业部代码\nS001,周敏,回访专员,否,3101\nS002,陆晓峰,营销人员,是,3101\nS900,钱合规,合规专员,否,3101\nS901,孙经理,营业部负责人,否,3101\n',
    );
    expect((await run(['staff', 'import', roster, '--user', '孙经理'])).code).toBe(0);
    for (const user of ['S001', '陆晓峰', 'nobody']) {
      const r = await run(['validate', '--json', '--no-verify-hashes', '--reveal'], { HUIFANG_USER: user });
      expect(r.code, user).toBe(2);
      expect(leaks(r.out + r.err)).toEqual([]);
    }
    for (const user of ['S900', '孙经理']) {
      const r = await run(['validate', '--json', '--no-verify-hashes', '--reveal'], { HUIFANG_USER: user });
      expect(r.code, user).toBe(1);
      const shown = JSON.parse(r.out)
        .visits.map((v: { customerId: string }) => v.customerId)
        .sort();
      expect(shown).toEqual([...ids].sort());
    }
    const w = openWorkspace(ws);
    try {
      const events = eventsOfAction(w.register, 'personal-data.revealed');
      expect(events.map((e) => e.actor)).toEqual(['S900', '孙经理']);
    } finally {
      w.close();
    }
  });
});

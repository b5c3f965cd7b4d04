/**
 * The firm policy (policy.json): every default names its article; a file is read over the
 * defaults and refused whole, every problem naming its key; its terms give due dates in
 * months, calendar days or business days with holidays; `huifang policy` shows and checks it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import type { Io } from '../src/cli/common.ts';
import { addBusinessDays, dueDateUnder } from '../src/domain/deadlines.ts';
import { InputError } from '../src/domain/messages.ts';
import { defaultPolicy, policyCitations, POLICY_SECTIONS, readPolicy } from '../src/domain/policy-sections.ts';
import { loadPolicy, loadPolicyFile } from '../src/store/policy.ts';
import { newWorkspace } from './workspace-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'huifang-policy-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), interactive: false };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('defaults follow the 细则 and name their articles', () => {
  it('every default of every section names an article', () => {
    const cited = policyCitations();
    expect(cited.length).toBeGreaterThan(15);
    // An article of the 细则 (第N条), or the place in the other rule that sets the default: the
    // 证券公司客户回访制度 (event deadlines), the ⅩⅩ证券 制度 (its own thresholds), the 国务院办公厅
    // holiday notices (the calendar).
    for (const [key, c] of cited)
      expect(c.article, key).toMatch(
        /^(第[一二三四五六七八九十百]+条|证券公司客户回访制度 [一二三四五六七八九十]+\.\d|ⅩⅩ证券 \S+ 第[一二三四五六七八九十百]+条|国务院办公厅 )/,
      );
    expect(new Set(cited.map(([k]) => k.split('.')[0]))).toEqual(new Set(POLICY_SECTIONS.map((s) => s.key)));
  });
  it('new accounts: one month from opening (第十七条), special visits 3 days (第三十一条), 回访不通过 exactly as 第四十三条', () => {
    const p = defaultPolicy();
    expect(p.deadlines.byCategory['new-account']).toEqual({ amount: 1, unit: 'months', from: 'opening' });
    expect(p.deadlines.byCategory.special).toEqual({ amount: 3, unit: 'calendar-days', from: 'start' });
    expect(p.failing.byCategory['new-account']).toEqual([
      'na.opened-in-person',
      'na.staff-operated-account',
      'na.discretionary-mandate',
      'na.knows-staff-name',
      'na.agency-with-staff',
    ]);
    expect(p.unreachable).toEqual({ minAttempts: 3, minDays: 2, minChannels: 2 });
    expect(p.review.sampleRate).toBe(0.1);
    const cited = new Map(policyCitations());
    expect(cited.get('deadlines.byCategory.new-account')!.article).toBe('第十七条');
    expect(cited.get('failing.byCategory.new-account')!.article).toBe('第四十三条');
  });
});

describe('due dates under the policy', () => {
  const calendar = { holidays: ['2026-10-01', '2026-10-02', '2026-10-05'], workdays: ['2026-10-10'] };
  it('business days skip weekends and holidays and count weekend days worked', () => {
    // Wed 2026-09-30 + 3 business days: 10-01, 10-02 holidays, 10-03/04 weekend, 10-05 holiday → 10-06, 10-07, 10-08
    expect(addBusinessDays('2026-09-30', 3, calendar)).toBe('2026-10-08');
    // Fri 10-09 + 1: Sat 10-10 is worked (调休)
    expect(addBusinessDays('2026-10-09', 1, calendar)).toBe('2026-10-10');
    expect(
      dueDateUnder({ amount: 3, unit: 'business-days', from: 'start' }, calendar, '2026-01-01', '2026-09-30'),
    ).toBe('2026-10-08');
    expect(
      dueDateUnder({ amount: 3, unit: 'calendar-days', from: 'start' }, calendar, '2026-01-01', '2026-09-30'),
    ).toBe('2026-10-03');
    expect(dueDateUnder({ amount: 1, unit: 'months', from: 'opening' }, calendar, '2026-01-31', '2026-09-30')).toBe(
      '2026-02-28',
    );
  });
});

describe('policy files', () => {
  it('a valid file is read over the defaults, and its SHA-256 is that of its bytes', () => {
    const text = JSON.stringify({
      $comment: 'firm policy 2026',
      deadlines: { byCategory: { special: { amount: 2, unit: 'business-days' } }, holidays: ['2026-10-01'] },
      review: { sampleRate: 0.2 },
    });
    const path = file('good.json', text);
    const loaded = loadPolicyFile(path);
    expect(loaded.policy.deadlines.byCategory.special).toEqual({ amount: 2, unit: 'business-days', from: 'start' });
    expect(loaded.policy.deadlines.byCategory['new-account']).toEqual(
      defaultPolicy().deadlines.byCategory['new-account'],
    );
    expect(loaded.policy.review.sampleRate).toBe(0.2);
    expect(loaded.sha256).toBe(createHash('sha256').update(text).digest('hex'));
  });
  it('a bad file is refused whole, each problem naming its key', () => {
    const path = file(
      'bad.json',
      JSON.stringify({
        deadlines: { byCategory: { special: { amount: 0, unit: 'weeks' } }, holidays: ['2026-02-30'] },
        failing: { byCategory: { 'new-account': ['na.satisfied'] } },
        review: { sampleRate: 1.5 },
        planing: {},
      }),
    );
    let error: InputError | undefined;
    try {
      loadPolicyFile(path);
    } catch (e) {
      error = e as InputError;
    }
    expect(error).toBeInstanceOf(InputError);
    expect(error!.messages.map((m) => m.place.column)).toEqual([
      'planing',
      'deadlines.byCategory.special.unit',
      'deadlines.byCategory.special.amount',
      'deadlines.holidays[0]',
      'review.sampleRate',
      'failing.byCategory.new-account',
    ]);
    expect(error!.messages[1]!.reason).toBe(
      'deadlines.byCategory.special.unit: expected one of months, calendar-days, business-days but the file has "weeks"',
    );
    expect(error!.messages.every((m) => m.place.file === path)).toBe(true);
  });
  it("not JSON is refused with the parser's reason; no file means the defaults, hashed", () => {
    expect(() => loadPolicyFile(file('broken.json', '{"review": '))).toThrow(/is not JSON/);
    const none = loadPolicy(mkdtempSync(join(tmpdir(), 'huifang-nopolicy-')));
    expect(none.path).toBeNull();
    expect(none.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(readPolicy(undefined, 'x').problems).toEqual([]);
  });
  it('huifang policy show lists each value with its default and article; check refuses a bad file (exit 2)', async () => {
    const ws = newWorkspace(mkdtempSync(join(tmpdir(), 'huifang-policyws-')));
    writeFileSync(join(ws, 'policy.json'), JSON.stringify({ unreachable: { minAttempts: 4 } }));
    const shown = await cli('policy', '--workspace', ws, '--json');
    expect(shown.code).toBe(0);
    const json = JSON.parse(shown.out);
    expect(json.path).toBe(join(ws, 'policy.json'));
    expect(json.settings).toContainEqual(
      expect.objectContaining({ key: 'unreachable.minAttempts', value: 4, default: 3, article: '第四十二条' }),
    );
    const text = await cli('policy', '--workspace', ws);
    expect(text.out).toContain('unreachable.minAttempts = 4  (default 3)  [第四十二条');
    const bad = await cli('policy', 'check', file('bad2.json', '{"unreachable": {"minDays": "two"}}'));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unreachable.minDays: expected a whole number from 1 to 20 but the file has "two"');
  });
});

/**
 * Planning through the CLI as a branch runs it: account and event lists imported (refused
 * whole when any row is bad, each problem named by row and column), a plan made and recorded
 * with its seed, planned visits started with `letters --plan`, and coverage reported.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/common.ts';
import { main } from '../src/cli/main.ts';
import type { Account } from '../src/domain/account.ts';
import { InputError } from '../src/domain/messages.ts';
import { readAccountEvents, readAccounts } from '../src/input/accounts.ts';
import { listImports, plannedVisits, getPlan } from '../src/store/planning.ts';
import { getVisit } from '../src/store/visits.ts';
import { openWorkspace } from '../src/store/workspace.ts';
import { newStaffedWorkspace } from './workspace-helpers.ts';
import { generatePopulation } from './plan-population.ts';
import { lacks } from './tools.ts';

const dir = mkdtempSync(join(tmpdir(), 'huifang-plan-'));
const previousNow = process.env.HUIFANG_NOW;
// Imports and plans are acts of a named person on the roster: the sample roster's clerk.
const previousUser = process.env.HUIFANG_USER;
beforeAll(() => {
  process.env.HUIFANG_NOW = '2026-11-30T04:00:00Z';
  process.env.HUIFANG_USER = '顾文斌';
});
afterAll(() => {
  if (previousNow === undefined) delete process.env.HUIFANG_NOW;
  else process.env.HUIFANG_NOW = previousNow;
  if (previousUser === undefined) delete process.env.HUIFANG_USER;
  else process.env.HUIFANG_USER = previousUser;
  rmSync(dir, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), interactive: false };
  const code = await main(argv, io);
  return { code, out, err };
}

let n = 0;
const file = (name: string, content: string | Uint8Array): string => {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, content);
  return path;
};

const HEADER =
  '客户号,姓名,客户类型,营业部代码,营业部名称,通讯地址,邮编,联系电话,电子邮件,开户日期,账户状态,融资融券,总资产,月均交易量,六个月盈亏率,VIP';
const STATUS = { normal: '正常', dormant: '休眠', suspended: '中止交易', closed: '销户' } as const;
const row = (a: Account): string =>
  [
    a.customerId,
    a.name,
    a.kind === 'individual' ? '个人' : '机构',
    a.branchCode,
    a.branchName,
    a.address,
    a.postcode,
    a.phone,
    a.email,
    a.openedOn,
    STATUS[a.status],
    a.margin ? '是' : '否',
    a.assets ?? '',
    a.monthlyTurnover ?? '',
    a.sixMonthReturn ?? '',
    a.vip ? '是' : '否',
  ].join(',');

async function refusal(p: Promise<unknown>): Promise<[string, number | undefined, string | undefined][]> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).messages.map((m) => [m.ruleId, m.place.row, m.place.column]);
  }
  throw new Error('the file was accepted');
}

describe('reading account and event lists', () => {
  const good = generatePopulation(3, 'small').accounts.map(row);

  it('refuses an account list whole, naming each bad row and column', async () => {
    const bad = [
      HEADER,
      good[0],
      good[1]!.replace(/,正常,|,休眠,|,中止交易,|,销户,/, ',冻结,'),
      good[2]!.replace(/,[是否],(\d*),/, ',也许,$1,'),
      good[0]!.replace(/^\d+/, '310100000777').replace(/,[是否],\d*,/, ',否,-5,'),
    ].join('\n');
    expect(await refusal(readAccounts(file('accounts.csv', bad), { today: '2026-11-30' }))).toEqual([
      ['accounts/bad-status', 3, '账户状态'],
      ['accounts/bad-flag', 4, '融资融券'],
      ['accounts/bad-amount', 5, '总资产'],
    ]);
    const missing = [
      HEADER.replace(',账户状态', ''),
      ...good.map((g) => g.replace(/,(正常|休眠|中止交易|销户),/, ',')),
    ].join('\n');
    expect((await refusal(readAccounts(file('accounts.csv', missing), { today: '2026-11-30' })))[0]).toEqual([
      'accounts/missing-column',
      1,
      undefined,
    ]);
  });

  it('reads GBK with English headers, and XLSX amounts in 万 and percentages as Excel stores them', async () => {
    const english =
      'customer_id,name,kind,branch_code,branch_name,address,postcode,phone,email,opened,status,margin,assets,monthly_turnover,six_month_return,vip';
    const gbk = iconv.encode([english, good[0], good[1]].join('\r\n'), 'gb18030');
    const list = await readAccounts(file('accounts-gbk.csv', gbk), { today: '2026-11-30' });
    expect(list.format).toBe('csv-gb18030');
    expect(list.accounts.map((a) => a.customerId)).toHaveLength(2);

    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('accounts');
    ws.addRow(HEADER.split(',').concat('同期指数涨跌幅'));
    ws.addRow([
      '310100000001',
      '王示例',
      '个人',
      '3101',
      '上海浦东南路证券营业部',
      '浦东南路100号',
      '200120',
      '13800000001',
      '',
      '2020-05-06',
      '正常',
      '是',
      '1250万',
      12_000_000,
      -0.253,
      'Y',
      '4.5%',
    ]);
    ws.getCell('O2').numFmt = '0.00%';
    const path = join(dir, `${n++}-accounts.xlsx`);
    await wb.xlsx.writeFile(path);
    const [a] = (await readAccounts(path, { today: '2026-11-30' })).accounts;
    expect(a).toMatchObject({
      assets: 12_500_000,
      monthlyTurnover: 12_000_000,
      sixMonthReturn: -25.3,
      indexReturn: 4.5,
      margin: true,
      vip: true,
      status: 'normal',
    });
  });

  it('refuses an event list naming unknown events and bad dates, and reads the names exports use', async () => {
    const bad = [
      '客户号,事件,事件日期',
      '310100000001,销户,2026-03-05',
      '310100000002,生日,2026-03-05',
      '310100000003,大额转出,2026-13-01',
      '310100000004,协查,',
    ].join('\n');
    expect(await refusal(readAccountEvents(file('events.csv', bad), { today: '2026-11-30' }))).toEqual([
      ['events/unknown-event', 3, '事件'],
      ['events/bad-date', 4, '事件日期'],
      ['events/empty-field', 5, '事件日期'],
    ]);
    const ok = [
      '客户号,事件类型,发生日期,备注',
      '310100000001,连续六个月无交易,2026/3/5,',
      '310100000002,对账单退信,20260306,地址不详',
      '310100000003,KYC,2026年3月7日,',
    ].join('\n');
    expect(
      (await readAccountEvents(file('events.csv', ok), { today: '2026-11-30' })).events.map((e) => e.kind),
    ).toEqual(['idle', 'statement', 'kyc']);
  });
});

describe('huifang accounts/events import, plan, letters --plan, coverage', () => {
  const ws = join(dir, 'ws');
  beforeAll(() => newStaffedWorkspace(ws));
  const population = generatePopulation(400, 'cli');
  const accountsCsv = file('accounts.csv', [HEADER, ...population.accounts.map(row)].join('\n'));
  const events = population.events.filter((e) => e.occurredOn >= '2026-01-01' && !e.customerId.startsWith('9999'));
  const eventsCsv = file(
    'events.csv',
    [
      '客户号,事件,事件日期',
      ...events.map(
        (e) =>
          `${e.customerId},${{ closure: '销户', idle: '长期无交易', 'large-transfer': '大额转出', statement: '对账单异议', 'exchange-watch': '交易所重点监控', investigation: '协查', kyc: '客户身份重新识别' }[e.kind]},${e.occurredOn}`,
      ),
    ].join('\n'),
  );
  let plan: any;

  beforeAll(async () => {
    const a = await run(['accounts', 'import', accountsCsv, '--as-of', '2026-11-30', '--workspace', ws, '--json']);
    expect(a.err).toBe('');
    expect(JSON.parse(a.out)).toMatchObject({ accounts: 400, asOf: '2026-11-30', format: 'csv-utf8' });
    const e = await run(['events', 'import', eventsCsv, '--workspace', ws, '--json']);
    expect(JSON.parse(e.out)).toMatchObject({ events: events.length, added: events.length });
    const p = await run(['plan', '--year', '2026', '--seed', 's1', '--workspace', ws, '--json']);
    expect(p.err).toBe('');
    plan = JSON.parse(p.out);
  });

  it('keeps each import: the file in the store under its SHA-256, the import dated in the register; importing events again adds none', async () => {
    const again = await run(['events', 'import', eventsCsv, '--workspace', ws, '--json']);
    expect(JSON.parse(again.out).added).toBe(0);
    const w = openWorkspace(ws);
    try {
      const imports = listImports(w.register);
      expect(imports.map((i) => i.kind)).toEqual(['accounts', 'events', 'events']);
      for (const i of imports) expect(w.files.has(i.sha256)).toBe(true);
      expect(imports[0]!.asOf).toBe('2026-11-30');
    } finally {
      w.close();
    }
  });

  it('prints the plan as one JSON document with masked customer ids, the seed, and a reason and due date for each visit', () => {
    expect(plan.seed).toBe('s1');
    expect(plan.planned.length).toBeGreaterThan(40);
    for (const p of plan.planned) {
      expect(Object.keys(p)).toEqual(['customerId', 'branch', 'category', 'reason', 'due', 'basis']);
      expect(p.customerId).toMatch(/^\*{8}\d{4}$/);
      expect(p.due).toMatch(/^2026-|^2027-01-/);
    }
    expect(new Set(plan.planned.map((p: any) => p.category))).toEqual(
      new Set(['new-account', 'special', 'existing', 'key']),
    );
    expect(plan.parameters.policy.existingRatio).toBe(0.1);
  });

  it('gives the same plan id for the same inputs and seed, and a bad option is refused before anything is planned', async () => {
    const again = JSON.parse((await run(['plan', '--year', '2026', '--seed', 's1', '--workspace', ws, '--json'])).out);
    expect(again.planId).toBe(plan.planId);
    expect(again.planned).toEqual(plan.planned);
    const bad = await run(['plan', '--year', '2026', '--as-of', '2026-02-30', '--workspace', ws]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('Expected a date YYYY-MM-DD for --as-of but received "2026-02-30"');
  });

  it('starts the planned special visits of one branch with letters --plan, links them to the plan, and coverage counts them', async () => {
    const special = plan.planned.filter((p: any) => p.category === 'special');
    const branch = special[0].branch as string;
    const mine = special.filter((p: any) => p.branch === branch);
    const before = JSON.parse(
      (await run(['coverage', '--year', '2026', '--branch', branch, '--workspace', ws, '--json'])).out,
    );
    expect(Object.keys(before.branches[0])).toEqual([
      'branch',
      'branchName',
      'newAccounts',
      'existing',
      'margin',
      'key',
      'events',
    ]);
    expect(before.branches[0].existing).toMatchObject({
      eligible: expect.any(Number),
      visited: 0,
      ratio: 0,
      policyRatio: 0.1,
      ok: false,
    });
    expect(before.branches[0].events.started).toBe(0);

    const r = await run([
      'letters',
      '--plan',
      '--branch',
      branch,
      '--category',
      'special',
      '--out',
      join(dir, 'letters'),
      '--visitor',
      '周敏',
      '--reviewer',
      '沈佳怡',
      '--workspace',
      ws,
      '--json',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const started = JSON.parse(r.out).visits;
    expect(started).toHaveLength(mine.length);
    const w = openWorkspace(ws);
    try {
      const items = plannedVisits(w.register, getPlan(w.register, { year: 2026 })!.planId, {
        branch,
        category: 'special',
      });
      expect(items.map((i) => i.visitId).sort()).toEqual(started.map((v: any) => v.visitId).sort());
      const due = getVisit(w.register, started[0].visitId)!.dueOn;
      expect(items.map((i) => i.due)).toContain(due);
    } finally {
      w.close();
    }
    const after = JSON.parse(
      (await run(['coverage', '--year', '2026', '--branch', branch, '--workspace', ws, '--json'])).out,
    );
    expect(after.branches[0].events.started).toBe(
      before.branches[0].events.total - before.branches[0].events.missing.length + mine.length,
    );
    const none = await run([
      'letters',
      '--plan',
      '--branch',
      branch,
      '--category',
      'special',
      '--out',
      join(dir, 'letters2'),
      '--visitor',
      '周敏',
      '--reviewer',
      '沈佳怡',
      '--workspace',
      ws,
    ]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('has no visit left to start for branch');
  }, 120_000);

  it("starts planned key-customer visits as face-to-face forms with forms --plan, each due on the plan's date", async () => {
    const key = plan.planned.filter((p: any) => p.category === 'key');
    const branch = key[0].branch as string;
    const r = await run([
      'forms',
      '--plan',
      '--category',
      'key',
      '--branch',
      branch,
      '--out',
      join(dir, 'forms'),
      '--visitor',
      '周敏',
      '--reviewer',
      '沈佳怡',
      '--workspace',
      ws,
      '--json',
    ]);
    expect(r.err).toBe('');
    const visits = JSON.parse(r.out).visits;
    expect(visits).toHaveLength(key.filter((p: any) => p.branch === branch).length);
    const w = openWorkspace(ws);
    try {
      for (const v of visits) {
        const visit = getVisit(w.register, v.visitId)!;
        expect({ category: visit.category, channel: visit.channel, dueOn: visit.dueOn }).toEqual({
          category: 'key',
          channel: 'face-to-face',
          dueOn: '2026-12-31',
        });
      }
    } finally {
      w.close();
    }
  }, 120_000);

  it("puts the year's coverage into the period report, ids masked", async () => {
    const r = await run(['report', '--period', '2026-11', '--workspace', ws, '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out);
    // every branch of the account list has a section with its coverage, even one without visits this month
    const rows = rep.branches.flatMap((b: any) => b.coverage ?? []);
    expect(rows.length).toBe(new Set(population.accounts.map((a) => a.branchCode)).size);
    for (const c of rows) {
      expect(c).toMatchObject({ year: 2026, asOf: '2026-11-30' });
      for (const m of c.newAccounts.missing) expect(m.customerId).toMatch(/^\*+\d{4}$/);
    }
    const text = await run(['report', '--period', '2026-11', '--workspace', ws]);
    expect(text.out).toContain('2026 年覆盖率 coverage of 2026, as of 2026-11-30');
    expect(text.out).toMatch(/存量客户 existing: 0\/\d+ \(0 %, required ≥ 10 % \(\d+\)\) SHORT/);
  });

  it.skipIf(lacks('unzip'))(
    "puts the branch's coverage into its bundle's index page, as huifang coverage counts it",
    async () => {
      const branch = plan.planned.find((p: any) => p.category === 'special').branch as string;
      const cov = JSON.parse(
        (await run(['coverage', '--year', '2026', '--branch', branch, '--workspace', ws, '--json'])).out,
      );
      const existing = cov.branches[0].existing;
      const out = join(dir, 'bundles');
      const r = await run([
        'archive',
        '--branch',
        branch,
        '--period',
        '2026-11',
        '--out',
        out,
        '--include-invalid',
        '--no-stamp',
        '--user',
        '顾文斌',
        '--workspace',
        ws,
        '--json',
      ]);
      expect(r.code, r.err).toBe(0);
      const zip = JSON.parse(r.out).bundles[0] as string;
      const html = execFileSync('unzip', ['-p', zip, `huifang-${branch}-2026-11/data/index.html`]).toString('utf8');
      expect(html).toContain('覆盖率 coverage of the year');
      expect(html).toContain(
        `<td>存量客户 existing</td><td class="n">${existing.eligible}</td><td class="n">${existing.visited}</td>`,
      );
    },
  );

  it('shows its steps on a terminal, and ends with a summary line', async () => {
    let raw = '';
    const io: Io = { out: () => {}, err: () => {}, interactive: true, errRaw: (t) => (raw += t) };
    expect(await main(['plan', '--year', '2026', '--seed', 's1', '--workspace', ws], io)).toBeLessThanOrEqual(1);
    expect(raw).toMatch(/plan {2}\d\/4 {2}\d+%/);
    expect(raw).toMatch(/visits planned/);
  });

  it('refuses marketing staff and people not on the roster, for imports and plans alike (第四条)', async () => {
    const marketing = await run(['plan', '--year', '2026', '--user', '陆晓峰', '--workspace', ws]);
    expect(marketing.code).toBe(2);
    expect(marketing.err).toContain('marketing staff (营销人员)');
    const stranger = await run(['accounts', 'import', accountsCsv, '--user', 'nobody', '--workspace', ws]);
    expect(stranger.code).toBe(2);
    expect(stranger.err).toContain('--user nobody: there is no such person on the staff roster');
    // Looking up is a step too: validate, the review queue and coverage refuse them as well.
    process.env.HUIFANG_USER = '陆晓峰';
    try {
      for (const argv of [['validate'], ['review', 'list'], ['coverage', '--year', '2026']]) {
        const looked = await run([...argv, '--workspace', ws]);
        expect(looked.code, argv.join(' ')).toBe(2);
        expect(looked.err).toContain(
          'marketing staff take no part in any step of a callback visit, looking up included',
        );
      }
    } finally {
      process.env.HUIFANG_USER = '顾文斌';
    }
    expect((await run(['coverage', '--year', '2026', '--workspace', ws, '--json'])).code).toBeLessThanOrEqual(1);
  });

  it('refuses a plan before any account list is imported, saying what to do', async () => {
    const r = await run(['plan', '--year', '2026', '--workspace', await newStaffedWorkspace(join(dir, 'empty-ws'))]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('huifang accounts import');
  });

  it('refuses a policy whose planning section has a bad key, naming the file and the key', async () => {
    const other = await newStaffedWorkspace(join(dir, 'ws-policy'));
    await run(['accounts', 'import', accountsCsv, '--workspace', other]);
    writeFileSync(join(other, 'policy.json'), JSON.stringify({ planning: { marginRatio: 15 } }));
    const r = await run(['plan', '--year', '2026', '--workspace', other]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `${join(other, 'policy.json')}: planning.marginRatio must be a share above 0 and at most 1`,
    );
  });
});

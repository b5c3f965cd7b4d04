/**
 * Hostile and careless input (docs/security.md): values that become paths are checked where
 * they enter, over-long fields are refused first with short messages, spreadsheet formulas
 * never reach a CSV huifang writes as formulas, e-mail attachment names cannot climb folders.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import type { Io } from '../src/cli/common.ts';
import { InputError } from '../src/domain/messages.ts';
import { checkSegment, quoteValue } from '../src/domain/path-segment.ts';
import { indexCsv, INDEX_FORMAT, type BundleIndex } from '../src/archive/index-files.ts';
import { readCustomerList } from '../src/input/customer-list.ts';
import { readStaffRoster } from '../src/input/staff-roster.ts';
import { readCsv, writeCsv } from '../src/formats/csv.ts';
import { parseEml } from '../src/mail/parse.ts';
import { wrapText } from '../src/render/text.ts';
import { newStaffedWorkspace, newWorkspace } from './workspace-helpers.ts';

const TODAY = '2026-11-28';
const HEADER = '客户号,姓名,客户类型,营业部代码,营业部名称,通讯地址,邮编,联系电话,电子邮件,开户日期,营销人员,联系人';
const row = (f: Partial<Record<'id' | 'name' | 'branch', string>> = {}) =>
  `${f.id ?? '310100090001'},${f.name ?? '王示例'},个人,${f.branch ?? '3101'},上海浦东南路证券营业部,上海市浦东新区浦东南路100弄1号101室,200120,13800009001,wang@example.cn,2026-09-02,,`;

const dir = mkdtempSync(join(tmpdir(), 'huifang-security-input-'));
let n = 0;
function file(name: string, content: string): string {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, content);
  return path;
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), interactive: false };
  const code = await main(argv, io);
  return { code, out, err };
}

async function refusal(
  path: string,
  read: (p: string) => Promise<unknown> = (p) => readCustomerList(p, { today: TODAY }),
): Promise<InputError> {
  try {
    await read(path);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error(`${path} was accepted`);
}

describe('values that become paths', () => {
  it('a branch code ../../x is refused with its row and column, and letters writes nothing', async () => {
    const list = file('branch.csv', `${HEADER}\n${row()}\n${row({ id: '310100090002', branch: '../../x' })}\n`);
    const e = await refusal(list);
    expect(e.messages.map((m) => [m.ruleId, m.place.row, m.place.column])).toEqual([
      ['list/bad-branch-code', 3, '营业部代码'],
    ]);
    const out = join(dir, 'deep', 'a', 'letters');
    const r = await run([
      'letters',
      list,
      '--workspace',
      await newStaffedWorkspace(join(dir, 'ws-branch')),
      '--out',
      out,
      '--visitor',
      '周敏',
      '--reviewer',
      '沈佳怡',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('row 3, column 营业部代码');
    expect(existsSync(join(dir, 'deep'))).toBe(false);
  });

  it('a customer id =HYPERLINK(…) is refused where it enters, masked in the message', async () => {
    const id = '=HYPERLINK("http://e.cn","x")';
    const e = await refusal(file('formula-id.csv', `${HEADER}\n${row({ id: `"${id.replace(/"/g, '""')}"` })}\n`));
    const m = e.messages.find((x) => x.ruleId === 'list/bad-customer-id')!;
    expect([m.place.row, m.place.column]).toEqual([2, '客户号']);
    expect(m.reason).not.toContain('HYPERLINK');
  });

  it('a roster branch code with a separator is refused with row and column', async () => {
    const roster = file(
      'roster.csv',
      '工号,姓名,岗位,是否营销人员,营业部代码\nS001,周敏,回访专员,否,3101\nS002,顾文斌,复核人员,否,31/01\n',
    );
    const e = await refusal(roster, readStaffRoster);
    expect(e.messages.map((m) => [m.ruleId, m.place.row, m.place.column])).toEqual([
      ['roster/bad-branch-code', 3, '营业部代码'],
    ]);
  });

  it('archive refuses --branch ../../x and a --period that is not YYYY-MM before looking at the register', async () => {
    const ws = newWorkspace(join(dir, 'ws-archive'));
    const bad = await run([
      'archive',
      '--branch',
      '../../x',
      '--period',
      '2026-05',
      '--out',
      join(dir, 'bundles'),
      '--workspace',
      ws,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--branch');
    expect(bad.err).toContain('"../../x"');
    const period = await run([
      'archive',
      '--branch',
      '3101',
      '--period',
      '2026-05/../..',
      '--out',
      join(dir, 'bundles'),
      '--workspace',
      ws,
    ]);
    expect(period.code).toBe(2);
    expect(period.err).toContain('--period');
    expect(existsSync(join(dir, 'bundles'))).toBe(false);
  });

  it('the patterns accept real codes and refuse separators, dots and empty values', () => {
    for (const ok of ['3101', 'SH01', 'C0001', '310100018001']) expect(checkSegment('customer', ok).ok).toBe(true);
    for (const ok of ['3101', 'BJ-02']) expect(checkSegment('branch', ok).ok).toBe(true);
    for (const bad of ['', '..', '../x', 'a/b', 'a\\b', '.hidden', '-rf', '3101\n', '\u0000']) {
      expect(checkSegment('branch', bad).ok, JSON.stringify(bad)).toBe(false);
      expect(checkSegment('customer', bad).ok, JSON.stringify(bad)).toBe(false);
    }
    expect(checkSegment('period', '2026-13').ok).toBe(false);
    expect(checkSegment('period', '2026-05').ok).toBe(true);
  });

  it('an e-mail attachment named ../../x keeps no folder part, and a plain name is kept as sent', async () => {
    const eml = [
      'From: a@example.cn',
      'To: b@example.cn',
      'Subject: 回访 HF-7K3M9-Q2T4X',
      'Date: Mon, 1 Jun 2026 10:00:00 +0800',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'hello',
      '--b',
      'Content-Type: text/plain; name="../../etc/cron.d/evil"',
      'Content-Disposition: attachment; filename="../../etc/cron.d/evil"',
      '',
      'x',
      '--b',
      'Content-Type: text/plain',
      'Content-Disposition: attachment; filename="..\\\\..\\\\win.ini"',
      '',
      'y',
      '--b',
      'Content-Type: application/pdf',
      'Content-Disposition: attachment; filename="回访记录表 苏宇航.pdf"',
      '',
      'z',
      '--b--',
      '',
    ].join('\r\n');
    const mail = await parseEml(Buffer.from(eml), 'm.eml');
    const names = mail.attachments.map((a) => a.fileName);
    expect(names).toEqual(['evil', 'win.ini', '回访记录表 苏宇航.pdf']);
    for (const name of names) expect(checkSegment('file', name).ok).toBe(true);
  });
});

describe('unbounded fields', () => {
  it('a 5 MB name is refused by its length, with row, column and limit, in a short message', async () => {
    const huge = '王'.repeat(5 * 1024 * 1024);
    const list = file('huge.csv', `${HEADER}\n${row({ name: huge })}\n`);
    const e = await refusal(list);
    expect(e.messages.map((m) => [m.ruleId, m.place.row, m.place.column])).toEqual([['list/too-long', 2, '姓名']]);
    expect(e.messages[0]!.reason).toContain('more than the 100 allowed');
    await newStaffedWorkspace(join(dir, 'ws-huge'));
    const r = await run([
      'letters',
      list,
      '--workspace',
      join(dir, 'ws-huge'),
      '--out',
      join(dir, 'huge-out'),
      '--visitor',
      '周敏',
      '--reviewer',
      '沈佳怡',
    ]);
    expect(r.code).toBe(2);
    expect(r.err.length).toBeLessThan(2000);
    const json = await run([
      'letters',
      list,
      '--workspace',
      join(dir, 'ws-huge'),
      '--out',
      join(dir, 'huge-out'),
      '--visitor',
      '周敏',
      '--reviewer',
      '沈佳怡',
      '--json',
    ]);
    expect(json.out.length).toBeLessThan(2000);
  });

  it('an over-long header and a long bad value are quoted by their first 40 characters only', async () => {
    const e = await refusal(file('long-header.csv', `${'列'.repeat(5000)},${HEADER}\n${row()}\n`));
    expect(e.message.length).toBeLessThan(400);
    const bad = await refusal(
      file(
        'long-kind.csv',
        `${HEADER.replace('客户类型', '客户类型')}\n${row().replace(',个人,', ',个人个人个人个人个人个人,')}\n`,
      ),
    );
    expect(bad.messages[0]!.ruleId).toBe('list/unknown-kind');
    const q = quoteValue('x'.repeat(100000));
    expect(q.length).toBeLessThan(80);
    expect(q).toContain('(100000 characters)');
  });

  it('wrapping stops after the lines a box can hold, whatever the length of the text', () => {
    const text = '上海市浦东新区'.repeat(20000);
    const lines = wrapText(text, { width: 80, measure: () => 3.5, maxLines: 4 });
    expect(lines).toHaveLength(4);
    expect(lines.map((l) => l.text).join('')).toBe(text.slice(0, lines.map((l) => l.text).join('').length));
  });
});

describe('spreadsheet formulas in the CSV files huifang writes', () => {
  it('every formula start (= + - @ tab CR) is neutralised by the one field writer', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      const field = writeCsv([[`${start}HYPERLINK("http://x","y")`]]);
      const [record] = readCsv(field.replace(/^\uFEFF/, ''));
      expect(record!.fields[0]!.startsWith(`'${start}`), JSON.stringify(field)).toBe(true);
    }
    expect(writeCsv([['王示例']])).toBe('\uFEFF王示例\r\n');
    expect(writeCsv([['a,b']])).toBe('\uFEFF"a,b"\r\n');
  });

  it("a bundle's index.csv writes a customer name =HYPERLINK(…) and an attachment name @SUM as text", () => {
    const index: BundleIndex = {
      format: INDEX_FORMAT,
      bundle: 'huifang-3101-2026-05',
      branch: '3101',
      branchName: 'x',
      period: '2026-05',
      part: 1,
      partCount: 1,
      baggingDate: '2026-05-31',
      retainUntil: '2029-05-31',
      includesInvalid: false,
      visits: [
        {
          visitId: 'HF-7K3M9-Q2T4X',
          customerId: '3101000123',
          customerName: '=HYPERLINK("http://evil","点")',
          customerKind: '个人',
          category: 'new-account',
          channel: 'letter',
          result: 'passed',
          valid: true,
          problems: [],
          record: 'HF-7K3M9-Q2T4X/record.json',
          files: [
            {
              path: 'HF-7K3M9-Q2T4X/a.pdf',
              originalName: '@SUM(A1)',
              kind: 'attachment',
              role: 'received',
              sha256: 'a'.repeat(64),
              size: 1,
            },
          ],
        },
      ],
    };
    const rows = readCsv(
      indexCsv(index)
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
    ).map((r) => r.fields);
    const cells = rows.slice(1).flat();
    expect(cells).toContain(`'=HYPERLINK("http://evil","点")`);
    expect(cells).toContain(`'@SUM(A1)`);
    expect(cells.some((c) => /^[=+@\t\r]/.test(c))).toBe(false);
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { reportFailure, type Io } from '../src/cli/common.ts';
import { formatMessage, InputError, type Message } from '../src/domain/messages.ts';
import { readCustomerList, type CustomerList } from '../src/input/customer-list.ts';
import { decodeText } from '../src/input/encoding.ts';
import { readCsv as parseCsv } from '../src/formats/csv.ts';
import { sampleCustomers, writeSamples } from '../samples/make-samples.ts';

const TODAY = '2026-11-28';
const SAMPLES = resolve('samples');
const FIXTURES = resolve('test/fixtures/lists');
const dir = mkdtempSync(join(tmpdir(), 'huifang-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = '客户号,姓名,客户类型,营业部代码,营业部名称,通讯地址,邮编,联系电话,电子邮件,开户日期,营销人员,联系人';
const GOOD =
  '310100090001,王示例,个人,3101,上海浦东南路证券营业部,上海市浦东新区浦东南路100弄1号101室,200120,13800009001,wang@example.cn,2026-09-02,,';

let n = 0;
function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, content);
  return path;
}
const read = (path: string): Promise<CustomerList> => readCustomerList(path, { today: TODAY });

/** The problems a refused list reports, as [rule, row, column]. */
async function problems(path: string): Promise<[string, number | undefined, string | undefined][]> {
  const e = await refusal(path);
  return e.messages.map((m) => [m.ruleId, m.place.row, m.place.column]);
}
async function refusal(path: string): Promise<InputError> {
  try {
    await read(path);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    for (const m of (e as InputError).messages) {
      expect(m.place.file).toBe(resolve(path));
      expect(m.fix, formatMessage(m)).toBeTruthy();
      expect(m.severity).toBe('error');
    }
    return e as InputError;
  }
  throw new Error(`${path} was accepted`);
}

async function xlsx(rows: unknown[][], edit?: (ws: ExcelJS.Worksheet) => void): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('list');
  for (const r of rows) ws.addRow(r);
  edit?.(ws);
  const path = join(dir, `${n++}-list.xlsx`);
  await wb.xlsx.writeFile(path);
  return path;
}
const XLSX_HEADER = [
  'customer_id',
  'name',
  'kind',
  'branch_code',
  'branch_name',
  'address',
  'postcode',
  'phone',
  'email',
  'opened',
];

describe('the bundled samples', () => {
  it('read to the same 66 customers from UTF-8 CSV, GBK CSV and XLSX', async () => {
    const expected = sampleCustomers();
    const utf8 = await read(join(SAMPLES, 'customers.csv'));
    const gbk = await read(join(SAMPLES, 'customers-gbk.csv'));
    const book = await read(join(SAMPLES, 'customers.xlsx'));
    expect([utf8.format, gbk.format, book.format]).toEqual(['csv-utf8', 'csv-gb18030', 'xlsx']);
    expect(utf8.customers).toHaveLength(66);
    expect(utf8.customers).toEqual(expected);
    expect(gbk.customers).toEqual(expected);
    expect(book.customers).toEqual(expected);
    for (const list of [utf8, gbk, book]) {
      expect(list.path).toBe(resolve(list.path));
      expect(list.sha256).toBe(createHash('sha256').update(readFileSync(list.path)).digest('hex'));
    }
  });

  it('span three branches, about one institution in five (each with 联系人), and restore leading-zero postcodes from the workbook', async () => {
    const { customers } = await read(join(SAMPLES, 'customers.xlsx'));
    expect(new Set(customers.map((c) => `${c.branchCode} ${c.branchName}`))).toEqual(
      new Set(['3101 上海浦东南路证券营业部', '1101 北京金融大街证券营业部', '4403 深圳福田中心区证券营业部']),
    );
    const institutions = customers.filter((c) => c.kind === 'institution');
    expect(institutions.length).toBeGreaterThanOrEqual(10);
    expect(institutions.length).toBeLessThanOrEqual(16);
    expect(institutions.every((c) => c.contactPerson)).toBe(true);
    // Stored as the number 10010 in the workbook; Hohhot's postcode is 010010.
    expect(customers.filter((c) => c.address.includes('呼和浩特')).map((c) => c.postcode)).toContain('010010');
    expect(customers.filter((c) => c.address.includes('太原')).map((c) => c.postcode)).toEqual(['030001']);
    expect(customers.some((c) => c.address.includes(', '))).toBe(true);
  });

  it('are written byte for byte again by make-samples', async () => {
    const out = mkdtempSync(join(tmpdir(), 'huifang-samples-'));
    const written = await writeSamples(out);
    expect(written.map((p) => p.slice(out.length + 1))).toEqual([
      'customers.csv',
      'customers-gbk.csv',
      'customers.xlsx',
      'staff.csv',
    ]);
    for (const path of written) {
      expect(readFileSync(path).equals(readFileSync(join(SAMPLES, path.slice(out.length + 1)))), path).toBe(true);
    }
  });
});

describe('encodings', () => {
  it('reads UTF-8 with and without a byte-order mark', async () => {
    const body = `${HEADER}\n${GOOD}\n`;
    const withBom = await read(file('bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)])));
    const without = await read(file('nobom.csv', body));
    expect(withBom.format).toBe('csv-utf8');
    expect(without.format).toBe('csv-utf8');
    expect(withBom.customers).toEqual(without.customers);
    expect(withBom.customers[0]!.customerId).toBe('310100090001');
  });

  it('detects GBK as Excel on Chinese Windows saves it', async () => {
    const list = await read(file('gbk.csv', iconv.encode(`${HEADER}\r\n${GOOD}\r\n`, 'gbk')));
    expect(list.format).toBe('csv-gb18030');
    expect(list.customers[0]!.name).toBe('王示例');
    expect(list.customers[0]!.branchName).toBe('上海浦东南路证券营业部');
  });

  it('decides on all the bytes, not on the first characters', () => {
    const ascii = 'customer_id,name\n' + Array.from({ length: 2000 }, (_, i) => `${i},x`).join('\n');
    const late = Buffer.concat([Buffer.from(ascii + '\n'), iconv.encode('9999,张三\n', 'gbk')]);
    expect(decodeText(late)).toMatchObject({ encoding: 'gb18030' });
    expect(decodeText(late).text.endsWith('9999,张三\n')).toBe(true);
    expect(decodeText(Buffer.from(ascii + '\n9999,张三\n'))).toMatchObject({ encoding: 'utf8' });
  });

  it('refuses UTF-16 and bytes that are neither UTF-8 nor GB18030, naming the line', async () => {
    const utf16 = await refusal(
      file('u16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(HEADER, 'utf16le')])),
    );
    expect(utf16.messages[0]).toMatchObject({ ruleId: 'list/bad-encoding' });
    expect(utf16.messages[0]!.reason).toContain('UTF-16');
    const broken = await refusal(
      file('broken.csv', Buffer.concat([Buffer.from(`${HEADER}\n${GOOD}\n`), Buffer.from([0x81, 0x0a])])),
    );
    expect(broken.messages[0]).toMatchObject({ ruleId: 'list/bad-encoding', place: { row: 3 } });
  });
});

describe('CSV syntax', () => {
  it('reads quoted fields with commas, line breaks and doubled quotes, CRLF or LF', async () => {
    const rows = [
      HEADER,
      '310100090001,"王, 示例",个人,3101,上海浦东南路证券营业部,"上海市浦东新区浦东南路100号\r\n示例大厦 ""东楼"" 1203室",200120,13800009001,,2026-09-02,,',
      '310100090002,李示例,个人,3101,上海浦东南路证券营业部,"a\nb",200120,13800009002,,2026-09-02,,',
    ];
    for (const eol of ['\r\n', '\n']) {
      const { customers } = await read(file('quoted.csv', rows.join(eol) + eol));
      expect(customers.map((c) => [c.name, c.address])).toEqual([
        ['王, 示例', '上海市浦东新区浦东南路100号\r\n示例大厦 "东楼" 1203室'],
        ['李示例', 'a\nb'],
      ]);
    }
  });

  it('counts rows as a spreadsheet shows them: a quoted line break stays in its row, blank lines count', () => {
    expect(parseCsv('h\n"a\nb"\n\nc').map((r) => [r.row, r.fields])).toEqual([
      [1, ['h']],
      [2, ['a\nb']],
      [3, ['']],
      [4, ['c']],
    ]);
    expect(parseCsv('a,"",b\r\n').map((r) => r.fields)).toEqual([['a', '', 'b']]);
  });

  it('skips blank lines and reports the rows after a multi-line field where a clerk sees them', async () => {
    const text = [
      HEADER,
      '',
      GOOD,
      '310100090002,李示例,个人,3101,上海浦东南路证券营业部,"两行\n地址",200120,13800009002,,2026-09-02,,',
      ',,,,,,,,,,,',
      '310100090003,张示例,个人,3101,上海浦东南路证券营业部,地址,2001,13800009003,,2026-09-02,,',
    ].join('\n');
    expect(await problems(file('rows.csv', text))).toEqual([['list/bad-postcode', 6, '邮编']]);
  });

  it('refuses an unclosed quote, naming the row it opens in', async () => {
    const e = await refusal(file('unclosed.csv', `${HEADER}\n${GOOD}\n310100090002,"李示例,个人\n`));
    expect(e.messages.map((m) => [m.ruleId, m.place.row])).toEqual([['list/bad-csv', 3]]);
  });

  it('reports a row with more fields than the header (an unquoted comma)', async () => {
    const row = '310100090002,李示例,个人,3101,上海浦东南路证券营业部,地址,200120,13800009002,,2026-09-02,,,多余';
    const e = await refusal(file('extra.csv', `${HEADER}\n${GOOD}\n${row}\n`));
    expect(e.messages.map((m) => [m.ruleId, m.place.row, m.place.column, m.reason])).toEqual([
      ['list/extra-fields', 3, undefined, 'the row has 13 fields but the header names 12 columns'],
    ]);
  });
});

describe('a bad list', () => {
  it('is refused whole, with every problem at its row and column', async () => {
    const e = await refusal(join(FIXTURES, 'bad-many.csv'));
    expect(e.messages.map((m) => [m.ruleId, m.place.row, m.place.column])).toEqual([
      ['list/bad-postcode', 3, '邮编'],
      ['list/bad-date', 3, '开户日期'],
      ['list/unknown-kind', 4, '客户类型'],
      ['list/bad-email', 4, '电子邮件'],
      ['list/duplicate-customer', 6, '客户号'],
      ['list/bad-phone', 6, '联系电话'],
      ['list/empty-field', 7, '姓名'],
      ['list/bad-date', 7, '开户日期'],
      ['list/bad-date', 8, '开户日期'],
      ['list/empty-field', 9, '营业部代码'],
      ['list/bad-phone', 9, '联系电话'],
    ]);
    expect(e.message).toBe(`the customer list ${join(FIXTURES, 'bad-many.csv')} has 11 problems; no customer was read`);
    const dup = e.messages.find((m) => m.ruleId === 'list/duplicate-customer')!;
    expect(dup.reason).toBe('customer ********0001 appears twice, in rows 2 and 6');
    expect(e.messages.find((m) => m.place.row === 3 && m.ruleId === 'list/bad-date')!.reason).toBe(
      '"2026-02-30" is not a date that exists',
    );
    expect(e.messages.find((m) => m.place.row === 7 && m.ruleId === 'list/bad-date')!.reason).toBe(
      '"2027-01-05" is in the future (today is 2026-11-28)',
    );
  });

  it('never prints a full phone number or customer id in its messages', async () => {
    const e = await refusal(join(FIXTURES, 'bad-many.csv'));
    const text = e.messages.map(formatMessage).join('\n');
    expect(text).not.toContain('310100090001');
    expect(text).not.toContain('138-0013-80a0');
  });

  it('stops a command with exit code 2 and reports every problem, as text and as JSON', async () => {
    const e = await refusal(join(FIXTURES, 'bad-many.csv'));
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false };
    expect(reportFailure(io, false, e)).toBe(2);
    expect(err.join('\n')).toContain('row 9, column 联系电话');
    expect(reportFailure(io, true, e)).toBe(2);
    const json = JSON.parse(out.join('')) as { problems: Message[] };
    expect(json.problems).toHaveLength(11);
  });

  it('names each missing column with the header names it accepts', async () => {
    const e = await refusal(join(FIXTURES, 'bad-header.csv'));
    expect(e.messages.map((m) => [m.ruleId, m.place.row, m.reason])).toEqual([
      ['list/missing-column', 1, 'the required column 客户号 is missing'],
      ['list/missing-column', 1, 'the required column 客户类型 is missing'],
      ['list/missing-column', 1, 'the required column 邮箱 is missing'],
      ['list/missing-column', 1, 'the required column 营业部代码 is missing'],
    ]);
    expect(e.messages[0]!.fix).toBe('add a column headed one of: 客户号, 资金账号, 客户编号, customer_id');
  });

  it('is told apart when empty, header-only, of the wrong kind, unreadable or missing', async () => {
    const cases: [string, string][] = [
      [file('empty.csv', ''), 'list/empty-file'],
      [file('blank.csv', '\r\n\r\n'), 'list/empty-file'],
      [file('header.csv', `${HEADER}\r\n\r\n`), 'list/no-rows'],
      [file('old.xls', 'x'), 'list/unsupported-format'],
      [file('list.txt', `${HEADER}\n${GOOD}\n`), 'list/unsupported-format'],
      [file('garbage.xlsx', 'this is not a workbook'), 'list/unreadable'],
      [file('zip.csv', Buffer.from('PK\u0003\u0004rest')), 'list/unreadable'],
      [join(dir, 'does-not-exist.csv'), 'list/not-found'],
    ];
    for (const [path, rule] of cases) {
      const e = await refusal(path);
      expect(
        e.messages.map((m) => m.ruleId),
        path,
      ).toEqual([rule]);
    }
    const xls = await refusal(cases[3]![0]);
    expect(xls.messages[0]!.fix).toBe('save it from Excel/WPS as .xlsx or as CSV');
  });

  it('reports two columns that mean the same field', async () => {
    const text = `${HEADER},手机\n${GOOD},13900000000\n`;
    const e = await refusal(file('dupcol.csv', text));
    expect(e.messages.map((m) => [m.ruleId, m.reason])).toEqual([
      ['list/duplicate-column', '联系电话 (column H) and 手机 (column M) both mean 电话'],
    ]);
  });
});

describe('values', () => {
  const row = (fields: Partial<Record<'id' | 'kind' | 'postcode' | 'phone' | 'email' | 'opened', string>>): string =>
    [
      fields.id ?? '310100090001',
      '王示例',
      fields.kind ?? '个人',
      '3101',
      '上海浦东南路证券营业部',
      '上海市浦东新区浦东南路100弄1号101室',
      fields.postcode ?? '200120',
      fields.phone ?? '13800009001',
      fields.email ?? 'wang@example.cn',
      fields.opened ?? '2026-09-02',
      '',
      '',
    ].join(',');

  it('accepts the date forms clerks write, and refuses impossible, future and unreadable dates', async () => {
    const good = [
      '2024-03-05',
      '2024/3/5',
      '20240305',
      '2024年3月5日',
      '2024.3.5',
      '2024/3/5 0:00',
      '２０２４－０３－０５',
    ];
    const text = [HEADER, ...good.map((d, i) => row({ id: `9${i}`, opened: d }))].join('\n');
    expect((await read(file('dates.csv', text))).customers.map((c) => c.openedOn)).toEqual(
      good.map(() => '2024-03-05'),
    );
    const badDates = [
      '2023-02-29',
      '2024-13-01',
      '2026-11-29',
      '5/3/2024',
      '1899-01-01',
      '2024-3',
      '二〇二四年三月五日',
    ];
    const bad = [HEADER, ...badDates.map((d, i) => row({ id: `9${i}`, opened: d }))].join('\n');
    expect((await problems(file('baddates.csv', bad))).map(([rule, r]) => [rule, r])).toEqual(
      badDates.map((_, i) => ['list/bad-date', i + 2]),
    );
    expect(
      (await read(file('leap.csv', [HEADER, row({ opened: '2024-02-29' })].join('\n')))).customers[0]!.openedOn,
    ).toBe('2024-02-29');
  });

  it('normalises full-width digits and letters, NFC, and trims', async () => {
    const text = [
      HEADER,
      ` ３１０１０００９０００８ ,王示例,個人,3101,上海浦东南路证券营业部,上海市浦东新区浦东南路100弄1号101室,２００１２０,＋86 (138) 0000-9008,ＷＡＮＧ＠ｅｘａｍｐｌｅ．ｃｎ,2026-09-02,,`,
    ].join('\n');
    expect(await problems(file('fw-kind.csv', text))).toEqual([['list/unknown-kind', 2, '客户类型']]);
    const decomposed = 'Ame\u0301lie';
    const ok = text.replace('個人', 'Individual').replace('王示例', decomposed);
    const c = (await read(file('fw.csv', ok))).customers[0]!;
    expect(c).toMatchObject({
      customerId: '310100090008',
      kind: 'individual',
      postcode: '200120',
      phone: '+86 (138) 0000-9008',
      email: 'WANG@example.cn',
      name: 'Amélie',
    });
    expect(c.name).toBe('Am\u00e9lie');
  });

  it('checks postcodes, phones and e-mail addresses; an empty e-mail is allowed', async () => {
    const text = [
      HEADER,
      row({ id: '1', postcode: '2001200' }),
      row({ id: '2', postcode: '20012a' }),
      row({ id: '3', phone: '123456' }),
      row({ id: '4', phone: '138 0000 9001 转 8' }),
      row({ id: '5', phone: '123456789012345678901' }),
      row({ id: '6', email: 'wang@example' }),
      row({ id: '7', email: 'wang example@example.cn' }),
      row({ id: '8', email: '' }),
      row({ id: '9', phone: '(021) 6000-1234', email: 'a.b+c@mail.example.com' }),
    ].join('\n');
    expect(await problems(file('values.csv', text))).toEqual([
      ['list/bad-postcode', 2, '邮编'],
      ['list/bad-postcode', 3, '邮编'],
      ['list/bad-phone', 4, '联系电话'],
      ['list/bad-phone', 5, '联系电话'],
      ['list/bad-phone', 6, '联系电话'],
      ['list/bad-email', 7, '电子邮件'],
      ['list/bad-email', 8, '电子邮件'],
    ]);
  });

  it('reports every empty required field by the header the file uses', async () => {
    const text = [
      '资金账号,客户名称,kind,Branch Code,营业部,地址,邮政编码,手机,Email,Opened',
      ',,,,,,,,,'.replace(/^,/, 'x,'),
    ].join('\n');
    expect(await problems(file('empty-fields.csv', text))).toEqual([
      ['list/empty-field', 2, '客户名称'],
      ['list/empty-field', 2, 'kind'],
      ['list/empty-field', 2, 'Branch Code'],
      ['list/empty-field', 2, '营业部'],
      ['list/empty-field', 2, '地址'],
      ['list/empty-field', 2, '邮政编码'],
      ['list/empty-field', 2, '手机'],
      ['list/empty-field', 2, 'Opened'],
    ]);
  });

  it('splits a single 营业部 column holding "3101 上海浦东南路证券营业部"', async () => {
    const text = [
      '客户号,姓名,客户类型,营业部,地址,邮编,电话,邮箱,开户日期',
      '1,王示例,个人,3101 上海浦东南路证券营业部,地址,200120,13800009001,,2026-09-02',
      '2,李示例,机构,1101-北京金融大街证券营业部,地址,100033,010-6600 1234,,2026-09-02',
      '3,张示例,个人,4403深圳福田中心区证券营业部,地址,518048,13800009003,,2026-09-02',
    ].join('\n');
    const { customers } = await read(file('combined.csv', text));
    expect(customers.map((c) => [c.branchCode, c.branchName])).toEqual([
      ['3101', '上海浦东南路证券营业部'],
      ['1101', '北京金融大街证券营业部'],
      ['4403', '深圳福田中心区证券营业部'],
    ]);
    const mixed = text + '\n4,赵示例,个人,深圳福田中心区证券营业部,地址,518048,13800009004,,2026-09-02';
    expect(await problems(file('combined-bad.csv', mixed))).toEqual([['list/bad-branch', 5, '营业部']]);
    const withCode =
      '客户号,姓名,客户类型,营业部代码,营业部,地址,邮编,电话,邮箱,开户日期\n1,王示例,个人,3101,3101 上海浦东南路证券营业部,地址,200120,13800009001,,2026-09-02';
    expect((await read(file('both.csv', withCode))).customers[0]).toMatchObject({
      branchCode: '3101',
      branchName: '上海浦东南路证券营业部',
    });
  });
});

describe('XLSX cells', () => {
  it('reads numbers, dates, rich text, hyperlinks and formula results', async () => {
    const path = await xlsx([
      XLSX_HEADER,
      [
        310100090001,
        { richText: [{ text: '王' }, { text: '示例', font: { bold: true } }] },
        'individual',
        3101,
        '上海浦东南路证券营业部',
        '地址',
        200120,
        13800009001,
        { text: 'wang@example.cn', hyperlink: 'mailto:wang@example.cn' },
        new Date(Date.UTC(2026, 8, 2)),
      ],
      [
        310100090002,
        '李示例',
        'Institution',
        { formula: '3100+1', result: 3101 },
        '上海浦东南路证券营业部',
        '地址',
        10010,
        '021-6000 1234',
        '',
        { formula: 'DATE(2026,9,3)', result: new Date(Date.UTC(2026, 8, 3)) },
      ],
      [],
      [310100090003, '张示例', '个人', 3101, '上海浦东南路证券营业部', '地址', 518048, '138 0000 9003', null, 20260904],
    ]);
    const { customers, format } = await read(path);
    expect(format).toBe('xlsx');
    expect(customers).toEqual([
      {
        customerId: '310100090001',
        name: '王示例',
        kind: 'individual',
        branchCode: '3101',
        branchName: '上海浦东南路证券营业部',
        address: '地址',
        postcode: '200120',
        phone: '13800009001',
        email: 'wang@example.cn',
        openedOn: '2026-09-02',
      },
      {
        customerId: '310100090002',
        name: '李示例',
        kind: 'institution',
        branchCode: '3101',
        branchName: '上海浦东南路证券营业部',
        address: '地址',
        postcode: '010010',
        phone: '021-6000 1234',
        email: '',
        openedOn: '2026-09-03',
      },
      {
        customerId: '310100090003',
        name: '张示例',
        kind: 'individual',
        branchCode: '3101',
        branchName: '上海浦东南路证券营业部',
        address: '地址',
        postcode: '518048',
        phone: '138 0000 9003',
        email: '',
        openedOn: '2026-09-04',
      },
    ]);
  });

  it('restores a postcode only when unambiguous, and reports formula errors and number dates at their cells', async () => {
    const base = [
      310100090001,
      '王示例',
      'individual',
      3101,
      '上海浦东南路证券营业部',
      '地址',
      200120,
      13800009001,
      '',
      new Date(Date.UTC(2026, 8, 2)),
    ];
    const rows = [
      XLSX_HEADER,
      base.map((v, i) => (i === 0 ? 1 : i === 6 ? 1001 : v)), // 4 digits: which zeros were lost?
      base.map((v, i) => (i === 0 ? 2 : i === 6 ? 1234567 : v)),
      base.map((v, i) => (i === 0 ? 3 : i === 6 ? { formula: 'VLOOKUP(A4,X:Y,2,0)', result: { error: '#N/A' } } : v)),
      base.map((v, i) => (i === 0 ? 4 : i === 9 ? 46270 : v)), // a date serial without date format
      base.map((v, i) => (i === 0 ? 5 : i === 6 ? 10020 : v)),
      base.map((v, i) => (i === 0 ? 6 : i === 9 ? new Date(Date.UTC(2027, 0, 1)) : v)),
    ];
    const path = await xlsx(rows, (ws) => {
      ws.getCell('G6').numFmt = '000000';
      ws.getCell('G6').value = 1020; // shown as 001020 by its format: padded as shown
    });
    expect(await problems(path)).toEqual([
      ['list/bad-postcode', 2, 'postcode'],
      ['list/bad-postcode', 3, 'postcode'],
      ['list/bad-cell', 4, 'postcode'],
      ['list/bad-date', 5, 'opened'],
      ['list/bad-date', 7, 'opened'],
    ]);
    const ok = await xlsx([XLSX_HEADER, base], (ws) => {
      ws.getCell('G2').value = 1020;
      ws.getCell('G2').numFmt = '000000';
    });
    expect((await read(ok)).customers[0]!.postcode).toBe('001020');
  });

  it('reads the first worksheet only, header in row 1, whatever the sheet is called', async () => {
    const wb = new ExcelJS.Workbook();
    const first = wb.addWorksheet('名单');
    first.addRow([
      '客户号',
      '姓名',
      '客户类型',
      '营业部代码',
      '营业部名称',
      '地址',
      '邮编',
      '电话',
      '邮箱',
      '开户日期',
    ]);
    first.addRow([
      '310100090001',
      '王示例',
      '个人',
      '3101',
      '上海浦东南路证券营业部',
      '地址',
      '200120',
      '13800009001',
      '',
      '2026-09-02',
    ]);
    wb.addWorksheet('说明').addRow(['this sheet is not read']);
    const path = join(dir, 'two-sheets.xlsx');
    await wb.xlsx.writeFile(path);
    expect((await read(path)).customers.map((c) => c.customerId)).toEqual(['310100090001']);
  });

  it('says so when row 1 is a title above the header, not the header', async () => {
    const path = await xlsx([
      ['2026年11月新开户客户名单'],
      XLSX_HEADER,
      [
        1,
        '王示例',
        '个人',
        3101,
        '上海浦东南路证券营业部',
        '地址',
        200120,
        13800009001,
        '',
        new Date(Date.UTC(2026, 8, 2)),
      ],
    ]);
    const e = await refusal(path);
    expect(e.messages[0]).toMatchObject({
      ruleId: 'list/no-header',
      reason: 'row 1 names none of the columns huifang reads (it holds "2026年11月新开户客户名单")',
      fix: 'row 1 must be the header row: delete any title rows above it',
    });
    expect(e.messages.slice(1).every((m) => m.ruleId === 'list/missing-column')).toBe(true);
  });
});

/**
 * Writes the bundled sample customer lists and staff roster, all fictional:
 *
 *   samples/customers.csv      UTF-8 with BOM, Chinese headers, CRLF (Excel "CSV UTF-8")
 *   samples/customers-gbk.csv  the same rows in GBK bytes (Excel "CSV" on Chinese Windows)
 *   samples/customers.xlsx     the same rows, English headers, ids/postcodes/mobiles as
 *                              numbers, opening dates as real Excel dates
 *   samples/staff.csv          a staff roster for the three branches
 *
 * Deterministic: `node --import tsx samples/make-samples.ts [out-dir]` rewrites them byte
 * for byte (the workbook's dates and zip timestamps are pinned).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { Customer } from '../src/domain/customer.ts';
import type { StaffMember } from '../src/input/staff-roster.ts';
import { writeFileAtomic } from '../src/store/atomic.ts';

interface Place {
  prefix: string;
  street: string;
  postcode: string;
}

interface Branch {
  code: string;
  name: string;
  /** Where its customers live: district address prefix, fictional street and postcode. */
  places: Place[];
  /** Places for particular customers (by their position in the branch), instead of the cycle. */
  remote?: Record<number, Place>;
  landline: string;
  marketing: string[];
}

const BRANCHES: Branch[] = [
  {
    code: '3101',
    name: '上海浦东南路证券营业部',
    places: [
      { prefix: '上海市浦东新区', street: '浦东南路', postcode: '200120' },
      { prefix: '上海市浦东新区', street: '潍坊路', postcode: '200122' },
      { prefix: '上海市黄浦区', street: '南京东路', postcode: '200001' },
      { prefix: '上海市徐汇区', street: '漕溪北路', postcode: '200030' },
      { prefix: '上海市静安区', street: '南京西路', postcode: '200040' },
      { prefix: '上海市杨浦区', street: '国定路', postcode: '200433' },
    ],
    landline: '021-6000',
    marketing: ['陆晓峰', '葛文静'],
  },
  {
    code: '1101',
    name: '北京金融大街证券营业部',
    places: [
      { prefix: '北京市西城区', street: '金融大街', postcode: '100033' },
      { prefix: '北京市西城区', street: '阜成门内大街', postcode: '100034' },
      { prefix: '北京市东城区', street: '东四十条', postcode: '100007' },
      { prefix: '北京市朝阳区', street: '建国门外大街', postcode: '100022' },
      { prefix: '北京市海淀区', street: '中关村大街', postcode: '100080' },
    ],
    // Customers who live far from their branch (postcodes with a leading zero).
    remote: {
      9: { prefix: '山西省太原市杏花岭区', street: '府西街', postcode: '030001' },
      14: { prefix: '内蒙古自治区呼和浩特市新城区', street: '新华大街', postcode: '010010' },
      17: { prefix: '内蒙古自治区呼和浩特市赛罕区', street: '敕勒川大街', postcode: '010020' },
    },
    landline: '010-6600',
    marketing: ['韩雪梅'],
  },
  {
    code: '4403',
    name: '深圳福田中心区证券营业部',
    places: [
      { prefix: '广东省深圳市福田区', street: '福华三路', postcode: '518048' },
      { prefix: '广东省深圳市福田区', street: '深南大道', postcode: '518033' },
      { prefix: '广东省深圳市福田区', street: '香梅路', postcode: '518034' },
      { prefix: '广东省深圳市南山区', street: '科苑南路', postcode: '518057' },
      { prefix: '广东省深圳市罗湖区', street: '人民南路', postcode: '518001' },
    ],
    landline: '0755-8300',
    marketing: ['邱子健'],
  },
];

/** Surnames and given names with their pinyin (for fictional e-mail addresses). */
const SURNAMES: [string, string][] = [
  ['王', 'wang'],
  ['李', 'li'],
  ['张', 'zhang'],
  ['刘', 'liu'],
  ['陈', 'chen'],
  ['杨', 'yang'],
  ['黄', 'huang'],
  ['赵', 'zhao'],
  ['吴', 'wu'],
  ['周', 'zhou'],
  ['徐', 'xu'],
  ['孙', 'sun'],
  ['马', 'ma'],
  ['朱', 'zhu'],
  ['胡', 'hu'],
  ['郭', 'guo'],
  ['何', 'he'],
  ['林', 'lin'],
  ['罗', 'luo'],
  ['高', 'gao'],
  ['郑', 'zheng'],
  ['梁', 'liang'],
  ['谢', 'xie'],
  ['宋', 'song'],
  ['唐', 'tang'],
  ['许', 'xu'],
  ['冯', 'feng'],
  ['邓', 'deng'],
  ['曹', 'cao'],
  ['彭', 'peng'],
  ['曾', 'zeng'],
  ['田', 'tian'],
  ['董', 'dong'],
  ['潘', 'pan'],
  ['袁', 'yuan'],
  ['蔡', 'cai'],
  ['蒋', 'jiang'],
  ['余', 'yu'],
  ['杜', 'du'],
  ['叶', 'ye'],
  ['程', 'cheng'],
  ['魏', 'wei'],
  ['苏', 'su'],
  ['吕', 'lv'],
  ['丁', 'ding'],
  ['任', 'ren'],
  ['沈', 'shen'],
  ['姚', 'yao'],
  ['卢', 'lu'],
  ['钟', 'zhong'],
  ['汪', 'wang'],
  ['方', 'fang'],
  ['石', 'shi'],
];
const GIVEN_NAMES: [string, string][] = [
  ['思远', 'siyuan'],
  ['雨桐', 'yutong'],
  ['浩然', 'haoran'],
  ['静怡', 'jingyi'],
  ['子墨', 'zimo'],
  ['欣然', 'xinran'],
  ['俊杰', 'junjie'],
  ['梓涵', 'zihan'],
  ['明轩', 'mingxuan'],
  ['若溪', 'ruoxi'],
  ['建国', 'jianguo'],
  ['秀英', 'xiuying'],
  ['志强', 'zhiqiang'],
  ['丽华', 'lihua'],
  ['文博', 'wenbo'],
  ['晓燕', 'xiaoyan'],
  ['宇航', 'yuhang'],
  ['佳琪', 'jiaqi'],
  ['振华', 'zhenhua'],
  ['春梅', 'chunmei'],
  ['天佑', 'tianyou'],
  ['诗涵', 'shihan'],
  ['国栋', 'guodong'],
  ['玉兰', 'yulan'],
  ['一鸣', 'yiming'],
  ['可欣', 'kexin'],
  ['立新', 'lixin'],
  ['海燕', 'haiyan'],
  ['嘉豪', 'jiahao'],
  ['梦瑶', 'mengyao'],
  ['德明', 'deming'],
  ['淑珍', 'shuzhen'],
  ['子轩', 'zixuan'],
  ['语嫣', 'yuyan'],
  ['永康', 'yongkang'],
  ['桂芳', 'guifang'],
  ['昊天', 'haotian'],
  ['安琪', 'anqi'],
  ['成林', 'chenglin'],
  ['慧敏', 'huimin'],
  ['博文', 'bowen'],
  ['雅婷', 'yating'],
  ['卫东', 'weidong'],
  ['凤英', 'fengying'],
  ['泽宇', 'zeyu'],
  ['紫萱', 'zixuan'],
  ['宏伟', 'hongwei'],
  ['婉清', 'wanqing'],
  ['家乐', 'jiale'],
  ['晨曦', 'chenxi'],
  ['金生', 'jinsheng'],
  ['美玲', 'meiling'],
  ['正阳', 'zhengyang'],
];

/** Fictional institutions ("示例" marks every one as invented), with a mailbox name and a 联系人. */
const INSTITUTIONS: Record<string, [string, string, string][]> = {
  '3101': [
    ['上海青岚示例投资管理有限公司', 'qinglan', '钱立群'],
    ['上海澄江示例资产管理合伙企业（有限合伙）', 'chengjiang', '范雨晴'],
    ['上海云杉示例科技股份有限公司', 'yunshan', '严俊'],
    ['上海泓远示例私募基金管理有限公司', 'hongyuan', '施佳慧'],
  ],
  '1101': [
    ['北京远山示例科技有限公司', 'yuanshan', '贺建军'],
    ['北京和光示例投资有限公司', 'heguang', '龚婷'],
    ['北京知行示例咨询有限公司', 'zhixing', '毛振宇'],
    ['内蒙古草原示例实业有限公司', 'caoyuan', '乌兰'],
    ['北京晴川示例资本管理有限公司', 'qingchuan', '邵文涛'],
  ],
  '4403': [
    ['深圳蓝湾示例创业投资有限公司', 'lanwan', '黎嘉欣'],
    ['深圳鹏岭示例电子有限公司', 'pengling', '莫志伟'],
    ['深圳前湾示例供应链管理有限公司', 'qianwan', '温晓东'],
    ['深圳南岭示例基金管理有限公司', 'nanling', '谭雅琪'],
  ],
};

/** 22 customers a branch, 66 in all; every fifth or so an institution. */
const PER_BRANCH = 22;

/** The sample customers, in file order. Pure and deterministic. */
export function sampleCustomers(): Customer[] {
  const customers: Customer[] = [];
  let person = 0;
  BRANCHES.forEach((branch, b) => {
    const institutions = INSTITUTIONS[branch.code]!;
    let inst = 0;
    for (let k = 0; k < PER_BRANCH; k++) {
      const n = b * PER_BRANCH + k;
      const isInstitution =
        k % 5 === 2 && inst < institutions.length ? true : k === PER_BRANCH - 1 && inst < institutions.length;
      const place = branch.remote?.[k] ?? branch.places[(k + b) % branch.places.length]!;
      const building = 10 + ((n * 37) % 890);
      const customerId = `${branch.code}00${String(18001 + n * 13).padStart(6, '0')}`;
      const openedOn =
        n % 11 === 7
          ? `${2018 + (n % 7)}-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`
          : addDays('2026-09-01', (n * 17) % 81);
      const marketingStaff = n % 3 === 0 ? branch.marketing[(n / 3) % branch.marketing.length] : undefined;
      if (isInstitution) {
        const [name, mailbox, contact] = institutions[inst++]!;
        const floor = 5 + (n % 30);
        customers.push({
          customerId,
          name,
          kind: 'institution',
          branchCode: branch.code,
          branchName: branch.name,
          address:
            n === 24
              ? `${place.prefix}${place.street}${building}号, 示例大厦${floor}层`
              : `${place.prefix}${place.street}${building}号示例大厦${floor}层${floor}0${1 + (n % 8)}室`,
          postcode: place.postcode,
          phone: `${place.postcode.startsWith('010') ? '0471-6900' : branch.landline} ${String(1000 + n * 7).slice(-4)}`,
          email: `${mailbox}@example.com`,
          openedOn,
          ...(marketingStaff ? { marketingStaff } : {}),
          contactPerson: contact,
        });
      } else {
        const [surname, sPinyin] = SURNAMES[(person * 7) % SURNAMES.length]!;
        const [given, gPinyin] = GIVEN_NAMES[(person * 11 + 3) % GIVEN_NAMES.length]!;
        person += 1;
        const prefix = ['138', '139', '150', '186', '177'][n % 5]!;
        customers.push({
          customerId,
          name: surname + given,
          kind: 'individual',
          branchCode: branch.code,
          branchName: branch.name,
          address: `${place.prefix}${place.street}${building}弄${1 + (n % 20)}号${101 + (n % 6) * 100}室`,
          postcode: place.postcode,
          phone: `${prefix}0000${String(1000 + n * 91).slice(-4)}`,
          // A few older customers gave no e-mail address.
          email:
            n % 17 === 9
              ? ''
              : `${sPinyin}.${gPinyin}${n % 4 === 0 ? '' : String(n)}@${n % 2 ? 'example.cn' : 'example.com'}`,
          openedOn,
          ...(marketingStaff ? { marketingStaff } : {}),
        });
      }
    }
  });
  return customers;
}

/** The sample staff roster: visitors, reviewers, handlers and the marketing staff named in the list. */
export function sampleStaff(): StaffMember[] {
  const s = (staffId: string, name: string, role: string, isMarketing: boolean, branchCode: string): StaffMember => ({
    staffId,
    name,
    role,
    isMarketing,
    branchCode,
  });
  return [
    s('S310100', '陈建国', '营业部负责人', false, '3101'),
    s('S310101', '周敏', '回访专员', false, '3101'),
    s('S310102', '沈佳怡', '复核人员', false, '3101'),
    s('S310103', '顾文斌', '经办人', false, '3101'),
    s('S310104', '陆晓峰', '营销人员', true, '3101'),
    s('S310105', '葛文静', '营销人员', true, '3101'),
    s('S310106', '林慧', '合规专员', false, '3101'),
    s('S310107', '吴思远', '复核人员', false, '3101'),
    s('S110100', '许志强', '营业部负责人', false, '1101'),
    s('S110101', '郝静', '回访专员', false, '1101'),
    s('S110102', '白立新', '复核人员', false, '1101'),
    s('S110103', '常红', '经办人', false, '1101'),
    s('S110104', '韩雪梅', '营销人员', true, '1101'),
    s('S440300', '黄丽', '营业部负责人', false, '4403'),
    s('S440301', '温嘉欣', '回访专员', false, '4403'),
    s('S440302', '骆振东', '复核人员', false, '4403'),
    s('S440303', '邱子健', '营销人员', true, '4403'),
  ];
}

function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// ── Writers ──────────────────────────────────────────────────────────────────

const CSV_HEADER = [
  '客户号',
  '姓名',
  '客户类型',
  '营业部代码',
  '营业部名称',
  '通讯地址',
  '邮编',
  '联系电话',
  '电子邮件',
  '开户日期',
  '营销人员',
  '联系人',
];
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
  'marketing_staff',
  'contact_person',
];

function csvField(v: string): string {
  return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** CSV text as Excel writes it: CRLF after every record. */
export function customersCsv(customers: readonly Customer[]): string {
  const rows = customers.map((c) => [
    c.customerId,
    c.name,
    c.kind === 'individual' ? '个人' : '机构',
    c.branchCode,
    c.branchName,
    c.address,
    c.postcode,
    c.phone,
    c.email,
    c.openedOn,
    c.marketingStaff ?? '',
    c.contactPerson ?? '',
  ]);
  return [CSV_HEADER, ...rows].map((r) => r.map(csvField).join(',') + '\r\n').join('');
}

export function staffCsv(staff: readonly StaffMember[]): string {
  const rows = staff.map((s) => [s.staffId, s.name, s.role, s.isMarketing ? '是' : '否', s.branchCode ?? '']);
  return [['工号', '姓名', '岗位', '是否营销人员', '营业部代码'], ...rows]
    .map((r) => r.map(csvField).join(',') + '\r\n')
    .join('');
}

const PINNED = new Date(Date.UTC(2026, 8, 1, 9, 0, 0));

/** The workbook: numbers where a clerk's Excel would hold numbers, real date cells. */
export async function customersXlsx(customers: readonly Customer[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'huifang samples';
  wb.lastModifiedBy = 'huifang samples';
  wb.created = PINNED;
  wb.modified = PINNED;
  const ws = wb.addWorksheet('customers');
  ws.addRow(XLSX_HEADER);
  for (const c of customers) {
    const row = ws.addRow([
      Number(c.customerId),
      c.name,
      c.kind,
      Number(c.branchCode),
      c.branchName,
      c.address,
      Number(c.postcode),
      /^\d+$/.test(c.phone) ? Number(c.phone) : c.phone,
      c.email,
      new Date(`${c.openedOn}T00:00:00Z`),
      c.marketingStaff ?? null,
      c.contactPerson ?? null,
    ]);
    row.getCell(10).numFmt = 'yyyy-mm-dd';
  }
  ws.columns.forEach((col, i) => (col.width = [14, 30, 11, 12, 26, 50, 10, 16, 32, 12, 16, 14][i]));
  return pinZipTimes(Buffer.from(await wb.xlsx.writeBuffer()), PINNED);
}

/**
 * Sets every entry's modification time in a zip (local headers and central directory) to
 * `when`, so that the same workbook gives the same bytes. CRCs are unaffected.
 */
export function pinZipTimes(zip: Buffer, when: Date): Buffer {
  const out = Buffer.from(zip);
  const time = (when.getUTCHours() << 11) | (when.getUTCMinutes() << 5) | (when.getUTCSeconds() >> 1);
  const date = ((when.getUTCFullYear() - 1980) << 9) | ((when.getUTCMonth() + 1) << 5) | when.getUTCDate();
  const eocd = out.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip: no end of central directory');
  const entries = out.readUInt16LE(eocd + 10);
  let p = out.readUInt32LE(eocd + 16);
  for (let e = 0; e < entries; e++) {
    if (out.readUInt32LE(p) !== 0x02014b50) throw new Error(`zip central directory entry ${e} is damaged`);
    out.writeUInt16LE(time, p + 12);
    out.writeUInt16LE(date, p + 14);
    const local = out.readUInt32LE(p + 42);
    if (out.readUInt32LE(local) !== 0x04034b50) throw new Error(`zip local header ${e} is damaged`);
    out.writeUInt16LE(time, local + 10);
    out.writeUInt16LE(date, local + 12);
    p += 46 + out.readUInt16LE(p + 28) + out.readUInt16LE(p + 30) + out.readUInt16LE(p + 32);
  }
  return out;
}

/** Encodes text as GBK, refusing any character GBK cannot hold (it would become "?"). */
export function toGbk(text: string): Buffer {
  const bytes = iconv.encode(text, 'gbk');
  if (iconv.decode(bytes, 'gbk') !== text) throw new Error('a sample character has no GBK encoding');
  return bytes;
}

/** Writes the four sample files into `outDir`. */
export async function writeSamples(outDir: string): Promise<string[]> {
  const customers = sampleCustomers();
  const csv = customersCsv(customers);
  const files: [string, Uint8Array][] = [
    ['customers.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv, 'utf8')])],
    ['customers-gbk.csv', toGbk(csv)],
    ['customers.xlsx', await customersXlsx(customers)],
    ['staff.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(staffCsv(sampleStaff()), 'utf8')])],
  ];
  const written: string[] = [];
  for (const [name, bytes] of files) {
    const path = join(outDir, name);
    await writeFileAtomic(path, bytes);
    written.push(path);
  }
  return written;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const outDir = resolve(process.argv[2] ?? dirname(fileURLToPath(import.meta.url)));
  for (const path of await writeSamples(outDir)) console.log(path);
}

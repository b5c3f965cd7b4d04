/**
 * Render benchmark (issue 2): a generated list of 10,000 customers through the real
 * `letters` job (list read and validated, visits registered, one PDF per letter written and
 * stored, batch print files), then the same with `--docx`; letters per second, time per
 * letter, peak memory. Beside it, from the same run, the usual alternative: docxtemplater
 * plus LibreOffice headless conversion (bench/docx-libreoffice.ts).
 *
 *     node --import tsx bench/render.ts [letters=10000]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVisits } from '../src/render/start-visits.ts';
import { initWorkspace, readConfigFile } from '../src/store/workspace.ts';
import { measureLibreOffice } from './docx-libreoffice.ts';
import { PeakMemory } from './memory.ts';

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉飞鹏辉建国东志海燕波春梅红丹欣怡子涵浩然宇轩梓萱';
const PLACES: [string, string, string][] = [
  ['3101', '上海浦东南路证券营业部', '上海市浦东新区'],
  ['1101', '北京金融大街证券营业部', '北京市西城区'],
  ['4403', '深圳福田中心区证券营业部', '深圳市福田区'],
  ['4401', '广州天河路证券营业部', '广州市天河区'],
  ['3301', '杭州延安路证券营业部', '杭州市上城区'],
];
const STREETS = [
  '南京东路',
  '淮海中路',
  '世纪大道',
  '金融大街',
  '建国路',
  '中山北路',
  '解放大道',
  '人民路',
  '和平路',
  '深南大道',
];

/** A customer list of `n` fictional customers as CSV (UTF-8), deterministic. */
export function generateCustomerList(n: number): string {
  let seed = 20261128;
  const rnd = (k: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % k;
  };
  const pick = (s: string) => [...s][rnd([...s].length)]!;
  const rows = ['客户号,姓名,客户类型,营业部代码,营业部名称,通讯地址,邮编,联系电话,电子邮件,开户日期,营销人员,联系人'];
  for (let i = 0; i < n; i++) {
    const [code, branch, city] = PLACES[rnd(PLACES.length)]!;
    const institution = rnd(8) === 0;
    const name = institution
      ? `${city.slice(0, 2)}${pick(GIVEN)}${pick(GIVEN)}投资管理有限公司`
      : pick(SURNAMES) + pick(GIVEN) + (rnd(2) ? pick(GIVEN) : '');
    const address = `${city}${STREETS[rnd(STREETS.length)]}${1 + rnd(999)}号${1 + rnd(30)}楼${100 + rnd(900)}室`;
    const postcode = String(100000 + rnd(800000));
    const opened = `2026-${String(9 + rnd(3)).padStart(2, '0')}-${String(1 + rnd(28)).padStart(2, '0')}`;
    const contact = institution ? pick(SURNAMES) + pick(GIVEN) + pick(GIVEN) : '';
    rows.push(
      [
        `${code}${String(10000000 + i)}`,
        name,
        institution ? '机构' : '个人',
        code,
        branch,
        address,
        postcode,
        `139${String(10000000 + i).slice(-8)}`,
        `c${i}@example.cn`,
        opened,
        rnd(4) === 0 ? '陆晓峰' : '',
        contact,
      ].join(','),
    );
  }
  return rows.join('\r\n') + '\r\n';
}

export interface RenderBenchResult {
  letters: number;
  pdf: { seconds: number; lettersPerSecond: number; msPerLetter: number; peakRssMb: number; batches: number };
  pdfAndDocx: { seconds: number; lettersPerSecond: number; msPerLetter: number; peakRssMb: number };
  libreOffice: Awaited<ReturnType<typeof measureLibreOffice>>;
}

async function timedRun(dir: string, list: string, docx: boolean) {
  const ws = initWorkspace(
    join(dir, docx ? 'ws-docx' : 'ws-pdf'),
    readConfigFile(join(import.meta.dirname, '..', 'samples', 'firm.json')),
  );
  const memory = new PeakMemory();
  const t0 = performance.now();
  try {
    const result = await startVisits(ws, {
      list,
      documents: 'letters',
      category: 'new-account',
      out: join(dir, docx ? 'out-docx' : 'out-pdf'),
      docx,
      visitor: 'bench',
      seed: 'bench',
    });
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, visits: result.visits.length, batches: result.batches.length, peakRssMb: memory.stop() };
  } finally {
    ws.close();
  }
}

export async function runRenderBench(letters = 10_000): Promise<RenderBenchResult> {
  const dir = join(tmpdir(), 'huifang-bench-render');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const list = join(dir, 'customers.csv');
  writeFileSync(list, generateCustomerList(letters));
  const pdf = await timedRun(dir, list, false);
  const both = await timedRun(dir, list, true);
  const libreOffice = await measureLibreOffice({ letters: 30, outDir: join(dir, 'libreoffice') });
  rmSync(dir, { recursive: true, force: true });
  const per = (s: number) => ({ seconds: s, lettersPerSecond: letters / s, msPerLetter: (s * 1000) / letters });
  return {
    letters,
    pdf: { ...per(pdf.seconds), peakRssMb: pdf.peakRssMb, batches: pdf.batches },
    pdfAndDocx: { ...per(both.seconds), peakRssMb: both.peakRssMb },
    libreOffice,
  };
}

export function formatRenderBench(r: RenderBenchResult): string[] {
  const lines = [
    `render: ${r.letters} letters from a generated list (register, letter PDFs, ${r.pdf.batches} batch files)`,
    `  PDF:         ${r.pdf.seconds.toFixed(1)} s, ${r.pdf.lettersPerSecond.toFixed(0)} letters/s, ${r.pdf.msPerLetter.toFixed(2)} ms/letter, peak RSS ${r.pdf.peakRssMb.toFixed(0)} MB   (goal: ≤ 30 s, < 1 GB)`,
    `  PDF + DOCX:  ${r.pdfAndDocx.seconds.toFixed(1)} s, ${r.pdfAndDocx.lettersPerSecond.toFixed(0)} letters/s, ${r.pdfAndDocx.msPerLetter.toFixed(2)} ms/letter, peak RSS ${r.pdfAndDocx.peakRssMb.toFixed(0)} MB   (goal: ≤ 90 s)`,
  ];
  if ('skipped' in r.libreOffice) lines.push(`  docxtemplater + LibreOffice: skipped (${r.libreOffice.skipped})`);
  else {
    const lo = r.libreOffice;
    lines.push(
      `  docxtemplater + LibreOffice (${lo.letters} letters, ${lo.soffice}): ${lo.msPerLetter.toFixed(0)} ms/letter converting a folder, ${lo.perFileMsPerLetter.toFixed(0)} ms/letter one process each`,
      `  huifang PDF is ${(lo.msPerLetter / r.pdf.msPerLetter).toFixed(0)}× faster per letter than the folder conversion (goal: ≥ 20×)`,
    );
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 10_000);
  for (const line of formatRenderBench(await runRenderBench(n))) console.log(line);
}

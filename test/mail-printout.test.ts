import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pdfTextLines } from '../src/mail/mail-client-pdf.ts';
import { parseEml } from '../src/mail/parse.ts';
import { renderEmailPrintout } from '../src/mail/printout-pdf.ts';
import { rasterizePdf, type RasterPage } from '../src/formats/rasterize.ts';
import { sha256Of } from '../src/store/files.ts';
import { FOOTER_BAND } from '../src/layout/page.ts';
import { big5Email } from './rules-fixtures.ts';
import { needTools } from './tools.ts';

const SAMPLES = join(import.meta.dirname, '..', 'samples', 'emails');
const sample = (name: string) => readFileSync(join(SAMPLES, name));

async function printoutText(pdf: Uint8Array): Promise<string> {
  const { pages } = await pdfTextLines(pdf, 10);
  return pages.map((p) => p.lines.join('\n')).join('\n');
}

/** Dark pixels in a band of a page (mm from the top). */
function inkIn(r: RasterPage, fromMm: number, toMm: number): number {
  const px = r.dpi / 25.4;
  let n = 0;
  for (let y = Math.floor(fromMm * px); y < Math.min(r.height, Math.ceil(toMm * px)); y++) {
    for (let x = 0; x < r.width; x++) if (r.data[(y * r.width + x) * 4]! < 128) n++;
  }
  return n;
}

async function printoutOf(bytes: Buffer, name: string, visitId = 'HF-7K3M9-Q2T4X') {
  const mail = await parseEml(bytes, name);
  const out = renderEmailPrintout(mail, { visitId, sourceSha256: sha256Of(bytes) });
  return { mail, ...out, text: await printoutText(out.pdf) };
}

describe('e-mail printouts read back with the Chinese intact', () => {
  it('GBK e-mail: RFC 2047 GBK subject and GB2312 sender name, GBK body', async () => {
    const { mail, text } = await printoutOf(sample('01-gbk-zhao-wenbo.eml'), '01-gbk-zhao-wenbo.eml');
    expect(mail.subject).toBe('回复：关于新开户回访的回复（请查收）');
    expect(mail.from).toEqual([{ name: '赵文博', address: 'zhao.wenbo1@example.cn' }]);
    expect(text).toContain('回复：关于新开户回访的回复（请查收）');
    expect(text).toContain('赵文博 <zhao.wenbo1@example.cn>');
    expect(text).toContain('客户服务部 <huifang@broker.example>');
    expect(text).toContain('1. 是，本人亲自到营业部办理开户并签署协议。');
    expect(text).toContain('3. 否，没有工作人员代我操作账户。');
    expect(text).toContain('HF-7K3M9-Q2T4X');
    expect(text).toContain(sha256Of(sample('01-gbk-zhao-wenbo.eml')));
  });

  it('GBK e-mail: pdftotext reads the same Chinese from the printout', async (ctx) => {
    needTools(ctx, 'pdftotext');
    const { pdf } = await printoutOf(sample('01-gbk-zhao-wenbo.eml'), '01-gbk-zhao-wenbo.eml');
    const viaPoppler = execFileSync('pdftotext', ['-', '-'], { input: pdf }).toString('utf8');
    expect(viaPoppler).toContain('关于新开户回访的回复');
    expect(viaPoppler).toContain('赵文博');
  });

  it('HTML-only e-mail: the table and paragraphs become readable lines, markup and styles disappear', async () => {
    const { mail, text } = await printoutOf(sample('02-html-only-qinglan.eml'), '02-html-only-qinglan.eml');
    expect(mail.bodySource).toBe('html');
    expect(text).toContain('上海青岚示例投资管理有限公司 <qinglan@example.com>');
    expect(text).toContain('钱立群 <qian.liqun@example.com>');
    expect(text).toMatch(/3\s+工作人员代为操作账户\s+否/);
    expect(text).toContain('盖章的回访记录表原件已另行邮寄。');
    expect(text).not.toMatch(/<\/?(p|td|table|style)|padding/);
  });

  it('attachments are listed with name, type, size and SHA-256; RFC 2231 GBK file names decoded', async () => {
    const { mail, text } = await printoutOf(sample('03-attachments-su-yuhang.eml'), '03-attachments-su-yuhang.eml');
    expect(mail.attachments.map((a) => a.fileName)).toEqual(['回访记录表-苏宇航.pdf', '执业证书照片.png']);
    expect(text).toContain('附件 Attachments（2）');
    for (const a of mail.attachments) {
      expect(text).toContain(a.fileName);
      expect(text).toContain(`SHA-256 ${a.sha256}`);
      expect(text).toContain(`(${a.size} bytes)`);
      expect(a.sha256).toBe(sha256Of(a.content));
    }
    expect(text).toContain('application/pdf');
    expect(text).toContain('image/png');
  });

  it('UTF-8 plain e-mail with a Q-encoded subject; Big5 e-mail in traditional characters', async () => {
    const utf8 = await printoutOf(sample('04-utf8-liang-haotian.eml'), '04-utf8-liang-haotian.eml');
    expect(utf8.text).toContain('回访回复');
    expect(utf8.text).toContain('梁昊天 <liang.haotian@example.com>');
    expect(utf8.text).toContain('对服务一般满意，希望交易软件更稳定一些。');
    const big5 = await printoutOf(
      big5Email({ subject: '回訪問題答覆', body: '您好：本人親自辦理開戶，無人代為操作帳戶。' }),
      'big5.eml',
    );
    expect(big5.mail.subject).toBe('回訪問題答覆');
    expect(big5.text).toContain('陳美玲');
    expect(big5.text).toContain('本人親自辦理開戶，無人代為操作帳戶。');
  });

  it('pixels: the Chinese glyphs are drawn (not blank boxes), and nothing is drawn in the footer band', async () => {
    const { pdf } = await printoutOf(sample('01-gbk-zhao-wenbo.eml'), '01-gbk-zhao-wenbo.eml');
    const [page] = await rasterizePdf(pdf, { dpi: 100 });
    // The subject line (14 pt bold, y ≈ 31–37 mm) and body lines carry ink…
    expect(inkIn(page!, 29, 38)).toBeGreaterThan(800);
    expect(inkIn(page!, 18, 29)).toBeLessThan(50); // only the header rule above it
    expect(inkIn(page!, 60, 120)).toBeGreaterThan(3000);
    // …and the band stamping writes into stays white.
    expect(inkIn(page!, FOOTER_BAND.y, FOOTER_BAND.y + FOOTER_BAND.height)).toBe(0);
  });

  it('long bodies flow onto numbered pages; the same e-mail gives the same bytes', async () => {
    const body = Array.from({ length: 120 }, (_, i) => `第${i + 1}行：客户回访答复，本人确认以上信息属实。`).join('\n');
    const eml = Buffer.from(
      `From: a@example.com\r\nSubject: =?UTF-8?B?${Buffer.from('长邮件').toString('base64')}?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`,
      'utf8',
    );
    const a = await printoutOf(eml, 'long.eml');
    const b = await printoutOf(eml, 'long.eml');
    expect(a.pageCount).toBeGreaterThan(1);
    expect(a.text).toContain(`第 1/${a.pageCount} 页`);
    expect(a.text).toContain('第120行：客户回访答复，本人确认以上信息属实。');
    expect(Buffer.from(a.pdf).equals(Buffer.from(b.pdf))).toBe(true);
  });

  it('long bodies: qpdf finds the printout sound', async (ctx) => {
    needTools(ctx, 'qpdf');
    const body = Array.from({ length: 120 }, (_, i) => `第${i + 1}行：客户回访答复，本人确认以上信息属实。`).join('\n');
    const eml = Buffer.from(
      `From: a@example.com\r\nSubject: long\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`,
      'utf8',
    );
    const { pdf } = await printoutOf(eml, 'long.eml');
    const path = join(mkdtempSync(join(tmpdir(), 'huifang-printout-')), 'long.pdf');
    writeFileSync(path, pdf);
    expect(execFileSync('qpdf', ['--check', path], { encoding: 'utf8' })).toContain(
      'No syntax or stream encoding errors found',
    );
  });

  it('characters the typeface lacks are printed as □ and counted, never dropped silently', async () => {
    const eml = Buffer.from(
      `From: a@example.com\r\nSubject: ok\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n好的😀谢谢`,
      'utf8',
    );
    const { text, missingGlyphs } = await printoutOf(eml, 'emoji.eml');
    expect(missingGlyphs).toBe(1);
    expect(text).toContain('好的□谢谢');
  });
});

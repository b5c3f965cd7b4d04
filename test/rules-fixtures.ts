/**
 * Shared set-up for the mail, rules and stamp tests: a workspace with customers and visits
 * (written straight into the register), real e-mail bytes, a WAV recording, a PDF printout
 * made the way a mail client makes one, and a page-text reader.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import type { Customer } from '../src/domain/customer.ts';
import type { Visit, VisitCategory, VisitChannel } from '../src/domain/visit.ts';
import { newVisitId, type VisitId } from '../src/domain/visit-id.ts';
import { loadFace } from '../src/render/fonts.ts';
import { buildFontData, GlyphSet, writeFont } from '../src/render/pdf-font.ts';
import { deflate, PdfWriter } from '../src/render/pdf-writer.ts';
import { insertVisit, upsertCustomer } from '../src/store/visits.ts';
import type { Workspace } from '../src/store/workspace.ts';
import { openTestWorkspace } from './workspace-helpers.ts';

export function tempWorkspace(prefix = 'huifang-rules-'): Workspace {
  return openTestWorkspace(join(mkdtempSync(join(tmpdir(), prefix)), 'ws'));
}

export function customer(over: Partial<Customer> = {}): Customer {
  return {
    customerId: '310100018014',
    name: '赵文博',
    kind: 'individual',
    branchCode: '3101',
    branchName: '上海浦东南路证券营业部',
    address: '上海市浦东新区潍坊路47弄2号201室',
    postcode: '200122',
    phone: '13900001091',
    email: 'zhao.wenbo1@example.cn',
    openedOn: '2026-09-18',
    ...over,
  };
}

let seed = 1;
/** Reproducible visit ids for tests. */
export function testVisitId(): VisitId {
  const s = seed++;
  return newVisitId((n) => Uint8Array.from({ length: n }, (_, i) => (s * 7 + i * 13) & 255));
}

export function addVisit(
  ws: Workspace,
  c: Customer,
  over: Partial<Visit> & { channel?: VisitChannel; category?: VisitCategory } = {},
): Visit {
  upsertCustomer(ws.register, c);
  const v: Visit = {
    visitId: testVisitId(),
    customerId: c.customerId,
    category: 'new-account',
    channel: 'email',
    visitor: 'S310101',
    reviewer: 'S310102',
    createdOn: '2026-11-01',
    dueOn: '2026-12-01',
    result: 'pending',
    ...over,
  };
  insertVisit(ws.register, v, 'test');
  return v;
}

const CRLF = '\r\n';
export const gbkWord = (text: string, charset = 'GBK'): string =>
  `=?${charset}?B?${iconv.encode(text, charset).toString('base64')}?=`;

/** A GBK e-mail like Foxmail sends: GB2312 name, GBK subject, base64 GBK body. */
export function gbkEmail(o: { subject: string; fromName?: string; from?: string; body: string }): Buffer {
  const head = [
    `From: ${gbkWord(o.fromName ?? '赵文博', 'GB2312')} <${o.from ?? 'zhao.wenbo1@example.cn'}>`,
    'To: huifang@broker.example',
    `Subject: ${gbkWord(o.subject)}`,
    'Date: Fri, 20 Nov 2026 09:12:40 +0800',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="gbk"',
    'Content-Transfer-Encoding: base64',
  ].join(CRLF);
  return Buffer.from(`${head}${CRLF}${CRLF}${iconv.encode(o.body, 'gbk').toString('base64')}${CRLF}`, 'latin1');
}

/** A Big5 e-mail (Traditional Chinese, as from Taiwan or Hong Kong). */
export function big5Email(o: { subject: string; body: string; from?: string }): Buffer {
  const head = [
    `From: ${gbkWord('陳美玲', 'Big5')} <${o.from ?? 'chen.meiling@example.tw'}>`,
    'To: huifang@broker.example',
    `Subject: ${gbkWord(o.subject, 'Big5')}`,
    'Date: Mon, 23 Nov 2026 10:00:00 +0800',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=big5',
    'Content-Transfer-Encoding: 8bit',
  ].join(CRLF);
  return Buffer.concat([Buffer.from(head + CRLF + CRLF, 'latin1'), iconv.encode(o.body, 'big5')]);
}

/** A PCM WAV file of silence, `seconds` long. */
export function wav(seconds: number, rate = 8000): Buffer {
  const samples = Math.round(seconds * rate);
  const data = samples * 2;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVE', 8, 'latin1');
  b.write('fmt ', 12, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(data, 40);
  return b;
}

/**
 * A one-page A4 PDF with the given lines of text (Noto Sans SC), top to bottom from y=60 pt,
 * 16 pt apart — the way a mail client prints an e-mail. `bottomLine` puts a line of text in
 * the page's lowest 8 mm (content a footer must not cover).
 */
export function textPdf(lines: readonly string[], o: { bottomLine?: string; producer?: string } = {}): Uint8Array {
  const set = new GlyphSet(loadFace('regular'));
  const ops: string[] = [];
  const draw = (text: string, y: number) => {
    let hex = '';
    for (const ch of text) hex += set.add(ch, ch.codePointAt(0)!, text);
    ops.push(`BT /F1 11 Tf 1 0 0 1 56 ${y} Tm <${hex}> Tj ET`);
  };
  lines.forEach((l, i) => draw(l, 842 - 60 - i * 16));
  if (o.bottomLine) {
    // A full-width bar and a line of text in the lowest 8 mm, and the same at the top.
    ops.push('0 g 20 6 555 10 re f 20 826 555 10 re f');
    draw(o.bottomLine, 9);
  }
  const w = new PdfWriter();
  const catalog = w.alloc();
  const pages = w.alloc();
  const font = writeFont(w, buildFontData(set));
  const content = w.putStream(w.alloc(), '/Filter/FlateDecode', deflate(ops.join('\n')));
  const page = w.put(
    w.alloc(),
    `<</Type/Page/Parent ${pages} 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 ${font} 0 R>>>>/Contents ${content} 0 R>>`,
  );
  w.put(pages, `<</Type/Pages/Kids[${page} 0 R]/Count 1>>`);
  w.put(catalog, `<</Type/Catalog/Pages ${pages} 0 R>>`);
  const info = w.put(w.alloc(), `<</Producer (${o.producer ?? 'Mozilla Thunderbird PDF'})>>`);
  return w.finish(catalog, info, lines.join('|'));
}

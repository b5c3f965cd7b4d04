import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmlError, parseEml } from '../src/mail/parse.ts';
import { ingest } from '../src/ingest/ingest.ts';
import { INGEST_HANDLERS } from '../src/cli/ingest-handlers.ts';
import { sha256Of } from '../src/store/files.ts';
import { listReviewItems } from '../src/store/review.ts';
import { documentsOf } from '../src/store/visits.ts';
import type { Workspace } from '../src/store/workspace.ts';
import { addVisit, customer, gbkEmail, tempWorkspace, textPdf } from './rules-fixtures.ts';

const SAMPLES = join(import.meta.dirname, '..', 'samples', 'emails');

let ws: Workspace;
let dir: string;
beforeEach(() => {
  ws = tempWorkspace('huifang-mail-');
  dir = mkdtempSync(join(tmpdir(), 'huifang-mail-in-'));
});
afterEach(() => ws.close());

function write(name: string, bytes: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe('e-mails are matched to their visits and kept with printout and attachments', () => {
  it('matches by the visit id in the subject, stores the .eml byte-for-byte, the printout and the attachments', async () => {
    const zhao = customer();
    const other = addVisit(ws, zhao, { channel: 'email' });
    const visit = addVisit(ws, zhao, { channel: 'email' });
    const eml = gbkEmail({ subject: `回复：回访 ${visit.visitId}`, body: '1. 是\n2. 是\n3. 否' });
    const path = write('reply.eml', eml);
    const report = await ingest(ws, [path], { actor: 'clerk1', handlers: INGEST_HANDLERS });
    expect(report.quarantined).toEqual([]);
    expect(report.files[0]!.handler).toBe('email');
    expect(report.files[0]!.pages[0]).toMatchObject({ visitId: visit.visitId, kind: 'email', assignedBy: 'handler' });
    const docs = documentsOf(ws.register, visit.visitId);
    const original = docs.find((d) => d.kind === 'email')!;
    expect(original.role).toBe('received');
    expect(ws.files.read(original.sha256).equals(eml)).toBe(true);
    const printout = docs.find((d) => d.kind === 'email-printout')!;
    expect(printout).toMatchObject({ role: 'derived', sourceSha256: sha256Of(eml), fileName: 'reply.printout.pdf' });
    expect(printout.meta.attachmentOf).toBe('form');
    expect(ws.files.read(printout.sha256).subarray(0, 5).toString()).toBe('%PDF-');
    expect(documentsOf(ws.register, other.visitId)).toEqual([]);
  });

  it('matches by the sender address when no visit id is given, preferring the open e-mail visit', async () => {
    const zhao = customer();
    const done = addVisit(ws, zhao, { channel: 'email', result: 'passed' });
    addVisit(ws, zhao, { channel: 'letter' });
    const open = addVisit(ws, zhao, { channel: 'email' });
    const report = await ingest(ws, [join(SAMPLES, '01-gbk-zhao-wenbo.eml')], {
      actor: 'clerk1',
      handlers: INGEST_HANDLERS,
    });
    expect(report.files[0]!.pages[0]!.visitId).toBe(open.visitId);
    expect(documentsOf(ws.register, done.visitId)).toEqual([]);
  });

  it('keeps every attachment of an e-mail on the visit, with its SHA-256', async () => {
    const su = customer({ customerId: '310100018105', name: '苏宇航', email: 'su.yuhang@example.com' });
    const visit = addVisit(ws, su);
    await ingest(ws, [join(SAMPLES, '03-attachments-su-yuhang.eml')], { actor: 'clerk1', handlers: INGEST_HANDLERS });
    const attachments = documentsOf(ws.register, visit.visitId).filter((d) => d.kind === 'attachment');
    expect(attachments.map((a) => a.fileName)).toEqual(['回访记录表-苏宇航.pdf', '执业证书照片.png']);
    const mail = await parseEml(readFileSync(join(SAMPLES, '03-attachments-su-yuhang.eml')), 'x.eml');
    expect(attachments.map((a) => a.sha256)).toEqual(mail.attachments.map((a) => a.sha256));
    for (const a of attachments) expect(ws.files.has(a.sha256)).toBe(true);
  });

  it('an e-mail that matches no visit goes to quarantine and the review queue, and is kept', async () => {
    const path = write('stranger.eml', gbkEmail({ subject: '咨询开户', body: '你好', from: 'stranger@example.org' }));
    const report = await ingest(ws, [path], { actor: 'clerk1', handlers: INGEST_HANDLERS });
    expect(report.quarantined).toHaveLength(1);
    expect(report.quarantined[0]!.ruleId).toBe('mail/unmatched');
    expect(report.quarantined[0]!.reason).toContain('stranger@example.org is not the e-mail address of any customer');
    const items = listReviewItems(ws.register);
    expect(items.map((i) => i.subject)).toEqual(['visit']);
    expect(ws.files.has(report.files[0]!.sha256)).toBe(true);
  });

  it('a customer with two open visits: the e-mail waits for a person to choose', async () => {
    const zhao = customer();
    const a = addVisit(ws, zhao, { channel: 'email' });
    const b = addVisit(ws, zhao, { channel: 'email' });
    const report = await ingest(ws, [join(SAMPLES, '01-gbk-zhao-wenbo.eml')], {
      actor: 'clerk1',
      handlers: INGEST_HANDLERS,
    });
    expect(report.quarantined[0]!.reason).toContain('2 open visits');
    expect(report.quarantined[0]!.reason).toContain(a.visitId);
    expect(report.quarantined[0]!.reason).toContain(b.visitId);
  });

  it('ingesting the same e-mail twice changes nothing', async () => {
    const visit = addVisit(ws, customer());
    const path = join(SAMPLES, '01-gbk-zhao-wenbo.eml');
    await ingest(ws, [path], { actor: 'clerk1', handlers: INGEST_HANDLERS });
    const before = documentsOf(ws.register, visit.visitId);
    const again = await ingest(ws, [path], { actor: 'clerk1', handlers: INGEST_HANDLERS });
    expect(again.files[0]!.status).toBe('duplicate');
    expect(documentsOf(ws.register, visit.visitId)).toEqual(before);
  });

  it("a mail client's PDF printout is recognised by its header lines and matched the same way", async () => {
    const zhao = customer();
    const visit = addVisit(ws, zhao);
    const pdf = textPdf([
      '主题： 回复：关于新开户回访的回复',
      '发件人： 赵文博 <zhao.wenbo1@example.cn>',
      '日期： 2026年11月20日 9:12',
      '收件人： huifang@broker.example',
      '',
      '1. 是  2. 是  3. 否',
    ]);
    const report = await ingest(ws, [write('printed.pdf', pdf)], { actor: 'clerk1', handlers: INGEST_HANDLERS });
    expect(report.files[0]!.handler).toBe('email-printout');
    expect(report.files[0]!.pages[0]).toMatchObject({ visitId: visit.visitId, kind: 'email-printout' });
    const doc = documentsOf(ws.register, visit.visitId).find((d) => d.kind === 'email-printout')!;
    expect(doc.role).toBe('received');
    expect(ws.files.read(doc.sha256).equals(Buffer.from(pdf))).toBe(true);
  });

  it('a PDF with text that is not an e-mail printout is left to the scan handler', async () => {
    const pdf = textPdf(['客户回访说明', '这不是电子邮件。']);
    const report = await ingest(ws, [write('notes.pdf', pdf)], { actor: 'clerk1', handlers: INGEST_HANDLERS });
    expect(report.files[0]!.pages.every((p) => p.kind !== 'email-printout')).toBe(true);
    expect(report.quarantined.length).toBeGreaterThan(0); // no QR code: quarantined by the scan handler
    expect(report.quarantined[0]!.ruleId).not.toBe('mail/unmatched');
  });
});

describe('malformed e-mails and unknown charsets: clear errors, nothing lost', () => {
  it('an unknown charset is refused with the file and charset named, not rendered as mojibake', async () => {
    const bytes = Buffer.from(
      'From: a@example.com\r\nSubject: =?x-klingon?B?5L2g5aW9?=\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\n\xc4\xe3\xba\xc3',
      'latin1',
    );
    await expect(parseEml(bytes, 'klingon.eml')).rejects.toThrow(EmlError);
    await expect(parseEml(bytes, 'klingon.eml')).rejects.toThrow(
      /^klingon\.eml: the message is written in the character set "x-klingon", which huifang cannot decode/,
    );
    const path = write('klingon.eml', bytes);
    const report = await ingest(ws, [path], { actor: 'clerk1', handlers: INGEST_HANDLERS });
    const q = report.quarantined[0]!;
    expect(q.ruleId).toBe('mail/unknown-charset');
    expect(q.reason).toContain('klingon.eml');
    expect(q.reason).toContain('"x-klingon"');
    expect(ws.files.read(report.files[0]!.sha256).equals(bytes)).toBe(true);
  });

  it('a file that is not an e-mail at all is refused with what it begins with, and kept', async () => {
    const path = write('notes.eml', 'Dear team,\nthis is a note, not an e-mail.\n');
    const report = await ingest(ws, [path], { actor: 'clerk1', handlers: INGEST_HANDLERS });
    const q = report.quarantined[0]!;
    expect(q.ruleId).toBe('mail/not-an-email');
    expect(q.reason).toBe(
      `notes.eml: no e-mail header block (From:, Subject:, Date:) at the start of the file; it begins "Dear team,"; the original is kept in the workspace (SHA-256 ${report.files[0]!.sha256.slice(0, 12)}…)`,
    );
    expect(ws.files.has(report.files[0]!.sha256)).toBe(true);
  });

  it('binary junk named .eml, and an empty file, are refused clearly', async () => {
    await expect(parseEml(Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]), 'zip.eml')).rejects.toThrow(
      'zip.eml: the file is binary, not an e-mail',
    );
    await expect(parseEml(new Uint8Array(0), 'empty.eml')).rejects.toThrow(
      'empty.eml: the file is empty; it is not an e-mail',
    );
  });
});

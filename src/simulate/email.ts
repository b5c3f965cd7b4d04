/**
 * Customers' e-mail replies to e-mail visits, as .eml files (RFC 5322 / MIME): some with
 * the visit id in the subject, one in GBK, one HTML-only, one with the signed form
 * attached. Small, deterministic (fixed dates and message ids), and answered in words the
 * way customers write (是/否, 满意).
 */
import iconv from 'iconv-lite';
import type { Answer } from '../domain/questions.ts';
import type { FormLayout } from '../layout/form.ts';

export type EmailVariant = 'subject-id' | 'gbk' | 'html-only' | 'attachment' | 'body-id';
export const EMAIL_VARIANTS: readonly EmailVariant[] = ['subject-id', 'gbk', 'html-only', 'attachment', 'body-id'];

export interface EmailRequest {
  variant: EmailVariant;
  visitId: string;
  customerName: string;
  layout: FormLayout;
  answers: Record<string, Answer>;
  /** `YYYY-MM-DD` of the reply. */
  date: string;
  /** A unique number for the Message-ID. */
  serial: number;
  seed: number;
  /** For `attachment`: the signed form as a JPEG. */
  attachment?: { name: string; bytes: Uint8Array };
  companyName: string;
}

const YES_NO_WORDS: Record<string, string> = { yes: '是', no: '否' };

/** The reply's answer lines, in the form's question order; unanswered questions are left out. */
function answerLines(req: EmailRequest): string[] {
  const lines: string[] = [];
  for (const row of req.layout.questions) {
    const a = req.answers[row.question.id];
    if (a === null || a === undefined) continue;
    const word =
      row.question.type === 'choice' ? (row.boxes.find((b) => b.value === a)?.label ?? a) : (YES_NO_WORDS[a] ?? a);
    lines.push(`${row.number}. ${word}`);
  }
  return lines;
}

function b64Lines(bytes: Uint8Array): string {
  return (
    Buffer.from(bytes)
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join('\r\n');
}

function encodedWord(text: string, charset: 'UTF-8' | 'GBK'): string {
  const bytes = charset === 'GBK' ? iconv.encode(text, 'gbk') : Buffer.from(text, 'utf8');
  return `=?${charset}?B?${bytes.toString('base64')}?=`;
}

function rfc2822(date: string, serial: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const dt = new Date(Date.UTC(y, m - 1, d, 1 + (serial % 9), (serial * 7) % 60, (serial * 13) % 60));
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  const hour = dt.getUTCHours() + 8;
  return `${days[dt.getUTCDay()]}, ${p(dt.getUTCDate())} ${months[dt.getUTCMonth()]} ${dt.getUTCFullYear()} ${p(hour)}:${p(dt.getUTCMinutes())}:${p(dt.getUTCSeconds())} +0800`;
}

/** The .eml bytes of one reply, and facts for its truth file. */
export function buildEmail(req: EmailRequest): {
  bytes: Uint8Array;
  charset: string;
  idInSubject: boolean;
  attachments: string[];
} {
  const idInSubject = req.variant === 'subject-id' || req.variant === 'attachment';
  const subject = idInSubject
    ? `回复：客户回访函（回访编号 ${req.visitId}）`
    : req.variant === 'gbk'
      ? '回复：回访问卷'
      : 'Re: 客户回访';
  const charset: 'UTF-8' | 'GBK' = req.variant === 'gbk' ? 'GBK' : 'UTF-8';
  const from = `customer${String(req.serial).padStart(3, '0')}@example.com`;
  const headers = [
    `From: ${encodedWord(req.customerName, charset)} <${from}>`,
    `To: ${encodedWord(req.companyName, 'UTF-8')} <callback@example.com>`,
    `Subject: ${encodedWord(subject, charset)}`,
    `Date: ${rfc2822(req.date, req.serial)}`,
    `Message-ID: <sim-${req.seed}-${req.serial}@huifang.example>`,
    'MIME-Version: 1.0',
  ];
  const { body, attachments } = emailBody(req, charset);
  return {
    bytes: Buffer.from(headers.join('\r\n') + '\r\n' + body + '\r\n', 'latin1'),
    charset,
    idInSubject,
    attachments,
  };
}

/** A text part, base64 in its charset. */
function textPart(body: string, cs: 'UTF-8' | 'GBK', type = 'text/plain'): string {
  return [
    `Content-Type: ${type}; charset=${cs}`,
    'Content-Transfer-Encoding: base64',
    '',
    b64Lines(cs === 'GBK' ? iconv.encode(body, 'gbk') : Buffer.from(body, 'utf8')),
  ].join('\r\n');
}

/** The body of a reply as its variant writes it: plain text, HTML only, or text with the signed form attached. */
function emailBody(req: EmailRequest, charset: 'UTF-8' | 'GBK'): { body: string; attachments: string[] } {
  const lines = answerLines(req);
  const text = [
    '您好：',
    '',
    `收到贵公司的回访邮件，回访编号 ${req.visitId}，答复如下：`,
    ...lines,
    '',
    req.variant === 'attachment' ? '签字后的回访记录表见附件。' : '以上答复均属实。',
    '',
    req.customerName,
    req.date.replace(/-/g, '.'),
  ].join('\r\n');
  if (req.variant === 'html-only') {
    const html = `<html><body><p>您好：</p><p>回访编号 ${req.visitId} 的答复如下：</p><table border="1">${lines
      .map((l) => {
        const [n, a] = l.split('. ');
        return `<tr><td>${n}</td><td>${a}</td></tr>`;
      })
      .join('')}</table><p>${req.customerName}<br>${req.date}</p></body></html>`;
    return { body: textPart(html, 'UTF-8', 'text/html'), attachments: [] };
  }
  if (req.variant !== 'attachment' || !req.attachment) return { body: textPart(text, charset), attachments: [] };
  const boundary = `----=_huifang_${req.seed}_${req.serial}`;
  const name = encodedWord(req.attachment.name, 'UTF-8');
  const body = [
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    'This is a multi-part message in MIME format.',
    `--${boundary}`,
    textPart(text, 'UTF-8'),
    `--${boundary}`,
    `Content-Type: image/jpeg; name="${name}"`,
    'Content-Transfer-Encoding: base64',
    `Content-Disposition: attachment; filename="${name}"`,
    '',
    b64Lines(req.attachment.bytes),
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return { body, attachments: [req.attachment.name] };
}

/**
 * Writes the sample e-mails in this folder (deterministic; run with
 * `node --import tsx samples/emails/make-emails.ts`). Senders are customers of
 * samples/customers.csv, so ingest matches each e-mail to the customer's open visit by the
 * sender's address (the visit ids only exist once `huifang letters` has run).
 *
 * - 01-gbk-zhao-wenbo.eml          GBK text/plain, subject RFC 2047 B-encoded GBK, name GB2312
 * - 02-html-only-qinglan.eml       HTML only (UTF-8, quoted-printable), an institution's reply
 * - 03-attachments-su-yuhang.eml   multipart/mixed: text + a PDF (RFC 2231 GBK file name) + a PNG
 * - 04-utf8-liang-haotian.eml      UTF-8 text/plain, subject Q-encoded
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';

const here = dirname(fileURLToPath(import.meta.url));
const CRLF = '\r\n';

const b64 = (buf: Buffer): string => buf.toString('base64').replace(/.{76}/g, `$&${CRLF}`);
const word = (text: string, charset: string): string =>
  `=?${charset}?B?${iconv.encode(text, charset).toString('base64')}?=`;
const qword = (text: string): string =>
  `=?UTF-8?Q?${[...Buffer.from(text, 'utf8')].map((b) => ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('')}?=`;
const qp = (text: string): string => {
  const bytes = Buffer.from(text.replace(/\r?\n/g, CRLF), 'utf8');
  let out = '';
  let line = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x0d && bytes[i + 1] === 0x0a) {
      out += CRLF;
      line = 0;
      i++;
      continue;
    }
    const enc =
      (b >= 33 && b <= 126 && b !== 61) || b === 32
        ? String.fromCharCode(b)
        : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (line + enc.length > 75) {
      out += `=${CRLF}`;
      line = 0;
    }
    out += enc;
    line += enc.length;
  }
  return out;
};

const headers = (h: [string, string][]): string => h.map(([k, v]) => `${k}: ${v}`).join(CRLF) + CRLF;

// 1. GBK plain text.
{
  const body = iconv.encode(
    [
      '您好：',
      '',
      '收到贵公司的新开户回访函，现按问题顺序回复如下：',
      '1. 是，本人亲自到营业部办理开户并签署协议。',
      '2. 是，初始密码由本人设置。',
      '3. 否，没有工作人员代我操作账户。',
      '4. 否，没有全权委托他人。',
      '5. 是，开户时工作人员提示了投资风险。',
      '6. 否，不是经营销人员介绍的。',
      '7. 总体满意。',
      '',
      '赵文博',
      '2026年11月20日',
    ].join(CRLF),
    'gbk',
  );
  const head = headers([
    ['Return-Path', '<zhao.wenbo1@example.cn>'],
    [
      'Received',
      'from mail.example.cn (mail.example.cn [192.0.2.10]) by mx.broker.example; Fri, 20 Nov 2026 09:12:44 +0800',
    ],
    ['From', `${word('赵文博', 'GB2312')} <zhao.wenbo1@example.cn>`],
    ['To', `${word('客户服务部', 'GBK')} <huifang@broker.example>`],
    ['Subject', word('回复：关于新开户回访的回复（请查收）', 'GBK')],
    ['Date', 'Fri, 20 Nov 2026 09:12:40 +0800'],
    ['Message-ID', '<20261120091240.0001@example.cn>'],
    ['MIME-Version', '1.0'],
    ['Content-Type', 'text/plain; charset="gbk"'],
    ['Content-Transfer-Encoding', 'base64'],
    ['X-Mailer', 'Foxmail 7.2.25'],
  ]);
  writeFileSync(join(here, '01-gbk-zhao-wenbo.eml'), Buffer.from(head + CRLF + b64(body) + CRLF, 'latin1'));
}

// 2. HTML only, an institution.
{
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><style>td{padding:4px}</style></head><body>
<p>尊敬的客户服务部：</p>
<p>我司已收到贵公司的客户回访函，经办人钱立群现代表<b>上海青岚示例投资管理有限公司</b>回复如下：</p>
<table border="1"><tr><th>序号</th><th>问题</th><th>回答</th></tr>
<tr><td>1</td><td>亲自办理开户并签署相关协议</td><td>是</td></tr>
<tr><td>2</td><td>初始密码由本单位设置</td><td>是</td></tr>
<tr><td>3</td><td>工作人员代为操作账户</td><td>否</td></tr>
<tr><td>4</td><td>全权委托他人</td><td>否</td></tr>
<tr><td>5</td><td>已提示投资风险</td><td>是</td></tr>
</table>
<p>盖章的回访记录表原件已另行邮寄。<br>如有疑问请联系：<a href="mailto:qinglan@example.com">qinglan@example.com</a></p>
<p>此致<br>敬礼！</p>
<p>上海青岚示例投资管理有限公司&nbsp;&nbsp;2026年11月21日</p>
</body></html>`;
  const head = headers([
    ['From', `"${word('上海青岚示例投资管理有限公司', 'UTF-8')}" <qinglan@example.com>`],
    ['To', 'huifang@broker.example'],
    ['Cc', `${word('钱立群', 'UTF-8')} <qian.liqun@example.com>`],
    ['Subject', word('客户回访函回复 — 上海青岚示例投资管理有限公司', 'UTF-8')],
    ['Date', 'Sat, 21 Nov 2026 14:03:00 +0800'],
    ['Message-ID', '<qinglan-20261121-1403@example.com>'],
    ['MIME-Version', '1.0'],
    ['Content-Type', 'text/html; charset=UTF-8'],
    ['Content-Transfer-Encoding', 'quoted-printable'],
  ]);
  writeFileSync(join(here, '02-html-only-qinglan.eml'), Buffer.from(head + CRLF + qp(html) + CRLF, 'latin1'));
}

// 3. With attachments.
{
  const pdf = Buffer.from(
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
      '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n' +
      '4 0 obj<</Length 58>>stream\nBT /F1 18 Tf 72 760 Td (Signed callback form - scan) Tj ET\nendstream endobj\n' +
      '5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
    'latin1',
  );
  // An 8×8 PNG (red square), written byte for byte.
  const png = Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000080000000808020000004b6d29dc0000001549444154789c63f8cfc0f09f8108b0a0a63e00c5a73fc1a0c8e6d80000000049454e44ae426082',
    'hex',
  );
  const boundary = '----=_Part_20261122_huifang';
  const text = [
    '您好：',
    '',
    '附件是我签字后的回访记录表扫描件（PDF），以及开户时拿到的执业证书照片。',
    '第一题是，第二题是，第三题否，第四题否，第五题是。我是营销人员介绍开户的，知道他的姓名，也没有委托他理财。',
    '',
    '苏宇航',
  ].join(CRLF);
  const gbkName = `${iconv
    .encode('回访记录表-苏宇航.pdf', 'gbk')
    .toString('binary')
    .replace(/[\s\S]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)}`;
  const parts = [
    `--${boundary}${CRLF}Content-Type: text/plain; charset=UTF-8${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}${b64(Buffer.from(text, 'utf8'))}${CRLF}`,
    `--${boundary}${CRLF}Content-Type: application/pdf; name="${word('回访记录表-苏宇航.pdf', 'GBK')}"${CRLF}Content-Disposition: attachment;${CRLF} filename*=GBK''${gbkName}${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}${b64(pdf)}${CRLF}`,
    `--${boundary}${CRLF}Content-Type: image/png; name="certificate.png"${CRLF}Content-Disposition: attachment; filename="${word('执业证书照片.png', 'UTF-8')}"${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}${b64(png)}${CRLF}`,
    `--${boundary}--${CRLF}`,
  ];
  const head = headers([
    ['From', `${word('苏宇航', 'UTF-8')} <Su.YuHang@example.com>`],
    ['To', 'huifang@broker.example'],
    ['Subject', word('回访记录表（已签字）及附件', 'UTF-8')],
    ['Date', 'Sun, 22 Nov 2026 20:45:10 +0800'],
    ['Message-ID', '<suyuhang.20261122.2045@example.com>'],
    ['MIME-Version', '1.0'],
    ['Content-Type', `multipart/mixed; boundary="${boundary}"`],
  ]);
  writeFileSync(
    join(here, '03-attachments-su-yuhang.eml'),
    Buffer.from(head + CRLF + 'This is a multi-part message in MIME format.' + CRLF + CRLF + parts.join(''), 'latin1'),
  );
}

// 4. UTF-8 plain text.
{
  const text = [
    '客户服务部：',
    '',
    '回访问题回复：1 是；2 是；3 否；4 否；5 是；6 否。对服务一般满意，希望交易软件更稳定一些。',
    '',
    '梁昊天',
  ].join(CRLF);
  const head = headers([
    ['From', `${qword('梁昊天')} <liang.haotian@example.com>`],
    ['To', 'huifang@broker.example'],
    ['Subject', qword('回访回复')],
    ['Date', 'Mon, 23 Nov 2026 08:30:00 +0800'],
    ['Message-ID', '<lht-20261123@example.com>'],
    ['MIME-Version', '1.0'],
    ['Content-Type', 'text/plain; charset=utf-8; format=flowed'],
    ['Content-Transfer-Encoding', '8bit'],
  ]);
  writeFileSync(
    join(here, '04-utf8-liang-haotian.eml'),
    Buffer.concat([Buffer.from(head + CRLF, 'latin1'), Buffer.from(text + CRLF, 'utf8')]),
  );
}

/**
 * Test fixture for the simulator: a letters folder as `huifang letters` / `huifang forms`
 * write it — per-visit PDFs from the real renderer and a `files.csv` — for a handful of
 * visits of different categories, customer kinds and channels.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Customer, CustomerKind } from '../src/domain/customer.ts';
import { newVisitId, type VisitId } from '../src/domain/visit-id.ts';
import type { Visit, VisitCategory, VisitChannel } from '../src/domain/visit.ts';
import { LetterRenderer } from '../src/render/renderer.ts';
import type { Sender } from '../src/render/template-data.ts';

export interface FixtureVisit {
  visitId: VisitId;
  customerId: string;
  category: VisitCategory;
  kind: CustomerKind;
  channel: VisitChannel;
  pdf: string;
}

const PLAN: [VisitCategory, CustomerKind, VisitChannel][] = [
  ['new-account', 'individual', 'letter'],
  ['new-account', 'institution', 'letter'],
  ['existing', 'individual', 'face-to-face'],
  ['key', 'institution', 'face-to-face'],
  ['special', 'individual', 'letter'],
  ['ib', 'individual', 'email'],
  ['advisory', 'institution', 'letter'],
  ['departed-staff', 'individual', 'letter'],
];

/** Deterministic bytes for visit ids: a counter, so every run names the same visits. */
function counterRandom(start: number): (n: number) => Uint8Array {
  let k = start;
  return (n) => Uint8Array.from({ length: n }, (_, i) => (k * 7 + i * 13 + (k >> 3)) & 0xff, k++);
}

/**
 * Writes `count` visits' PDFs into `dir` (letters for letter and e-mail visits, form-only
 * PDFs for face-to-face visits). With `csv`, also `files.csv` as `huifang letters` writes it.
 */
export async function writeLettersFolder(dir: string, count = PLAN.length, csv = true): Promise<FixtureVisit[]> {
  mkdirSync(dir, { recursive: true });
  const sender = (
    JSON.parse(readFileSync(new URL('../samples/firm.json', import.meta.url), 'utf8')) as { sender: Sender }
  ).sender;
  const renderer = await LetterRenderer.create({ sender });
  const random = counterRandom(11);
  const out: FixtureVisit[] = [];
  for (let i = 0; i < count; i++) {
    const [category, kind, channel] = PLAN[i % PLAN.length]!;
    const visitId = newVisitId(random);
    const customerId = `31010${String(1000 + i)}`;
    const customer: Customer = {
      customerId,
      name: kind === 'institution' ? `上海测试投资管理有限公司${i}` : ['张伟', '王芳', '李娜', '刘洋', '陈静'][i % 5]!,
      kind,
      branchCode: '3101',
      branchName: '上海浦东南路证券营业部',
      address: `上海市浦东新区浦东南路${100 + i}号${i + 1}室`,
      postcode: '200120',
      phone: '13800000000',
      email: `c${i}@example.com`,
      openedOn: '2026-02-01',
      ...(kind === 'institution' ? { contactPerson: '赵敏' } : {}),
    };
    const visit: Visit = {
      visitId,
      customerId,
      category,
      channel,
      createdOn: '2026-03-02',
      dueOn: '2026-04-01',
      result: 'pending',
    };
    const doc =
      channel === 'face-to-face'
        ? await renderer.form({ visit, customer })
        : await renderer.letter({ visit, customer });
    const pdf = join(dir, `${visitId}.pdf`);
    writeFileSync(pdf, doc.bytes);
    out.push({ visitId, customerId, category, kind, channel, pdf });
  }
  if (csv) {
    // The listing `huifang letters` writes (src/render/start-visits.ts): BOM, CRLF, a batch row.
    const rows = [
      'visitId,customerId,branchCode,postcode,kind,path,pages,sha256',
      ...out.map(
        (v) =>
          `${v.visitId},${v.customerId},3101,200120,${v.channel === 'face-to-face' ? 'form' : 'letter'}-pdf,${v.visitId}.pdf,,`,
      ),
      ',,,,batch-pdf,batches/batch-001.pdf,,',
    ];
    writeFileSync(join(dir, 'files.csv'), '\ufeff' + rows.join('\r\n') + '\r\n');
  }
  return out;
}

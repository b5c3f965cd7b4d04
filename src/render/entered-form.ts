/**
 * Phone and e-mail visits get a record form too (第七条: 根据电子邮件内容如实填写回访记录表;
 * 电话回访 recorded): the 客户回访记录表 filled from the answers a person entered, with who
 * entered them, from which evidence (the recording, the e-mail) and when. It is stored as the
 * visit's derived `form` document and archived beside the recording or printout; entering
 * answers again makes a new one (the old one stays, as every stored file does).
 */
import { createHash } from 'node:crypto';
import type { Customer } from '../domain/customer.ts';
import type { Visit } from '../domain/visit.ts';
import type { EnteredAnswer } from '../store/rules.ts';
import { documentsOf, storeDocument, type VisitDocument } from '../store/visits.ts';
import type { Workspace } from '../store/workspace.ts';

export const ENTERED_FORM_CHANNELS: readonly Visit['channel'][] = ['phone', 'email'];

/** What the filled form is made from; the same entries give the same key, so it is made once. */
export function fillKeyOf(entered: readonly EnteredAnswer[]): string {
  return createHash('sha256')
    .update(JSON.stringify(entered.map((e) => [e.questionId, e.answer, e.enteredBy, e.enteredAt, e.evidenceSha256])))
    .digest('hex');
}

function evidenceName(docs: readonly VisitDocument[], sha: string | null): string {
  if (!sha) return '未注明证据 (no evidence named)';
  const d = docs.find((x) => x.sha256 === sha);
  return `${d ? `${d.kind} ${d.fileName}` : 'file'} (SHA-256 ${sha.slice(0, 12)}…)`;
}

/** The note in the remarks area: one line per person and evidence, with the time of entry. */
export function fillNote(visit: Visit, entered: readonly EnteredAnswer[], docs: readonly VisitDocument[]): string {
  const groups = new Map<string, EnteredAnswer[]>();
  for (const e of entered) {
    const key = `${e.enteredBy}|${e.evidenceSha256 ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const lines = [...groups.values()].map((g) => {
    const last = g
      .map((e) => e.enteredAt)
      .sort()
      .at(-1)!;
    return `${g.length} 项答案由 ${g[0]!.enteredBy} 于 ${last.replace('T', ' ').slice(0, 16)} (UTC) 根据 ${evidenceName(docs, g[0]!.evidenceSha256)} 录入`;
  });
  return `${visit.channel === 'phone' ? '电话回访' : '电子邮件回访'}，记录表由系统根据录入的答案填写。 ${lines.join('； ')}`;
}

/**
 * Makes the visit's filled record form when it is a phone or e-mail visit with entered
 * answers and no form made from exactly these entries yet. Returns the form's SHA-256 and whether it was made now, or null.
 */
export async function ensureEnteredForm(
  ws: Workspace,
  input: {
    visit: Visit;
    customer: Customer;
    entered: readonly EnteredAnswer[];
    answers: Record<string, string | null>;
    /** The visit's documents when they were just read. */
    documents?: readonly VisitDocument[];
  },
  actor: string,
): Promise<{ sha256: string; made: boolean } | null> {
  if (!ENTERED_FORM_CHANNELS.includes(input.visit.channel) || input.entered.length === 0) return null;
  const key = fillKeyOf(input.entered);
  const docs = input.documents ?? documentsOf(ws.register, input.visit.visitId);
  const existing = docs.find((d) => d.kind === 'form' && d.role === 'derived' && d.meta.fillKey === key);
  if (existing) return { sha256: existing.sha256, made: false };
  // the renderer and its fonts are loaded only when a form is to be made
  const [{ LetterRenderer }, { senderOf }] = await Promise.all([import('./renderer.ts'), import('./start-visits.ts')]);
  const renderer = await LetterRenderer.create({ sender: senderOf(ws) });
  const note = fillNote(input.visit, input.entered, docs);
  const rendered = renderer.renderFilledForm(
    { visit: input.visit, customer: input.customer },
    { answers: input.answers, note },
  );
  const stored = storeDocument(
    ws,
    {
      visitId: input.visit.visitId,
      kind: 'form',
      role: 'derived',
      fileName: `${input.visit.visitId}-record-form.pdf`,
      mediaType: 'application/pdf',
      pageCount: rendered.pageCount,
      createdBy: actor,
      meta: {
        fillKey: key,
        filledFrom: 'entered answers',
        evidence: [...new Set(input.entered.map((e) => e.evidenceSha256).filter(Boolean))],
        note,
      },
    },
    rendered.bytes,
  );
  return { sha256: stored.sha256, made: true };
}

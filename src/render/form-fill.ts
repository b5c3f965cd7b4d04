/**
 * A record form (客户回访记录表) filled in by the machine for a phone or e-mail visit (第七条:
 * 根据电子邮件内容如实填写回访记录表): a cross in the box of each answer, and in the remarks
 * area who entered the answers, from which evidence, and when. Drawn on the same layout the
 * blank form uses, so a filled form reads back like a ticked one.
 */
import type { FormLayout } from '../layout/form.ts';
import type { PageCanvas } from './canvas.ts';
import { drawTextInBox } from './fit.ts';

export interface FormFill {
  /** Answers by question id (`yes`/`no`, or a choice's value). */
  answers: Record<string, string | null>;
  /** Lines for the remarks area: who entered what from which evidence, when. */
  note: string;
}

/** Draws the crosses and the note onto a form page already carrying the blank form. */
export function drawFormFill(canvas: PageCanvas, layout: FormLayout, fill: FormFill, visitId: string): void {
  for (const box of layout.tickBoxes) {
    if (fill.answers[box.questionId] !== box.value) continue;
    const r = box.ink;
    const pad = Math.min(r.width, r.height) * 0.15;
    canvas.line(r.x + pad, r.y + pad, r.x + r.width - pad, r.y + r.height - pad, 1.4);
    canvas.line(r.x + pad, r.y + r.height - pad, r.x + r.width - pad, r.y + pad, 1.4);
  }
  drawTextInBox(
    canvas,
    fill.note,
    layout.remarks.ink,
    { sizes: [8, 7, 6, 5], maxLines: 12, leading: 1.25 },
    "the filled form's note",
    visitId,
  );
}

/**
 * `npm start` (huifang demo) in a temporary folder: it makes its workspace with `init`, runs
 * every step, ends well, and its closing summary names files that exist — a letter PDF, a
 * batch print file, the period report and a bundle index — with every bundle verified.
 * Envelopes and postal receipts file themselves; a reviewer approves a complete visit; a
 * failed visit's exception is handled and closed by the branch head.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/common.ts';
import { DEMO_STEPS } from '../src/cli/demo.ts';
import { main } from '../src/cli/main.ts';

describe('huifang demo', () => {
  it('runs every step on current dates and ends with where to look', { timeout: 900_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'huifang-demo-'));
    const out = join(dir, 'demo');
    let text = '';
    let err = '';
    const io: Io = { out: (t) => (text += t + '\n'), err: (t) => (err += t + '\n'), interactive: false };
    const code = await main(['demo', '--out', out], io);
    expect(err).toBe('');
    expect(code).toBe(0);
    for (const [i, step] of DEMO_STEPS.entries()) expect(text).toContain(`\n${i + 1}. ${step.title}  [${step.name}]`);
    // current dates: nothing is years overdue
    expect(text).not.toMatch(/\d{3,} days? overdue/);
    expect(text).toMatch(/overdue 0\b/);
    // a roster with roles, reviewers' decisions, a visit complete and passed, a failed one reported
    expect(text).toMatch(
      /branch 3101: 陈建国 营业部负责人 · 周敏 回访专员 · 沈佳怡 复核人员 · 顾文斌 经办人 · 陆晓峰 营销人员 \(营销序列\)/,
    );
    expect(text).toMatch(/decided: (白立新|沈佳怡|骆振东) \d+/); // a branch reviewer (复核人员), never the visitor
    expect(text).toMatch(/approved: (白立新|沈佳怡|骆振东|吴思远) \d+/);
    expect(text).toMatch(/complete, passed and approved, evidence whole: HF-/);
    expect(text).toMatch(/异常 for the branch head: HF-/);
    // envelopes and receipts filed by themselves (QR code, barcode and mailing list), none moved by hand
    expect(text).toMatch(
      /filed by themselves, no page moved by hand: [1-9]\d* forms, [1-9]\d* envelopes \(their QR code\), [1-9]\d* postal receipts \(their barcode\)/,
    );
    const steps = readdirSync(join(out, 'steps'));
    expect(steps.filter((f) => /-pages-|pages-move/.test(f))).toEqual([]);
    const ingested = JSON.parse(
      readFileSync(
        join(
          out,
          'steps',
          steps.find((f) => f.endsWith('-ingest.json'))!,
        ),
        'utf8',
      ),
    );
    const pages = ingested.files.flatMap((f: any) => f.pages) as {
      kind: string;
      visitId: string | null;
      assignedBy: string;
    }[];
    expect(pages.some((p) => p.kind === 'envelope' && p.visitId && p.assignedBy === 'qr')).toBe(true);
    expect(pages.some((p) => p.kind === 'postal-receipt' && p.visitId && p.assignedBy === 'handler')).toBe(true);
    // a visit complete: evidence whole and approved by a reviewer, as validate sees it after approval
    const after = JSON.parse(
      readFileSync(
        join(
          out,
          'steps',
          steps.find((f) => f.endsWith('-validate-after-approval.json'))!,
        ),
        'utf8',
      ),
    );
    expect(after.visits.some((v: any) => v.ok && v.approved && v.result === 'passed')).toBe(true);
    // a failed visit's exception: cause and measures recorded, closed by the branch head
    const closed = JSON.parse(
      readFileSync(
        join(
          out,
          'steps',
          steps.find((f) => f.endsWith('-exception-close.json'))!,
        ),
        'utf8',
      ),
    ).exception;
    expect(closed).toMatchObject({ status: 'closed', triggers: expect.arrayContaining(['failed']) });
    expect(closed.cause).toBeTruthy();
    expect(closed.measures).toBeTruthy();
    expect(['S310100', 'S110100', 'S440300']).toContain(closed.closedBy);
    expect(text).toMatch(/closed by (陈建国|许志强|黄丽) \(S\d+\)/);
    const closing = text.slice(text.indexOf('\nDone: '));
    expect(closing).toMatch(
      /^\nDone: 12 visits, [1-9]\d* complete and approved by a reviewer, exception #\d+ handled and closed by the branch head, 3 of 3 bundles verified\. Where to look:/,
    );
    const paths = Object.fromEntries(
      [
        ...closing.matchAll(
          /^ {2}(a callback letter \(PDF\)|a batch print file|the period report|a bundle index \(opens offline\)|each step's JSON)\s+(\S+)$/gm,
        ),
      ].map((m) => [m[1]!, resolve(m[2]!)] as [string, string]),
    );
    expect(Object.keys(paths)).toHaveLength(5);
    for (const p of Object.values(paths)) expect(existsSync(p), p).toBe(true);
    expect(readFileSync(paths['a callback letter (PDF)']!).subarray(0, 5).toString()).toBe('%PDF-');
    expect(readFileSync(paths['the period report']!, 'utf8')).toContain('data-chart="company-results"');
    expect(readFileSync(paths['a bundle index (opens offline)']!, 'utf8')).toContain('data-chart="bundle-results"');
  });
});

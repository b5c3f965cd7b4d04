/**
 * `npm start` (huifang demo) in a temporary folder: it runs every step, ends well, and its
 * closing summary names files that exist — a letter PDF, a batch print file, the period
 * report and a bundle index — with every bundle verified.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
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
    expect(text).toMatch(/branch 3101: 周敏 回访专员 · 沈佳怡 复核人员/);
    expect(text).toMatch(/decided: (白立新|沈佳怡|骆振东) \d+/); // a branch reviewer (复核人员), never the visitor
    expect(text).toMatch(/complete and passed, evidence whole: HF-/);
    expect(text).toMatch(/异常 for the branch head: HF-/);
    expect(text).toMatch(/\d+ envelopes and [1-9]\d* postal receipts marked/);
    const closing = text.slice(text.indexOf('\nDone: '));
    expect(closing).toMatch(/^\nDone: 12 visits, 3 of 3 bundles verified\. Where to look:/);
    const paths = Object.fromEntries(
      [...closing.matchAll(/^ {2}(a callback letter \(PDF\)|a batch print file|the period report|a bundle index \(opens offline\)|each step's JSON)\s+(\S+)$/gm)].map((m) => [m[1]!, resolve(m[2]!)] as [string, string]),
    );
    expect(Object.keys(paths)).toHaveLength(5);
    for (const p of Object.values(paths)) expect(existsSync(p), p).toBe(true);
    expect(readFileSync(paths['a callback letter (PDF)']!).subarray(0, 5).toString()).toBe('%PDF-');
    expect(readFileSync(paths['the period report']!, 'utf8')).toContain('data-chart="company-results"');
    expect(readFileSync(paths['a bundle index (opens offline)']!, 'utf8')).toContain('data-chart="bundle-results"');
  });
});

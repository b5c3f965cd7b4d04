/**
 * People, spot checks, typed answers against the signed paper, and what opens an exception:
 * the permission table (roles from the roster decide every act; marketing staff none), the
 * reproducible spot-check draw, a conflict between a read form and typed answers shown side by
 * side until a reviewer decides (on a real scanned form), and the exception triggers.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exceptionTriggers } from '../src/domain/exceptions.ts';
import { ACT_LABELS, mayDo, permission, PERMISSIONS, roleOf, type Act, type Person } from '../src/domain/people.ts';
import { drawSample, type SampleCandidate } from '../src/domain/sampling.ts';
import { validateVisit } from '../src/rules/validate.ts';
import { ingest } from '../src/ingest/ingest.ts';
import { INGEST_HANDLERS } from '../src/cli/ingest-handlers.ts';
import { enterAnswers } from '../src/store/rules.ts';
import type { Workspace } from '../src/store/workspace.ts';
import { cli, formScan, GOOD_FILL, seedWorkspace, tempDir } from './ingest-helpers.ts';

const person = (role: string, isMarketing = false): Person => ({ staffId: `P-${role}`, name: role, role, isMarketing });

describe('who may do what (第四条; xx证券细则 第五条)', () => {
  it("roles come from the roster's 岗位; anyone marked 营销序列 is marketing whatever the 岗位", () => {
    expect(roleOf(person('回访专员'))).toBe('visitor');
    expect(roleOf(person('复核人员'))).toBe('reviewer');
    expect(roleOf(person('营业部负责人'))).toBe('branch-head');
    expect(roleOf(person('稽核人员'))).toBe('compliance');
    expect(roleOf(person('经办人'))).toBe('clerk');
    expect(roleOf(person('回访专员', true))).toBe('marketing');
    expect(roleOf(person('保安'))).toBeNull();
  });
  it('each act is allowed to its roles and refused to the others, with the reason', () => {
    expect(mayDo(person('复核人员'), 'review-visit')).toBe(true);
    expect(mayDo(person('回访专员'), 'review-visit')).toBe(false);
    expect(mayDo(person('回访专员'), 'enter-answers')).toBe(true);
    expect(mayDo(person('经办人'), 'ingest')).toBe(true);
    expect(mayDo(person('营业部负责人'), 'close-exception')).toBe(true);
    expect(mayDo(person('复核人员'), 'close-exception')).toBe(false);
    expect(permission(person('经办人'), 'enter-answers')).toEqual({
      allowed: false,
      reason: "经办人 (P-经办人, 经办人) may not enter customers' answers: that is for 回访专员",
    });
    expect(permission(undefined, 'ingest')).toEqual({
      allowed: false,
      reason: 'only people on the staff roster may ingest returns',
    });
  });
  it('full customer ids (reveal) are for compliance and the branch head only', () => {
    expect(mayDo(person('合规专员'), 'reveal')).toBe(true);
    expect(mayDo(person('营业部负责人'), 'reveal')).toBe(true);
    for (const r of ['回访专员', '复核人员', '经办人']) expect(mayDo(person(r), 'reveal'), r).toBe(false);
  });
  it('marketing staff may do no act at all; someone with an unknown 岗位 neither', () => {
    for (const act of Object.keys(PERMISSIONS) as Act[]) {
      expect(mayDo(person('营销人员', true), act), act).toBe(false);
      expect(mayDo(person('保安'), act), act).toBe(false);
      expect(ACT_LABELS[act]).toBeTruthy();
    }
  });
});

describe('spot checks (抽检)', () => {
  const visits: SampleCandidate[] = [
    ...Array.from({ length: 20 }, (_, i) => ({
      visitId: `HF-A${String(i).padStart(3, '0')}`,
      visitor: 'S1',
      result: 'passed' as const,
    })),
    ...Array.from({ length: 10 }, (_, i) => ({
      visitId: `HF-B${String(i).padStart(3, '0')}`,
      visitor: 'S2',
      result: i === 0 ? ('failed' as const) : i === 1 ? ('refused' as const) : ('passed' as const),
    })),
    { visitId: 'HF-C000', visitor: 'S2', result: 'pending' },
  ];
  const opts = { rate: 0.1, seed: 'nov', alwaysSample: ['failed', 'refused'] as const };
  it("draws the rate of each visitor's finished visits, plus every failed and refused one, never a pending one", () => {
    const s = drawSample(visits, { ...opts, alwaysSample: [...opts.alwaysSample] });
    expect(s.filter((v) => v.visitor === 'S1' && v.reason === 'drawn')).toHaveLength(2);
    expect(s.filter((v) => v.visitor === 'S2' && v.reason === 'always').map((v) => v.visitId)).toEqual([
      'HF-B000',
      'HF-B001',
    ]);
    expect(s.filter((v) => v.visitor === 'S2' && v.reason === 'drawn')).toHaveLength(1);
    expect(s.map((v) => v.visitId)).not.toContain('HF-C000');
  });
  it('the same seed draws the same sample; another seed another', () => {
    const a = drawSample(visits, { ...opts, alwaysSample: [...opts.alwaysSample] });
    expect(drawSample([...visits].reverse(), { ...opts, alwaysSample: [...opts.alwaysSample] })).toEqual(a);
    const draws = new Set(
      ['a', 'b', 'c', 'd', 'e'].map((seed) =>
        JSON.stringify(drawSample(visits, { ...opts, seed, alwaysSample: [] }).map((v) => v.visitId)),
      ),
    );
    expect(draws.size).toBeGreaterThan(1);
  });
});

describe('what opens an exception (异常)', () => {
  it('a failed visit, an unrecognised account event, 不满意, remarks; nothing for a clean visit', () => {
    expect(exceptionTriggers({ result: 'passed', answers: { satisfaction: 'satisfied' }, remarks: [] })).toEqual([]);
    expect(exceptionTriggers({ result: 'failed', answers: {}, remarks: [] })).toEqual(['failed']);
    expect(
      exceptionTriggers({
        result: 'passed',
        answers: { 'key.disputes-trading-history': 'yes', satisfaction: 'dissatisfied' },
        remarks: ['希望降低佣金'],
      }),
    ).toEqual(['account-event', 'dissatisfied', 'remarks']);
  });
});

describe('typed answers against the signed paper form', () => {
  let ws: Workspace;
  let visitId: string;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('conflict');
    const seeded = seedWorkspace(join(dir, 'ws'), [{ channel: 'face-to-face', visitor: 'li.visitor' }]);
    ws = seeded.ws;
    visitId = seeded.visitIds[0]!;
    const scan = join(dir, 'form.jpg');
    writeFileSync(scan, await formScan(visitId, { ...GOOD_FILL, handlerSignature: true }, { jpeg: 90 }));
    await ingest(ws, [scan], { actor: 'clerk.test', handlers: INGEST_HANDLERS });
  }, 120_000);
  afterAll(() => ws?.close());

  it('agreeing typed answers are no conflict', async () => {
    enterAnswers(ws.register, visitId, [{ questionId: 'na.opened-in-person', answer: 'yes' }], 'li.visitor');
    const v = await validateVisit(ws, visitId, { hashes: 'none' });
    expect(v.problems.map((m) => m.ruleId)).not.toContain('review/answer-conflict');
  });
  it('a typed answer that disagrees with the paper is shown side by side and holds the verdict until a reviewer decides', async () => {
    enterAnswers(ws.register, visitId, [{ questionId: 'na.opened-in-person', answer: 'no' }], 'li.visitor');
    let v = await validateVisit(ws, visitId, { hashes: 'none' });
    const conflict = v.problems.find((m) => m.ruleId === 'review/answer-conflict')!;
    expect(conflict).toMatchObject({
      severity: 'error',
      expected: 'paper 是 (yes)',
      actual: 'typed 否 (no)',
      place: { visitId, box: 'na.opened-in-person' },
    });
    expect(conflict.reason).toMatch(
      /^na\.opened-in-person: the signed form reads 是 \(yes\), typed 否 \(no\) by li\.visitor at .*; a reviewer must decide which stands$/,
    );
    expect(v.result).toBe('pending');
    expect(
      (
        await cli([
          'review',
          'conflict',
          visitId,
          '--question',
          'na.opened-in-person',
          '--keep',
          'paper',
          '--workspace',
          ws.dir,
          '--user',
          'li.visitor',
        ])
      ).status,
    ).toBe(2);
    const decided = await cli([
      'review',
      'conflict',
      visitId,
      '--question',
      'na.opened-in-person',
      '--keep',
      'paper',
      '--note',
      'the customer ticked 是 and signed',
      '--workspace',
      ws.dir,
      '--user',
      'wang.reviewer',
    ]);
    expect(decided.status, decided.stderr).toBe(0);
    v = await validateVisit(ws, visitId, { hashes: 'none' });
    expect(v.problems.map((m) => m.ruleId)).not.toContain('review/answer-conflict');
    expect(v.result).toBe('passed');
  });
});

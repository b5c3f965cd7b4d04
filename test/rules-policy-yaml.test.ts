/**
 * The firm policy written in YAML: `policy.yaml` in the workspace (or the file huifang.json's
 * `policy` key names) is read like policy.json — a deadline it sets is the deadline validate
 * holds a visit to, and its SHA-256 is the one the bundle carries — and a bad value or bad
 * YAML is refused (exit 2) naming the key and the line.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import type { Io } from '../src/cli/common.ts';
import { InputError } from '../src/domain/messages.ts';
import { loadPolicyFile } from '../src/store/policy.ts';
import { newWorkspace } from './workspace-helpers.ts';

const SAMPLES = join(import.meta.dirname, '..', 'samples');
const root = mkdtempSync(join(tmpdir(), 'huifang-policy-yaml-'));

/** New accounts visited within 10 calendar days of opening, instead of the 细则's month. */
const TEN_DAYS = `# firm policy 2026, in YAML
deadlines:
  byCategory:
    new-account:
      amount: 10
      unit: calendar-days
  holidays:
    - 2026-10-01
review:
  sampleRate: 0.25
`;

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string; json: () => any }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), interactive: false };
  const code = await main(argv, io);
  return { code, out, err, json: () => JSON.parse(out) };
}

/** A workspace with the sample roster and one letter to the customer who opened on 2026-09-18. */
async function workspaceWithLetter(name: string, policy?: { file: string; text: string }): Promise<string> {
  const ws = newWorkspace(join(root, name));
  expect((await cli('staff', 'import', join(SAMPLES, 'staff.csv'), '--workspace', ws)).code).toBe(0);
  if (policy) writeFileSync(join(ws, policy.file), policy.text);
  const lines = readFileSync(join(SAMPLES, 'customers.csv'), 'utf8').split('\r\n');
  const list = join(root, `${name}.csv`);
  writeFileSync(list, [lines[0], lines[2]].join('\r\n') + '\r\n');
  const argv = ['letters', list, '--out', join(root, `${name}-letters`), '--visitor', '周敏', '--reviewer', '沈佳怡'];
  const made = await cli(...argv, '--workspace', ws, '--json');
  expect(made.code, made.err).toBe(0);
  return ws;
}

describe('a firm policy in YAML', () => {
  beforeAll(() => {
    process.env.HUIFANG_NOW = '2026-10-05T02:00:00Z';
    delete process.env.HUIFANG_USER;
  });
  afterAll(() => delete process.env.HUIFANG_NOW);

  it("policy.yaml shortens the new-account deadline, and validate holds the visit to it (the defaults' month does not)", async () => {
    const plain = await workspaceWithLetter('plain');
    const before = (await cli('validate', '--workspace', plain, '--json')).json().visits[0];
    expect(before.dueOn).toBe('2026-10-18'); // one month from opening (第十七条)
    expect(before.problems.map((m: any) => m.ruleId)).not.toContain('deadline/overdue');

    const ws = await workspaceWithLetter('yaml', { file: 'policy.yaml', text: TEN_DAYS });
    const v = (await cli('validate', '--workspace', ws, '--json')).json().visits[0];
    expect(v.dueOn).toBe('2026-09-28'); // ten calendar days from opening on 2026-09-18
    expect(v.problems).toContainEqual(expect.objectContaining({ ruleId: 'deadline/overdue' }));
    const shown = (await cli('policy', '--workspace', ws, '--json')).json();
    expect(shown.path).toBe(join(ws, 'policy.yaml'));
    expect(shown.sha256).toBe(createHash('sha256').update(TEN_DAYS).digest('hex'));
    expect(shown.policy.review.sampleRate).toBe(0.25);
    expect(shown.policy.deadlines.holidays).toContain('2026-10-01'); // a date, not a YAML timestamp
  });

  it('the bundle records the SHA-256 of the YAML file it was built under', async () => {
    const ws = join(root, 'yaml');
    const built = await cli(
      'archive',
      '--workspace',
      ws,
      '--branch',
      '3101',
      '--period',
      '2026-10',
      '--out',
      join(root, 'bundles'),
      '--include-invalid',
      '--no-stamp',
      '--user',
      '顾文斌',
      '--json',
    );
    expect(built.code, built.err + built.out).toBe(0);
    const bag = (await cli('archive', 'extract', built.json().bundles[0], '--out', join(root, 'bags'), '--json')).json()
      .bag;
    const sha = createHash('sha256').update(TEN_DAYS).digest('hex');
    expect(readFileSync(join(bag, 'bag-info.txt'), 'utf8')).toContain(`Huifang-Policy-SHA256: ${sha}`);
  });

  it('huifang.json may name a .yml policy file; it is the one in force', async () => {
    const ws = await workspaceWithLetter('named');
    const config = JSON.parse(readFileSync(join(ws, 'huifang.json'), 'utf8'));
    writeFileSync(join(ws, 'huifang.json'), JSON.stringify({ ...config, policy: 'firm-policy.yml' }));
    writeFileSync(join(ws, 'firm-policy.yml'), TEN_DAYS);
    const shown = (await cli('policy', '--workspace', ws, '--json')).json();
    expect(shown.path).toBe(join(ws, 'firm-policy.yml'));
    expect(shown.policy.deadlines.byCategory['new-account']).toMatchObject({ amount: 10, unit: 'calendar-days' });
  });

  it('a bad value is refused (exit 2) naming its key and line', async () => {
    const ws = await workspaceWithLetter('bad');
    writeFileSync(
      join(ws, 'policy.yaml'),
      'review:\n  sampleRate: 0.1\nunreachable:\n  minAttempts: 3\n  minDays: two\n',
    );
    const r = await cli('validate', '--workspace', ws);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `${join(ws, 'policy.yaml')}, line 5, column unreachable.minDays: unreachable.minDays: expected a whole number from 1 to 20 but the file has "two"`,
    );
    const unknown = join(root, 'unknown.yaml');
    writeFileSync(unknown, 'deadlines:\n  holidays:\n    - 2026-10-01\n    - 2026-02-30\nreveiw:\n  sampleRate: 0.2\n');
    let error: InputError | undefined;
    try {
      loadPolicyFile(unknown);
    } catch (e) {
      error = e as InputError;
    }
    expect(error).toBeInstanceOf(InputError);
    expect(error!.messages.map((m) => [m.place.column, m.place.line])).toEqual([
      ['reveiw', 5],
      ['deadlines.holidays[1]', 4],
    ]);
  });

  it('YAML that does not parse is refused naming the line; so are two policy files side by side', async () => {
    const broken = join(root, 'broken.yaml');
    writeFileSync(broken, 'review:\n  sampleRate: 0.2\n  sampleRate: 0.3\n');
    const dup = await cli('policy', 'check', broken);
    expect(dup.code).toBe(2);
    expect(dup.err).toMatch(/is not valid YAML \(line 3\)/);
    expect(dup.err).toMatch(/broken\.yaml, line 3: .*[Mm]ap keys must be unique/);
    const ws = join(root, 'yaml');
    writeFileSync(join(ws, 'policy.json'), '{}');
    const both = await cli('validate', '--workspace', ws);
    expect(both.code).toBe(2);
    expect(both.err).toContain('The workspace has 2 policy files');
  });
});

/**
 * The shape of the code is enforced by the linter (eslint.config.js), not by reading: these
 * tests give it code that breaks each rule and check that it is refused, so that a change to
 * the configuration cannot switch a rule off unnoticed.
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: ROOT });

/** The rule ids the linter reports for `code` as if it were the file at `path`. */
async function rulesBroken(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe('the linter keeps the shape of the code', () => {
  it('refuses an import cycle between files', async () => {
    // src/store/register.ts imports the clock: the clock importing the register closes a cycle.
    expect(
      await rulesBroken(
        'src/env/clock.ts',
        "import { openRegister } from '../store/register.ts';\nexport const x = openRegister;\n",
      ),
    ).toContain('import-x/no-cycle');
  });

  it("refuses an import against the folders' order (scan may not import ingest)", async () => {
    expect(
      await rulesBroken(
        'src/scan/probe.ts',
        "import { ingest } from '../ingest/ingest.ts';\nexport const x = ingest;\n",
      ),
    ).toContain('import-x/no-restricted-paths');
  });

  it('keeps src/domain free of I/O and of the other stages', async () => {
    const broken = await rulesBroken(
      'src/domain/probe.ts',
      "import { readFileSync } from 'node:fs';\nimport { nowIso } from '../env/clock.ts';\nexport const x = [readFileSync, nowIso];\n",
    );
    expect(broken.filter((r) => r === 'no-restricted-imports')).toHaveLength(2);
  });

  it('lets only src/store open the database', async () => {
    expect(
      await rulesBroken('src/rules/probe.ts', "import Database from 'better-sqlite3';\nexport const x = Database;\n"),
    ).toContain('no-restricted-imports');
    expect(
      await rulesBroken('src/store/probe.ts', "import Database from 'better-sqlite3';\nexport const x = Database;\n"),
    ).toEqual([]);
  });

  it('keeps the register sealed: only src/store reaches its SQL', async () => {
    const code = "import { sqlOf } from '../store/sql.ts';\nexport const x = sqlOf;\n";
    expect(await rulesBroken('src/rules/probe.ts', code)).toContain('import-x/no-restricted-paths');
    expect(await rulesBroken('src/cli/probe.ts', code)).toContain('import-x/no-restricted-paths');
    expect(
      await rulesBroken('src/store/probe.ts', "import { sqlOf } from './sql.ts';\nexport const x = sqlOf;\n"),
    ).toEqual([]);
  });

  it('refuses a function of more than 60 lines in src/', async () => {
    const body = Array.from({ length: 61 }, (_, i) => `  n += ${i};`).join('\n');
    expect(
      await rulesBroken(
        'src/domain/probe.ts',
        `export function long(): number {\n  let n = 0;\n${body}\n  return n;\n}\n`,
      ),
    ).toContain('max-lines-per-function');
  });

  it('accepts code that keeps the rules', async () => {
    expect(await rulesBroken('src/domain/probe.ts', 'export const x = 1;\n')).toEqual([]);
  });
});

/**
 * The command line: the table of commands agrees with the modules' own command strings,
 * only the named command's module is loaded, and help, version and mistakes are answered
 * in huifang's own words.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { COMMANDS, commandName, findCommand, GLOBAL_OPTIONS } from '../src/cli/commands.ts';
import { main } from '../src/cli/main.ts';
import type { Io } from '../src/cli/common.ts';

const nameOf = (command: string): string => command.split(' ')[0]!;

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), interactive: false };
}

describe('the command table', () => {
  it('finds the command name after global options, also one with a value', () => {
    expect(commandName(['verify', 'b.zip'])).toBe('verify');
    expect(commandName(['--workspace', 'ingest', 'validate', '--json'])).toBe('validate');
    expect(commandName(['--json', 'keys', 'create'])).toBe('keys');
    expect(commandName(['--help'])).toBeUndefined();
  });

  it('loads each command under the name that selects it', async () => {
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
    for (const c of COMMANDS) expect(nameOf((await c.load()).command)).toBe(c.name);
    expect(findCommand('verfy')).toBeUndefined();
  }, 60_000);

  it("gives no command an option or argument named like one every command takes (it would swallow the other's value)", async () => {
    const global = new Set(GLOBAL_OPTIONS.map((o) => o.name));
    for (const c of COMMANDS) {
      const parser = yargs([]);
      (await c.load()).builder(parser);
      const own = Object.keys(
        (parser as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key,
      );
      expect(
        own.filter((name) => global.has(name)),
        c.name,
      ).toEqual([]);
    }
  }, 60_000);
});

describe('answers without a command', () => {
  it('lists every command for --help, and exits 0', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    const help = io.stdout.join('\n');
    for (const c of COMMANDS) expect(help).toMatch(new RegExp(`^  ${c.name} `, 'm'));
    expect(help).toContain('--workspace DIR');
  });

  it('prints the version from package.json', async () => {
    const io = capture();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.stdout.join('')).toMatch(/^huifang \d+\.\d+\.\d+$/);
  });

  it('suggests the nearest command for a misspelt one, exit 2', async () => {
    const io = capture();
    expect(await main(['verfy', 'b.zip'], io)).toBe(2);
    expect(io.stderr.join('\n')).toContain('there is no command "verfy". Did you mean "verify"?');
    const far = capture();
    expect(await main(['xyzzyplugh'], far)).toBe(2);
    expect(far.stderr.join('\n')).not.toContain('Did you mean');
  });

  it('suggests the nearest option for a misspelt one, and does nothing else', async () => {
    const io = capture();
    expect(await main(['validate', '--jsno'], io)).toBe(2);
    expect(io.stderr.join('\n')).toContain('there is no option --jsno. Did you mean --json?');
  });

  it("words a missing argument in huifang's words, not yargs'", async () => {
    const io = capture();
    expect(await main(['verify'], io)).toBe(2);
    const text = io.stderr.join('\n');
    expect(text).toContain('missing argument: got 0, this command needs at least 1');
    expect(text).not.toContain('non-option');
  });
});

describe('errors from the operating system', () => {
  it('names the path and says what is wrong in words, never the raw code', async () => {
    const io = capture();
    const code = await main(
      ['staff', 'import', '/nonexistent/roster.csv', '--workspace', '/tmp/huifang-no-such-ws-test'],
      io,
    );
    const text = io.stderr.join('\n');
    expect(code).toBe(2);
    expect(text).toContain('/nonexistent/roster.csv');
    expect(text).not.toMatch(/ENOENT|errno|syscall/);
  });
});

describe('a reader that stops early', () => {
  it('`huifang validate | head -c 1` ends quietly, without an EPIPE trace', async () => {
    const { BIN, seedWorkspace, tempDir } = await import('./ingest-helpers.ts');
    const dir = tempDir('epipe');
    const { ws } = seedWorkspace(
      join(dir, 'ws'),
      Array.from({ length: 200 }, () => ({})),
    );
    ws.close();
    for (let i = 0; i < 3; i++) {
      const r = spawnSync(
        'sh',
        ['-c', `"${process.execPath}" "${BIN}" validate --workspace "${join(dir, 'ws')}" | head -c 1`],
        { encoding: 'utf8' },
      );
      expect(r.stdout).toHaveLength(1);
      expect(r.stderr).not.toMatch(/EPIPE|Error|at /);
    }
  }, 120_000);
});

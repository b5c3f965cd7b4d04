/**
 * The command line loads only the module of the command it names, and the table of names
 * agrees with the modules' own command strings.
 */
import { describe, expect, it } from 'vitest';
import { allCommands, commandsFor } from '../src/cli/commands.ts';

const nameOf = (command: string): string => command.split(' ')[0]!;

describe('commandsFor', () => {
  it('loads just the named command, also after a global option with a value', async () => {
    expect((await commandsFor(['verify', 'b.zip'])).map((m) => nameOf(m.command))).toEqual(['verify']);
    expect((await commandsFor(['--workspace', 'ingest', 'validate', '--json'])).map((m) => nameOf(m.command))).toEqual(['validate']);
    expect((await commandsFor(['--json', 'keys', 'create'])).map((m) => nameOf(m.command))).toEqual(['keys']);
  });

  it('loads every command for help or an unknown name, each under the name that selects it', async () => {
    const all = (await allCommands()).map((m) => nameOf(m.command));
    expect(all).toHaveLength(17);
    expect(new Set(all).size).toBe(17);
    expect((await commandsFor(['--help'])).map((m) => nameOf(m.command))).toEqual(all);
    expect((await commandsFor(['verfy'])).map((m) => nameOf(m.command))).toEqual(all);
    for (const name of all) expect((await commandsFor([name])).map((m) => nameOf(m.command))).toEqual([name]);
  }, 60_000);
});

/**
 * `huifang` — parses the command line and runs one sub-command.
 *
 * Thin: every command is a module in this folder that calls a stage's library functions.
 * `huifang --help`, `--version` and a misspelt command name are answered from the command
 * table alone, before yargs or any command module is loaded, so they answer at once.
 */
import { readFileSync } from 'node:fs';
import { closest, distance } from 'fastest-levenshtein';
import {
  COMMANDS,
  commandName,
  findCommand,
  GLOBAL_OPTIONS,
  globalOptionValue,
  type CommandEntry,
} from './commands.ts';
import type { CommandModule } from './common.ts';
import { EXIT_BAD_INPUT, EXIT_OK, processIo, type Io } from './io.ts';

const TITLE = 'huifang (回访): customer callback visits — letters, forms, returned scans, rules, archive bundles';

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const name = commandName(argv);
  if (name === undefined) return answerWithoutCommand(argv, io);
  const entry = findCommand(name);
  if (!entry) return usageFailure(io, argv, unknownCommand(name));
  return runEntry(entry, argv, io);
}

/** `huifang`, `huifang --help`, `huifang --version`: no command named. */
function answerWithoutCommand(argv: string[], io: Io): number {
  if (argv.includes('--version') || argv.includes('-V')) {
    io.out(version());
    return EXIT_OK;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(topHelp());
    return EXIT_OK;
  }
  const known = [...GLOBAL_OPTIONS.map((o) => o.name), 'help', 'version'];
  const unknown = argv.find((a) => a.startsWith('-') && !known.includes(a.replace(/^-+/, '').split('=')[0]!));
  if (unknown) return usageFailure(io, argv, unknownOption(unknown, known));
  return usageFailure(io, argv, 'name a command; `huifang --help` lists them.');
}

/** Parses the whole command line for one command, then runs it. */
async function runEntry(entry: CommandEntry, argv: string[], io: Io): Promise<number> {
  // A register on a server is connected to while the command loads; nothing is opened for help.
  const { connectRegisterEarly, forgetEarlyConnection, workspacePath } = await import('../store/workspace.ts');
  if (!argv.includes('--help') && !argv.includes('-h'))
    connectRegisterEarly(workspacePath(globalOptionValue(argv, 'workspace')), globalOptionValue(argv, 'register'));
  try {
    return await parseAndRun(entry, argv, io);
  } finally {
    forgetEarlyConnection();
  }
}

async function parseAndRun(entry: CommandEntry, argv: string[], io: Io): Promise<number> {
  const m = await entry.load();
  const { default: yargs } = await import('yargs');
  let failure: string | undefined;
  let chosen: unknown;
  const parser = yargs(argv)
    .scriptName('huifang')
    .usage(`${TITLE}\n\nUsage: $0 <command> [options]`)
    .strict()
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      failure ??= msg || err?.message || 'bad usage';
    });
  for (const o of GLOBAL_OPTIONS) {
    parser.option(o.name, {
      type: o.value ? 'string' : 'boolean',
      describe: o.describe,
      global: true,
      ...(o.value ? {} : { default: false }),
    });
  }
  // y18n takes plural forms as { one, other } although the typings say string.
  parser.updateStrings(USAGE_WORDING as unknown as Record<string, string>);
  // The command runs only once the whole command line has been checked (unknown options,
  // bad choices, missing arguments), so that a typo never leaves work half-done. It is given
  // no handler here: with one, yargs renders the command's whole help text on every run.
  parser.command(m.command, entry.describe, m.builder);
  try {
    chosen = await parser.parseAsync();
  } catch (e) {
    failure ??= e instanceof Error ? e.message : String(e);
  }
  if (failure) return usageFailure(io, argv, explainUsage(failure, optionNames(parser)));
  if (chosen === undefined || (chosen as { help?: unknown }).help === true) return EXIT_OK; // --help was shown
  const { runCommand } = await import('./common.ts');
  return runCommand(m as CommandModule<any>, chosen as never, io, main);
}

/** The option names the parser knows (yargs keeps them; its typings do not say so). */
function optionNames(parser: unknown): string[] {
  const p = parser as { getOptions?: () => { key?: Record<string, unknown> } };
  return Object.keys(p.getOptions?.().key ?? {});
}

function usageFailure(io: Io, argv: readonly string[], message: string): number {
  if (argv.includes('--json')) io.out(JSON.stringify({ error: message }, null, 2));
  io.err(
    `huifang: ${message}\nRun \`huifang --help\` for the commands and \`huifang <command> --help\` for their options.`,
  );
  return EXIT_BAD_INPUT;
}

function unknownCommand(name: string): string {
  const names = COMMANDS.map((c) => c.name);
  const near = closest(name, names);
  const hint = distance(name, near) <= Math.max(2, Math.floor(near.length / 3)) ? ` Did you mean "${near}"?` : '';
  return `there is no command "${name}".${hint}`;
}

function unknownOption(option: string, known: readonly string[]): string {
  const bare = option.replace(/^-+/, '').split('=')[0]!;
  const candidates = known.filter((k) => k.length > 1 && !/[A-Z]/.test(k));
  const near = candidates.length ? closest(bare, candidates) : undefined;
  const hint =
    near && distance(bare, near) <= Math.max(2, Math.floor(near.length / 3)) ? ` Did you mean --${near}?` : '';
  return `there is no option ${option.startsWith('-') ? option : `--${bare}`}.${hint}`;
}

/** Turns yargs' wording for an unknown option into one that names the nearest real one. */
function explainUsage(message: string, known: readonly string[]): string {
  const unknown = /^unknown options?: (.*)$/i.exec(message);
  if (!unknown) return message;
  return unknown[1]!
    .split(', ')
    .map((o) => unknownOption(o, known))
    .join(' ');
}

/** yargs' messages in the words the rest of huifang uses. */
const USAGE_WORDING = {
  'Not enough non-option arguments: got %s, need at least %s': {
    one: 'missing argument: got %s, this command needs at least %s (see its --help)',
    other: 'missing argument: got %s, this command needs at least %s (see its --help)',
  },
  'Too many non-option arguments: got %s, maximum of %s': {
    one: 'too many arguments: got %s, this command takes at most %s',
    other: 'too many arguments: got %s, this command takes at most %s',
  },
  'Missing argument value: %s': { one: 'the option --%s needs a value', other: 'these options need values: %s' },
  'Missing required argument: %s': { one: 'the option --%s is required', other: 'these options are required: %s' },
  'Unknown argument: %s': { one: 'unknown option: %s', other: 'unknown options: %s' },
  'Invalid values:': 'not an accepted value:',
  'Argument: %s, Given: %s, Choices: %s': '--%s was given %s; choose one of %s',
  'Arguments %s and %s are mutually exclusive': '--%s and --%s cannot be used together',
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `huifang ${pkg.version}`;
}

function topHelp(): string {
  const width = Math.min(110, process.stdout.columns || 100);
  const pad = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  const lines = [TITLE, '', 'Usage: huifang <command> [options]', '', 'Commands:'];
  for (const c of COMMANDS) lines.push(...wrap(`  ${c.name.padEnd(pad)}`, c.describe, width));
  const options: [string, string][] = [
    ...GLOBAL_OPTIONS.map((o): [string, string] => [`--${o.name}${o.value ? ` ${o.value}` : ''}`, o.describe]),
    ['--help, -h', "show help; `huifang <command> --help` shows a command's options"],
    ['--version', 'show the version'],
  ];
  const optionPad = Math.max(...options.map(([label]) => label.length)) + 2;
  lines.push('', 'Options of every command:');
  for (const [label, text] of options) lines.push(...wrap(`  ${label.padEnd(optionPad)}`, text, width));
  return lines.join('\n');
}

/** A label and a text wrapped to the width, continuation lines indented under the text. */
function wrap(label: string, text: string, width: number): string[] {
  const room = Math.max(30, width - label.length);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.map((l, i) => (i === 0 ? label : ' '.repeat(label.length)) + l);
}

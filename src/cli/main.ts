/**
 * `huifang` — parses the command line with yargs and runs one sub-command.
 * Thin: every command is a module in this folder that calls a stage's library functions.
 */
import yargs from 'yargs';
import { commandsFor } from './commands.ts';
import { EXIT_BAD_INPUT, processIo, runCommand, type CommandModule, type Io } from './common.ts';

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let exitCode = 0;
  let usageFailure: string | undefined;
  let parser = yargs(argv)
    .scriptName('huifang')
    .usage('huifang (回访): customer callback visits — letters, forms, returned scans, rules, archive bundles\n\nUsage: $0 <command> [options]')
    .option('workspace', {
      type: 'string',
      describe: 'workspace folder holding the register and stored files (default ./huifang-workspace, or $HUIFANG_WORKSPACE)',
      global: true,
    })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON document on standard output', global: true })
    .option('reveal', { type: 'boolean', default: false, describe: 'full customer ids and phone numbers in --json (compliance 合规/稽核 and branch heads 营业部负责人 on the staff roster only)', global: true })
    .strict()
    .demandCommand(1, 'Name a command; `huifang --help` lists them.')
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      usageFailure = msg || err?.message || 'bad usage';
    });
  // The command is only chosen while parsing; it runs once the whole command line has been
  // checked (unknown options, bad choices, missing arguments), so that a typo never leaves
  // work half-done behind a usage error.
  let chosen: { m: CommandModule<any>; args: unknown } | undefined;
  for (const m of await commandsFor(argv)) {
    parser = parser.command(m.command, m.describe, m.builder, (args) => {
      chosen = { m, args };
    });
  }
  try {
    await parser.parseAsync();
  } catch (e) {
    usageFailure ??= e instanceof Error ? e.message : String(e);
  }
  if (usageFailure) {
    if (argv.includes('--json')) io.out(JSON.stringify({ error: usageFailure }, null, 2));
    io.err(`huifang: ${usageFailure}\nRun \`huifang --help\` for the commands and their options.`);
    return EXIT_BAD_INPUT;
  }
  if (chosen) exitCode = await runCommand(chosen.m, chosen.args as never, io);
  return exitCode;
}

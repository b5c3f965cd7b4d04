/**
 * The sub-commands of `huifang`, one module each. Add a command by adding its module here.
 *
 * A command's module is loaded only when it is the one named on the command line (every
 * module for `huifang --help` or a misspelt name): the stages behind the commands bring
 * large libraries (PDF, images, spreadsheets, mail), and `huifang verify` should not pay
 * for `letters` in start-up time and memory.
 */
import type { CommandModule } from './common.ts';

type Loader = () => Promise<CommandModule<any>>;

/** Command name → its module, in the order `huifang --help` lists them. */
const LOADERS: [name: string, load: Loader][] = [
  ['letters', async () => (await import('./letters.ts')).lettersCommand],
  ['forms', async () => (await import('./letters.ts')).formsCommand],
  ['ingest', async () => (await import('./ingest.ts')).ingestCommand],
  ['review', async () => (await import('./review.ts')).reviewCommand],
  ['quarantine', async () => (await import('./quarantine.ts')).quarantineCommand],
  ['pages', async () => (await import('./pages.ts')).pagesCommand],
  ['mailing', async () => (await import('./mailing.ts')).mailingCommand],
  ['attach', async () => (await import('./attach.ts')).attachCommand],
  ['answers', async () => (await import('./answers.ts')).answersCommand],
  ['validate', async () => (await import('./validate.ts')).validateCommand],
  ['staff', async () => (await import('./staff.ts')).staffCommand],
  ['archive', async () => (await import('./archive.ts')).archiveCommand],
  ['verify', async () => (await import('./verify.ts')).verifyCommand],
  ['keys', async () => (await import('./keys.ts')).keysCommand],
  ['report', async () => (await import('./report.ts')).reportCommand],
  ['simulate', async () => (await import('./simulate.ts')).simulateCommand],
  ['demo', async () => (await import('./demo.ts')).demoCommand],
];

/** Global options that take a value (so that their value is not taken for the command's name). */
const VALUE_OPTIONS = new Set(['--workspace']);

/** The modules of the command named in `argv`, or of every command when none is named. */
export async function commandsFor(argv: readonly string[]): Promise<CommandModule<any>[]> {
  let name: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    name = a;
    break;
  }
  const one = LOADERS.find(([n]) => n === name);
  return one ? [await one[1]()] : allCommands();
}

/** Every command's module. */
export function allCommands(): Promise<CommandModule<any>[]> {
  return Promise.all(LOADERS.map(([, load]) => load()));
}

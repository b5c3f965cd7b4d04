/**
 * The sub-commands of `huifang`, one module each. Add a command by adding a row here.
 *
 * The table holds what `huifang --help` lists (name and what the command does), so the
 * command list, `--version` and "did you mean" for a misspelt name need no command module
 * at all. A command's module is loaded only when it is the one named on the command line:
 * the stages behind the commands bring large libraries (PDF, images, spreadsheets, mail).
 */
import type { CommandModule } from './common.ts';

type Loader = () => Promise<CommandModule<any>>;

export interface CommandEntry {
  name: string;
  /** What the command does, in a line: shown by `huifang --help` and `huifang <name> --help`. */
  describe: string;
  load: Loader;
}

/** Every command, in the order `huifang --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'init',
    describe: "make a new workspace (register, stored files and the firm's settings in huifang.json)",
    load: async () => (await import('./init.ts')).initCommand,
  },
  {
    name: 'letters',
    describe:
      'register one visit per customer in <list> (CSV or XLSX), or per planned visit (--plan), and render callback letters (回访函) with the record form as last page, batch print PDFs and a listing',
    load: async () => (await import('./letters.ts')).lettersCommand,
  },
  {
    name: 'forms',
    describe:
      'register one visit per customer in <list> (CSV or XLSX), or per planned visit (--plan), and render face-to-face record forms (客户回访记录表), batch print PDFs and a listing',
    load: async () => (await import('./letters.ts')).formsCommand,
  },
  {
    name: 'accounts',
    describe: 'import the account population for planning (accounts import FILE): CSV (UTF-8 or GBK) or XLSX',
    load: async () => (await import('./accounts.ts')).accountsCommand,
  },
  {
    name: 'events',
    describe: 'import account events for planning (events import FILE): closures, idle accounts, large transfers, …',
    load: async () => (await import('./accounts.ts')).eventsCommand,
  },
  {
    name: 'plan',
    describe:
      'plan the visits the rules require in a year: new accounts, events, key customers, samples of existing and margin customers',
    load: async () => (await import('./plan.ts')).planCommand,
  },
  {
    name: 'coverage',
    describe:
      'coverage of a year per branch: new accounts, existing and margin ratios, key customers, events, who is missing',
    load: async () => (await import('./coverage.ts')).coverageCommand,
  },
  {
    name: 'ingest',
    describe: 'store and read returned scans (JPEG, PNG, TIFF, PDF), e-mails and folders of them',
    load: async () => (await import('./ingest.ts')).ingestCommand,
  },
  {
    name: 'review',
    describe:
      'the review queue: list what the machine was unsure of with its picture, confirm, correct or reopen it, write a review sheet; approve or return a whole visit (复核); draw a spot check (抽检)',
    load: async () => (await import('./review.ts')).reviewCommand,
  },
  {
    name: 'quarantine',
    describe: 'list the pages ingest could not place, with their reasons',
    load: async () => (await import('./quarantine.ts')).quarantineCommand,
  },
  {
    name: 'pages',
    describe: 'received pages: move them to another visit or kind, list them, or list those no kind was found for',
    load: async () => (await import('./pages.ts')).pagesCommand,
  },
  {
    name: 'mailing',
    describe: "record mailed letters' postal tracking numbers, so that postal receipts file themselves",
    load: async () => (await import('./mailing.ts')).mailingCommand,
  },
  {
    name: 'attach',
    describe:
      'add evidence to a visit by hand: recordings, envelopes, postal receipts, e-questionnaires, e-mails, other documents',
    load: async () => (await import('./attach.ts')).attachCommand,
  },
  {
    name: 'answers',
    describe: "enter a phone or e-mail visit's answers, or record a refusal or an unreachable customer",
    load: async () => (await import('./answers.ts')).answersCommand,
  },
  {
    name: 'attempt',
    describe: 'log a try to reach the customer (call, e-mail, letter, visit) and its outcome',
    load: async () => (await import('./attempt.ts')).attemptCommand,
  },
  {
    name: 'exception',
    describe: 'exceptions (异常): list them with their age, show one, record cause and measures, escalate, close',
    load: async () => (await import('./exception.ts')).exceptionCommand,
  },
  {
    name: 'policy',
    describe: 'show the firm policy in force (with the article behind each default), or check a policy file',
    load: async () => (await import('./policy.ts')).policyCommand,
  },
  {
    name: 'validate',
    describe: 'check every visit against the rules: result, evidence, review, deadline, separation of duties',
    load: async () => (await import('./validate.ts')).validateCommand,
  },
  {
    name: 'staff',
    describe: 'import or list the staff roster used to check separation of duties',
    load: async () => (await import('./staff.ts')).staffCommand,
  },
  {
    name: 'archive',
    describe:
      'build archive bundles (BagIt zips) of a branch and period; `archive due|list|hold|release` for retention; `archive extract` to unpack one',
    load: async () => (await import('./archive.ts')).archiveCommand,
  },
  {
    name: 'verify',
    describe:
      'check a bundle (zip) or any BagIt bag: checksums, completeness, index, evidence, retention, chain, signature',
    load: async () => (await import('./verify.ts')).verifyCommand,
  },
  {
    name: 'keys',
    describe: 'signing keys for bundles: `keys create --out NAME`, `keys show FILE`',
    load: async () => (await import('./keys.ts')).keysCommand,
  },
  {
    name: 'report',
    describe:
      'period report: visits by result, category and channel, on-time and return rates, exceptions, review queue, visitors, failed visits to sign',
    load: async () => (await import('./report.ts')).reportCommand,
  },
  {
    name: 'simulate',
    describe: 'make realistic returned scans and e-mails, with ground truth, from rendered letters and forms',
    load: async () => (await import('./simulate.ts')).simulateCommand,
  },
  {
    name: 'demo',
    describe:
      'the product as it is meant to be used, on the bundled samples, in a fresh folder (what `npm start` does)',
    load: async () => (await import('./demo.ts')).demoCommand,
  },
];

/** An option every command takes. */
export interface GlobalOption {
  name: string;
  /** Takes a value (`--workspace DIR`), so the word after it is not the command's name. */
  value?: string;
  describe: string;
}

/** The options every command takes: registered with yargs, listed by `huifang --help`. */
export const GLOBAL_OPTIONS: readonly GlobalOption[] = [
  {
    name: 'workspace',
    value: 'DIR',
    describe:
      'workspace folder holding the register and stored files (default ./huifang-workspace, or $HUIFANG_WORKSPACE)',
  },
  {
    name: 'files',
    value: 'DIR',
    describe:
      "folder of the stored files, shared by every clerk's machine (default: the workspace's huifang.json, or $HUIFANG_FILES)",
  },
  {
    name: 'register',
    value: 'URL',
    describe:
      'the register: a PostgreSQL URL (postgres://USER@HOST/DB?schema=NAME) shared by clerks, or a SQLite file (default: $HUIFANG_REGISTER, "register" in huifang.json, else the workspace\'s own file)',
  },
  { name: 'json', describe: 'print one JSON document on standard output' },
  {
    name: 'reveal',
    describe:
      'full customer ids and phone numbers in --json (compliance 合规/稽核 and branch heads 营业部负责人 on the staff roster only)',
  },
];

const GLOBAL_VALUE_OPTIONS = GLOBAL_OPTIONS.filter((o) => o.value).map((o) => `--${o.name}`);

/** The first word of the command line that is not an option: the command's name, if any. */
export function commandName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return undefined;
    if (a.startsWith('-')) {
      if (GLOBAL_VALUE_OPTIONS.includes(a)) i++;
      continue;
    }
    return a;
  }
  return undefined;
}

/** The value of a global option on the command line (`--name VALUE` or `--name=VALUE`), before yargs reads it. */
export function globalOptionValue(
  argv: readonly string[],
  name: 'workspace' | 'files' | 'register',
): string | undefined {
  for (let i = 0; i < argv.length && argv[i] !== '--'; i++) {
    const a = argv[i]!;
    if (a === `--${name}`) return argv[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

/** The table's row for a command name. */
export function findCommand(name: string | undefined): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}

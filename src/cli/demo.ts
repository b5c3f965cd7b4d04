/**
 * `huifang demo` (what `npm start` runs): the whole pipeline on the bundled samples, in a
 * fresh workspace under `out/demo/`, through the same commands a clerk would type. Each step
 * prints the command and a summary of what it did; the full JSON of every step is kept in
 * `out/demo/steps/` for a closer look.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { PROJECT_ROOT } from '../render/templates.ts';
import { today } from '../env/clock.ts';
import { defineCommand, EXIT_BAD_INPUT, EXIT_OK, type Io } from './common.ts';

interface DemoArgs {
  out: string;
  count: number;
}

type Json = Record<string, any>;

export const demoCommand = defineCommand<DemoArgs>({
  command: 'demo',
  describe: 'run the whole pipeline on the bundled samples in a fresh workspace (what `npm start` does)',
  builder: (y) =>
    y
      .option('out', { type: 'string', default: 'out/demo', describe: 'folder for the demo (emptied first)' })
      .option('count', { type: 'number', default: 24, describe: 'how many returned forms to simulate' }),
  // eslint-disable-next-line max-lines-per-function -- still to be split into named steps (docs/architecture.md)
  run: async ({ args, io, huifang: main }) => {
    const root = resolve(args.out);
    if (existsSync(root) && existsSync(join(root, 'ws')) === false && existsSync(join(root, 'steps')) === false) {
      io.err(`huifang: ${root} exists and is not a demo folder; name another with --out.`);
      return EXIT_BAD_INPUT;
    }
    rmSync(root, { recursive: true, force: true });
    mkdirSync(join(root, 'steps'), { recursive: true });
    const ws = join(root, 'ws');
    const samples = join(PROJECT_ROOT, 'samples');
    const show = (p: string) => relative(process.cwd(), p) || '.';
    let stepNo = 0;

    /** Runs one command as a clerk would, with --json; keeps its output; returns it parsed. */
    const step = async (title: string, argv: string[]): Promise<{ code: number; json: Json }> => {
      stepNo++;
      io.out(`\n${stepNo}. ${title}\n   $ huifang ${argv.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
      let out = '';
      const captured: Io = { out: (t) => (out += t + '\n'), err: (t) => io.err(`   ${t.trimEnd()}`), interactive: false };
      const code = await main([...argv, '--workspace', ws, '--json'], captured);
      writeFileSync(join(root, 'steps', `${String(stepNo).padStart(2, '0')}-${argv[0]}.json`), out);
      let json: Json = {};
      try {
        json = JSON.parse(out) as Json;
      } catch {
        io.out(`   (no JSON output; exit ${code})`);
      }
      return { code, json };
    };
    const say = (line: string) => io.out(`   ${line}`);

    const staff = await step('Import the staff roster (who is marketing staff, 营销人员)', ['staff', 'import', join(samples, 'staff.csv')]);
    if (staff.code === EXIT_BAD_INPUT) return staff.code;
    say(`roster imported: ${JSON.stringify(staff.json.added ?? staff.json.staff?.length ?? '')} staff`);

    const letters = await step('Register visits and print callback letters (书面信函回访)', ['letters', join(samples, 'customers.csv'), '--category', 'new-account', '--out', join(root, 'letters'), '--docx', '--visitor', '周敏', '--seed', 'demo']);
    if (letters.code !== EXIT_OK) return letters.code;
    say(`${letters.json.visits.length} visits; letter PDFs and DOCX under ${show(join(root, 'letters'))}/<branch>/`);
    for (const b of letters.json.batches as string[]) say(`batch print file: ${show(b)}`);

    const simulate = await step('Simulate what customers mail back: filled, signed, stamped, scanned forms with envelopes and receipts', ['simulate', join(root, 'letters'), '--out', join(root, 'returns'), '--seed', '7', '--count', String(args.count)]);
    if (simulate.code === EXIT_BAD_INPUT) return simulate.code;
    say(`${simulate.json.files?.length ?? 0} scan files, ${simulate.json.pageCount ?? '?'} pages, ground truth beside each, in ${show(join(root, 'returns'))}`);

    const ingest = await step('Ingest the returned scans and the sample e-mails', ['ingest', join(root, 'returns'), join(samples, 'emails'), '--user', '顾文斌']);
    if (ingest.code === EXIT_BAD_INPUT) return ingest.code;
    const files = (ingest.json.files ?? []) as Json[];
    const pages = files.flatMap((f) => (f.pages ?? []) as Json[]);
    say(`${files.length} files stored, ${pages.length} pages placed on visits, ${(ingest.json.quarantined ?? []).length} quarantined, ${ingest.json.reviewPending ?? 0} decisions await review`);
    for (const q of ((ingest.json.quarantined ?? []) as Json[]).slice(0, 5)) say(`quarantined: ${show(q.path)} page ${q.page ?? '-'}: ${q.reason}`);

    const review = await step('The review queue: what the machine was not sure of', ['review', 'list']);
    const items = (review.json.items ?? []) as Json[];
    say(`${items.length} open review items${items.length ? '; e.g.' : ''}`);
    for (const item of items.slice(0, 3)) say(`  ${item.id ?? item.itemId}: ${item.visitId} ${item.subject} — ${item.reason}`);

    const validate = await step('Validate every visit against the rules (evidence, results, deadlines, separation of duties)', ['validate']);
    const s = (validate.json.summary ?? {}) as Json;
    say(`${s.visits} visits: ${s.ok} ok, ${s.withProblems} with problems; passed ${s.passed}, failed ${s.failed}, pending ${s.pending}; ${(validate.json.exceptions ?? []).length} exceptions (异常) to report`);
    const ruleCounts = new Map<string, number>();
    for (const v of (validate.json.visits ?? []) as Json[]) for (const m of v.problems as Json[]) if (m.severity === 'error') ruleCounts.set(m.ruleId, (ruleCounts.get(m.ruleId) ?? 0) + 1);
    for (const [rule, n] of [...ruleCounts].sort((a, b) => b[1] - a[1]).slice(0, 6)) say(`  ${n}× ${rule}`);

    const period = today().slice(0, 7);
    const branches = [...new Set((letters.json.visits as Json[]).map((v) => v.branch as string))].sort();
    const keys = await step('Create a signing key for the bundles', ['keys', 'create', '--out', join(root, 'keys')]);
    const privateKey = keys.json.privateKey ?? keys.json.privateKeyPath;
    const publicKey = keys.json.publicKey ?? keys.json.publicKeyPath;
    for (const branch of branches) {
      const archive = await step(`Archive branch ${branch} for ${period} (visits that fail validation included, and the bundle says so)`, [
        'archive', '--branch', branch, '--period', period, '--out', join(root, 'bundles'), '--include-invalid', ...(privateKey ? ['--sign', privateKey] : []),
      ]);
      for (const bundle of (archive.json.bundles ?? []) as string[]) {
        say(`bundle: ${show(bundle)}`);
        const verify = await step(`Verify the bundle as an auditor would`, ['verify', bundle, ...(publicKey ? ['--key', publicKey] : [])]);
        const problems = (verify.json.problems ?? []) as Json[];
        const errors = problems.filter((p) => p.severity === 'error');
        say(verify.json.ok ? `verified: every checksum, file, index entry, evidence rule, the retention date and the signature` : `verify found ${errors.length} problems (see ${show(join(root, 'steps'))})`);
        for (const p of errors.slice(0, 3)) say(`  ${p.path}: ${p.problem}`);
        const warnings = problems.filter((p) => p.severity !== 'error');
        if (warnings.length) say(`${warnings.length} warnings, recorded in the bundle: e.g. ${warnings[0]!.path}: ${warnings[0]!.problem}`);
        const extracted = await step('Unpack it to browse the index (index.html opens offline)', ['archive', 'extract', bundle, '--out', join(root, 'bags')]);
        if (extracted.json.indexHtml) say(`open in a browser: ${extracted.json.indexHtml}`);
      }
    }
    io.out(`\nDone. Everything is under ${show(root)} (workspace ${show(ws)}; each step's JSON in ${show(join(root, 'steps'))}).`);
    return EXIT_OK;
  },
});

/**
 * `huifang demo` (what `npm start` runs): the product as it is meant to be used, on the
 * bundled samples, in a fresh workspace under `out/demo/` made with `huifang init --config
 * samples/firm.json`, through the same commands each person would type, each with `--user`:
 * the roster is imported (roles decide who may do what), each branch's visitor prints
 * letters naming the branch's reviewer, customers mail the forms back (simulated, with
 * return envelopes and postal receipts), a clerk records the post office's mailing list and
 * ingests the returns (forms and envelopes find their visits by their QR codes, receipts by
 * their barcodes), the reviewer decides what the machine was unsure of and approves the
 * visits whose evidence is whole (复核), the branch head handles a failed visit's exception,
 * the period report is written, and the bundles are built and verified as an auditor would.
 * It ends with where to look.
 *
 * The demo is a list of named steps (`DEMO_STEPS`); a step gets the shared context and adds
 * what later steps need to `ctx.state`. The customers' opening dates are set relative to
 * today, so deadlines read as they would in a real month. Each step's JSON is kept in
 * `out/demo/steps/`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { readCsv } from '../formats/csv.ts';
import { PROJECT_ROOT } from '../render/templates.ts';
import { today } from '../env/clock.ts';
import { defineCommand, EXIT_BAD_INPUT, EXIT_OK, type Io, type RunHuifang } from './common.ts';

type Json = Record<string, any>;

/** What every demo step shares. */
export interface DemoContext {
  io: Io;
  /** The demo folder (emptied first) and the workspace in it. */
  root: string;
  ws: string;
  samples: string;
  /** Runs `huifang <argv> --workspace ws --json`, keeps its JSON in steps/, returns it parsed. */
  run(argv: string[], label?: string): Promise<{ code: number; json: Json }>;
  /** A line of the step's summary. */
  say(line: string): void;
  /** A path as the user sees it (relative to the current folder). */
  show(path: string): string;
  /** What steps hand on to later ones. */
  state: Json;
  /** How many returned forms to simulate (default: every visit). */
  count?: number;
}

/** One step of the demo: a name, a title, and what it does. */
export interface DemoStep {
  name: string;
  title: string;
  run(ctx: DemoContext): Promise<void>;
}

/** A step that stops the demo: the command failed in a way the rest cannot follow. */
class DemoStop extends Error {}

function need(ok: boolean, what: string): void {
  if (!ok) throw new DemoStop(what);
}

/** `YYYY-MM-DD`, `days` before `day`. */
function daysBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

/** The first `perBranch` customers of each branch from the sample list, opened in the last weeks. */
export function recentCustomerLists(samplesCsv: string, day: string, perBranch: number): Map<string, string> {
  const [header, ...rows] = readCsv(readFileSync(samplesCsv, 'utf8').replace(/^\uFEFF/, '')).map((r) => [...r.fields]);
  const branchCol = header!.indexOf('营业部代码');
  const openedCol = header!.indexOf('开户日期');
  const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lists = new Map<string, string[]>();
  for (const cells of rows) {
    const branch = cells[branchCol]!;
    const list = lists.get(branch) ?? [];
    if (!branch || list.length >= perBranch) continue;
    cells[openedCol] = daysBefore(day, 4 + 5 * list.length); // 4, 9, 14, 19 days ago: due in 1½ to 4 weeks
    list.push(cells.map(cell).join(','));
    lists.set(branch, list);
  }
  return new Map(
    [...lists].map(([b, list]) => [b, '\uFEFF' + [header!.map(cell).join(','), ...list].join('\r\n') + '\r\n']),
  );
}

const ROLE_VISITOR = '回访专员';
const ROLE_REVIEWER = '复核人员';
const ROLE_HEAD = '营业部负责人';
const ROLE_CLERK = '经办人';

const init: DemoStep = {
  name: 'init',
  title: "Make the workspace with the firm's settings (sender block for the letters, policy)",
  async run(ctx) {
    const config = join(ctx.samples, 'firm.json');
    const { code, json } = await ctx.run(['init', ctx.ws, '--config', config]);
    need(code === EXIT_OK, 'the workspace could not be made');
    ctx.say(`huifang init ${ctx.show(ctx.ws)} --config ${ctx.show(config)}: ${ctx.show(json.config ?? ctx.ws)}`);
  },
};

const roster: DemoStep = {
  name: 'roster',
  title:
    'Back-office staff import the staff roster: who visits, who reviews, who is marketing staff (营销人员, never a visitor)',
  async run(ctx) {
    const imported = await ctx.run(['staff', 'import', join(ctx.samples, 'staff.csv')]);
    need(imported.code === EXIT_OK, 'the staff roster could not be imported');
    const { json } = await ctx.run(['staff', 'list'], 'staff-list');
    const staff = (json.staff ?? []) as Json[];
    const byBranch = new Map<string, Json[]>();
    for (const s of staff) byBranch.set(s.branchCode ?? '', [...(byBranch.get(s.branchCode ?? '') ?? []), s]);
    ctx.state.visitors = new Map<string, string>();
    ctx.state.reviewers = new Map<string, string>();
    ctx.state.heads = new Map<string, string>();
    ctx.state.clerks = new Map<string, string>();
    for (const [branch, people] of [...byBranch].sort()) {
      const visitor = people.find((p) => p.role === ROLE_VISITOR);
      const reviewer = people.find((p) => p.role === ROLE_REVIEWER);
      if (visitor) ctx.state.visitors.set(branch, visitor.name);
      if (reviewer) ctx.state.reviewers.set(branch, reviewer.name);
      const head = people.find((p) => p.role === ROLE_HEAD);
      if (head) ctx.state.heads.set(branch, head.name);
      // Who files the returns: the branch's clerk (经办人), else its visitor.
      const clerk = people.find((p) => p.role === ROLE_CLERK) ?? visitor;
      if (clerk) ctx.state.clerks.set(branch, clerk.name);
      ctx.say(
        `branch ${branch}: ${people.map((p) => `${p.name} ${p.role}${p.isMarketing ? ' (营销序列)' : ''}`).join(' · ')}`,
      );
    }
  },
};

const letters: DemoStep = {
  name: 'letters',
  title: "Each branch's visitor registers this month's new accounts and prints callback letters (书面信函回访)",
  async run(ctx) {
    const day = today();
    const lists = recentCustomerLists(join(ctx.samples, 'customers.csv'), day, 4);
    ctx.state.visits = [] as Json[];
    ctx.state.batches = [] as string[];
    for (const [branch, csv] of lists) {
      const list = join(ctx.root, 'lists', `customers-${branch}.csv`);
      mkdirSync(join(ctx.root, 'lists'), { recursive: true });
      writeFileSync(list, csv);
      const visitor = ctx.state.visitors.get(branch) as string | undefined;
      const reviewer = ctx.state.reviewers.get(branch) as string | undefined;
      need(
        visitor !== undefined && reviewer !== undefined,
        `the roster names no visitor (回访专员) and reviewer (复核人员) for branch ${branch}`,
      );
      const out = join(ctx.root, 'letters', `run-${branch}`);
      const argv = [
        'letters',
        list,
        '--category',
        'new-account',
        '--out',
        out,
        '--docx',
        '--visitor',
        visitor!,
        '--reviewer',
        reviewer!,
        '--user',
        visitor!,
        '--seed',
        `demo-${branch}`,
      ];
      const { code, json } = await ctx.run(argv, `letters-${branch}`);
      need(code === EXIT_OK, `letters for branch ${branch} could not be printed`);
      ctx.state.visits.push(...(json.visits as Json[]).map((v) => ({ ...v, lettersDir: out })));
      ctx.state.batches.push(...(json.batches as string[]));
      for (const b of (json.printRoom ?? []) as Json[])
        ctx.say(
          `${branch} (visitor ${visitor}, reviewer ${reviewer}): ${json.visits.length} letters; print room: ${ctx.show(b.path)} — ${b.pages} pages on ${b.sheets} sheets, double-sided`,
        );
    }
    ctx.say(
      `customers opened between ${daysBefore(day, 19)} and ${daysBefore(day, 4)}: new-account visits are due within a month of opening (第十七条)`,
    );
  },
};

/**
 * The simulator's seed per branch: the same seed gives the same customers' pens and answers.
 * Branch 1101's seed is one under which two of its customers answer against 第四十三条, so the
 * month has failed visits (and their exceptions) beside the passed ones.
 */
const RETURN_SEEDS: Record<string, number> = { '1101': 7 };

const returns: DemoStep = {
  name: 'returns',
  title:
    'Customers mail the forms back, filled, signed or stamped, with envelopes and postal receipts (simulated scans)',
  async run(ctx) {
    ctx.state.returns = [] as string[];
    ctx.state.mailings = [] as [string, string][];
    for (const dir of [...new Set((ctx.state.visits as Json[]).map((v) => v.lettersDir as string))]) {
      const branch = dir.split(/[\\/]/).pop()!.replace(/^run-/, '');
      const out = join(ctx.root, 'returns', branch);
      const n = (ctx.state.visits as Json[]).filter((v) => v.lettersDir === dir).length;
      const seed = String(RETURN_SEEDS[branch] ?? 4);
      const { code, json } = await ctx.run(
        ['simulate', dir, '--out', out, '--seed', seed, '--count', String(ctx.count ?? n), '--dpi', '150'],
        `simulate-${branch}`,
      );
      need(code === EXIT_OK, `returns for branch ${branch} could not be simulated`);
      ctx.state.returns.push(out);
      if (json.mailingList) ctx.state.mailings.push([branch, json.mailingList]);
      ctx.say(
        `${branch}: ${json.files?.length ?? 0} scan files, ${json.pageCount ?? '?'} pages, ${(json.emails ?? []).length} e-mails (ground truth beside each); the post office's mailing list: ${json.mailingList ? ctx.show(json.mailingList) : 'none'}`,
      );
    }
  },
};

/** The sample e-mails from this run's customers (the others are for customers not visited here). */
function repliesOf(ctx: DemoContext): string[] {
  const dir = join(ctx.samples, 'emails');
  const lists = readdirSync(join(ctx.root, 'lists'))
    .map((f) => readFileSync(join(ctx.root, 'lists', f), 'utf8'))
    .join('\n');
  const addresses = new Set(lists.match(/[\w.+-]+@[\w.-]+/g) ?? []);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .filter((f) =>
      [
        ...(readFileSync(join(dir, f), 'latin1')
          .match(/^From:.*$/im)?.[0]
          .matchAll(/[\w.+-]+@[\w.-]+/g) ?? []),
      ].some((m) => addresses.has(m[0])),
    )
    .map((f) => join(dir, f));
}

const mailing: DemoStep = {
  name: 'mailing',
  title:
    "The clerk records the post office's mailing list (邮件号码 of each registered letter), so postal receipts file themselves",
  async run(ctx) {
    for (const [branch, list] of ctx.state.mailings as [string, string][]) {
      const clerk = ctx.state.clerks.get(branch) as string;
      const { code, json } = await ctx.run(['mailing', 'import', list, '--user', clerk], `mailing-${branch}`);
      need(code === EXIT_OK, `the mailing list of branch ${branch} could not be recorded`);
      const first = (json.recorded ?? [])[0] as Json | undefined;
      ctx.say(
        `${branch} (${clerk}): ${(json.recorded ?? []).length} tracking numbers recorded${first ? `, e.g. ${first.trackingNumber} → ${first.visitId}` : ''}`,
      );
    }
  },
};

const ingest: DemoStep = {
  name: 'ingest',
  title:
    'A clerk ingests the returned scans and the e-mails that came in: forms, envelopes and receipts find their visits by themselves',
  async run(ctx) {
    const clerk = (ctx.state.clerks.get('3101') ?? [...ctx.state.clerks.values()][0]) as string;
    const { code, json } = await ctx.run([
      'ingest',
      ...(ctx.state.returns as string[]),
      ...repliesOf(ctx),
      '--user',
      clerk,
    ]);
    need(code !== EXIT_BAD_INPUT, 'the returns could not be ingested');
    const files = (json.files ?? []) as Json[];
    const pages = files.flatMap((f) => (f.pages ?? []) as Json[]);
    const kinds: Record<string, number> = {};
    for (const p of pages) if (p.visitId) kinds[p.kind] = (kinds[p.kind] ?? 0) + 1;
    ctx.say(
      `${clerk}: ${files.length} files stored byte for byte, ${pages.length} pages placed on visits, ${(json.quarantined ?? []).length} quarantined, ${json.reviewPending ?? 0} decisions for a reviewer`,
    );
    ctx.say(
      `filed by themselves, no page moved by hand: ${kinds.form ?? 0} forms, ${kinds.envelope ?? 0} envelopes (their QR code), ${kinds['postal-receipt'] ?? 0} postal receipts (their barcode)`,
    );
    for (const q of ((json.quarantined ?? []) as Json[]).slice(0, 3))
      ctx.say(`quarantined: ${ctx.show(q.path)} page ${q.page ?? '-'}: ${q.reason}`);
  },
};

const review: DemoStep = {
  name: 'review',
  title: "The branch's reviewer (复核人员) decides what the machine was not sure of",
  async run(ctx) {
    const { json } = await ctx.run(['review', 'list']);
    const items = (json.items ?? []) as Json[];
    const branchOf = new Map((ctx.state.visits as Json[]).map((v) => [v.visitId as string, v.branch as string]));
    const forms = truthForms(ctx.state.returns as string[]);
    const decided: Record<string, number> = {};
    for (const item of items) {
      const reviewer = ctx.state.reviewers.get(branchOf.get(item.visitId) ?? '') ?? '沈佳怡';
      const paper = valueOnPaper(item, forms.get(item.visitId));
      if (paper === undefined) continue; // nothing to read it from: left open, as a reviewer would
      const argv =
        paper === String(item.machineValue)
          ? ['review', 'confirm', String(item.itemId), '--user', reviewer]
          : ['review', 'correct', String(item.itemId), '--value', paper, '--user', reviewer];
      const { code } = await ctx.run(argv, `review-${item.itemId}`);
      if (code === EXIT_OK) decided[reviewer] = (decided[reviewer] ?? 0) + 1;
    }
    const open = items.length - Object.values(decided).reduce((a, b) => a + b, 0);
    const remarks = items.filter((i) => i.subject === 'remarks').length;
    ctx.say(
      `${items.length} open items; decided: ${
        Object.entries(decided)
          .map(([who, n]) => `${who} ${n}`)
          .join(', ') || 'none'
      }; left open: ${open}${remarks ? ` (${remarks} 备注 box(es) whose handwriting a person must transcribe)` : ''}`,
    );
    for (const item of items.slice(0, 3)) ctx.say(`  #${item.itemId} ${item.visitId} ${item.subject}: ${item.reason}`);
  },
};

/** What is on the paper for a review item (the demo's stand-in for the reviewer looking): from the simulation's ground truth. */
function valueOnPaper(item: Json, form: Json | undefined): string | undefined {
  if (!form) return undefined;
  const s = String(item.subject);
  if (s.startsWith('answer:')) return form.answers?.[s.slice('answer:'.length)] ?? 'blank';
  if (s === 'seal.red')
    return form.seal !== true ? undefined : (form.sealRed ?? form.sealInk === 'red') ? 'red' : 'not-red';
  const mark =
    s === 'seal'
      ? form.seal
      : s === 'customerSignature'
        ? form.customerSignature
        : s === 'handlerSignature'
          ? form.handlerSignature
          : undefined;
  return mark === true ? 'present' : mark === false ? 'absent' : undefined;
}

/** The ground truth of every returned form page, by visit id. */
function truthForms(returnsDirs: readonly string[]): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const dir of returnsDirs) {
    const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as Json;
    for (const f of (truth.files ?? []) as Json[]) {
      for (const p of JSON.parse(readFileSync(join(dir, f.truth), 'utf8')).pages as Json[])
        if (p.kind === 'form' && p.visitId) out.set(p.visitId, p);
    }
  }
  return out;
}

/**
 * Each branch's reviewer (复核人员, who may record verdicts) runs validate --record for the
 * branch; then a check of every visit, which records nothing and anyone may run, gives the JSON.
 */
async function validated(ctx: DemoContext, label: string): Promise<Json> {
  for (const [branch, reviewer] of [...(ctx.state.reviewers as Map<string, string>)].sort()) {
    if (!(ctx.state.visits as Json[]).some((v) => v.branch === branch)) continue;
    const argv = ['validate', '--branch', branch, '--record', '--user', reviewer];
    const { code } = await ctx.run(argv, `${label}-record-${branch}`);
    need(code !== EXIT_BAD_INPUT, `the visits of branch ${branch} could not be validated`);
  }
  const { code, json } = await ctx.run(['validate'], label);
  need(code !== EXIT_BAD_INPUT && json.summary !== undefined, 'the visits could not be validated');
  return json;
}

/** The rule ids of a visit's errors. */
const errorsOf = (v: Json): string[] =>
  ((v.problems ?? []) as Json[]).filter((m) => m.severity === 'error').map((m) => m.ruleId as string);

const validate: DemoStep = {
  name: 'validate',
  title: 'Validate every visit against the rules: evidence, results, deadlines, separation of duties',
  async run(ctx) {
    const json = await validated(ctx, 'validate');
    const s = (json.summary ?? {}) as Json;
    ctx.say(
      `${s.visits} visits: passed ${s.passed}, failed ${s.failed}, pending ${s.pending}; overdue ${s.overdue}; awaiting a reviewer's approval ${s.notReviewed}`,
    );
    const visits = (json.visits ?? []) as Json[];
    const ready = visits.filter(
      (v) =>
        v.result !== 'pending' && errorsOf(v).length > 0 && errorsOf(v).every((r) => r === 'review/visit-not-reviewed'),
    );
    ctx.state.ready = ready.map((v) => ({ visitId: v.visitId, branch: v.branch, result: v.result }));
    ctx.say(`${ready.length} visits have their evidence whole and wait only for the reviewer's approval (复核)`);
    for (const e of ((json.exceptions ?? []) as Json[]).slice(0, 2)) {
      ctx.say(
        `异常 for the branch head: ${e.visitId} (${e.branchName}): ${((e.failedAnswers ?? []) as Json[]).map((f) => `「${f.text ?? f.questionId}」${f.actual}`).join('; ') || (e.triggers ?? []).join(', ')}`,
      );
    }
    const rules = new Map<string, number>();
    for (const v of visits)
      for (const r of errorsOf(v)) if (r !== 'review/visit-not-reviewed') rules.set(r, (rules.get(r) ?? 0) + 1);
    for (const [rule, n] of [...rules].sort((x, y) => y[1] - x[1]).slice(0, 4)) ctx.say(`  still to do: ${n}× ${rule}`);
  },
};

const approve: DemoStep = {
  name: 'approve',
  title: "Each branch's reviewer (复核人员, never the visitor) approves the visits whose evidence is whole",
  async run(ctx) {
    const approved: Record<string, number> = {};
    for (const v of ctx.state.ready as Json[]) {
      const reviewer = ctx.state.reviewers.get(v.branch) as string;
      const note =
        v.result === 'failed' ? '记录完整，回访不通过，已转营业部负责人处理' : '回访记录与客户签字的回访函一致';
      const { code } = await ctx.run(
        ['review', 'visit', v.visitId, '--approve', '--note', note, '--user', reviewer],
        `approve-${v.visitId}`,
      );
      if (code === EXIT_OK) approved[reviewer] = (approved[reviewer] ?? 0) + 1;
    }
    ctx.say(
      `approved: ${
        Object.entries(approved)
          .map(([who, n]) => `${who} ${n}`)
          .join(', ') || 'none'
      }`,
    );
    const json = await validated(ctx, 'validate-after-approval');
    const s = (json.summary ?? {}) as Json;
    ctx.state.validation = json;
    ctx.say(
      `${s.visits} visits: ${s.ok} complete and approved, ${s.withProblems} still need something; passed ${s.passed}, failed ${s.failed}, pending ${s.pending}; overdue ${s.overdue}`,
    );
    const complete = ((json.visits ?? []) as Json[]).find((v) => v.ok && v.result === 'passed' && v.approved);
    if (complete) ctx.say(`complete, passed and approved, evidence whole: ${complete.visitId}`);
    for (const v of ((json.visits ?? []) as Json[]).filter((x) => !x.ok).slice(0, 2)) {
      const first = ((v.problems ?? []) as Json[]).find((m) => m.severity === 'error');
      if (first)
        ctx.say(`not complete yet: ${v.visitId} (${v.result}, due ${v.dueOn}): ${first.ruleId}: ${first.reason}`);
    }
  },
};

const exception: DemoStep = {
  name: 'exception',
  title:
    "The branch head (营业部负责人) handles the failed visit's exception (异常): cause, measures, closure (第三十八条)",
  async run(ctx) {
    const { json } = await ctx.run(['exception', 'list', '--status', 'open'], 'exception-list');
    const open = (json.exceptions ?? []) as Json[];
    ctx.say(
      `${open.length} open exception(s): ${open.map((e) => `#${e.exceptionId} ${e.visitId} (${(e.triggers as string[]).join(', ')})`).join('; ') || 'none'}`,
    );
    const e = open.find((x) => (x.triggers as string[]).includes('failed')) ?? open[0];
    if (!e) return; // fewer returns (--count): nothing for the branch head this time
    const branch = (ctx.state.visits as Json[]).find((v) => v.visitId === e!.visitId)?.branch as string;
    const head = ctx.state.heads.get(branch) as string;
    const id = String(e!.exceptionId);
    const found = ((ctx.state.validation?.exceptions ?? []) as Json[]).find((x) => x.visitId === e!.visitId);
    const answers = ((found?.failedAnswers ?? []) as Json[])
      .map((f) => `「${f.text ?? f.questionId}」答「${f.actual}」`)
      .join('；');
    const cause = answers
      ? `客户在回访函中${answers}，不符合第四十三条`
      : `回访中发现：${(e!.triggers as string[]).join('、')}`;
    const measures = '营业部负责人约见客户核实情况并向客户说明；涉及员工的行为交合规部门调查处理';
    const updated = await ctx.run(
      ['exception', 'update', id, '--cause', cause, '--measures', measures, '--user', head],
      'exception-update',
    );
    need(updated.code === EXIT_OK, `exception #${id} could not be updated`);
    const closed = await ctx.run(
      ['exception', 'close', id, '--note', '已约见客户核实，处理结果已报合规部门', '--user', head],
      'exception-close',
    );
    need(closed.code === EXIT_OK, `exception #${id} could not be closed`);
    ctx.state.exception = closed.json.exception;
    ctx.say(`cause (分析原因): ${cause}`);
    ctx.say(
      `#${id} ${e!.visitId}: cause and measures recorded, closed by ${head} (${closed.json.exception?.closedBy}) on ${String(closed.json.exception?.closedAt ?? '').slice(0, 10)}`,
    );
  },
};

const report: DemoStep = {
  name: 'report',
  title: 'The period report for the branch heads to sign (HTML with charts; also --format pdf|xlsx)',
  async run(ctx) {
    const period = today().slice(0, 7);
    const file = join(ctx.root, 'report', `report-${period}.html`);
    const { code, json } = await ctx.run(['report', '--period', period, '--format', 'html', '--out', file], 'report');
    need(code === EXIT_OK, 'the period report could not be written');
    ctx.state.report = json.file;
    const c = (json.branches?.length ?? 0) > 1 ? json.company : json.branches?.[0];
    if (c)
      ctx.say(
        `${c.visits} visits, ${c.byResult.passed ?? 0} passed, ${c.byResult.failed ?? 0} failed; on time ${c.onTime.onTime}/${c.onTime.due}; letters returned ${c.letters.returned}/${c.letters.sent}`,
      );
    ctx.say(`report: ${ctx.show(json.file)}`);
  },
};

const archive: DemoStep = {
  name: 'archive',
  title: "Archive each branch's month as a signed BagIt bundle, and verify it as an auditor would",
  async run(ctx) {
    const period = today().slice(0, 7);
    const keys = await ctx.run(['keys', 'create', '--out', join(ctx.root, 'keys')]);
    const privateKey = keys.json.privateKey ?? keys.json.privateKeyPath;
    const publicKey = keys.json.publicKey ?? keys.json.publicKeyPath;
    ctx.state.bundles = [] as Json[];
    for (const branch of [...new Set((ctx.state.visits as Json[]).map((v) => v.branch as string))].sort()) {
      const head = ctx.state.heads.get(branch) as string;
      const argv = [
        'archive',
        '--branch',
        branch,
        '--period',
        period,
        '--out',
        join(ctx.root, 'bundles'),
        '--include-invalid',
        '--user',
        head,
        ...(privateKey ? ['--sign', privateKey] : []),
      ];
      const built = await ctx.run(argv, `archive-${branch}`);
      need(built.code !== EXIT_BAD_INPUT, `the bundle of branch ${branch} could not be built`);
      for (const bundle of (built.json.bundles ?? []) as string[]) {
        const verified = await ctx.run(
          ['verify', bundle, ...(publicKey ? ['--key', publicKey] : [])],
          `verify-${branch}`,
        );
        const extracted = await ctx.run(
          ['archive', 'extract', bundle, '--out', join(ctx.root, 'bags')],
          `extract-${branch}`,
        );
        ctx.state.bundles.push({ bundle, ok: verified.json.ok === true, index: extracted.json.indexHtml });
        const invalid = ((built.json.details ?? []) as Json[]).reduce(
          (n, d) => n + (d.invalidVisitIds?.length ?? 0),
          0,
        );
        ctx.say(
          `${ctx.show(bundle)}: ${verified.json.ok ? 'verified (checksums, files, index, evidence, retention, signature)' : 'verify found problems'}${invalid ? `; ${invalid} visit(s) still incomplete, archived as such and named in the bundle` : ''}`,
        );
      }
    }
  },
};

/** The steps in order. Add a step by adding it here. */
export const DEMO_STEPS: DemoStep[] = [
  init,
  roster,
  letters,
  returns,
  mailing,
  ingest,
  review,
  validate,
  approve,
  exception,
  report,
  archive,
];

/** The closing lines: where to look. */
function closing(ctx: DemoContext): string[] {
  const visit = (ctx.state.visits as Json[] | undefined)?.[0];
  const bundle = (ctx.state.bundles as Json[] | undefined)?.[0];
  const rows: [string, string | undefined][] = [
    ['a callback letter (PDF)', visit?.pdf],
    ['a batch print file', (ctx.state.batches as string[] | undefined)?.[0]],
    ['the period report', ctx.state.report],
    ['a bundle index (opens offline)', bundle?.index],
    ["each step's JSON", join(ctx.root, 'steps')],
  ];
  const verified = ((ctx.state.bundles ?? []) as Json[]).filter((b) => b.ok).length;
  const complete = ((ctx.state.validation?.visits ?? []) as Json[]).filter((v) => v.ok && v.approved).length;
  const closed = ctx.state.exception
    ? `, exception #${ctx.state.exception.exceptionId} handled and closed by the branch head`
    : '';
  return [
    '',
    `Done: ${(ctx.state.visits ?? []).length} visits, ${complete} complete and approved by a reviewer${closed}, ${verified} of ${(ctx.state.bundles ?? []).length} bundles verified. Where to look:`,
    ...rows.filter(([, p]) => p).map(([what, p]) => `  ${what.padEnd(32)} ${ctx.show(p!)}`),
  ];
}

interface DemoArgs {
  out: string;
  count?: number;
}

/** The context the steps share: runs commands as a person would, keeps each one's JSON. */
function demoContext(io: Io, root: string, count: number | undefined, main: RunHuifang): DemoContext {
  const ws = join(root, 'ws');
  let n = 0;
  const ctx: DemoContext = {
    io,
    root,
    ws,
    samples: join(PROJECT_ROOT, 'samples'),
    state: {},
    show: (p) => relative(process.cwd(), p) || '.',
    say: (line) => io.out(`   ${line}`),
    async run(argv, label) {
      let out = '';
      // Progress of a long command shows on the terminal, as when it is typed.
      const captured: Io = {
        out: (t) => (out += t + '\n'),
        err: (t) => io.err(`   ${t.trimEnd()}`),
        interactive: io.interactive,
        ...(io.errRaw ? { errRaw: io.errRaw } : {}),
      };
      const code = await main([...argv, '--workspace', ws, '--json'], captured);
      writeFileSync(
        join(
          root,
          'steps',
          `${String(++n).padStart(2, '0')}-${
            label ??
            argv
              .slice(0, 2)
              .filter((a) => !a.startsWith('/'))
              .join('-')
          }.json`,
        ),
        out,
      );
      let json: Json = {};
      try {
        json = JSON.parse(out) as Json;
      } catch {
        io.err(`   huifang ${argv[0]}: no JSON output (exit ${code})`);
      }
      return { code, json };
    },
    ...(count !== undefined ? { count } : {}),
  };
  return ctx;
}

export const demoCommand = defineCommand<DemoArgs>({
  command: 'demo',
  builder: (y) =>
    y
      .option('out', { type: 'string', default: 'out/demo', describe: 'folder for the demo (emptied first)' })
      .option('count', {
        type: 'number',
        describe: 'how many returned forms to simulate per branch (default: every letter comes back)',
      }),
  run: async ({ args, io, huifang }) => {
    const root = resolve(args.out);
    if (existsSync(root) && !existsSync(join(root, 'ws')) && !existsSync(join(root, 'steps'))) {
      io.err(`huifang: ${root} exists and is not a demo folder; name another with --out.`);
      return EXIT_BAD_INPUT;
    }
    rmSync(root, { recursive: true, force: true });
    mkdirSync(join(root, 'steps'), { recursive: true });
    const ctx = demoContext(io, root, args.count, huifang);
    const started = Date.now();
    for (const [i, step] of DEMO_STEPS.entries()) {
      io.out(`\n${i + 1}. ${step.title}  [${step.name}]`);
      const t0 = Date.now();
      try {
        await step.run(ctx);
        ctx.say(`(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (e) {
        if (!(e instanceof DemoStop)) throw e;
        io.err(`huifang demo: stopped at step ${step.name}: ${e.message} (see ${ctx.show(join(root, 'steps'))})`);
        return EXIT_BAD_INPUT;
      }
    }
    for (const line of closing(ctx)) io.out(line);
    io.out(`  (${Math.round((Date.now() - started) / 1000)} s; the workspace is ${ctx.show(ctx.ws)})`);
    return EXIT_OK;
  },
});

/**
 * A large register for the query bench, written straight into a register file that the real
 * migrations made (`huifang init`), in one transaction: a few hundred branches, customers and
 * their accounts, a year of visits in the proportions a callback centre has them (most
 * finished; the last weeks' letters still out or in review; a few failed, refused or
 * unreachable), the letters printed, the returns scanned (pages with what the reader found),
 * phone answers entered, review items, results, completions, reviewers' approvals, attempts,
 * exceptions, mailings, an account list and its events, the year's plan, and the bundles of
 * the months archived. Deterministic (a seeded generator): the same size gives the same register.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { questionsFor, type Question } from '../src/domain/questions.ts';
import { generator } from '../src/domain/sampling.ts';
import type { VisitCategory, VisitChannel } from '../src/domain/visit.ts';
import { newVisitId } from '../src/domain/visit-id.ts';
import { fillKeyOf } from '../src/render/entered-form.ts';

/** The day the register describes (HUIFANG_NOW for the timed commands). */
export const BENCH_NOW = '2026-11-28T02:00:00.000Z';
const TODAY = '2026-11-28';
const YEAR_START = Date.UTC(2026, 0, 5);
const LAST_DAY = Date.UTC(2026, 10, 27);
const DAY = 86_400_000;

export interface RegisterShape {
  visits: number;
  branches: number;
}

/** What was written, for the bench's report. */
export interface RegisterCounts {
  [table: string]: number;
}

const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const at = (day: string, hour: number): string => `${day}T${String(hour).padStart(2, '0')}:15:00.000Z`;
const addDays = (day: string, n: number): string => iso(Date.parse(`${day}T00:00:00Z`) + n * DAY);
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The bytes stored for a document (small stand-ins; their SHA-256 is their name in the file store). */
export function blobText(label: string): string {
  return `%huifang bench ${label}\n`;
}

export interface Branch {
  code: string;
  name: string;
  weight: number;
  head: string;
  visitor: string;
  reviewer: string;
  phoneVisitor: string;
}

export function branchesOf(n: number): Branch[] {
  const r = generator(7);
  return Array.from({ length: n }, (_, i) => {
    const code = String(3101 + i);
    return {
      code,
      name: `第${i + 1}证券营业部`,
      weight: 0.4 + 1.2 * r(),
      head: `S${code}00`,
      visitor: `S${code}01`,
      reviewer: `S${code}02`,
      phoneVisitor: `S${code}03`,
    };
  });
}

/** The branch whose expected share of visits is the median: what `--branch` is timed on. */
export function typicalBranch(branches: readonly Branch[]): Branch {
  return [...branches].sort((a, b) => a.weight - b.weight)[Math.floor(branches.length / 2)]!;
}

type Statement = Database.Statement;

/** Every insert the generator makes, prepared once. */
function statements(db: Database.Database): Record<string, Statement> {
  const s = (sql: string) => db.prepare(sql);
  return {
    customer: s(
      `INSERT INTO customers (customer_id, name, kind, branch_code, branch_name, address, postcode, phone, email, opened_on, marketing_staff, contact_person, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    account: s(
      `INSERT INTO accounts (import_id, customer_id, branch_code, branch_name, opened_on, status, margin, vip, assets, monthly_turnover, six_month_return, index_return, annual_commission, account_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    accountEvent: s(
      'INSERT INTO account_events (import_id, customer_id, kind, occurred_on, note) VALUES (?, ?, ?, ?, ?)',
    ),
    run: s(
      'INSERT INTO runs (run_id, command, started_at, source_path, source_sha256, options_json) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    visit: s(
      'INSERT INTO visits (visit_id, customer_id, category, channel, visitor, reviewer, created_on, due_on, result, run_id, layout_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    blob: s('INSERT INTO blobs (sha256, size, media_type, first_seen_at) VALUES (?, ?, ?, ?)'),
    document: s(
      'INSERT INTO documents (visit_id, kind, role, sha256, file_name, page_count, source_sha256, created_at, created_by, meta_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    event: s('INSERT INTO events (at, actor, action, visit_id, details_json) VALUES (?, ?, ?, ?, ?)'),
    ingestFile: s(
      `INSERT INTO ingest_files (sha256, file_name, source_path, size, handler, status, page_count, attempts, started_at, finished_at, actor) VALUES (?, ?, ?, ?, ?, 'done', ?, 1, ?, ?, ?)`,
    ),
    sighting: s('INSERT INTO ingest_sightings (sha256, path, seen_at, actor, outcome) VALUES (?, ?, ?, ?, ?)'),
    page: s(
      `INSERT INTO pages (file_sha256, page, status, visit_id, kind, assigned_by, reading_json, reason, rule_id, created_at, updated_at, updated_by) VALUES (?, ?, 'assigned', ?, ?, ?, ?, NULL, NULL, ?, ?, ?)`,
    ),
    reviewItem: s(
      `INSERT INTO review_items (file_sha256, page, visit_id, subject, machine_json, score, reason, status, final_json, decided_by, decided_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    answer: s(
      'INSERT INTO answer_entries (visit_id, question_id, answer, evidence_sha256, entered_by, entered_at, note) VALUES (?, ?, ?, ?, ?, ?, NULL)',
    ),
    outcome: s(
      'INSERT INTO visit_outcomes (visit_id, outcome, reason, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?)',
    ),
    decision: s(
      'INSERT INTO result_decisions (visit_id, result, reason, failed_json, missing_json, decided_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    review: s('INSERT INTO visit_reviews (visit_id, decision, note, reviewer, decided_at) VALUES (?, ?, ?, ?, ?)'),
    attempt: s(
      'INSERT INTO visit_attempts (visit_id, channel, outcome, at, note, recorded_by, recorded_at) VALUES (?, ?, ?, ?, NULL, ?, ?)',
    ),
    completion: s(
      'INSERT INTO visit_completions (visit_id, completed_on, source, due_on, late, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    exception: s(
      `INSERT INTO visit_exceptions (visit_id, triggers_json, owner, cause, measures, level, due_on, status, opened_at, opened_by, closed_by, closed_at, closure_note) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    mailing: s(
      'INSERT INTO mailings (tracking_number, visit_id, source, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?)',
    ),
    planned: s(
      'INSERT INTO planned_visits (plan_id, seq, customer_id, branch_code, category, basis, reason, due_on, event_id, visit_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)',
    ),
    bundle: s(
      `INSERT INTO bundles (sha256, bundle_id, branch_code, period, part, part_count, path, size, visit_count, payload_bytes, bagging_date, retain_until, previous_sha256, includes_invalid, key_fingerprint, built_at, built_by, build_seq) VALUES (?, ?, ?, ?, 1, 1, ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?, ?)`,
    ),
    bundleVisit: s('INSERT INTO bundle_visits (sha256, visit_id, valid) VALUES (?, ?, 1)'),
  };
}

/** A UPU S10 tracking number with its check digit. */
function trackingNumber(n: number): string {
  const digits = String(n).padStart(8, '0').slice(-8);
  const weights = [8, 6, 4, 2, 3, 5, 9, 7];
  const sum = [...digits].reduce((s, d, i) => s + Number(d) * weights[i]!, 0);
  const c = 11 - (sum % 11);
  return `RR${digits}${c === 10 ? 0 : c === 11 ? 5 : c}CN`;
}

/** The compliant answer to each question asked unconditionally; `fail` flips one that can fail. */
function answersFor(category: VisitCategory, fail: boolean): { answers: Record<string, string>; failed?: string } {
  const answers: Record<string, string> = {};
  let failed: string | undefined;
  for (const q of questionsFor(category) as Question[]) {
    if (q.type === 'choice') answers[q.id] = 'satisfied';
    else if ('askedWhen' in q && q.askedWhen) continue;
    else if (q.pass === null) answers[q.id] = 'no';
    else if (fail && failed === undefined) {
      answers[q.id] = q.pass === 'yes' ? 'no' : 'yes';
      failed = q.id;
    } else answers[q.id] = q.pass;
  }
  return failed ? { answers, failed } : { answers };
}

export interface Generated {
  counts: RegisterCounts;
  /** The stand-in bytes of every stored document of the typical branch, to put in the file store. */
  files: string[];
  branch: Branch;
}

/** The state a visit is left in. */
type Fate = 'passed' | 'failed' | 'refused' | 'unreachable' | 'pending' | 'in-review';

function fateOf(r: () => number, age: number, channel: VisitChannel): Fate {
  const x = r();
  if (age < 35) {
    if (channel === 'phone') return x < 0.1 ? 'pending' : x < 0.11 ? 'failed' : 'passed';
    if (x < 0.45) return 'pending';
    if (x < 0.52) return 'in-review';
    return x < 0.53 ? 'failed' : 'passed';
  }
  if (x < 0.012) return 'failed';
  if (x < 0.017) return 'refused';
  if (x < 0.022) return 'unreachable';
  if (x < 0.026) return 'pending';
  return 'passed';
}

export { TODAY, YEAR_START, LAST_DAY, DAY, iso, at, addDays, sha, statements, trackingNumber, answersFor, fateOf };

interface Person {
  code: string;
  index: number;
  branch: Branch;
  kind: 'individual' | 'institution';
  openedOn: string;
  isNew: boolean;
}

/** Writes the register's rows; one method per thing a callback centre records. */
class RegisterWriter {
  readonly counts: RegisterCounts = {};
  readonly files: string[] = [];
  private readonly s: Record<string, Statement>;
  private readonly runs = new Set<string>();
  private readonly bundled = new Map<string, string[]>();
  private seq = 0;
  private tracking = 10_000_000;

  constructor(
    db: Database.Database,
    private readonly r: () => number,
    readonly typical: Branch,
    readonly planId: string,
  ) {
    this.s = statements(db);
  }

  run(name: string, ...args: unknown[]): void {
    this.s[name]!.run(...args);
    this.counts[name] = (this.counts[name] ?? 0) + 1;
  }

  /** A stored object: its blob row, and its stand-in bytes when the typical branch's files are kept. */
  blob(label: string, branch: Branch, media: string, when: string): string {
    const text = blobText(label);
    const hash = sha(text);
    this.run('blob', hash, text.length, media, when);
    if (branch === this.typical) this.files.push(text);
    return hash;
  }

  letterRun(branch: Branch, created: string): string {
    const runId = `R-${branch.code}-${created.slice(0, 7)}`;
    if (!this.runs.has(runId)) {
      this.runs.add(runId);
      this.run(
        'run',
        runId,
        'letters',
        at(created, 0),
        `/srv/lists/${branch.code}-${created.slice(0, 7)}.csv`,
        sha(runId),
        '{}',
      );
    }
    return runId;
  }

  mailing(visitId: string, when: string): void {
    this.run('mailing', trackingNumber(this.tracking++), visitId, 'post-office-list', 'clerk', when);
  }

  planned(p: Person, category: VisitCategory, due: string, visitId: string | null): void {
    this.run(
      'planned',
      this.planId,
      ++this.seq,
      p.code,
      p.branch.code,
      category,
      'existing-sample',
      '存量客户抽样',
      due,
      visitId,
    );
  }

  bundle(branch: Branch, month: string, visitId: string): void {
    const key = `${branch.code} ${month}`;
    const list = this.bundled.get(key) ?? [];
    list.push(visitId);
    this.bundled.set(key, list);
  }

  /** The bundles of the archived months, chained per branch. */
  writeBundles(): void {
    const previous = new Map<string, string>();
    let build = 0;
    for (const [key, visits] of [...this.bundled].sort()) {
      const [code, month] = key.split(' ') as [string, string];
      const hash = sha(`bundle ${key}`);
      const built = at(addDays(`${month}-01`, 40), 9);
      this.run(
        'bundle',
        hash,
        `${code}-${month}`,
        code,
        month,
        `/srv/archive/${code}-${month}.zip`,
        visits.length * 40_000,
        visits.length,
        visits.length * 39_000,
        built.slice(0, 10),
        `${Number(month.slice(0, 4)) + 20}-12-31`,
        previous.get(code) ?? null,
        built,
        'archivist',
        ++build,
      );
      previous.set(code, hash);
      for (const v of visits) this.run('bundleVisit', hash, v);
    }
  }
}

export { RegisterWriter, type Person };

interface VisitPlan {
  visitId: string;
  person: Person;
  category: VisitCategory;
  channel: VisitChannel;
  created: string;
  due: string;
  fate: Fate;
  visitor: string;
  reviewer: string;
}

const FORM_PAGES: [number, string, string][] = [
  [1, 'form', 'qr'],
  [2, 'form', 'qr'],
  [3, 'attachment', 'follow'],
  [4, 'attachment', 'follow'],
  [5, 'envelope', 'qr'],
  [6, 'postal-receipt', 'handler'],
  [7, 'attachment', 'follow'],
];

/** The returned form, scanned: the file, its pages with what was read, its documents, review items. */
function writeReturn(w: RegisterWriter, v: VisitPlan, r: () => number, answers: Record<string, string>): string {
  const back = addDays(v.created, 4 + Math.floor(r() * 14));
  const when = at(back > TODAY ? TODAY : back, 3);
  const file = w.blob(`scan ${v.visitId}`, v.person.branch, 'application/pdf', when);
  const pages = v.channel === 'letter' ? FORM_PAGES : FORM_PAGES.slice(0, 3);
  const name = `return-${v.visitId}.pdf`;
  w.run('ingestFile', file, name, `/srv/scans/${name}`, 2_400_000, 'pdf', pages.length, when, when, 'clerk');
  w.run('sighting', file, `/srv/scans/${name}`, when, 'clerk', 'ingested');
  const open = v.fate === 'in-review' ? Object.keys(answers).slice(0, 1 + Math.floor(r() * 2)) : [];
  const checked = v.fate !== 'in-review' && r() < 0.08 ? Object.keys(answers)[0] : undefined;
  const read = { ...answers };
  for (const q of [...open, ...(checked ? [checked] : [])]) read[q] = null as unknown as string;
  const institution = v.person.kind === 'institution';
  const reading = JSON.stringify({
    payload: { visitId: v.visitId, kind: 'form', page: 1, pageCount: 2, layout: 'form-a4-v1' },
    answers: read,
    checks: {
      customerSignature: { present: !institution, score: 0.93 },
      handlerSignature: { present: true, score: 0.9 },
      seal: { present: institution, score: 0.88, red: institution ? true : null },
    },
    colour: true,
  });
  for (const [page, kind, by] of pages) {
    const json =
      page === 1
        ? reading
        : kind === 'form'
          ? `{"payload":{"visitId":"${v.visitId}","kind":"form","page":2,"pageCount":2,"layout":"form-a4-v1"}}`
          : '{}';
    w.run('page', file, page, v.visitId, kind, by, json, when, when, 'clerk');
  }
  for (const kind of new Set(pages.map((p) => p[1]))) {
    const list = pages.filter((p) => p[1] === kind).map((p) => p[0]);
    w.run(
      'document',
      v.visitId,
      kind,
      'received',
      file,
      name,
      list.length,
      null,
      when,
      'clerk',
      JSON.stringify({ pages: list }),
    );
  }
  w.run('event', when, 'clerk', 'document.added', v.visitId, `{"kind":"form","role":"received","sha256":"${file}"}`);
  for (const q of open)
    w.run(
      'reviewItem',
      file,
      1,
      v.visitId,
      `answer:${q}`,
      'null',
      0.48,
      'the tick is faint',
      'open',
      null,
      null,
      null,
      when,
    );
  if (checked) {
    const decided = at(addDays(when.slice(0, 10), 1), 6);
    w.run(
      'reviewItem',
      file,
      1,
      v.visitId,
      `answer:${checked}`,
      JSON.stringify(answers[checked]),
      0.61,
      'two boxes look ticked',
      'confirmed',
      JSON.stringify(answers[checked]),
      v.reviewer,
      decided,
      when,
    );
  }
  return when.slice(0, 10);
}

/** A phone visit answered: the recording, the answers entered from it, the record form filled from them. */
function writeCall(w: RegisterWriter, v: VisitPlan, r: () => number, answers: Record<string, string>): string {
  const day = addDays(v.created, 1 + Math.floor(r() * 6));
  const on = day > TODAY ? TODAY : day;
  const when = at(on, 2);
  const file = w.blob(`call ${v.visitId}`, v.person.branch, 'audio/mpeg', when);
  const name = `call-${v.visitId}.mp3`;
  w.run('ingestFile', file, name, `/srv/calls/${name}`, 1_800_000, 'recording', 0, when, when, v.visitor);
  w.run('sighting', file, `/srv/calls/${name}`, when, v.visitor, 'ingested');
  w.run('page', file, 0, v.visitId, 'recording', 'handler', '{}', when, when, v.visitor);
  w.run('document', v.visitId, 'recording', 'received', file, name, null, null, when, v.visitor, '{}');
  const entered = Object.entries(answers).map(([questionId, answer]) => ({
    questionId,
    answer,
    enteredBy: v.visitor,
    enteredAt: when,
    evidenceSha256: file,
    note: null,
  }));
  for (const e of entered) w.run('answer', v.visitId, e.questionId, e.answer, file, v.visitor, when);
  const form = w.blob(`entered form ${v.visitId}`, v.person.branch, 'application/pdf', when);
  const meta = { fillKey: fillKeyOf(entered), filledFrom: 'entered answers', evidence: [file], note: '' };
  w.run(
    'document',
    v.visitId,
    'form',
    'derived',
    form,
    `${v.visitId}-record-form.pdf`,
    2,
    null,
    when,
    v.visitor,
    JSON.stringify(meta),
  );
  return on;
}

export { writeReturn, writeCall, type VisitPlan };

/** Tries to reach a customer who does not answer; with `refused`, the call where they declined. */
function writeAttempts(w: RegisterWriter, v: VisitPlan, n: number, refused: boolean): string {
  let day = v.created;
  for (let i = 0; i < n; i++) {
    day = addDays(day, 3 + i * 2);
    const channel = i === 2 ? 'letter' : 'phone';
    const outcome = refused && i === n - 1 ? 'refused' : channel === 'letter' ? 'returned-mail' : 'no-answer';
    w.run('attempt', v.visitId, channel, outcome, at(day, 2), v.visitor, at(day, 3));
  }
  return day;
}

/** The visit's end: result, outcome, completion, the reviewer's approval, the exception of a failed one. */
function writeVerdict(w: RegisterWriter, v: VisitPlan, completed: string, failed?: string): void {
  const decided = at(completed, 8);
  if (v.fate === 'refused' || v.fate === 'unreachable')
    w.run('outcome', v.visitId, v.fate, v.fate === 'refused' ? '客户拒绝回访' : '多次联系未果', v.visitor, decided);
  const reason = v.fate === 'failed' ? `non-compliant answer to ${failed}` : `${v.fate}: every answer decided`;
  const failedJson = failed ? JSON.stringify([{ questionId: failed }]) : '[]';
  w.run('decision', v.visitId, v.fate, reason, failedJson, '[]', decided);
  w.run('event', decided, 'huifang', 'visit.result', v.visitId, `{"result":"${v.fate}","previous":"pending"}`);
  w.run('completion', v.visitId, completed, 'form', v.due, completed > v.due ? 1 : 0, decided);
  const reviewDay = addDays(completed, 2);
  if (reviewDay <= TODAY) {
    w.run('review', v.visitId, 'approve', 'evidence complete', v.reviewer, at(reviewDay, 7));
    w.run('event', at(reviewDay, 7), v.reviewer, 'visit.review.approve', v.visitId, '{"note":"evidence complete"}');
  }
  if (v.fate === 'failed') {
    const closed = addDays(completed, 20) <= TODAY;
    w.run(
      'exception',
      v.visitId,
      '["failed"]',
      v.person.branch.head,
      closed ? '营销人员代客操作' : null,
      closed ? '约谈并整改' : null,
      addDays(completed, 15),
      closed ? 'closed' : 'open',
      decided,
      'huifang',
      closed ? v.person.branch.head : null,
      closed ? at(addDays(completed, 20), 9) : null,
      closed ? '已整改' : null,
    );
  }
}

/** One visit, from the letter printed (or the call planned) to where its fate leaves it. */
function writeVisit(w: RegisterWriter, v: VisitPlan, r: () => number): void {
  const branch = v.person.branch;
  const result = v.fate === 'in-review' ? 'pending' : v.fate;
  const runId = v.channel === 'phone' ? null : w.letterRun(branch, v.created);
  w.run(
    'visit',
    v.visitId,
    v.person.code,
    v.category,
    v.channel,
    v.visitor,
    v.reviewer,
    v.created,
    v.due,
    result,
    runId,
    v.channel === 'phone' ? null : 'letter-a4-v1',
  );
  const made = at(v.created, 1);
  w.run('event', made, v.visitor, 'visit.created', v.visitId, `{"category":"${v.category}","channel":"${v.channel}"}`);
  if (v.channel !== 'phone') {
    const letter = w.blob(`letter ${v.visitId}`, branch, 'application/pdf', made);
    w.run('document', v.visitId, 'letter', 'rendered', letter, `${v.visitId}.pdf`, 3, null, made, v.visitor, '{}');
    if (v.channel === 'letter') w.mailing(v.visitId, at(v.created, 5));
  }
  if (v.category === 'existing') w.planned(v.person, 'existing', v.due, v.visitId);
  const { answers, failed } = answersFor(v.category, v.fate === 'failed');
  let completed: string | undefined;
  if (v.fate === 'passed' || v.fate === 'failed' || v.fate === 'in-review')
    completed = v.channel === 'phone' ? writeCall(w, v, r, answers) : writeReturn(w, v, r, answers);
  else if (v.fate === 'refused') completed = writeAttempts(w, v, 1, true);
  else if (v.fate === 'unreachable') completed = writeAttempts(w, v, 3, false);
  else if (r() < 0.3) writeAttempts(w, v, 1, false);
  if (completed && v.fate !== 'in-review') {
    writeVerdict(w, v, completed > TODAY ? TODAY : completed, failed);
    if (v.created.slice(0, 7) <= '2026-10') w.bundle(branch, v.created.slice(0, 7), v.visitId);
  }
}

export { writeAttempts, writeVerdict, writeVisit };

const CATEGORIES: [VisitCategory, number][] = [
  ['existing', 0.7],
  ['key', 0.85],
  ['special', 0.9],
  ['advisory', 0.95],
  ['departed-staff', 1],
];

function pickBranch(branches: readonly Branch[], cumulative: readonly number[], x: number): Branch {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return branches[lo]!;
}

/** The customers (those visited are in `customers`; every one is in the account list). */
function writePeople(
  w: RegisterWriter,
  branches: readonly Branch[],
  count: number,
  visited: number,
  r: () => number,
  importId: number,
): Person[] {
  const total = branches.reduce((s, b) => s + b.weight, 0);
  let sum = 0;
  const cumulative = branches.map((b) => (sum += b.weight / total));
  const people: Person[] = [];
  for (let i = 0; i < count; i++) {
    const branch = pickBranch(branches, cumulative, r());
    const isNew = r() < 0.2;
    const openedOn = isNew
      ? iso(YEAR_START - 4 * DAY + r() * (LAST_DAY - YEAR_START))
      : `${2008 + Math.floor(r() * 18)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`;
    const p: Person = {
      code: `${branch.code}${String(i).padStart(8, '0')}`,
      index: i,
      branch,
      kind: r() < 0.03 ? 'institution' : 'individual',
      openedOn,
      isNew,
    };
    people.push(p);
    const customer = {
      customerId: p.code,
      name: `客户${i}`,
      kind: p.kind,
      branchCode: branch.code,
      branchName: branch.name,
      address: `上海市浦东新区某路${i % 997}号`,
      postcode: '200120',
      phone: `139${String(i).padStart(8, '0')}`,
      email: `c${i}@example.com`,
      openedOn,
    };
    if (i < visited)
      w.run(
        'customer',
        p.code,
        customer.name,
        p.kind,
        branch.code,
        branch.name,
        customer.address,
        customer.postcode,
        customer.phone,
        customer.email,
        openedOn,
        null,
        null,
        BENCH_NOW,
      );
    const margin = r() < 0.12;
    const vip = r() < 0.05;
    const assets = Math.round(r() * r() * 3_000_000);
    const account = { ...customer, status: r() < 0.9 ? 'normal' : 'dormant', margin, vip, assets };
    w.run(
      'account',
      importId,
      p.code,
      branch.code,
      branch.name,
      openedOn,
      account.status,
      margin ? 1 : 0,
      vip ? 1 : 0,
      assets,
      null,
      null,
      null,
      null,
      JSON.stringify(account),
    );
    if (r() < 0.01)
      w.run('accountEvent', importId, p.code, 'large-transfer', iso(YEAR_START + r() * (LAST_DAY - YEAR_START)), null);
  }
  return people;
}

function writeStaff(db: Database.Database, branches: readonly Branch[]): void {
  const insert = db.prepare(
    'INSERT INTO staff (staff_id, name, role, is_marketing, branch_code) VALUES (?, ?, ?, 0, ?)',
  );
  for (const b of branches) {
    insert.run(b.head, `负责人${b.code}`, '营业部负责人', b.code);
    insert.run(b.visitor, `回访${b.code}`, '回访专员', b.code);
    insert.run(b.reviewer, `复核${b.code}`, '复核人员', b.code);
    insert.run(b.phoneVisitor, `电话${b.code}`, '回访专员', b.code);
  }
}

function imports(db: Database.Database): number {
  const listSha = sha('accounts 2026-11-27');
  db.prepare('INSERT INTO blobs (sha256, size, media_type, first_seen_at) VALUES (?, ?, ?, ?)').run(
    listSha,
    1,
    'text/csv',
    BENCH_NOW,
  );
  const info = db
    .prepare(
      `INSERT INTO account_imports (kind, as_of, source_path, sha256, format, row_count, imported_at, imported_by) VALUES ('accounts', '2026-11-27', '/srv/exports/accounts.csv', ?, 'csv', 0, ?, 'clerk')`,
    )
    .run(listSha, BENCH_NOW);
  return Number(info.lastInsertRowid);
}

/** Fills an empty register (made by the real migrations) in one transaction. */
export function generateRegister(db: Database.Database, shape: RegisterShape): Generated {
  const r = generator(2026);
  const branches = branchesOf(shape.branches);
  const typical = typicalBranch(branches);
  const visitedCustomers = Math.round(shape.visits * 0.85);
  let counts: RegisterCounts = {};
  let files: string[] = [];
  db.transaction(() => {
    writeStaff(db, branches);
    const importId = imports(db);
    db.prepare(
      `INSERT INTO plans (plan_id, year, as_of, seed, accounts_import_id, parameters_json, created_at, created_by) VALUES ('P-2026', 2026, '2026-01-04', 'bench', ?, '{}', ?, 'planner')`,
    ).run(importId, at('2026-01-04', 2));
    const w = new RegisterWriter(db, r, typical, 'P-2026');
    const people = writePeople(w, branches, Math.round(visitedCustomers / 0.85), visitedCustomers, r, importId);
    const random = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
    const ids = new Set<string>();
    const visitId = (): string => {
      let id: string = newVisitId(random);
      while (ids.has(id)) id = newVisitId(random);
      ids.add(id);
      return id;
    };
    for (let i = 0; i < shape.visits; i++) {
      const person = people[i < visitedCustomers ? i : Math.floor(r() * visitedCustomers)]!;
      const first = i < visitedCustomers;
      const x = r();
      const category: VisitCategory =
        first && person.isNew ? 'new-account' : first ? CATEGORIES.find(([, p]) => x < p)![0] : 'special';
      const start =
        person.isNew && first
          ? Math.max(Date.parse(`${person.openedOn}T00:00:00Z`) + (1 + Math.floor(r() * 9)) * DAY, YEAR_START)
          : YEAR_START + r() * (LAST_DAY - YEAR_START);
      const created = iso(Math.min(start, LAST_DAY));
      const y = r();
      const channel: VisitChannel = y < 0.72 ? 'letter' : y < 0.95 ? 'phone' : 'face-to-face';
      const age = Math.round((Date.parse(`${TODAY}T00:00:00Z`) - Date.parse(`${created}T00:00:00Z`)) / DAY);
      const b = person.branch;
      writeVisit(
        w,
        {
          visitId: visitId(),
          person,
          category,
          channel,
          created,
          due: addDays(created, 30),
          fate: fateOf(r, age, channel),
          visitor: channel === 'phone' ? b.phoneVisitor : b.visitor,
          reviewer: b.reviewer,
        },
        r,
      );
    }
    w.writeBundles();
    db.prepare("UPDATE account_imports SET row_count = (SELECT count(*) FROM accounts) WHERE kind = 'accounts'").run();
    counts = w.counts;
    files = w.files;
  })();
  return { counts, files, branch: typical };
}

/**
 * The large-register bench: a register of 1,000,000 visits and about 5,000,000 pages (with
 * the customers, documents, review items, results, exceptions, attempts, account list, plan
 * and bundles such a register holds), built once and kept in the temporary folder under a
 * name that carries the schema version, then the installed command (dist/) timed on it:
 * `validate --branch B`, `review list`, `coverage --year --branch B` and the period report of
 * a branch (goal: each under 2 s), beside `node -e 0`. Medians and maxima of repeated runs,
 * each in its own process, after one run that warms the file cache.
 *
 *     npm run bench -- register [--visits 1000000] [--branches 250] [--runs 5] [--rebuild]
 *     npm run bench -- register --register postgres     # and on a PostgreSQL copy, side by side
 *
 * With `--register postgres` the same commands (same branch, period and environment) are
 * also timed on a PostgreSQL copy of the register: a private server whose data folder is
 * kept beside the SQLite register (`…-pg`), filled once from it (see register-postgres.ts),
 * started for the run and stopped at its end. Needs Debian's `postgresql` (server and psql).
 *
 * The register is written straight into a file the real migrations made (`huifang init`), so
 * its schema is the program's. Stored files are small stand-ins, and only the timed branch's
 * are in the file store. `validate` is timed three ways: only looking that the files are there,
 * hashing every one (`--verify-hashes`, as on the first check after storing), and as it runs
 * by default after a recording run has checked them (hashing only what changed since).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fileChecksOf, recordFileChecks } from '../src/store/file-checks.ts';
import { MIGRATIONS } from '../src/store/migrations.ts';
import { openWorkspace } from '../src/store/workspace.ts';
import { copyTime, postgresRegister, type PostgresRegister } from './register-postgres.ts';
import { BENCH_NOW, branchesOf, generateRegister, sha, typicalBranch, type RegisterShape } from './register-data.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'huifang');
/** Bumped whenever the generator writes something else, so a cached register is rebuilt. */
const GENERATOR_VERSION = 2;
const GOAL_MS = 2000;

export interface RegisterBenchOptions extends RegisterShape {
  runs: number;
  rebuild?: boolean;
  /** `postgres`: also time the commands on a PostgreSQL copy of the register, beside SQLite's figures. */
  register?: 'sqlite' | 'postgres';
}

interface Built {
  dir: string;
  ws: string;
  branch: string;
  buildSeconds: number | null;
  counts: Record<string, number> | null;
}

const schemaVersion = (): number => MIGRATIONS.reduce((v, m) => Math.max(v, m.version), 0);

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, HUIFANG_NOW: BENCH_NOW, HUIFANG_USER: 'S310102' };
  delete e.HUIFANG_FROM_SOURCES;
  delete e.HUIFANG_WORKSPACE;
  delete e.HUIFANG_REGISTER;
  delete e.HUIFANG_FILES;
  return e;
}

/** CPU milliseconds (user + system) of this process's finished children (Linux; null elsewhere). */
function childrenCpuMs(): number | null {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10; // cutime + cstime, in 1/100 s
  } catch {
    return null;
  }
}

interface RunResult {
  ms: number;
  cpuMs: number | null;
  status: number | null;
  stderr: string;
  stdoutBytes: number;
}

function huifang(args: string[]): RunResult {
  const cpu = childrenCpuMs();
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env: env(), maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const after = childrenCpuMs();
  const cpuMs = cpu === null || after === null ? null : after - cpu;
  return { ms, cpuMs, status: r.status, stderr: String(r.stderr), stdoutBytes: r.stdout?.length ?? 0 };
}

/** The folder the register is kept in: one per size, schema version and generator version. */
export function registerBenchDir(shape: RegisterShape): string {
  return join(
    tmpdir(),
    `huifang-bench-register-${shape.visits}v-${shape.branches}b-s${schemaVersion()}-g${GENERATOR_VERSION}`,
  );
}

/** Builds the register (or finds it built). */
export function buildRegister(shape: RegisterShape, rebuild = false): Built {
  const dir = registerBenchDir(shape);
  const ws = join(dir, 'ws');
  const branch = typicalBranch(branchesOf(shape.branches)).code;
  if (!rebuild && existsSync(join(dir, 'ready'))) return { dir, ws, branch, buildSeconds: null, counts: null };
  if (!rebuild && migrateOlder(shape, dir)) return { dir, ws, branch, buildSeconds: null, counts: null };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t = process.hrtime.bigint();
  const init = huifang([BIN, 'init', ws, '--config', join(ROOT, 'samples', 'firm.json')]);
  if (init.status !== 0) throw new Error(`huifang init failed: ${init.stderr}`);
  const db = new Database(join(ws, 'register.sqlite'));
  const found = db.pragma('user_version', { simple: true }) as number;
  if (found !== schemaVersion()) throw new Error(`the new register has schema ${found}, expected ${schemaVersion()}`);
  db.pragma('journal_mode = DELETE');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -2000000');
  const g = generateRegister(db, shape);
  db.exec('ANALYZE');
  db.pragma('journal_mode = WAL');
  db.close();
  writeFiles(ws, g.files);
  const buildSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  writeFileSync(join(dir, 'ready'), JSON.stringify({ buildSeconds, counts: g.counts }, null, 2));
  return { dir, ws, branch, buildSeconds, counts: g.counts };
}

/**
 * A register built by this generator for an older schema is moved here and brought up to the
 * current schema by the program's own migrations (as a firm's register would be), then its
 * statistics are gathered again: quicker than building anew.
 */
function migrateOlder(shape: RegisterShape, dir: string): boolean {
  const prefix = `huifang-bench-register-${shape.visits}v-${shape.branches}b-s`;
  const older = readdirSync(tmpdir())
    .filter((d) => d.startsWith(prefix) && d.endsWith(`-g${GENERATOR_VERSION}`))
    .filter((d) => existsSync(join(tmpdir(), d, 'ready')))
    .sort()
    .at(-1);
  if (!older) return false;
  rmSync(dir, { recursive: true, force: true });
  renameSync(join(tmpdir(), older), dir);
  const t = process.hrtime.bigint();
  const r = huifang([BIN, 'review', 'list', '--json', '--workspace', join(dir, 'ws')]);
  if (r.status !== 0) throw new Error(`migrating the register of ${older} failed: ${r.stderr}`);
  const db = new Database(join(dir, 'ws', 'register.sqlite'));
  // statistics for the tables whose indexes a migration may have added (the rest are unchanged)
  for (const table of [
    'customers',
    'visits',
    'completion_entries',
    'remark_entries',
    'review_items',
    'accounts',
    'planned_visits',
  ])
    db.exec(`ANALYZE ${table}`);
  db.close();
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const ready = JSON.parse(readFileSync(join(dir, 'ready'), 'utf8')) as object;
  writeFileSync(
    join(dir, 'ready'),
    JSON.stringify({ ...ready, migratedFrom: older, migrateSeconds: seconds }, null, 2),
  );
  return true;
}

/**
 * Records a check of each stored file, made now, as a recording run (`validate --record`)
 * within files.recheckDays would have: what the default `validate` then relies on, hashing
 * only the files changed since. `--verify-hashes` is timed too: every file hashed, as on the
 * first check after storing. Says what it did, or null when the checks were recorded before.
 */
function recordFileChecksOnce(dir: string): string | null {
  const ws = openWorkspace(dir);
  try {
    const objects = join(ws.files.root, 'objects');
    const shas = readdirSync(objects).flatMap((d) => readdirSync(join(objects, d)));
    if (fileChecksOf(ws.register, shas).size === shas.length) return null;
    const t = process.hrtime.bigint();
    const made = shas.map((sha256) => ({ sha256, checkedAt: BENCH_NOW, ...ws.files.checkNow(sha256)! }));
    recordFileChecks(ws.register, made);
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    return `recorded a check of ${made.length} stored files (${made.filter((c) => !c.ok).length} failing) in ${s.toFixed(1)} s, in the register of ${dir}`;
  } finally {
    ws.close();
  }
}

/** Puts the stand-in bytes of the timed branch's documents in the file store (`objects/ab/abcd…`). */
function writeFiles(ws: string, files: readonly string[]): void {
  for (const text of files) {
    const hash = sha(text);
    const folder = join(ws, 'files', 'objects', hash.slice(0, 2)); // samples/firm.json keeps files in `files/`
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, hash), text, { mode: 0o444 });
  }
}

function sizeOf(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((n, f) => n + sizeOf(join(path, f)), 0);
}

interface Timing {
  label: string;
  medianMs: number;
  maxMs: number;
  /** Median CPU time (user + system): what the command costs, whatever else the machine runs. */
  cpuMs: number | null;
  exit: number | null;
  outputBytes: number;
  goal: boolean;
}

/**
 * Times one command on each register given (SQLite's, and PostgreSQL's when there is one):
 * one warming run of each, then their runs taken in turn, so that both see the same load.
 */
function timeCase(label: string, variants: string[][], runs: number, goal: boolean): Timing[] {
  const warm = variants.map((args) => huifang(args));
  for (const w of warm)
    if (w.status !== 0 && w.status !== 1) throw new Error(`${label} exited ${w.status}: ${w.stderr.slice(0, 2000)}`);
  const results: RunResult[][] = variants.map(() => []);
  for (let i = 0; i < runs; i++) variants.forEach((args, v) => results[v]!.push(huifang(args)));
  return results.map((rs, v) => {
    const times = rs.map((r) => r.ms).sort((a, b) => a - b);
    const cpu = rs.map((r) => r.cpuMs).sort((a, b) => (a ?? 0) - (b ?? 0));
    return {
      label,
      medianMs: times[Math.floor(times.length / 2)]!,
      maxMs: times[times.length - 1]!,
      cpuMs: cpu[Math.floor(cpu.length / 2)] ?? null,
      exit: warm[v]!.status,
      outputBytes: warm[v]!.stdoutBytes,
      goal,
    };
  });
}

/** The commands timed, on the workspace `ws` (whose register is SQLite's or PostgreSQL's). */
function cases(ws: string, b: string): [string, string[], boolean][] {
  const w = ['--workspace', ws];
  return [
    ['node -e 0', ['-e', '0'], false],
    [`validate --branch ${b} --no-verify-hashes`, [BIN, 'validate', '--branch', b, '--no-verify-hashes', ...w], true],
    [`validate --branch ${b} --verify-hashes`, [BIN, 'validate', '--branch', b, '--verify-hashes', ...w], true],
    [`validate --branch ${b}`, [BIN, 'validate', '--branch', b, ...w], true],
    ['review list', [BIN, 'review', 'list', ...w], true],
    [`coverage --year 2026 --branch ${b}`, [BIN, 'coverage', '--year', '2026', '--branch', b, ...w], true],
    [`report --period 2026-10 --branch ${b}`, [BIN, 'report', '--period', '2026-10', '--branch', b, ...w], true],
  ];
}

function timingLine(label: string, r: Timing, base: number, first: boolean): string {
  const verdict = r.goal ? ` (goal < ${GOAL_MS} ms: ${r.maxMs < GOAL_MS ? 'met' : 'NOT met'})` : '';
  const over = first
    ? ''
    : `, ${(r.medianMs - base).toFixed(0)} ms over node -e 0, exit ${r.exit}, ${(r.outputBytes / 1024).toFixed(0)} KiB out`;
  return `  ${label.padEnd(52)} ${r.medianMs.toFixed(0).padStart(6)} ms median ${r.maxMs.toFixed(0).padStart(6)} ms max ${r.cpuMs === null ? '' : `${r.cpuMs.toFixed(0).padStart(6)} ms CPU`}${over}${verdict}`;
}

/** Builds (once) and times the four commands on the large register (and on its PostgreSQL copy). */
export async function runRegisterBench(options: RegisterBenchOptions): Promise<string[]> {
  const lines: string[] = [];
  const built = buildRegister(options, options.rebuild);
  const ws = built.ws;
  const b = built.branch;
  lines.push(
    built.buildSeconds === null
      ? `  register ${built.dir} (built before; ${readBuild(built.dir)})`
      : `  register built in ${built.buildSeconds.toFixed(0)} s: ${built.dir}`,
  );
  lines.push(
    `  on disk: ${(sizeOf(join(ws, 'register.sqlite')) / 1e9).toFixed(2)} GB register, ${(sizeOf(join(ws, 'files')) / 1e6).toFixed(1)} MB stored files (branch ${b} only)`,
  );
  lines.push(`  ${describeRegister(join(ws, 'register.sqlite'), b)}`);
  const postgres = options.register === 'postgres' ? await startPostgresCopy(built.dir, lines) : undefined;
  try {
    for (const dir of [ws, ...(postgres ? [postgres.ws] : [])]) {
      const checks = recordFileChecksOnce(dir);
      if (checks) lines.push(`  ${checks}`);
    }
    const onPgCases = postgres ? cases(postgres.ws, b) : undefined;
    const timed = cases(ws, b).map(([label, args, goal], i) =>
      timeCase(label, onPgCases ? [args, onPgCases[i]![1]] : [args], options.runs, goal),
    );
    const sqlite = timed.map((t) => t[0]!);
    const onPg = onPgCases ? timed.map((t) => t[1]!) : undefined;
    const base = sqlite[0]!.medianMs;
    sqlite.forEach((r, i) => {
      const label = onPg && i > 0 ? `${r.label}, SQLite` : r.label;
      lines.push(timingLine(label, r, base, i === 0));
      if (onPg && i > 0) lines.push(timingLine(`${r.label}, PostgreSQL`, onPg[i]!, base, false));
    });
  } finally {
    postgres?.stop();
  }
  lines.push(
    `  load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  return lines;
}

/** Starts the PostgreSQL copy (copying the register into it the first time) and says what it is. */
async function startPostgresCopy(sqliteDir: string, lines: string[]): Promise<PostgresRegister> {
  const log = (line: string): void => console.log(line);
  const copy = await postgresRegister(sqliteDir, huifang, BIN, join(ROOT, 'samples', 'firm.json'), log);
  lines.push(
    `  PostgreSQL copy ${copy.dir} (${copy.copySeconds === null ? copyTime(copy.dir) : `copied from SQLite in ${copy.copySeconds.toFixed(0)} s`}): ${(copy.bytes / 1e9).toFixed(2)} GB on the server`,
  );
  return copy;
}

function readBuild(dir: string): string {
  try {
    const { buildSeconds, migratedFrom, migrateSeconds } = JSON.parse(readFileSync(join(dir, 'ready'), 'utf8')) as {
      buildSeconds: number;
      migratedFrom?: string;
      migrateSeconds?: number;
    };
    const migrated = migratedFrom ? `, then migrated from ${migratedFrom} in ${migrateSeconds!.toFixed(0)} s` : '';
    return `built in ${buildSeconds.toFixed(0)} s${migrated}`;
  } catch {
    return 'build time unknown';
  }
}

/** How much the register holds, and how much of it the timed branch and month are. */
function describeRegister(path: string, branch: string): string {
  const db = new Database(path, { readonly: true });
  try {
    const n = (sql: string, ...a: unknown[]) =>
      (
        db
          .prepare(sql)
          .pluck()
          .get(...a) as number
      ).toLocaleString('en');
    return [
      `${n('SELECT count(*) FROM visits')} visits`,
      `${n('SELECT count(*) FROM pages')} pages`,
      `${n('SELECT count(*) FROM documents')} documents`,
      `${n('SELECT count(*) FROM customers')} customers`,
      `${n('SELECT count(*) FROM accounts')} accounts`,
      `${n("SELECT count(*) FROM review_items WHERE status = 'open'")} open review items`,
      `${n("SELECT count(*) FROM visits WHERE result = 'pending'")} pending`,
      `branch ${branch}: ${n('SELECT count(*) FROM visits v JOIN customers c ON c.customer_id = v.customer_id WHERE c.branch_code = ?', branch)} visits, ${n("SELECT count(*) FROM visits v JOIN customers c ON c.customer_id = v.customer_id WHERE c.branch_code = ? AND v.created_on BETWEEN '2026-10-01' AND '2026-10-31'", branch)} in 2026-10`,
    ].join(', ');
  } finally {
    db.close();
  }
}

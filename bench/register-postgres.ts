/**
 * The large register on PostgreSQL, for `npm run bench -- register --register postgres`: a
 * private server (Debian's binaries, `initdb`, a Unix socket only, as in the tests) whose data
 * folder is kept in the temporary folder beside the SQLite register it copies, under the same
 * name with `-pg` (so one per size, schema version and generator version): built once, then
 * started and stopped by each run.
 *
 * The schema is the program's (`huifang init --register postgres://…` runs the migrations);
 * the rows are the cached SQLite register's, copied table by table through `psql`'s
 * `COPY … FROM STDIN` in one transaction: the indexes that back no constraint are dropped
 * first and made again at the end, the identity columns are moved past the copied ids, then
 * ANALYZE. The copy is checked by counting every table on both sides.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { postgresBinaries, startKeptPostgres } from '../test/postgres-server.ts';

/**
 * The server's settings: memory for its own page cache as a server of its own would have
 * (Debian's 128 MB is for small machines; a quarter of memory is the usual advice, 2 GB here
 * is less than a tenth of this machine's), and no durability, not needed for a register
 * that can be copied again.
 */
const SERVER_OPTIONS = [
  'shared_buffers=2GB',
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
  'wal_level=minimal', // COPY into a table truncated in the same transaction writes no WAL
  'max_wal_senders=0',
  'max_wal_size=2GB',
];

export interface PostgresRegister {
  dir: string;
  ws: string;
  url: string;
  copySeconds: number | null;
  /** The register's size on the server, in bytes. */
  bytes: number;
  stop(): void;
}

type Huifang = (args: string[]) => { status: number | null; stderr: string };

/** Starts the server of the PostgreSQL copy of the SQLite register in `sqliteDir`, copying it first if needed. */
export async function postgresRegister(
  sqliteDir: string,
  huifang: Huifang,
  bin: string,
  config: string,
  log: (line: string) => void,
): Promise<PostgresRegister> {
  const binaries = postgresBinaries();
  if ('missing' in binaries) throw new Error(binaries.missing);
  if (!hasPsql()) throw new Error('psql not found: install Debian package `postgresql-client` to copy the register');
  const dir = `${sqliteDir}-pg`;
  const ws = join(dir, 'ws');
  const migrated = !existsSync(join(dir, 'ready')) && adoptOlder(dir);
  const server = await startKeptPostgres(binaries.dir, dir, SERVER_OPTIONS);
  try {
    if (existsSync(join(ws, 'huifang.json'))) pointAt(ws, server.url); // the folder may have been renamed
    let copySeconds: number | null = null;
    if (migrated) {
      const r = huifang([bin, 'review', 'list', '--json', '--workspace', ws]);
      if (r.status !== 0) throw new Error(`migrating the PostgreSQL register failed: ${r.stderr}`);
      await withClient(server.url, (c) => c.query('ANALYZE'));
    } else if (!existsSync(join(dir, 'ready'))) {
      const t = process.hrtime.bigint();
      rmSync(ws, { recursive: true, force: true });
      const init = huifang([bin, 'init', ws, '--config', config, '--register', server.url]);
      if (init.status !== 0) throw new Error(`huifang init --register failed: ${init.stderr}`);
      cpSync(join(sqliteDir, 'ws', 'files'), join(ws, 'files'), { recursive: true });
      await copyRegister(join(sqliteDir, 'ws', 'register.sqlite'), dir, server.url, log);
      copySeconds = Number(process.hrtime.bigint() - t) / 1e9;
      writeFileSync(join(dir, 'ready'), JSON.stringify({ copySeconds }, null, 2));
    }
    const bytes = await withClient(server.url, async (c) => {
      const r = await c.query<{ n: string }>('SELECT pg_database_size(current_database()) AS n');
      return Number(r.rows[0]!.n);
    });
    return { dir, ws, url: server.url, copySeconds, bytes, stop: server.stop };
  } catch (e) {
    server.stop();
    throw e;
  }
}

/** How long the kept copy took to make, from its `ready` file. */
export function copyTime(dir: string): string {
  try {
    const { copySeconds } = JSON.parse(readFileSync(join(dir, 'ready'), 'utf8')) as { copySeconds: number };
    return `copied from SQLite in ${copySeconds.toFixed(0)} s`;
  } catch {
    return 'copy time unknown';
  }
}

/** A ready copy made for an older schema is moved here, for the program's migrations to bring up to date. */
function adoptOlder(dir: string): boolean {
  const name = dir.slice(dirname(dir).length + 1);
  const prefix = name.replace(/-s\d+-g(\d+)-pg$/, '-s');
  const suffix = name.slice(name.lastIndexOf('-g'));
  const older = readdirSync(dirname(dir))
    .filter((d) => d.startsWith(prefix) && d.endsWith(suffix) && d !== name)
    .filter((d) => existsSync(join(dirname(dir), d, 'ready')))
    .sort((a, b) => schemaOf(a) - schemaOf(b))
    .at(-1);
  if (!older) return false;
  rmSync(dir, { recursive: true, force: true });
  renameSync(join(dirname(dir), older), dir);
  return true;
}

const schemaOf = (name: string): number => Number(/-s(\d+)-g\d+-pg$/.exec(name)?.[1] ?? 0);

/** The workspace's register is the server's socket in the folder as it is named now. */
function pointAt(ws: string, url: string): void {
  const file = join(ws, 'huifang.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  if (config.register !== url) writeFileSync(file, JSON.stringify({ ...config, register: url }, null, 2) + '\n');
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

interface Table {
  name: string;
  columns: string[];
}

/** The register's tables (as the migrations made them on the server) and the indexes that back no constraint. */
async function serverSchema(c: pg.Client): Promise<{ tables: Table[]; indexes: { name: string; def: string }[] }> {
  const cols = await c.query<{ t: string; c: string }>(
    `SELECT table_name AS t, column_name AS c FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> 'huifang_schema' ORDER BY table_name, ordinal_position`,
  );
  const tables = new Map<string, string[]>();
  for (const r of cols.rows) tables.set(r.t, [...(tables.get(r.t) ?? []), r.c]);
  const idx = await c.query<{ name: string; def: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS def
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace
      WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)`,
  );
  return { tables: [...tables].map(([name, columns]) => ({ name, columns })), indexes: idx.rows };
}

/** One value in COPY's text format. */
function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'string')
    return /[\\\t\n\r]/.test(v)
      ? v.replace(/[\\\t\n\r]/g, (ch) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[ch]!)
      : v;
  if (Buffer.isBuffer(v)) return `\\\\x${v.toString('hex')}`;
  return String(v);
}

async function copyRegister(sqlitePath: string, dir: string, url: string, log: (line: string) => void): Promise<void> {
  const { tables, indexes } = await withClient(url, serverSchema);
  const db = new Database(sqlitePath, { readonly: true });
  const psql = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', dir, '-U', 'huifang', '-d', 'huifang'], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  psql.stderr.on('data', (d: Buffer) => (stderr += String(d)));
  const exited = once(psql, 'close') as Promise<[number | null]>;
  const write = async (text: string): Promise<void> => {
    if (!psql.stdin.write(text)) await Promise.race([once(psql.stdin, 'drain'), exited]);
    if (psql.exitCode !== null) throw new Error(`psql ended during the copy: ${stderr}`);
  };
  try {
    await write(
      "SET session_replication_role = replica;\nSET maintenance_work_mem = '1GB';\nBEGIN;\n" +
        indexes.map((i) => `DROP INDEX "${i.name}";\n`).join('') +
        `TRUNCATE ${tables.map((t) => `"${t.name}"`).join(', ')};\n`,
    );
    for (const t of tables) await copyTable(db, t, write, log);
    await write(indexes.map((i) => `${i.def};\n`).join('') + 'COMMIT;\n');
    psql.stdin.end();
    const [code] = await exited;
    if (code !== 0) throw new Error(`psql failed (exit ${code}): ${stderr.slice(0, 4000)}`);
  } finally {
    if (psql.exitCode === null) psql.kill();
    db.close();
  }
  log(`    indexes made again (${indexes.length}); moving identity columns past the copied ids, ANALYZE`);
  await withClient(url, async (c) => {
    await resetIdentities(c);
    await c.query('ANALYZE');
    await checkCounts(c, sqlitePath, tables);
  });
}

async function copyTable(
  db: Database.Database,
  t: Table,
  write: (text: string) => Promise<void>,
  log: (line: string) => void,
): Promise<void> {
  const started = process.hrtime.bigint();
  const list = t.columns.map((c) => `"${c}"`).join(', ');
  await write(`COPY "${t.name}" (${list}) FROM STDIN;\n`);
  const rows = db.prepare(`SELECT ${list} FROM "${t.name}"`).raw(true).iterate() as IterableIterator<unknown[]>;
  let chunk: string[] = [];
  let size = 0;
  let n = 0;
  for (const row of rows) {
    const line = row.map(copyValue).join('\t') + '\n';
    chunk.push(line);
    size += line.length;
    n++;
    if (size > 1 << 22) {
      await write(chunk.join(''));
      chunk = [];
      size = 0;
    }
  }
  await write(chunk.join('') + '\\.\n');
  const s = Number(process.hrtime.bigint() - started) / 1e9;
  log(`    ${t.name}: ${n.toLocaleString('en')} rows in ${s.toFixed(0)} s`);
}

/** Identity columns continue after the largest copied id, so the next insert does not collide. */
async function resetIdentities(c: pg.Client): Promise<void> {
  const ids = await c.query<{ t: string; c: string }>(
    `SELECT table_name AS t, column_name AS c FROM information_schema.columns
      WHERE table_schema = 'public' AND is_identity = 'YES'`,
  );
  for (const { t, c: col } of ids.rows)
    await c.query(
      `SELECT setval(pg_get_serial_sequence('"${t}"', '${col}'), COALESCE((SELECT MAX("${col}") FROM "${t}"), 0) + 1, false)`,
    );
}

async function checkCounts(c: pg.Client, sqlitePath: string, tables: Table[]): Promise<void> {
  const db = new Database(sqlitePath, { readonly: true });
  try {
    for (const t of tables) {
      const want = (db.prepare(`SELECT count(*) AS n FROM "${t.name}"`).get() as { n: number }).n;
      const got = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${t.name}"`)).rows[0]!.n);
      if (want !== got) throw new Error(`the copy of ${t.name} holds ${got} rows, the SQLite register ${want}`);
    }
  } finally {
    db.close();
  }
}

/** Whether `psql` (Debian's postgresql-client, installed with the server) is on the PATH. */
function hasPsql(): boolean {
  return spawnSync('psql', ['--version']).status === 0;
}

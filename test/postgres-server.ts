/**
 * A private PostgreSQL server for the tests: Debian's binaries, `initdb` into a temporary
 * folder, listening only on a Unix socket in that folder (no network port), stopped and
 * removed at the end. PostgreSQL refuses to run as root, so as root it runs as the
 * `postgres` user (or `nobody`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The folder holding initdb, pg_ctl and postgres, or why there is none. */
export function postgresBinaries(): { dir: string } | { missing: string } {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // no pg_config on the PATH
  }
  const lib = '/usr/lib/postgresql';
  if (existsSync(lib))
    for (const v of readdirSync(lib).sort((a, b) => Number(b) - Number(a))) candidates.push(join(lib, v, 'bin'));
  for (const dir of candidates)
    if (['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(dir, b)))) return { dir };
  return {
    missing:
      'PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: install Debian package `postgresql` to run the suite on a PostgreSQL register',
  };
}

/** The uid/gid to run the server as: ours, or when we are root, `postgres`'s (else `nobody`'s). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const name of ['postgres', 'nobody']) {
    const line = passwd.find((l) => l.startsWith(`${name}:`));
    if (line) {
      const [, , uid, gid] = line.split(':');
      return { uid: Number(uid), gid: Number(gid) };
    }
  }
  throw new Error('running as root and no postgres or nobody user to run PostgreSQL as');
}

export interface PostgresServer {
  /** URL of the `huifang` database (add `&schema=NAME` for a register of its own). */
  url: string;
  stop(): void;
}

function run(bin: string, args: string[], user: { uid: number; gid: number } | undefined): void {
  const r = spawnSync(bin, args, { encoding: 'utf8', ...(user ?? {}), env: { ...process.env, LC_ALL: 'C' } });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${r.stderr || r.stdout || r.error?.message}`);
}

/**
 * Starts a fresh server with a `huifang` database, durability off (a test's data need not
 * survive a crash); `stop()` ends it and removes its folder.
 */
export async function startPostgres(binDir: string): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'huifang-pg-'));
  try {
    const server = await startKeptPostgres(binDir, dir, [
      'fsync=off',
      'synchronous_commit=off',
      'full_page_writes=off',
      'max_connections=300',
    ]);
    return {
      url: server.url,
      stop: () => {
        server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A server whose folder is kept: `dir` holds its data (made by `initdb` on first use, with a
 * `huifang` database) and its socket; `stop()` stops it and leaves the folder for the next
 * start. `options` are more `-c name=value` settings. What the register bench keeps its
 * PostgreSQL copy of the large register in.
 */
export async function startKeptPostgres(
  binDir: string,
  dir: string,
  options: string[] = [],
): Promise<PostgresServer & { created: boolean }> {
  const user = serverUser();
  const data = join(dir, 'data');
  const created = !existsSync(join(data, 'PG_VERSION'));
  mkdirSync(dir, { recursive: true });
  if (user) chownSync(dir, user.uid, user.gid);
  if (created) {
    rmSync(data, { recursive: true, force: true });
    run(join(binDir, 'initdb'), ['-D', data, '-U', 'huifang', '--auth=trust', '-E', 'UTF8', '--locale=C', '-N'], user);
  }
  // a server left running by an interrupted run is stopped, then started with these settings
  if (!created && spawnSync(join(binDir, 'pg_ctl'), ['-D', data, 'status'], { ...(user ?? {}) }).status === 0)
    run(join(binDir, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop'], user);
  const settings = ["-c listen_addresses=''", `-c unix_socket_directories='${dir}'`, ...options.map((o) => `-c ${o}`)];
  run(
    join(binDir, 'pg_ctl'),
    ['-D', data, '-o', settings.join(' '), '-l', join(dir, 'server.log'), '-w', 'start'],
    user,
  );
  const stop = (): void => {
    spawnSync(join(binDir, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop'], { ...(user ?? {}) });
  };
  try {
    if (created) await createDatabase(dir);
  } catch (e) {
    stop();
    throw e;
  }
  return { url: `postgres:///huifang?host=${encodeURIComponent(dir)}&user=huifang`, stop, created };
}

let counter = 0;

/** A register address of its own on the server: a fresh schema. */
export function freshRegister(serverUrl: string): string {
  counter++;
  return `${serverUrl}&schema=r${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Makes the `huifang` database on the server listening in `dir`. */
async function createDatabase(dir: string): Promise<void> {
  const admin = new pg.Client({ host: dir, user: 'huifang', database: 'postgres' });
  await admin.connect();
  await admin.query('CREATE DATABASE huifang');
  await admin.end();
}

/**
 * Leftovers after a crash: a killed ingest leaves a full-size `.tmp` in the store, a killed
 * archive a `.partial` zip, a kill right after the zip's rename a bundle the register does
 * not know. The next run of the same command removes, adopts or replaces them, and says so
 * (standard error, and a `leftovers` field in --json). The leftovers are made exactly as a
 * killed run leaves them (the writer's process id in the name, that process gone), and one
 * test kills a real ingest with SIGKILL while it copies a file into the store.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyWorkspace } from './workspace-helpers.ts';
import { HOST_TAG, tempPathFor } from '../src/store/atomic.ts';
import { sha256Of } from '../src/store/files.ts';
import { removeDeadTempFiles } from '../src/store/leftovers.ts';
import { makeFixture, type Fixture } from './archive-fixture.ts';
import { BIN, cli, seedWorkspace, tempDir } from './ingest-helpers.ts';
import { importTestRoster } from './roster-fixture.ts';

/** The id of a process that has ended (a killed run's, as its leftovers carry it). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

/** Every temporary file in a workspace's store. */
function storeTemps(ws: string): string[] {
  const objects = join(ws, 'files', 'objects');
  if (!existsSync(objects)) return [];
  return readdirSync(objects).flatMap((d) =>
    readdirSync(join(objects, d))
      .filter((n) => n.endsWith('.tmp'))
      .map((n) => join(objects, d, n)),
  );
}

describe('a killed ingest', () => {
  const dir = tempDir('leftovers-ingest');
  const ws = join(dir, 'ws');
  const note = join(dir, 'note.txt');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("leaves a .tmp that the next ingest removes and reports; a running process's .tmp is kept", async () => {
    seedWorkspace(ws, []).ws.close(); // a workspace with the ingest roster (clerk.test ingests)
    writeFileSync(note, 'scanned by hand, see the paper file\n'.repeat(1000));
    const sha = sha256Of(readFileSync(note));
    const folder = join(ws, 'files', 'objects', sha.slice(0, 2));
    mkdirSync(folder, { recursive: true });
    const dead = join(folder, `${sha}.${deadPid()}.tmp`);
    const live = join(folder, `${sha}.${process.ppid}.tmp`); // a process that runs: another ingest, now
    copyFileSync(note, dead); // a full-size copy, as putFile leaves it when killed before its rename
    copyFileSync(note, live);
    const r = await cli(['ingest', note, '--workspace', ws, '--json', '--user', 'clerk.test']);
    expect(r.status).toBe(1); // stored, quarantined whole: not a scan
    const json = JSON.parse(r.stdout);
    expect(json.leftovers).toEqual([
      {
        path: dead,
        size: readFileSync(note).length,
        action: 'removed',
        reason: expect.stringContaining('interrupted run'),
      },
    ]);
    expect(r.stderr).toContain(`removed ${dead}`);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(join(folder, sha))).toBe(true);
    const again = await cli(['ingest', note, '--workspace', ws, '--json', '--user', 'clerk.test']);
    expect(JSON.parse(again.stdout).leftovers).toEqual([]);
  });

  it('killed with SIGKILL while a large file is copied into the store, is cleaned up by the next run', async () => {
    const killedWs = join(dir, 'killed');
    seedWorkspace(killedWs, []).ws.close();
    const big = join(dir, 'big-scan.bin');
    const out = createWriteStream(big);
    const block = Buffer.alloc(2 ** 20);
    for (let i = 0; i < 300; i++) {
      block.writeUInt32LE(i, 0);
      if (!out.write(block)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const child = spawn(process.execPath, [BIN, 'ingest', big, '--workspace', killedWs, '--json'], {
      stdio: 'ignore',
      env: { ...process.env, HUIFANG_USER: 'clerk.test' },
    });
    const exited = once(child, 'exit');
    let seen: string[] = [];
    while (child.exitCode === null && seen.length === 0) {
      await new Promise((r) => setTimeout(r, 5));
      seen = storeTemps(killedWs);
    }
    // The file is copied, then hashed again before its rename: a window of a second or more.
    expect(seen.length, 'the ingest ended before its temporary file could be seen').toBe(1);
    child.kill('SIGKILL');
    await exited;
    expect(storeTemps(killedWs)).toEqual(seen);
    const r = await cli(['ingest', big, '--workspace', killedWs, '--json', '--user', 'clerk.test']);
    const json = JSON.parse(r.stdout);
    expect(json.leftovers.map((l: { path: string; action: string }) => [l.path, l.action])).toEqual([
      [seen[0], 'removed'],
    ]);
    expect(storeTemps(killedWs)).toEqual([]);
    expect(json.files[0].status).toMatch(/ingested|resumed/);
  }, 180_000);
});

describe('a killed archive', () => {
  let f: Fixture;
  const zipName = 'huifang-3101-2026-05.zip';
  // 赵六, a clerk (经办人) on the test roster, builds the bundles.
  const build = (ws: string, out: string) =>
    cli([
      'archive',
      '--workspace',
      ws,
      '--branch',
      '3101',
      '--period',
      '2026-05',
      '--out',
      out,
      '--include-invalid',
      '--json',
      '--user',
      '赵六',
    ]);
  let reference: Buffer;

  beforeAll(async () => {
    process.env.HUIFANG_NOW = '2026-06-15T02:00:00Z';
    f = makeFixture();
    importTestRoster(f.ws);
    f.ws.close();
    copyWorkspace(join(f.dir, 'ws'), join(f.dir, 'ws-b'));
    copyWorkspace(join(f.dir, 'ws'), join(f.dir, 'ws-c'));
    const r = await build(join(f.dir, 'ws'), join(f.dir, 'out-a'));
    expect(r.status).toBe(0);
    reference = readFileSync(join(f.dir, 'out-a', zipName));
  }, 120_000);
  afterAll(() => {
    delete process.env.HUIFANG_NOW;
    rmSync(f.dir, { recursive: true, force: true });
  });

  it('leaves a .partial zip and a renamed zip the register does not know: removed and adopted, and said so', async () => {
    const out = join(f.dir, 'out-b');
    mkdirSync(out);
    const partial = join(out, `.${zipName}.${deadPid()}.partial`);
    writeFileSync(partial, reference.subarray(0, 5000)); // cut off mid-write
    writeFileSync(join(out, zipName), reference); // renamed into place, then killed before the register knew
    const r = await build(join(f.dir, 'ws-b'), out);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.leftovers.map((l: { path: string; action: string }) => [l.path, l.action])).toEqual([
      [partial, 'removed'],
      [join(out, zipName), 'adopted'],
    ]);
    expect(r.stderr).toContain(`removed ${partial}`);
    expect(r.stderr).toContain(`adopted ${join(out, zipName)}`);
    expect(readdirSync(out)).toEqual([zipName]);
    expect(readFileSync(join(out, zipName)).equals(reference)).toBe(true);
    const list = await cli(['archive', 'list', '--workspace', join(f.dir, 'ws-b'), '--json']);
    expect(JSON.parse(list.stdout).bundles).toEqual([join(out, zipName)]);
  });

  it('replaces a zip at the bundle path that is not the bundle, and says so', async () => {
    const out = join(f.dir, 'out-c');
    mkdirSync(out);
    writeFileSync(join(out, zipName), 'not a bundle');
    const r = await build(join(f.dir, 'ws-c'), out);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.leftovers.map((l: { action: string }) => l.action)).toEqual(['replaced']);
    expect(r.stderr).toContain(`replaced ${join(out, zipName)}`);
    expect(readFileSync(join(out, zipName)).equals(reference)).toBe(true);
  });

  it('a rebuild over a registered bundle reports no leftovers', async () => {
    const r = await build(join(f.dir, 'ws'), join(f.dir, 'out-a'));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).leftovers).toEqual([]);
  });
});

describe('a files folder shared by several machines', () => {
  const dir = tempDir('leftovers-shared');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A temporary file as `writer` (a process on `host`) leaves it, last written `ageHours` ago. */
  let n = 0;
  function leftBy(host: string, pid: number, ageHours: number): string {
    const path = join(dir, `.scan-${++n}.pdf.@${host}.${pid}.0a1b2c3d.tmp`);
    writeFileSync(path, 'half a file');
    const at = new Date(Date.now() - ageHours * 3600_000);
    utimesSync(path, at, at);
    return path;
  }

  it("names the machine in every temporary file, and judges another machine's files by age, not by process id", () => {
    expect(tempPathFor(join(dir, 'ab12.pdf'))).toMatch(
      new RegExp(`\\.ab12\\.pdf\\.@${HOST_TAG}\\.${process.pid}\\.[0-9a-f]{8}\\.tmp$`),
    );
    const dead = deadPid();
    const oursDead = leftBy(HOST_TAG, dead, 0);
    const oursLive = leftBy(HOST_TAG, process.ppid, 48);
    // A clerk's machine with a process id that happens to be dead here: still writing, over there.
    const theirsWriting = leftBy('clerk-pc-07', dead, 1);
    const theirsAbandoned = leftBy('clerk-pc-07', dead, 30);
    const removed = removeDeadTempFiles(dir);
    expect(removed.map((l) => l.path).sort()).toEqual([oursDead, theirsAbandoned].sort());
    expect(removed.find((l) => l.path === theirsAbandoned)!.reason).toContain('clerk-pc-07');
    expect(existsSync(oursLive)).toBe(true);
    expect(existsSync(theirsWriting)).toBe(true);
  });
});

/**
 * vitest globalSetup of the `postgres` run: starts a private PostgreSQL server for the whole
 * run and stops it at the end. Where the binaries are missing every test of that run is
 * skipped with the reason (test/register-setup.ts), never passed.
 */
import type { TestProject } from 'vitest/node';
import { postgresBinaries, startPostgres } from './postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the test server's `huifang` database; '' when there is none. */
    postgresServer: string;
    /** Why there is no server. */
    postgresMissing: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const binaries = postgresBinaries();
  if ('missing' in binaries) {
    project.provide('postgresServer', '');
    project.provide('postgresMissing', binaries.missing);
    return () => {};
  }
  const server = await startPostgres(binaries.dir);
  project.provide('postgresServer', server.url);
  project.provide('postgresMissing', '');
  return () => server.stop();
}

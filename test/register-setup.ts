/**
 * setupFiles of the `postgres` run: without a server, every test is skipped with the reason.
 */
import { beforeEach, inject } from 'vitest';

beforeEach((ctx) => {
  if (!inject('postgresServer')) ctx.skip(inject('postgresMissing'));
});

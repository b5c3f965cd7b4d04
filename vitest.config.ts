import { defineConfig } from 'vitest/config';

// The whole suite runs twice: on the embedded SQLite register, and on a PostgreSQL register
// (a private server the run starts; every workspace a test makes gets a schema of its own).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        // The tests test the sources: bin/huifang runs them through tsx, not the compiled dist/.
        test: { name: 'sqlite', env: { HUIFANG_FROM_SOURCES: '1' } },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          env: { HUIFANG_FROM_SOURCES: '1', HUIFANG_TEST_REGISTER: 'postgres' },
          globalSetup: ['test/postgres-setup.ts'],
          setupFiles: ['test/register-setup.ts'],
        },
      },
    ],
  },
});

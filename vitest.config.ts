import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // The tests test the sources: bin/huifang runs them through tsx, not the compiled dist/.
    env: { HUIFANG_FROM_SOURCES: '1' },
    reporters: ['default'],
  },
});

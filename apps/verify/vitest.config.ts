import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 300_000, pool: 'forks', maxWorkers: 2, globalSetup: ['@dcmblind/test-utils/vitest-setup'] },
});

import { defineConfig } from 'vitest/config';

// One vitest run for the whole workspace (`pnpm test`): each package is a project, so global
// setups (Azurite, the GCS test server) start only for the suites that need them.
// `mpu-source` makes workspace packages resolve to their TypeScript sources (no build needed).
const conditions = ['mpu-source', 'import', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['mpu-source'] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'core', include: ['packages/core/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'conformance', include: ['packages/conformance/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'fs', include: ['packages/fs/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'level', include: ['packages/level/test/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'azure', include: ['packages/azure/test/**/*.test.ts'], globalSetup: ['packages/azure/test/global-setup.ts'] },
      },
      {
        extends: true,
        test: { name: 'gcs', include: ['packages/gcs/test/**/*.test.ts', 'test/emulators/gcs/test/**/*.test.ts'], globalSetup: ['packages/gcs/test/global-setup.ts'] },
      },
      { extends: true, test: { name: 's3', include: ['packages/s3/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'cli', include: ['packages/cli/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts']} },
      { extends: true, test: { name: 'reliability', include: ['test/reliability/**/*.test.ts'] } },
      { extends: true, test: { name: 'benchmarks', include: ['benchmarks/test/**/*.test.ts'] } },
    ],
  },
});

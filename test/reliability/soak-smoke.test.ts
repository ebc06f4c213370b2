import { expect, it } from 'vitest';
import { runSoak } from './soak/run-soak.js';

/**
 * A few seconds of the soak (scripts/soak.ts runs it for 10 minutes): SDK clients, mixed
 * traffic, FaultyStore(FsStore) under the server, then the audit. Keeps the soak's own code
 * honest inside `pnpm test`; the bar is the same — nothing lost, nothing corrupted.
 */
it('a short soak under store faults ends with a clean audit', async () => {
  const report = await runSoak({ durationMs: 6000, workers: 4, faultRate: 0.02 });
  expect(report.faultsInjected).toBeGreaterThan(0);
  expect(report.operations.CompleteMultipartUpload ?? 0).toBeGreaterThan(0);
  expect(report.audit).toMatchObject({ lost: [], corrupted: [], unknownObjects: [], finishedUploadsStillListed: [] });
  expect(report.audit.objectsPresent).toBeGreaterThan(0);
});

/**
 * Soak test (not part of `pnpm test`): mixed concurrent S3 traffic with injected store faults,
 * then a consistency audit. Exits 1 if any object was lost or corrupted.
 *
 *   node --conditions=mpu-source --import tsx scripts/soak.ts [--minutes 10] [--workers 8] [--fault-rate 0.01] [--seed N]
 *
 * The traffic and audit live in test/reliability/soak/run-soak.ts (so they resolve the
 * workspace packages and the AWS SDK as the e2e package does, and are type-checked with the
 * tests); a short run of it is part of the reliability suite (soak-smoke.test.ts).
 */
import { runSoak } from '../test/reliability/soak/run-soak.ts';

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}

const report = await runSoak({
  durationMs: arg('minutes', 10) * 60_000,
  workers: arg('workers', 8),
  faultRate: arg('fault-rate', 0.01),
  seed: arg('seed', Date.now() % 0x7fffffff),
  log: (line) => console.log(line),
});
console.log(JSON.stringify(report, null, 2));
const { lost, corrupted, unknownObjects, finishedUploadsStillListed } = report.audit;
const bad = lost.length + corrupted.length + unknownObjects.length + finishedUploadsStillListed.length;
console.log(bad === 0 ? 'soak audit: OK — 0 lost, 0 corrupted, 0 unknown objects' : `soak audit: FAILED — ${bad} problems`);
process.exitCode = bad === 0 ? 0 : 1;

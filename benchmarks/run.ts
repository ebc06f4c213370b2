/**
 * mpu benchmarks: `pnpm bench` (quick, < 5 min on 2 cores), `pnpm bench --full`, and
 * `--smoke` (the harness's own test). Writes results.json, report.md and SVG charts into
 * `<out>/<timestamp>/` and copies them to `<out>/latest/`.
 *
 *   --full | --smoke           profile (default quick)
 *   --out <dir>                results root (default benchmarks/results)
 *   --only <suite,…>           assembly, ingest, end-to-end, memory, workers, listing (development aid)
 *   --backends <name,…>        assembly on these backends only: memory, fs, level, azure, gcs
 *   --quiet                    no progress lines
 */
import { rmSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runAssemblySuite } from './assembly.js';
import { writeCharts } from './charts.js';
import { runEndToEndSuite } from './end-to-end.js';
import { runIngestSuite } from './ingest.js';
import { runListingSuite } from './listing.js';
import { runWorkersSuite } from './workers.js';
import type { SuiteContext } from './lib/context.js';
import { FigureBook } from './lib/figures.js';
import { machineInfo } from './lib/machine.js';
import { ALL_BACKENDS, type BackendName } from './lib/backends.js';
import { PROFILES, describeProfile, type Profile, type ProfileName } from './lib/profiles.js';
import { Progress } from './lib/progress.js';
import { evaluateTargets, FLATNESS_MAX_RATIO, FLATNESS_SLACK_MS, flatnessCaseIds, readBackCaseId } from './lib/targets.js';
import { runMemorySuite } from './memory.js';
import { type RunResults, writeJson, writeMarkdown } from './report.js';

const SUITES = ['assembly', 'ingest', 'end-to-end', 'memory', 'workers', 'listing'] as const;
type SuiteName = (typeof SUITES)[number];

const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    only: { type: 'string' },
    backends: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

const profileName: ProfileName = values.full ? 'full' : values.smoke ? 'smoke' : 'quick';
const baseProfile = PROFILES[profileName];
const backendFilter = values.backends?.split(',');
for (const b of backendFilter ?? []) if (!ALL_BACKENDS.includes(b as BackendName)) throw new Error(`unknown backend ${b}; one of ${ALL_BACKENDS.join(', ')}`);
const profile: Profile = backendFilter
  ? { ...baseProfile, assembly: { ...baseProfile.assembly, backends: baseProfile.assembly.backends.filter((b) => backendFilter.includes(b)) } }
  : baseProfile;
const only = values.only ? new Set(values.only.split(',')) : undefined;
for (const s of only ?? []) if (!SUITES.includes(s as SuiteName)) throw new Error(`unknown suite ${s}; one of ${SUITES.join(', ')}`);
const selected = (s: SuiteName): boolean => !only || only.has(s);

const outRoot = values.out ?? fileURLToPath(new URL('./results/', import.meta.url));
const startedAt = new Date();
const progress = new Progress(values.quiet);
const book = new FigureBook();
const workDir = await mkdtemp(join(tmpdir(), 'mpu-bench-'));
const failures: string[] = [];
const ctx: SuiteContext = {
  profile, book, progress, workDir, watchHeap: selected('memory'),
  fail(what, error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    failures.push(`${what} failed: ${message}`);
    progress.line(`FAILED ${what}: ${message}`);
    if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  },
};
const runSuite = async (name: SuiteName, fn: () => Promise<void>): Promise<void> => {
  try {
    await fn();
  } catch (error) {
    ctx.fail(`suite ${name}`, error);
  }
};

// An interrupted run still removes its data (gigabytes in the temp dir).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    rmSync(workDir, { recursive: true, force: true });
    process.exit(130);
  });
}
progress.line(`profile ${profile.name}; data in ${workDir}`);
const machine = machineInfo();
try {
  if (selected('assembly')) await runSuite('assembly', () => runAssemblySuite(ctx));
  if (selected('ingest')) await runSuite('ingest', () => runIngestSuite(ctx));
  if (selected('end-to-end')) await runSuite('end-to-end', () => runEndToEndSuite(ctx));
  if (selected('workers')) await runSuite('workers', () => runWorkersSuite(ctx));
  if (selected('listing')) await runSuite('listing', () => runListingSuite(ctx));
  // With assembly selected, the heap is watched during its fs tiny-part Complete (staged once).
  if (selected('memory') && !selected('assembly')) await runSuite('memory', () => runMemorySuite(ctx));
} finally {
  await rm(workDir, { recursive: true, force: true });
}

const flat = flatnessCaseIds(profile);
const overrides = Object.entries(profile.assembly.flatness.largeFor ?? {})
  .filter(([b]) => profile.assembly.backends.includes(b as BackendName))
  .map(([b]) => `${b}: ${flatnessCaseIds(profile, b as BackendName).large.replace('.', ' in ')} parts`);
book.note(`Flatness compares ${flat.large.replace('.', ' in ')} parts with ${flat.small.replace('.', ' in ')} parts: the same part count, so the ratio isolates object size from per-part record work${overrides.length ? ` (large object on ${overrides.join('; ')}, to fit the profile's time)` : ''}. "About the same time" is taken as ≤ ${FLATNESS_MAX_RATIO}× or ≤ ${FLATNESS_SLACK_MS} ms longer (sub-10 ms Completes are dominated by timer and scheduler noise), judged on the fastest run of each size: noise on a shared machine only adds time, so the minimum is the closest estimate of Complete's own cost (medians are shown beside). The 5/8/64 MiB rows show how Complete grows with the part count.`);
book.note('fs runs as in production: fsync on for staging and Complete. The 10,000 tiny parts are staged with fsync off (staging is not measured), then completed on an fsync-on store reopened on the same directory.');
book.note('The `cat` baselines cat plain files holding the same part sizes and bytes, written on the same volume (the OS temp dir) as the fs store. `sync` runs between cases so writeback from one case does not land in the next one\'s timing. This VM reclaims page cache eagerly (buff/cache stays near 1.5 GiB with 20 GiB free), so whether a just-written file is read from memory or disk is partly chance: the fs read-back target therefore compares mpu with `cat` of the store\'s own part files, both hot (an untimed `cat` warms them first).');
book.note('Engine limits in the assembly and memory suites are `aws` with `minPartSize: 1` (tiny parts would break the 5 MiB minimum); limits are data and do not change the work Complete does.');
book.note('Azure runs on Azurite (in-memory, loopback) and GCS on the in-repo GCS test server: both are emulators in this process\'s machine, so their figures compare backends\' request patterns, not the cloud services\' speed.');
if (readBackCaseId(profile)) book.note(`The fs read-back target is judged on ${readBackCaseId(profile)!.replace('.', ' in ')} parts.`);
book.note('Ingest (fs): the target is judged with fsync off, which isolates the CPU path the target is about (MD5 is the floor); the fsync-on rows are bounded by the disk\'s synced write rate (`dd conv=fsync` baseline).');
if (profile.endToEnd && selected('end-to-end')) {
  book.note('End to end: the SDK client for both servers uses `requestChecksumCalculation: \'WHEN_REQUIRED\'` and `responseChecksumValidation: \'WHEN_REQUIRED\'`, because s3rver 3.7 predates flexible checksums (aws-chunked trailers); both servers see the same requests. Both servers run side by side, each in its own child process so its RSS is read from /proc, and their rounds alternate (mpu, s3rver, mpu, …) so load changes on the shared machine fall on both alike (VmRSS sampled every 25 ms, plus VmHWM after resetting it). The client runs in the benchmark process on the same 2 cores.');
}
if (profile.workers && selected('workers')) {
  book.note('Workers: `mpu serve` (the CLI, fs backend, fsync on as in production) started with `MPU_WORKERS`, driven by the lean client (raw `node:http`, keep-alive, SigV4 with `UNSIGNED-PAYLOAD`, one reused body buffer) in the benchmark process on the same cores. CPU-seconds are utime + stime of the server\'s whole process tree from /proc; RSS above idle is the tree\'s peak minus its idle RSS, divided by the worker count.');
}
if (profile.listing && selected('listing')) {
  book.note('Listing: uploads are created through the engine\'s `createMultipartUpload` (not timed); pages are timed around `listMultipartUploads` alone. "store calls" is every BlobStore call counted by `CountingStore`; "items listed" is what the store\'s listing methods yielded, which tells a page read from a scan of the whole bucket (both are one `listRecords` call).');
}
for (const failure of failures) book.note(`**FAILED** — ${failure}`);
if (only) book.note(`Only these suites ran: ${[...only].join(', ')}.`);
if (backendFilter) book.note(`Assembly ran only on: ${profile.assembly.backends.join(', ')}.`);

const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
const runDir = join(outRoot, stamp);
await mkdir(runDir, { recursive: true });
const charts = await writeCharts(runDir, book.figures);
const results: RunResults = {
  schema: 'mpu-bench/1',
  profile: profile.name,
  startedAt: startedAt.toISOString(),
  durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
  machine,
  coverage: describeProfile(profile),
  targets: evaluateTargets(profile, book),
  figures: book.figures,
  notes: book.notes,
  charts,
  loadAverageAtEnd: loadavg()[0] ?? Number.NaN,
};
await writeJson(runDir, results);
await writeMarkdown(runDir, results);
const latest = join(outRoot, 'latest');
await rm(latest, { recursive: true, force: true });
await cp(runDir, latest, { recursive: true });
progress.line(`wrote ${runDir} (and ${latest})`);
for (const t of results.targets) progress.line(`${t.verdict.padEnd(7)} ${t.what}: ${t.figure}${t.note ? ` — ${t.note}` : ''}`);
if (failures.length > 0) {
  progress.line(`${failures.length} part(s) of the run failed; see the notes in report.md`);
  process.exitCode = 1;
}

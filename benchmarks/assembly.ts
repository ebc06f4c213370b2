/**
 * Assembly suite: Complete latency and effective assembly throughput (object bytes ÷ Complete
 * time) on every backend, read-back throughput of the assembled object, part bytes read through
 * the store during Complete (must be 0), and the `cat` baselines of the same part sizes.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CountingStore, MultipartEngine, TransientStoreError, defineLimits } from '@mpu/core';
import type { BlobStore } from '@mpu/core';
import { catInto, catToNull, nodeReadAll, syncDisks } from './baselines.js';
import { openBackend, type BenchBackend, type BackendName } from './lib/backends.js';
import { drain, writeGeneratedFile } from './lib/bytes.js';
import { mapLimit } from './lib/concurrency.js';
import type { SuiteContext } from './lib/context.js';
import { sizeLabel, throughputs } from './lib/figures.js';
import { BUCKET, completeStaged, partSizes, stageUpload } from './lib/staging.js';
import { measureHeapDuring } from './memory.js';

// Tiny parts break the 5 MiB minimum; limits are data, and the engine's speed does not depend on them.
const LIMITS = defineLimits({ minPartSize: 1 });
const STAGING_IN_FLIGHT = 4;
const TINY_STAGING_IN_FLIGHT = 8;

interface Measured {
  readonly completeMs: number;
  readonly partBytesRead: number;
  /** First read after Complete, in whatever cache state staging left. */
  readonly readMs?: number;
  /** fs: read-back and `cat` of the store's own part files to /dev/null, both with the files hot in the page cache. */
  readonly hot?: { readonly readMs: number; readonly catMs: number };
}

function engineOn(store: BlobStore): { engine: MultipartEngine; counting: CountingStore } {
  const counting = new CountingStore(store);
  return { engine: new MultipartEngine({ store: counting, limits: LIMITS }), counting };
}

/** Stages one object, completes it (timed, counted), reads it back (timed) and deletes it. */
async function completeOnce(backend: BenchBackend, key: string, sizes: number[], readBack: boolean): Promise<Measured> {
  const { engine, counting } = engineOn(backend.store);
  const staged = await stageUpload(engine, key, sizes, STAGING_IN_FLIGHT);
  counting.reset();
  const start = performance.now();
  const result = await completeStaged(engine, staged);
  const completeMs = performance.now() - start;
  const partBytesRead = counting.snapshot().bytesRead;
  let readMs: number | undefined;
  if (readBack) {
    const readStart = performance.now();
    const { body } = await engine.getObject({ bucket: BUCKET, key });
    const bytes = await drain(body);
    readMs = performance.now() - readStart;
    if (bytes !== result.size) throw new Error(`read back ${bytes} of ${result.size} bytes of ${key}`);
  }
  const hot = readBack && backend.partsDirOf ? await hotReadPair(engine, key, backend.partsDirOf(staged.uploadId), result.size) : undefined;
  await engine.deleteObject(BUCKET, key);
  return { completeMs, partBytesRead, ...(readMs === undefined ? {} : { readMs }), ...(hot ? { hot } : {}) };
}

/**
 * This VM reclaims page cache eagerly (buff/cache stays near 1.5 GiB with 20 GiB free), so a
 * first read may come from the disk or from memory by chance. To compare mpu's read path with
 * `cat` on equal terms, an untimed `cat` warms the store's own part files, then mpu's read-back
 * and `cat` of the same files to /dev/null are timed back to back.
 */
async function hotReadPair(engine: MultipartEngine, key: string, partsDir: string, size: number): Promise<{ readMs: number; catMs: number }> {
  const files = (await readdir(partsDir)).sort().map((name) => join(partsDir, name));
  await catToNull(files);
  const start = performance.now();
  const { body } = await engine.getObject({ bucket: BUCKET, key });
  const bytes = await drain(body);
  const readMs = performance.now() - start;
  if (bytes !== size) throw new Error(`read back ${bytes} of ${size} bytes of ${key}`);
  return { readMs, catMs: await catToNull(files) };
}

/** Stages many tiny parts the fast way (fs: fsync off), then completes on the measured store. */
async function completeTiny(ctx: SuiteContext, backend: BenchBackend, key: string, count: number, partBytes: number, watchHeap: boolean): Promise<Measured> {
  const sizes = Array.from({ length: count }, () => partBytes);
  const staged = await backend.withFastStaging((store) =>
    stageUpload(engineOn(store).engine, key, sizes, TINY_STAGING_IN_FLIGHT));
  const { engine, counting } = engineOn(backend.store);
  counting.reset();
  const timed = async (): Promise<number> => {
    const start = performance.now();
    await completeStaged(engine, staged);
    return performance.now() - start;
  };
  // The heap sampler's 2 ms timer costs little next to a Complete of this size.
  const completeMs = watchHeap ? await measureHeapDuring(ctx, count, timed) : await timed();
  const partBytesRead = counting.snapshot().bytesRead;
  await engine.deleteObject(BUCKET, key);
  return { completeMs, partBytesRead };
}

const MAX_ATTEMPTS = 3;

/**
 * Runs one repetition again when a backend reports a transient failure (an emulator dropping a
 * keep-alive socket, say): the failed attempt's upload is left behind and the retry stages
 * afresh. Every retry is noted in the report.
 */
async function withTransientRetry<T>(ctx: SuiteContext, what: string, fn: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!(error instanceof TransientStoreError) || attempt >= MAX_ATTEMPTS) throw error;
      ctx.book.note(`${what}: attempt ${attempt} failed with a transient store error and was repeated (${error.message.slice(0, 160)}).`);
      ctx.progress.line(`${what}: transient store error, repeating (${error.message.slice(0, 100)})`);
    }
  }
}

function record(ctx: SuiteContext, backend: BackendName, caseId: string, params: Record<string, string | number>, objectBytes: number, runs: Measured[]): void {
  const base = `assembly.${backend}.${caseId}`;
  const p = { backend, ...params };
  const completeMs = runs.map((r) => r.completeMs);
  ctx.book.add({ id: `${base}.completeMs`, suite: 'assembly', label: `Complete latency`, unit: 'ms', params: p }, completeMs);
  ctx.book.add({ id: `${base}.assemblyMBps`, suite: 'assembly', label: 'effective assembly throughput (object bytes ÷ Complete time)', unit: 'MB/s', params: p },
    throughputs(objectBytes, completeMs));
  ctx.book.add({ id: `${base}.partBytesRead`, suite: 'assembly', label: 'part bytes read through the store during Complete', unit: 'bytes', params: p },
    runs.map((r) => r.partBytesRead));
  const reads = runs.flatMap((r) => (r.readMs === undefined ? [] : [r.readMs]));
  if (reads.length > 0) {
    ctx.book.add({ id: `${base}.readMBps`, suite: 'assembly', label: 'read-back throughput of the assembled object (first read after Complete)', unit: 'MB/s', params: p },
      throughputs(objectBytes, reads));
  }
  const hot = runs.flatMap((r) => (r.hot ? [r.hot] : []));
  if (hot.length > 0) {
    ctx.book.add({ id: `${base}.hotReadMBps`, suite: 'assembly', label: 'read-back of the assembled object, part files hot in the page cache', unit: 'MB/s', params: p },
      throughputs(objectBytes, hot.map((h) => h.readMs)));
    ctx.book.add({ id: `${base}.catHotReadMBps`, suite: 'assembly', label: '`cat` of the store\'s own part files to /dev/null, hot, timed right after', unit: 'MB/s', params: { ...p, baseline: 'cat' } },
      throughputs(objectBytes, hot.map((h) => h.catMs)));
  }
}

async function runBackend(ctx: SuiteContext, name: BackendName): Promise<void> {
  const { profile, progress } = ctx;
  progress.line(`assembly ${name}: opening`);
  const backend = await openBackend(name, ctx.workDir);
  try {
    await engineOn(backend.store).engine.createBucket(BUCKET);
    for (const c of profile.assembly.cases) {
      if (!c.backends.includes(name)) continue;
      const caseId = `${sizeLabel(c.objectBytes)}.${sizeLabel(c.partBytes)}`;
      const sizes = partSizes(c.objectBytes, c.partBytes);
      const runs: Measured[] = [];
      for (let rep = 0; rep < c.reps; rep++) {
        runs.push(await withTransientRetry(ctx, `assembly ${name} ${caseId} #${rep + 1}`, (attempt) =>
          completeOnce(backend, `${caseId}-${rep}-${attempt}`, sizes, c.readBack ?? true)));
        if (name === 'fs') await syncDisks();
        const last = runs[runs.length - 1]!;
        progress.line(`assembly ${name} ${sizeLabel(c.objectBytes)} in ${sizes.length} × ${sizeLabel(c.partBytes)} #${rep + 1}/${c.reps}: ` +
          `Complete ${last.completeMs.toFixed(1)} ms, ` +
          `${last.readMs === undefined ? '' : `read-back ${((c.objectBytes / 1e6) / (last.readMs / 1000)).toFixed(0)} MB/s, `}` +
          `${last.hot ? `hot read-back ${((c.objectBytes / 1e6) / (last.hot.readMs / 1000)).toFixed(0)} MB/s vs cat ${((c.objectBytes / 1e6) / (last.hot.catMs / 1000)).toFixed(0)} MB/s, ` : ''}` +
          `part bytes read ${last.partBytesRead}`);
      }
      record(ctx, name, caseId, { objectBytes: c.objectBytes, partBytes: c.partBytes, parts: sizes.length }, c.objectBytes, runs);
    }
    const tiny = profile.assembly.tinyParts;
    const tinyReps = tiny.reps[name] ?? 0;
    const tinyCount = tiny.countFor?.[name] ?? tiny.count;
    const tinyRuns: Measured[] = [];
    for (let rep = 0; rep < tinyReps; rep++) {
      tinyRuns.push(await withTransientRetry(ctx, `assembly ${name} tiny #${rep + 1}`, (attempt) =>
        completeTiny(ctx, backend, `tiny-${rep}-${attempt}`, tinyCount, tiny.partBytes, ctx.watchHeap && name === 'fs' && rep === 0 && attempt === 1)));
      progress.line(`assembly ${name} ${tinyCount} tiny parts #${rep + 1}/${tinyReps}: Complete ${tinyRuns[rep]!.completeMs.toFixed(1)} ms`);
    }
    if (tinyRuns.length > 0) {
      record(ctx, name, 'tiny', { objectBytes: tinyCount * tiny.partBytes, partBytes: tiny.partBytes, parts: tinyCount }, tinyCount * tiny.partBytes, tinyRuns);
    }
  } finally {
    await backend.close();
    await rm(join(ctx.workDir, name), { recursive: true, force: true });
  }
}

/** `cat` of the same part sizes as plain files on the same volume: into one file, and to /dev/null. */
async function runCatBaselines(ctx: SuiteContext): Promise<void> {
  const { profile, progress } = ctx;
  const tiny = profile.assembly.tinyParts;
  const pairs = new Map<string, { objectBytes: number; partBytes: number; sizes: number[] }>();
  for (const c of profile.assembly.cases) {
    if (c.baseline === false) continue;
    pairs.set(`${sizeLabel(c.objectBytes)}.${sizeLabel(c.partBytes)}`, { objectBytes: c.objectBytes, partBytes: c.partBytes, sizes: partSizes(c.objectBytes, c.partBytes) });
  }
  pairs.set('tiny', { objectBytes: tiny.count * tiny.partBytes, partBytes: tiny.partBytes, sizes: Array.from({ length: tiny.count }, () => tiny.partBytes) });
  for (const [caseId, pair] of pairs) {
    const dir = join(ctx.workDir, 'cat', caseId);
    await mkdir(dir, { recursive: true });
    const paths = pair.sizes.map((_, i) => join(dir, `part-${String(i + 1).padStart(5, '0')}`));
    await mapLimit([...paths.entries()], 16, ([i, path]) => writeGeneratedFile(path, pair.sizes[i]!));
    await syncDisks();
    const assembleMs: number[] = [];
    const readMs: number[] = [];
    const nodeMs: number[] = [];
    for (let rep = 0; rep < profile.assembly.catReps; rep++) {
      const output = join(ctx.workDir, 'cat', `${caseId}.out`);
      assembleMs.push(await catInto(paths, output));
      await rm(output);
      await syncDisks();
      readMs.push(await catToNull(paths));
      // Node's read splits a read-back gap; tiny parts are never read back, so skip them.
      if (caseId !== 'tiny') nodeMs.push(await nodeReadAll(paths));
    }
    const params = { backend: 'cat', objectBytes: pair.objectBytes, partBytes: pair.partBytes, parts: pair.sizes.length };
    ctx.book.add({ id: `baseline.cat.${caseId}.assembleMs`, suite: 'baseline', label: '`cat` of the part files into one file', unit: 'ms', params }, assembleMs);
    ctx.book.add({ id: `baseline.cat.${caseId}.assembleMBps`, suite: 'baseline', label: '`cat` of the part files into one file', unit: 'MB/s', params },
      throughputs(pair.objectBytes, assembleMs));
    ctx.book.add({ id: `baseline.cat.${caseId}.readMBps`, suite: 'baseline', label: '`cat` of the part files to /dev/null', unit: 'MB/s', params },
      throughputs(pair.objectBytes, readMs));
    if (nodeMs.length > 0) {
      ctx.book.add({ id: `baseline.node.${caseId}.readMBps`, suite: 'baseline', label: 'Node sequential read of the part files (1 MiB reads, one buffer)', unit: 'MB/s', params: { ...params, backend: 'node' } },
        throughputs(pair.objectBytes, nodeMs));
    }
    progress.line(`baseline cat ${caseId}: into a file ${Math.min(...assembleMs).toFixed(0)} ms (best), to /dev/null ` +
      `${Math.max(...throughputs(pair.objectBytes, readMs)).toFixed(0)} MB/s (best)`);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs every backend; one that fails is reported (and the run exits non-zero) but does not stop the others. */
export async function runAssemblySuite(ctx: SuiteContext): Promise<void> {
  await runCatBaselines(ctx);
  for (const name of ctx.profile.assembly.backends) {
    try {
      await runBackend(ctx, name);
    } catch (error) {
      ctx.fail(`assembly on ${name}`, error);
    }
  }
}

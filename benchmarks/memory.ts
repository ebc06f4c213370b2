/**
 * Memory suite: the engine's heap during a Complete of 10,000 tiny parts on fs, sampled every
 * 2 ms against the heap just before (after a full GC). The assembly suite calls
 * `measureHeapDuring` on its first fs tiny-part Complete so the parts are staged once; run alone
 * (`--only memory`) this suite stages its own. Server RSS during the large upload is measured by
 * the end-to-end suite on the upload it times (figures `memory.<server>.*`).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MultipartEngine, defineLimits } from '@mpu/core';
import { FsStore } from '@mpu/fs';
import type { SuiteContext } from './lib/context.js';
import { MiB } from './lib/figures.js';
import { BUCKET, completeStaged, stageUpload } from './lib/staging.js';

const LIMITS = defineLimits({ minPartSize: 1 });
const TINY_PART_BYTES = 1024;

/** A full GC where the runtime allows it, so the "before" heap is the live set, not garbage. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  gc?.();
}

/** Runs `fn` and records the heap before it and the peak growth while it ran. */
export async function measureHeapDuring<T>(ctx: SuiteContext, parts: number, fn: () => Promise<T>): Promise<T> {
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 2);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    const params = { backend: 'fs', parts };
    ctx.book.add({ id: 'memory.engine.tinyComplete.heapBeforeMiB', suite: 'memory', label: `engine heap before a ${parts}-part Complete (fs)`, unit: 'MiB', params }, [before / MiB]);
    ctx.book.add({ id: 'memory.engine.tinyComplete.heapPeakAboveMiB', suite: 'memory', label: `engine heap growth (peak − before) during a ${parts}-part Complete (fs)`, unit: 'MiB', params }, [(peak - before) / MiB]);
    ctx.progress.line(`memory: ${parts}-part Complete on fs: heap ${(before / MiB).toFixed(1)} MiB → peak ${(peak / MiB).toFixed(1)} MiB`);
  }
}

/** Standalone: stage tiny parts on fs (fsync off), complete them on an fsync-on store, watch the heap. */
export async function runMemorySuite(ctx: SuiteContext): Promise<void> {
  const count = ctx.profile.assembly.tinyParts.count;
  const root = join(ctx.workDir, 'memory-fs');
  try {
    const staging = await FsStore.open({ root, fsync: false });
    const stager = new MultipartEngine({ store: staging, limits: LIMITS });
    await stager.createBucket(BUCKET);
    const staged = await stageUpload(stager, 'heap', Array.from({ length: count }, () => TINY_PART_BYTES), 8);
    await stager.close();
    const engine = new MultipartEngine({ store: await FsStore.open({ root }), limits: LIMITS });
    try {
      await measureHeapDuring(ctx, count, () => completeStaged(engine, staged));
    } finally {
      await engine.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * Ingest suite: UploadPart throughput on fs, one stream and several in flight, with MD5 only and
 * with MD5 plus one checksum, against `openssl speed md5` (single core) and the disk's synced
 * write rate (`dd conv=fsync`), all measured in this run.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { MultipartEngine, checksumOf } from '@mpu/core';
import type { ChecksumAlgorithm } from '@mpu/core';
import { FsStore } from '@mpu/fs';
import { ddFsyncMBps, nodeMd5MBps, opensslMd5MBps } from './baselines.js';
import { bodyOf, bytesOf, chunksOf } from './lib/bytes.js';
import { mapLimit } from './lib/concurrency.js';
import type { SuiteContext } from './lib/context.js';
import { sizeLabel, throughputs } from './lib/figures.js';
import { BUCKET } from './lib/staging.js';

interface IngestCase {
  readonly inFlight: number;
  readonly checksum: ChecksumAlgorithm | undefined;
  readonly fsync: boolean;
}

export function ingestCaseId(c: IngestCase): string {
  return `fs.${c.fsync ? 'fsync' : 'nofsync'}.${c.inFlight}.${c.checksum ?? 'MD5'}`;
}

async function measureCase(ctx: SuiteContext, c: IngestCase, root: string): Promise<number[]> {
  const { partBytes, partsPerIteration, iterations } = ctx.profile.ingest;
  const store = await FsStore.open({ root, fsync: c.fsync });
  const engine = new MultipartEngine({ store });
  // The client's checksum arrives as a trailer (as SDKs send it); the engine computes and verifies it.
  const checksum = c.checksum ? checksumOf(c.checksum, bytesOf(partBytes)).toString('base64') : undefined;
  const expect = c.checksum ? { checksumAlgorithm: c.checksum, checksum: () => checksum } : undefined;
  const key = 'ingest';
  let uploadId = '';
  const uploadParts = (count: number) => mapLimit(Array.from({ length: count }, (_, i) => i + 1), c.inFlight, (partNumber) =>
    engine.uploadPart({ bucket: BUCKET, key, uploadId, partNumber, body: bodyOf(partBytes), ...(expect ? { expect } : {}) }));
  try {
    await engine.createBucket(BUCKET).catch(() => undefined);
    // Warm-up outside the measurement: JIT, wasm kernels, directory creation.
    ({ uploadId } = await engine.createMultipartUpload({ bucket: BUCKET, key }));
    await uploadParts(Math.min(2, partsPerIteration));
    await engine.abortMultipartUpload({ bucket: BUCKET, key, uploadId });

    const bench = new Bench({ iterations, time: 0, warmup: false, throws: true });
    bench.add(ingestCaseId(c), () => uploadParts(partsPerIteration), {
      beforeEach: async () => {
        ({ uploadId } = await engine.createMultipartUpload({ bucket: BUCKET, key }));
      },
      afterEach: async () => {
        await engine.abortMultipartUpload({ bucket: BUCKET, key, uploadId });
      },
    });
    await bench.run();
    const samples = bench.tasks[0]?.result?.latency.samples ?? [];
    return throughputs(partBytes * partsPerIteration, samples);
  } finally {
    await store.close();
  }
}

export async function runIngestSuite(ctx: SuiteContext): Promise<void> {
  const { profile, progress, book } = ctx;
  const ing = profile.ingest;
  const seconds = profile.name === 'smoke' ? 1 : profile.name === 'full' ? 3 : 1;
  const openssl: number[] = [];
  for (let i = 0; i < 3; i++) openssl.push(await opensslMd5MBps(seconds));
  book.add({ id: 'baseline.openssl.md5.MBps', suite: 'baseline', label: '`openssl speed -bytes 1048576 md5` (single core)', unit: 'MB/s', params: { backend: 'openssl' } }, openssl);
  progress.line(`baseline openssl md5: ${Math.max(...openssl).toFixed(0)} MB/s (best of 3)`);

  const md5Bytes = ing.partBytes * ing.partsPerIteration;
  const nodeMd5: number[] = [];
  nodeMd5MBps(chunksOf(md5Bytes), md5Bytes); // warm-up
  for (let i = 0; i < 5; i++) nodeMd5.push(nodeMd5MBps(chunksOf(md5Bytes), md5Bytes));
  book.add({ id: 'baseline.node.md5.MBps', suite: 'baseline', label: 'Node `createHash(\'md5\')` over 64 KiB chunks (single thread)', unit: 'MB/s', params: { backend: 'node' } }, nodeMd5);
  progress.line(`baseline node md5: ${Math.max(...nodeMd5).toFixed(0)} MB/s (best of 5)`);

  const ddMiB = Math.max(16, Math.round((ing.partBytes * ing.partsPerIteration) / (1024 * 1024)));
  const dd: number[] = [];
  for (let i = 0; i < 3; i++) {
    const path = join(ctx.workDir, 'dd.out');
    dd.push(await ddFsyncMBps(path, ddMiB));
    await rm(path);
  }
  book.add({ id: 'baseline.dd.fsync.MBps', suite: 'baseline', label: `\`dd bs=1M count=${ddMiB} conv=fsync\` (disk synced write rate)`, unit: 'MB/s', params: { backend: 'dd' } }, dd);
  progress.line(`baseline dd conv=fsync: ${Math.max(...dd).toFixed(0)} MB/s (best of 3)`);

  // fsync off isolates the CPU path the target is about (MD5 is the floor); fsync on (the
  // default) is what a durable server does, and is bounded by the disk.
  const cases: IngestCase[] = [
    ...ing.inFlight.flatMap((inFlight) => ing.checksums
      .filter((checksum) => checksum === undefined || !ing.checksumsInFlight || ing.checksumsInFlight.includes(inFlight))
      .map((checksum) => ({ inFlight, checksum, fsync: false }))),
    ...ing.inFlight.map((inFlight) => ({ inFlight, checksum: undefined, fsync: true })),
  ];
  const root = join(ctx.workDir, 'ingest');
  try {
    for (const c of cases) {
      const samples = await measureCase(ctx, c, root);
      book.add({
        id: `ingest.${ingestCaseId(c)}.MBps`, suite: 'ingest',
        label: `UploadPart, ${c.inFlight} in flight, ${c.checksum ? `MD5 + ${c.checksum}` : 'MD5 only'}, fsync ${c.fsync ? 'on' : 'off'}`,
        unit: 'MB/s',
        params: { backend: 'fs', inFlight: c.inFlight, checksum: c.checksum ?? 'none', fsync: c.fsync, partBytes: ing.partBytes },
      }, samples);
      progress.line(`ingest fs ${c.inFlight} in flight, ${c.checksum ? `MD5+${c.checksum}` : 'MD5'}, fsync ${c.fsync ? 'on' : 'off'}, ` +
        `${ing.partsPerIteration} × ${sizeLabel(ing.partBytes)}: ${samples.map((s) => s.toFixed(0)).join(' / ')} MB/s`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnHashWorker } from '../src/checksums/hash-worker-spawn.js';
import { HashPool, HashWorkerError, PayloadHasher, type ChecksumAlgorithm, type PayloadDigest, type StreamHasher } from '@mpu/core';

const ALL: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

async function feed(hasher: StreamHasher, chunks: readonly Uint8Array[]): Promise<PayloadDigest> {
  for (const chunk of chunks) {
    const backlog = hasher.update(chunk);
    if (backlog) await backlog;
  }
  return hasher.digest();
}

function inline(chunks: readonly Uint8Array[], options: { algorithms: ChecksumAlgorithm[]; sha256: boolean }): PayloadDigest {
  const hasher = new PayloadHasher(options);
  for (const chunk of chunks) hasher.update(chunk);
  return hasher.digest();
}

/** A worker that dies as soon as it is sent bytes to hash. */
const crashingWorker = () => new Worker(
  "require('node:worker_threads').parentPort.on('message', (m) => { if (m.type === 'update') process.exit(3); });",
  { eval: true },
);

describe('HashPool', () => {
  // Tiny batches and in-flight limits so random chunkings cross batch edges and wait on acks.
  const pool = new HashPool({ threads: 2, batchBytes: 97, maxInFlightBytes: 300 });
  afterAll(() => pool.close());

  it('gives byte-identical digests to inline hashing for any chunking and algorithm set', async () => {
    // Chunks may be views into a larger buffer: the pool must copy exactly the view's bytes.
    const chunk = fc.tuple(fc.uint8Array({ maxLength: 400 }), fc.nat(8), fc.nat(8)).map(([bytes, before, after]) => {
      const backing = new Uint8Array(before + bytes.length + after).fill(0xee);
      backing.set(bytes, before);
      return backing.subarray(before, before + bytes.length);
    });
    await fc.assert(
      fc.asyncProperty(fc.array(chunk, { maxLength: 12 }), fc.subarray(ALL), fc.boolean(), async (chunks, algorithms, sha256) => {
        const options = { algorithms, sha256 };
        expect(await feed(pool.open(options), chunks)).toEqual(inline(chunks, options));
      }),
      { numRuns: 150 },
    );
  });

  it('hashes many streams at once without mixing their bytes', async () => {
    const bodies = Array.from({ length: 9 }, (_, i) => Array.from({ length: 5 }, (_, j) => new Uint8Array(150 + i * 7 + j).fill(i * 16 + j)));
    const digests = await Promise.all(bodies.map((chunks) => feed(pool.open({ algorithms: ['CRC64NVME'], sha256: true }), chunks)));
    digests.forEach((digest, i) => expect(digest).toEqual(inline(bodies[i]!, { algorithms: ['CRC64NVME'], sha256: true })));
  });

  it('leaves the caller\'s chunk intact while it is hashed (copied, not transferred)', async () => {
    const chunk = new Uint8Array(1000).fill(7);
    await feed(pool.open({}), [chunk]);
    expect(chunk.byteLength).toBe(1000);
    expect(chunk.every((b) => b === 7)).toBe(true);
  });

  it('fails the streams of a worker that dies, and the next stream gets a new worker', async () => {
    let spawned = 0;
    const crashing = new HashPool({
      threads: 1,
      batchBytes: 16,
      spawn: () => (spawned++ === 0 ? crashingWorker() : spawnHashWorker()),
    });
    try {
      const hasher = crashing.open({ algorithms: ['SHA1'] });
      hasher.update(new Uint8Array(64));
      await expect(hasher.digest()).rejects.toBeInstanceOf(HashWorkerError);
      expect(() => hasher.update(new Uint8Array(1))).toThrow(HashWorkerError);
      hasher.abort();
      const chunks = [new Uint8Array(40).fill(1)];
      expect(await feed(crashing.open({ algorithms: ['SHA1'] }), chunks)).toEqual(inline(chunks, { algorithms: ['SHA1'], sha256: false }));
    } finally {
      await crashing.close();
    }
    expect(spawned).toBe(2);
  });

  it('refuses new streams once closed', async () => {
    const closing = new HashPool({ threads: 1 });
    await closing.close();
    expect(() => closing.open({})).toThrow(HashWorkerError);
  });
});

import { describe, expect, it } from 'vitest';
import { type BlobStore, type DataHandle, MemoryStore, MultipartEngine, type PartRef } from '@mpu/core';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Records live in memory; part bytes are counted and dropped, so only the engine's own memory shows. */
class DiscardingStore extends MemoryStore {
  bytes = 0;
  override async writePart(_upload: string, _partId: string, body: AsyncIterable<Uint8Array>): Promise<{ size: number }> {
    let size = 0;
    for await (const chunk of body) size += chunk.byteLength;
    this.bytes += size;
    return { size };
  }
  override async assemble(_upload: string, parts: readonly PartRef[]): Promise<DataHandle> {
    return `discarded:${parts.length}`;
  }
}

describe('heap', () => {
  it('streams a 1 GiB part through uploadPart with bounded memory', async () => {
    const store: BlobStore & { bytes: number } = new DiscardingStore();
    const engine = new MultipartEngine({ store });
    await engine.createBucket('bucket');
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'big' });

    globalThis.gc?.();
    const baseline = process.memoryUsage();
    let peakHeap = 0;
    let peakBuffers = 0;
    const chunk = Buffer.alloc(MiB, 0x5a); // one reused 1 MiB chunk
    async function* generate(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < GiB / MiB; i++) {
        if (i % 32 === 0) {
          const usage = process.memoryUsage();
          peakHeap = Math.max(peakHeap, usage.heapUsed - baseline.heapUsed);
          peakBuffers = Math.max(peakBuffers, usage.arrayBuffers - baseline.arrayBuffers);
        }
        yield chunk;
      }
    }
    const started = performance.now();
    const part = await engine.uploadPart({ ...upload, partNumber: 1, body: generate(), expect: { contentLength: GiB } });
    const seconds = (performance.now() - started) / 1000;
    console.log(`1 GiB through uploadPart in ${seconds.toFixed(2)} s (${(1024 / seconds).toFixed(0)} MiB/s); peak heap +${(peakHeap / MiB).toFixed(1)} MiB, buffers +${(peakBuffers / MiB).toFixed(1)} MiB`);
    expect(part.size).toBe(GiB);
    expect(store.bytes).toBe(GiB);
    expect(part.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(peakHeap).toBeLessThan(64 * MiB);
    expect(peakBuffers).toBeLessThan(64 * MiB);
  });
});

import { describe, expect, it } from 'vitest';
import { CountingStore, MultipartEngine, defineLimits } from '@mpu/core';
import { LevelStore } from '../src/index.js';
import { tempDir } from './helpers/temp-dir.js';

const PARTS = 10_000;
const PART_SIZE = 64;
const IN_FLIGHT = 64;

function partBytes(partNumber: number): Uint8Array {
  const out = new Uint8Array(PART_SIZE);
  for (let i = 0; i < PART_SIZE; i++) out[i] = (partNumber * 7 + i) & 0xff;
  return out;
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

describe('LevelStore: a 10,000-part upload through MultipartEngine', () => {
  // Default engine (Complete deletes the part records) and deferPartRecordCleanup (it leaves
  // them to the tombstone sweep): both must read no part byte; the log records both times.
  for (const deferPartRecordCleanup of [false, true]) {
    it(`completes without reading a single part byte back, and reads back exactly (deferPartRecordCleanup: ${deferPartRecordCleanup})`, async () => {
      const dir = await tempDir('mpu-level-10k-');
      const store = new CountingStore(await LevelStore.open({ location: dir.path }));
      // Tiny parts: the 5 MiB minimum would make this a 50 GiB test.
      const engine = new MultipartEngine({ store, limits: defineLimits({ minPartSize: 1 }), deferPartRecordCleanup });
      try {
        await engine.createBucket('big');
        const { uploadId } = await engine.createMultipartUpload({ bucket: 'big', key: 'ten-thousand' });
        const etags: string[] = new Array(PARTS);
        let next = 1;
        const uploadStarted = performance.now();
        await Promise.all(
          Array.from({ length: IN_FLIGHT }, async () => {
            while (next <= PARTS) {
              const partNumber = next++;
              const { etag } = await engine.uploadPart({ bucket: 'big', key: 'ten-thousand', uploadId, partNumber, body: once(partBytes(partNumber)) });
              etags[partNumber - 1] = etag;
            }
          }),
        );
        const uploadMs = performance.now() - uploadStarted;

        store.reset();
        const started = performance.now();
        const result = await engine.completeMultipartUpload({
          bucket: 'big',
          key: 'ten-thousand',
          uploadId,
          parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })),
        });
        const completeMs = performance.now() - started;
        const during = store.snapshot();
        console.log(`[level] 10,000 parts (deferPartRecordCleanup: ${deferPartRecordCleanup}): upload ${uploadMs.toFixed(0)} ms, Complete ${completeMs.toFixed(0)} ms, ${during.calls.assemble} assemble, ${during.bytesRead} bytes read`);

        expect(during.bytesRead).toBe(0);
        expect(during.calls.read).toBe(0);
        expect(during.calls.assemble).toBe(1);
        expect(result.etag).toMatch(/-10000"$/);
        expect(result.size).toBe(PARTS * PART_SIZE);
        // Loose on purpose (the logged number is the record): most of Complete is the engine deleting
        // 10,000 part records, each a synced write, and fsync latency on a shared 2-core VM varies
        // 10× with load. It still catches anything quadratic in the part count.
        expect(completeMs).toBeLessThan(40_000);

        // Exact read-back, whole and across part boundaries.
        const { body } = await engine.getObject({ bucket: 'big', key: 'ten-thousand' });
        let offset = 0;
        let mismatches = 0;
        for await (const chunk of body) {
          for (const byte of chunk) {
            const partNumber = Math.floor(offset / PART_SIZE) + 1;
            if (byte !== partBytes(partNumber)[offset % PART_SIZE]) mismatches++;
            offset++;
          }
        }
        expect({ offset, mismatches }).toEqual({ offset: PARTS * PART_SIZE, mismatches: 0 });
        const ranged = await engine.getObject({ bucket: 'big', key: 'ten-thousand', range: { start: 5000 * PART_SIZE - 3, end: 5001 * PART_SIZE + 2 } });
        const got: number[] = [];
        for await (const chunk of ranged.body) got.push(...chunk);
        const want = [...partBytes(5000).subarray(PART_SIZE - 3), ...partBytes(5001), ...partBytes(5002).subarray(0, 3)];
        expect(got).toEqual(want);
      } finally {
        await engine.close();
        await dir.remove();
      }
    });
  }
});

import { CountingStore, MultipartEngine, defineLimits } from '@mpu/core';
import type { GcsTestServer } from '@mpu/gcs-test-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openLocalStore, startLocalServer } from './local-server.js';

let server: GcsTestServer;
beforeAll(async () => {
  server = await startLocalServer();
});
afterAll(() => server.close());

async function* body(size: number, fill: number): AsyncIterable<Uint8Array> {
  for (let sent = 0; sent < size; sent += 256 * 1024) yield new Uint8Array(Math.min(256 * 1024, size - sent)).fill(fill);
}

it('CompleteMultipartUpload moves no part bytes: 0 through the store, 0 through the GCS API, only compose calls', async () => {
  const store = new CountingStore(await openLocalStore(server));
  const engine = new MultipartEngine({ store, limits: defineLimits({ minPartSize: 1024 * 1024 }) });
  await engine.createBucket('bkt');
  const { uploadId } = await engine.createMultipartUpload({ bucket: 'bkt', key: 'big' });
  const parts = [];
  for (let partNumber = 1; partNumber <= 40; partNumber++) {
    const part = await engine.uploadPart({ bucket: 'bkt', key: 'big', uploadId, partNumber, body: body(1024 * 1024, partNumber) });
    parts.push({ partNumber, etag: part.etag });
  }
  store.reset();
  server.resetStats();
  const result = await engine.completeMultipartUpload({ bucket: 'bkt', key: 'big', uploadId, parts });
  const counts = store.snapshot();
  const stats = server.stats();
  expect(counts.bytesRead).toBe(0);
  expect(counts.bytesWritten).toBe(0);
  expect(counts.calls.assemble).toBe(1);
  // The GCS API saw no part or object byte either way: only small record objects moved.
  const dataBytes = (byObject: Readonly<Record<string, number>>): number =>
    Object.entries(byObject).filter(([name]) => !name.includes('/records/')).reduce((sum, [, bytes]) => sum + bytes, 0);
  expect(dataBytes(stats.sentByObject)).toBe(0);
  expect(dataBytes(stats.receivedByObject)).toBe(0);
  expect(stats.bytesSent + stats.bytesReceived).toBeLessThan(256 * 1024);
  expect(stats.requests['objects.compose']).toBe(2 + 1); // 40 parts: 32 + 8, then the final compose
  expect(result.etag).toMatch(/-40"$/);
  const got = await engine.getObject({ bucket: 'bkt', key: 'big', range: { start: 40 * 1024 * 1024 - 1, end: 40 * 1024 * 1024 - 1 } });
  const bytes: number[] = [];
  for await (const chunk of got.body) bytes.push(...chunk);
  expect(bytes).toEqual([40]);
}, 60_000);

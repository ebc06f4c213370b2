import { chunked, collect, digestOf, generatedBytes, largeBody } from '@mpu/conformance';
import type { GcsTestServer } from '@mpu/gcs-test-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalStore, startLocalServer } from './local-server.js';

let server: GcsTestServer;
beforeAll(async () => {
  server = await startLocalServer();
});
afterAll(() => server.close());

const KiB = 1024;

async function* failingBody(before: Uint8Array, error: Error): AsyncIterable<Uint8Array> {
  yield before;
  throw error;
}

describe('writePart: one request for small parts, a resumable session for large ones', () => {
  it('a part within singleRequestMaxBytes is one multipart request; a larger one streams in 256 KiB-multiple chunks', async () => {
    const store = await openLocalStore(server, { singleRequestMaxBytes: 256 * KiB, uploadChunkBytes: 256 * KiB });
    server.resetStats();
    await store.writePart('u', 'small', chunked(generatedBytes(256 * KiB, 1), [1000]));
    expect(server.stats().requests).toMatchObject({ 'objects.insert': 1 });
    expect(server.stats().requests['objects.resumablePut']).toBeUndefined();
    server.resetStats();
    const size = 5 * 256 * KiB + 3;
    expect(await store.writePart('u', 'large', largeBody(size, 2))).toEqual({ size });
    // 1 session start, 6 chunk PUTs (5 full chunks, then the 3-byte tail)
    expect(server.stats().requests).toMatchObject({ 'objects.insert': 1, 'objects.resumablePut': 6 });
    const handle = await store.assemble('u', [{ partId: 'large', size }]);
    expect(await digestOf(store.read(handle))).toEqual(await digestOf(largeBody(size, 2)));
  });

  it('a large body that fails or is aborted mid-stream leaves no object under its name', async () => {
    const store = await openLocalStore(server, { singleRequestMaxBytes: 64 * KiB, uploadChunkBytes: 256 * KiB });
    const boom = new Error('client went away');
    await expect(store.writePart('u', 'failed', failingBody(generatedBytes(600 * KiB, 3), boom))).rejects.toThrow();
    const controller = new AbortController();
    async function* body(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < 10; i++) {
        if (i === 5) controller.abort(new Error('request aborted'));
        yield generatedBytes(100 * KiB, i);
      }
    }
    await expect(store.writePart('u', 'aborted', body(), { signal: controller.signal })).rejects.toThrow();
    const [files] = await store.storage.bucket('local').getFiles({ prefix: `${store.prefix}parts/` });
    expect(files.map((file) => file.name)).toEqual([]);
    await expect(store.assemble('u', [{ partId: 'failed', size: 600 * KiB }])).rejects.toThrow();
  });

  it('copies chunks it holds back, so a caller reusing its buffer cannot change a staged part (both paths)', async () => {
    for (const singleRequestMaxBytes of [8 * 1024 * 1024, 0]) {
      const store = await openLocalStore(server, { singleRequestMaxBytes, uploadChunkBytes: 256 * KiB });
      const buffer = new Uint8Array(1000);
      async function* reused(): AsyncIterable<Uint8Array> {
        for (let i = 0; i < 3; i++) {
          buffer.fill(i + 1);
          yield buffer;
        }
      }
      await store.writePart('u', 'reused', reused());
      const handle = await store.assemble('u', [{ partId: 'reused', size: 3000 }]);
      const bytes = await collect(store.read(handle));
      expect([bytes[0], bytes[999], bytes[1000], bytes[2999]]).toEqual([1, 1, 2, 3]);
    }
  });
});

describe('deleteData', () => {
  it('removes the composite and the staged parts its upload left (a PutObject never discards its part)', async () => {
    const store = await openLocalStore(server);
    await store.writePart('put-1', 'p', chunked(generatedBytes(100, 1)));
    await store.writePart('other', 'p', chunked(generatedBytes(100, 2)));
    const handle = await store.assemble('put-1', [{ partId: 'p', size: 100 }]);
    await store.deleteData(handle);
    await store.deleteData(handle);
    const [files] = await store.storage.bucket('local').getFiles({ prefix: store.prefix });
    expect(files.map((file) => file.name.slice(store.prefix.length))).toEqual(['parts/other/p']);
  });
});

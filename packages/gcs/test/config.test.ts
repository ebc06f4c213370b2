import type { GcsTestServer } from '@mpu/gcs-test-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GcsStore, GcsStoreClosedError, InvalidGcsStoreOptionsError, createGcsStore } from '../src/index.js';
import { startLocalServer } from './local-server.js';

let server: GcsTestServer;
beforeAll(async () => {
  server = await startLocalServer();
});
afterAll(() => server.close());

describe('GcsStore options', () => {
  it('rejects options that cannot work', () => {
    const base = { bucket: 'local', apiEndpoint: 'http://127.0.0.1:1' };
    for (const options of [
      { ...base, bucket: '' },
      { ...base, prefix: 'a\nb' },
      { ...base, prefix: 'x'.repeat(257) },
      { ...base, uploadChunkBytes: 1000 },
      { ...base, singleRequestMaxBytes: -1 },
      { ...base, maxRetries: -1 },
      { ...base, maxRetryDelayMs: 10 },
      { ...base, concurrency: 0 },
      { ...base, stallTimeoutMs: 0 },
    ]) {
      expect(() => new GcsStore(options), JSON.stringify(options)).toThrow(InvalidGcsStoreOptionsError);
    }
  });

  it('open checks the bucket with an object listing: a missing bucket is an error (404)', async () => {
    await expect(createGcsStore({ bucket: 'no-such-bucket', apiEndpoint: server.url })).rejects.toMatchObject({ code: 404 });
    const store = await createGcsStore({ bucket: 'local', apiEndpoint: server.url, prefix: 'cfg/' });
    expect(store.prefix).toBe('cfg/');
  });

  it('refuses use after close', async () => {
    const store = await GcsStore.open({ bucket: 'local', apiEndpoint: server.url });
    await store.close();
    await expect(store.readRecord('x')).rejects.toBeInstanceOf(GcsStoreClosedError);
  });
});

import { chunked, collect, digestOf, generatedBytes, largeBody } from '@mpu/conformance';
import { RecordConditionFailedError, TransientStoreError } from '@mpu/core';
import type { GcsTestServer } from '@mpu/gcs-test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GcsStore } from '../src/index.js';
import { openLocalStore, startLocalServer } from './local-server.js';

let server: GcsTestServer;
let store: GcsStore;
beforeAll(async () => {
  server = await startLocalServer();
});
beforeEach(async () => {
  server.faults.clear();
  // Short stall timeout: the client never ends a download whose connection was cut mid-body.
  store = await openLocalStore(server, { stallTimeoutMs: 500, maxRetryDelayMs: 1000, singleRequestMaxBytes: 1024 * 1024, uploadChunkBytes: 256 * 1024 });
  server.resetStats();
});
afterAll(() => server.close());

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const decode = (value: Uint8Array): string => new TextDecoder().decode(value);
const inserts = (): number => server.stats().requests['objects.insert'] ?? 0;

describe('idempotent and preconditioned calls are retried', () => {
  it('a conditional record write survives two 503s (ifGenerationMatch makes it safe to repeat)', async () => {
    server.faults.inject({ method: 'POST', pathPattern: '/records/', count: 2, status: 503 });
    const version = await store.writeRecord('r/cond', text('v1'), { ifAbsent: true });
    expect(server.faults.fired).toBe(2);
    expect((await store.readRecord('r/cond'))?.version).toBe(version);
  });

  it('a conditional write whose response was lost: the retry sees 412, finds its own write id, and succeeds', async () => {
    server.faults.inject({ method: 'POST', pathPattern: '/records/', count: 1, dropResponse: true });
    const version = await store.writeRecord('r/lost', text('mine'), { ifAbsent: true });
    expect(inserts()).toBe(2); // the dropped one (committed) and the retry (412)
    const record = await store.readRecord('r/lost');
    expect(decode(record!.value)).toBe('mine');
    expect(record!.version).toBe(version);
    // A genuine conflict is still a conflict.
    await expect(store.writeRecord('r/lost', text('other'), { ifAbsent: true })).rejects.toBeInstanceOf(RecordConditionFailedError);
  });

  it('a small part upload retries on 503 and on a lost response (the part name is unique, ifGenerationMatch=0)', async () => {
    server.faults.inject({ method: 'POST', pathPattern: '/parts/', count: 1, status: 503 });
    server.faults.inject({ method: 'POST', pathPattern: '/parts/', count: 1, dropResponse: true });
    const bytes = generatedBytes(10_000, 3);
    expect(await store.writePart('u', 'p1', chunked(bytes, [999]))).toEqual({ size: 10_000 });
    expect(server.faults.fired).toBe(2);
    const handle = await store.assemble('u', [{ partId: 'p1', size: 10_000 }]);
    expect(Buffer.from(await collect(store.read(handle))).equals(Buffer.from(bytes))).toBe(true);
  });

  it('a resumable part upload retries a chunk PUT that got 503 and resumes at the persisted offset', async () => {
    // One 503 on a chunk PUT. (A 503 on the status query that follows is fatal in 7.19: its
    // retry check reads err.code, which gaxios leaves unset — see README; the engine retries.)
    server.faults.inject({ method: 'PUT', pathPattern: 'upload_id=', count: 1, status: 503 });
    const size = 3 * 1024 * 1024 + 17;
    expect(await store.writePart('u', 'big', largeBody(size, 5))).toEqual({ size });
    expect(server.faults.fired).toBe(1);
    const handle = await store.assemble('u', [{ partId: 'big', size }]);
    expect(await digestOf(store.read(handle))).toEqual(await digestOf(largeBody(size, 5)));
  });

  it('compose retries on 503, and a lost compose response is recognised by the existing destination', async () => {
    for (let i = 0; i < 40; i++) await store.writePart('c', `p${i}`, chunked(generatedBytes(100, i)));
    const refs = Array.from({ length: 40 }, (_, i) => ({ partId: `p${i}`, size: 100 }));
    server.faults.inject({ method: 'POST', pathPattern: '/compose', count: 1, status: 503 });
    server.faults.inject({ method: 'POST', pathPattern: /objects\/c\/.*\/compose/, count: 1, dropResponse: true });
    const handle = await store.assemble('c', refs);
    expect(server.faults.fired).toBe(2);
    const expected = Buffer.concat(Array.from({ length: 40 }, (_, i) => generatedBytes(100, i)));
    expect(Buffer.from(await collect(store.read(handle))).equals(expected)).toBe(true);
  });

  it('compose running beside uploads never switches off the uploads\' retries (7.x flips client-wide flags)', async () => {
    for (let i = 0; i < 64; i++) await store.writePart('flags', `p${i}`, chunked(generatedBytes(10, i)));
    const refs = Array.from({ length: 64 }, (_, i) => ({ partId: `p${i}`, size: 10 }));
    const assembling = store.assemble('flags', refs);
    server.faults.inject({ method: 'PUT', pathPattern: 'upload_id=', count: 1, status: 503 });
    const [, upload] = await Promise.all([assembling, store.writePart('flags', 'big', largeBody(2 * 1024 * 1024, 1))]);
    expect(upload.size).toBe(2 * 1024 * 1024);
    expect(store.storage.retryOptions).toMatchObject({ autoRetry: true, maxRetries: 4 });
  });

  it('a read resumes after a 503 and after a connection cut mid-body, pinned to the generation it started on', async () => {
    const size = 4 * 1024 * 1024;
    await store.writePart('r', 'p', largeBody(size, 7));
    const handle = await store.assemble('r', [{ partId: 'p', size }]);
    server.faults.inject({ method: 'GET', pathPattern: 'alt=media', count: 1, status: 503 });
    server.faults.inject({ method: 'GET', pathPattern: 'alt=media', count: 1, resetAfterBytes: 1024 * 1024 + 3 });
    expect(await digestOf(store.read(handle))).toEqual(await digestOf(largeBody(size, 7)));
    server.faults.inject({ method: 'GET', pathPattern: 'alt=media', count: 1, resetAfterBytes: 100 });
    const range = await collect(store.read(handle, { start: 1000, end: 1_500_000 }));
    const whole = await collect(largeBody(size, 7));
    expect(Buffer.from(range).equals(Buffer.from(whole.subarray(1000, 1_500_001)))).toBe(true);
    expect(server.faults.pending()).toBe(0);
  }, 30_000);

  it('discard retries deletes (each names the listed generation)', async () => {
    for (let i = 0; i < 5; i++) await store.writePart('d', `p${i}`, chunked(generatedBytes(10, i)));
    server.faults.inject({ method: 'DELETE', pathPattern: '/parts/', count: 3, status: 503 });
    await store.discard('d');
    const [files] = await store.storage.bucket('local').getFiles({ prefix: `${store.prefix}parts/` });
    expect(files).toEqual([]);
  });
});

describe('non-idempotent calls are not retried, and do not corrupt state', () => {
  it('an unconditional record write that gets 503 fails once with TransientStoreError and changes nothing', async () => {
    await store.writeRecord('r/plain', text('before'));
    const before = (await store.readRecord('r/plain'))!;
    server.resetStats();
    server.faults.inject({ method: 'POST', pathPattern: '/records/', count: 1, status: 503 });
    const error = await store.writeRecord('r/plain', text('after')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientStoreError);
    expect(server.stats().requests['objects.insert'] ?? 0).toBe(0); // the 503 came before the handler
    expect(server.faults.fired).toBe(1);
    const after = (await store.readRecord('r/plain'))!;
    expect(decode(after.value)).toBe('before');
    expect(after.version).toBe(before.version);
    // The retrying client was not switched off by the unconditional call (7.19 mutates the
    // client-wide retry flag on such calls; the store keeps them on a separate client).
    server.faults.inject({ method: 'GET', pathPattern: 'alt=media', count: 1, status: 503 });
    expect(decode((await store.readRecord('r/plain'))!.value)).toBe('before');
  });

  it('a part upload cut mid-request leaves nothing assemblable', async () => {
    server.faults.inject({ method: 'POST', pathPattern: '/parts/', count: 5, resetAfterBytes: 500 });
    await expect(store.writePart('x', 'cut', chunked(generatedBytes(5000, 1)))).rejects.toThrow();
    server.faults.clear();
    await expect(store.assemble('x', [{ partId: 'cut', size: 5000 }])).rejects.toThrow();
  });
});

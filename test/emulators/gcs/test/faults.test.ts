import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGcsTestServer, type GcsTestServer } from '../src/index.js';
import { api } from './api.js';
import { testClient } from './storage-client.js';

let server: GcsTestServer;
const B = 'faulty';

beforeAll(async () => {
  server = await startGcsTestServer({ buckets: [B] });
});
beforeEach(() => {
  server.faults.clear();
  server.resetStats();
});
afterAll(() => server.close());

describe('fault injection', () => {
  it('fails the next N matching requests with the given status and a JSON error, then recovers', async () => {
    server.faults.inject({ method: 'GET', pathPattern: /\/o\/f1/, count: 2, status: 503 });
    server.faults.inject({ method: 'GET', pathPattern: '/o/f1', count: 1, status: 429 });
    await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=media&name=f1`, { body: 'x' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await api(server, 'GET', `/storage/v1/b/${B}/o/f1`)).status);
    expect(statuses).toEqual([503, 503, 429, 200]);
    expect(server.faults.pending()).toBe(0);
    expect(server.faults.fired).toBe(3);
  });

  it('a reset after K upload bytes commits nothing', async () => {
    server.faults.inject({ method: 'POST', pathPattern: 'name=cut', count: 1, resetAfterBytes: 1000 });
    await expect(fetch(`${server.url}/upload/storage/v1/b/${B}/o?uploadType=media&name=cut`, { method: 'POST', body: randomBytes(100_000) })).rejects.toThrow();
    expect((await api(server, 'GET', `/storage/v1/b/${B}/o/cut`)).status).toBe(404);
  });

  it('a reset after K download bytes cuts the body after exactly K bytes', async () => {
    const bytes = randomBytes(3 * 1024 * 1024);
    await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=media&name=big`, { body: bytes });
    server.faults.inject({ method: 'GET', pathPattern: 'alt=media', count: 1, resetAfterBytes: 1024 * 1024 });
    await expect(fetch(`${server.url}/storage/v1/b/${B}/o/big?alt=media`).then((r) => r.arrayBuffer())).rejects.toThrow();
    expect(server.stats().bytesSent).toBe(1024 * 1024);
  });

  it('the client retries an idempotent read after a 503 (preconditioned writes keep its retries on)', async () => {
    const bytes = randomBytes(100_000);
    const storage = testClient(server.url, 3);
    // 7.19's save() without a precondition sets the client-wide retryOptions.autoRetry to false
    // and never restores it; a preconditioned save leaves retries on.
    await storage.bucket(B).file('retried').save(bytes, { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
    expect(storage.retryOptions.autoRetry).toBe(true);
    server.faults.inject({ method: 'GET', pathPattern: 'alt=media', count: 2, status: 503 });
    const [back] = await storage.bucket(B).file('retried').download();
    expect(back.equals(bytes)).toBe(true);
    expect(server.faults.fired).toBe(2);
    await storage.bucket(B).file('unconditional').save(bytes, { resumable: false });
    expect(storage.retryOptions.autoRetry).toBe(false);
  });

  it('counts object bytes received in uploads and sent in media downloads, and requests by operation', async () => {
    await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=media&name=counted`, { body: randomBytes(1234) });
    await api(server, 'GET', `/storage/v1/b/${B}/o/counted?alt=media`, { headers: { Range: 'bytes=0-99' } });
    await api(server, 'POST', `/storage/v1/b/${B}/o/counted2/compose`, { body: JSON.stringify({ sourceObjects: [{ name: 'counted' }] }) });
    const stats = server.stats();
    expect(stats.bytesReceived).toBe(1234);
    expect(stats.bytesSent).toBe(100);
    expect(stats.receivedByObject).toEqual({ [`${B}/counted`]: 1234 });
    expect(stats.sentByObject).toEqual({ [`${B}/counted`]: 100 });
    expect(stats.requests['objects.insert']).toBe(1);
    expect(stats.requests['objects.media']).toBe(1);
    expect(stats.requests['objects.compose']).toBe(1);
  });

  it('a dropped response commits the request but the client never hears back', async () => {
    server.faults.inject({ method: 'POST', pathPattern: 'name=dropped', count: 1, dropResponse: true });
    await expect(fetch(`${server.url}/upload/storage/v1/b/${B}/o?uploadType=media&name=dropped`, { method: 'POST', body: 'x' })).rejects.toThrow();
    expect((await api(server, 'GET', `/storage/v1/b/${B}/o/dropped`)).status).toBe(200);
  });
});

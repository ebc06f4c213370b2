import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, PartInfo, UploadPartInput } from '@mpu/core';
import { startS3Server } from '../src/index.js';
import type { RequestLogInfo, RunningS3Server } from '../src/index.js';
import { ACCESS_KEY, SECRET_KEY, signHeaders } from './signed-client.js';

/** An engine whose uploadPart only counts bytes: isolates the handler's own memory use. */
interface Observed {
  bytes: number;
  aborted: boolean;
  failure?: unknown;
  done?: Promise<void>;
}

function countingEngine(observed: Observed[]): Engine {
  const engine: Partial<Engine> = {
    // A private bucket owned by someone: unsigned requests get no grant from it.
    getBucketAccess: async () => ({ owner: { id: 'owner', displayName: 'owner' }, ownership: 'ObjectWriter' }),
    async uploadPart(input: UploadPartInput): Promise<PartInfo> {
      const seen: Observed = { bytes: 0, aborted: false };
      observed.push(seen);
      input.signal?.addEventListener('abort', () => {
        seen.aborted = true;
      });
      try {
        for await (const chunk of input.body) seen.bytes += chunk.length;
      } catch (error) {
        seen.failure = error;
        throw error;
      }
      return { partNumber: input.partNumber, etag: '"00000000000000000000000000000000"', size: seen.bytes, lastModified: new Date(), checksums: {} };
    },
  };
  return engine as Engine;
}

let server: RunningS3Server;
const observed: Observed[] = [];
const logs: RequestLogInfo[] = [];
const logged: object[] = [];
const errors: object[] = [];

beforeAll(async () => {
  server = await startS3Server({
    engine: countingEngine(observed),
    credentials: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }],
    onRequestDone: (info) => logs.push(info),
    logger: { info: (o) => logged.push(o), warn: () => {}, error: (o) => errors.push(o) },
  });
});

afterAll(async () => {
  await server.close();
});

/** Polls `condition` (up to 10 s): no fixed sleeps, so a loaded machine does not flake. */
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 10_000) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function openPut(path: string, contentLength: number) {
  const url = new URL(server.url);
  const headers = { ...signHeaders({ method: 'PUT', url: path, payloadHash: 'UNSIGNED-PAYLOAD' }, url.host), 'content-length': String(contentLength) };
  const req = request({ host: url.hostname, port: url.port, method: 'PUT', path, headers });
  const response = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
  return { req, response };
}

describe('streaming', () => {
  it('a 512 MiB part streams through the handler without being buffered', async () => {
    const size = 512 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const { req, response } = openPut('/bucket/big?partNumber=1&uploadId=u', size);
    for (let sent = 0; sent < size; sent += chunk.length) {
      if (!req.write(chunk)) await new Promise((resolve) => req.once('drain', resolve));
    }
    req.end();
    const status = await response;
    clearInterval(sampler);
    expect(status).toBe(200);
    expect(observed.at(-1)?.bytes).toBe(size);
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('a client that disconnects mid-body aborts the engine write', async () => {
    const { req, response } = openPut('/bucket/cut?partNumber=1&uploadId=u', 64 * 1024 * 1024);
    response.catch(() => {});
    const before = observed.length;
    req.write(Buffer.alloc(1024 * 1024));
    await until(() => observed.length > before && (observed.at(-1)?.bytes ?? 0) > 0);
    req.destroy();
    await until(() => observed.at(-1)?.failure !== undefined || observed.at(-1)?.aborted === true);
    const seen = observed.at(-1);
    expect(seen?.bytes).toBeLessThan(64 * 1024 * 1024);
    expect(seen?.failure !== undefined || seen?.aborted === true).toBe(true);
  });

  it('logs one line per request: id, operation, status, bytes, ms', async () => {
    const { req, response } = openPut('/bucket/logged?partNumber=2&uploadId=u', 5);
    req.end('hello');
    expect(await response).toBe(200);
    await until(() => logs.some((l) => l.key === 'logged'));
    const info = logs.find((l) => l.key === 'logged');
    expect(info).toMatchObject({ operation: 'UploadPart', method: 'PUT', bucket: 'bucket', status: 200, bytesIn: 5 });
    expect(info?.requestId).toMatch(/^[0-9A-F]{16}$/);
    expect(info?.ms).toBeGreaterThanOrEqual(0);
    expect(logged).toContainEqual(info);
  });

  it('a request refused by the access check (unsigned, no grant) is logged with the operation it attempted', async () => {
    const url = new URL(server.url);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method: 'PUT', path: '/bucket/anonymous?partNumber=1&uploadId=u', headers: { 'content-length': '0' } });
      req.on('response', (res) => { res.resume(); resolve(res.statusCode); });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
    await until(() => logs.some((l) => l.key === 'anonymous'));
    expect(logs.find((l) => l.key === 'anonymous')).toMatchObject({ operation: 'UploadPart', status: 403, errorCode: 'AccessDenied' });
  });

  it('an unexpected engine failure is a logged InternalError 500 with the request id', async () => {
    const url = new URL(server.url);
    const headers = signHeaders({ method: 'GET', url: '/' }, url.host);
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method: 'GET', path: '/', headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(500);
    expect(text).toContain('<Code>InternalError</Code>');
    const requestId = /<RequestId>([^<]+)</.exec(text)?.[1];
    expect(errors).toContainEqual(expect.objectContaining({ requestId, operation: 'ListBuckets' }));
  });
});

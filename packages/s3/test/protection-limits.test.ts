import { type ClientRequest, type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore, MultipartEngine } from '@mpu/core';
import { createS3Handler } from '../src/index.js';
import { type ProtectionLimitsOptions, InvalidProtectionLimitsError, withProtectionLimits } from '../src/protection-limits.js';
import { ACCESS_KEY, SECRET_KEY, errorCode, send, signHeaders } from './signed-client.js';

let server: Server | undefined;
const held: ClientRequest[] = [];

afterEach(async () => {
  for (const req of held.splice(0)) req.destroy();
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
  }
});

async function start(limits: Omit<ProtectionLimitsOptions, 'engine'>) {
  const engine = new MultipartEngine({ store: new MemoryStore() });
  const handler = withProtectionLimits(
    createS3Handler({ engine, credentials: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }] }),
    { ...limits, engine },
  );
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await engine.createBucket('bkt');
  await engine.createBucket('other');
  return { engine, handler, url };
}

/** A PUT whose body stays open (declared `length`, only 1 byte sent) until `finish()`. */
function holdOpenPut(url: string, path: string, length: number) {
  const { hostname, port, host } = new URL(url);
  const headers = { ...signHeaders({ method: 'PUT', url: path, payloadHash: 'UNSIGNED-PAYLOAD' }, host), 'content-length': String(length) };
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({ host: hostname, port, method: 'PUT', path, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.write('x');
    held.push(req);
  });
  response.catch(() => undefined); // a held request the test destroys rejects unobserved
  const req = held.at(-1)!;
  return { response, finish: () => req.end('x'.repeat(length - 1)) };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

async function expectSlowDown(response: Promise<{ status: number; text: string }>): Promise<void> {
  const { status, text } = await response;
  expect({ status, code: errorCode(text) }).toEqual({ status: 503, code: 'SlowDown' });
}

describe('withProtectionLimits', () => {
  it('rejects invalid limits and a per-bucket upload limit without an engine', () => {
    const handler = () => undefined;
    expect(() => withProtectionLimits(handler, { maxConcurrentRequests: 0 })).toThrow(InvalidProtectionLimitsError);
    expect(() => withProtectionLimits(handler, { maxInFlightBytes: 1.5 })).toThrow(InvalidProtectionLimitsError);
    expect(() => withProtectionLimits(handler, { maxOpenUploadsPerBucket: 3 })).toThrow(/engine/);
  });

  it('maxConcurrentRequests: the request beyond the limit gets 503 SlowDown; slots come back when requests end', async () => {
    const { handler, url, engine } = await start({ maxConcurrentRequests: 2 });
    const a = holdOpenPut(url, '/bkt/a', 10);
    const b = holdOpenPut(url, '/bkt/b', 10);
    await until(() => handler.stats().activeRequests === 2);
    await expectSlowDown(send(url, { method: 'GET', url: '/bkt/a' }));
    a.finish();
    expect((await a.response).status).toBe(200);
    await until(() => handler.stats().activeRequests === 1);
    expect((await send(url, { method: 'PUT', url: '/bkt/c', body: 'c' })).status).toBe(200);
    b.finish();
    expect((await b.response).status).toBe(200);
    await until(() => handler.stats().activeRequests === 0);
    expect(handler.stats()).toMatchObject({ inFlightBytes: 0, rejected: { maxConcurrentRequests: 1 } });
    // The rejected request did nothing.
    expect((await engine.listObjects({ bucket: 'bkt' })).objects.map((o) => o.key)).toEqual(['a', 'b', 'c']);
  });

  it('a client that disconnects mid-body gives its slot and bytes back', async () => {
    const { handler, url } = await start({ maxConcurrentRequests: 1, maxInFlightBytes: 100 });
    holdOpenPut(url, '/bkt/gone', 50);
    await until(() => handler.stats().activeRequests === 1);
    held.pop()!.destroy();
    await until(() => handler.stats().activeRequests === 0);
    expect(handler.stats().inFlightBytes).toBe(0);
    expect((await send(url, { method: 'PUT', url: '/bkt/next', body: 'n' })).status).toBe(200);
  });

  it('maxInFlightBytes: declared body sizes add up; beyond the limit → SlowDown; one big body alone is admitted', async () => {
    const { handler, url } = await start({ maxInFlightBytes: 1000 });
    const big = holdOpenPut(url, '/bkt/big', 1500); // larger than the limit, but alone: admitted
    await until(() => handler.stats().inFlightBytes === 1500);
    await expectSlowDown(send(url, { method: 'PUT', url: '/bkt/small', body: 'y'.repeat(10) }));
    big.finish();
    expect((await big.response).status).toBe(200);
    await until(() => handler.stats().inFlightBytes === 0);
    const first = holdOpenPut(url, '/bkt/first', 600);
    await until(() => handler.stats().inFlightBytes === 600);
    await expectSlowDown(send(url, { method: 'PUT', url: '/bkt/second', body: 'z'.repeat(500) }));
    expect((await send(url, { method: 'PUT', url: '/bkt/third', body: 'z'.repeat(400) })).status).toBe(200);
    // Bodyless requests always fit.
    expect((await send(url, { method: 'GET', url: '/bkt/third' })).status).toBe(200);
    first.finish();
    expect((await first.response).status).toBe(200);
    expect(handler.stats().rejected.maxInFlightBytes).toBe(2);
  });

  it('x-amz-decoded-content-length counts instead of the encoded Content-Length', async () => {
    const { handler, url } = await start({ maxInFlightBytes: 1000 });
    const first = holdOpenPut(url, '/bkt/first', 600);
    await until(() => handler.stats().inFlightBytes === 600);
    // Declared decoded size 900 (> 400 left): rejected before any signature or framing check.
    await expectSlowDown(send(url, {
      method: 'PUT', url: '/bkt/chunked', body: 'x', headers: { 'x-amz-decoded-content-length': '900', 'content-encoding': 'aws-chunked' },
    }));
    first.finish();
    await first.response;
  });

  it('maxOpenUploadsPerBucket: Create beyond the limit → SlowDown, per bucket; an Abort frees a slot', async () => {
    const { url, engine, handler } = await start({ maxOpenUploadsPerBucket: 2 });
    const create = (bucket: string, key: string) => send(url, { method: 'POST', url: `/${bucket}/${key}?uploads` });
    expect((await create('bkt', 'a')).status).toBe(200);
    expect((await create('bkt', 'b')).status).toBe(200);
    await expectSlowDown(create('bkt', 'c'));
    expect((await create('other', 'a')).status).toBe(200);
    const { uploads } = await engine.listMultipartUploads({ bucket: 'bkt' });
    expect(uploads.map((upload) => upload.key)).toEqual(['a', 'b']);
    await engine.abortMultipartUpload(uploads[0]!);
    expect((await create('bkt', 'c')).status).toBe(200);
    // Other requests on a full bucket are not limited.
    expect((await send(url, { method: 'PUT', url: '/bkt/obj', body: 'o' })).status).toBe(200);
    expect(handler.stats().rejected.maxOpenUploadsPerBucket).toBe(1);
  });

  it('maxOpenUploadsPerBucket holds under concurrent Creates: exactly the free slots are taken', async () => {
    const { url, engine } = await start({ maxOpenUploadsPerBucket: 3 });
    await engine.createMultipartUpload({ bucket: 'bkt', key: 'existing' });
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => send(url, { method: 'POST', url: `/bkt/k${i}?uploads` })));
    expect(replies.filter((reply) => reply.status === 200)).toHaveLength(2);
    expect(replies.filter((reply) => reply.status === 503 && errorCode(reply.text) === 'SlowDown')).toHaveLength(6);
    expect((await engine.listMultipartUploads({ bucket: 'bkt' })).uploads).toHaveLength(3);
  });

  it('a Create on an unknown bucket is answered by the handler (NoSuchBucket), not by the limit', async () => {
    const { url } = await start({ maxOpenUploadsPerBucket: 1 });
    const reply = await send(url, { method: 'POST', url: '/nobucket/k?uploads' });
    expect({ status: reply.status, code: errorCode(reply.text) }).toEqual({ status: 404, code: 'NoSuchBucket' });
  });
});

describe('createS3Handler({ protection })', () => {
  it('wraps the handler in the limits: the second open upload of a bucket limited to one gets SlowDown', async () => {
    const engine = new MultipartEngine({ store: new MemoryStore() });
    await engine.createBucket('bkt');
    server = createServer(createS3Handler({
      engine,
      credentials: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }],
      protection: { maxOpenUploadsPerBucket: 1 },
    }));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await send(url, { method: 'POST', url: '/bkt/a?uploads' })).status).toBe(200);
    await expectSlowDown(send(url, { method: 'POST', url: '/bkt/b?uploads' }));
    expect((await engine.listMultipartUploads({ bucket: 'bkt' })).uploads.map((upload) => upload.key)).toEqual(['a']);
  });
});

import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, MultipartEngine, S3Error } from '@mpu/core';
import { startS3Server } from '../src/index.js';
import type { AuthorizationRequest, RunningS3Server } from '../src/index.js';
import { ACCESS_KEY, SECRET_KEY, errorCode, send, signHeaders } from './signed-client.js';

let server: RunningS3Server;
let engine: MultipartEngine;
const asked: AuthorizationRequest[] = [];
const lookups: string[] = [];
/** Keys the hook refuses; `throw/` keys make it throw its own S3 error. */
const refusedKeys = new Set<string>();

beforeAll(async () => {
  engine = new MultipartEngine({ store: new MemoryStore() });
  server = await startS3Server({
    engine,
    // Async lookup, as a database-backed store would do it.
    credentials: async (accessKeyId) => {
      lookups.push(accessKeyId);
      await new Promise((resolve) => setImmediate(resolve));
      return accessKeyId === ACCESS_KEY ? SECRET_KEY : undefined;
    },
    allowAnonymous: true,
    authorize: async (question, req) => {
      asked.push(question);
      expect(req.headers.host).toBe(new URL(server.url).host);
      if (question.key?.startsWith('throw/')) throw new S3Error('AccessDenied', 'Tenant quota exceeded');
      if (question.accessKeyId === undefined) return question.operation === 'GetObject';
      return !refusedKeys.has(question.key ?? '');
    },
  });
  await engine.createBucket('authz');
});

afterAll(async () => {
  await server.close();
});

/** Sends headers with `Expect: 100-continue` and reports whether the server asked for the body. */
function expectContinue(url: string, contentLength: number): Promise<{ first: 'continue' | 'response'; status?: number; text?: string }> {
  const { host, hostname, port } = new URL(server.url);
  const headers = { ...signHeaders({ method: 'PUT', url, payloadHash: 'UNSIGNED-PAYLOAD' }, host), 'content-length': String(contentLength), expect: '100-continue' };
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method: 'PUT', path: url, headers });
    req.on('continue', () => {
      resolve({ first: 'continue' });
      req.destroy();
    });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ first: 'response', status: res.statusCode, text: Buffer.concat(parts).toString() }));
    });
    req.on('error', (error) => (error.message.includes('socket hang up') ? undefined : reject(error)));
    req.flushHeaders();
  });
}

describe('authorize hook', () => {
  it('sees who calls which operation on which bucket, key (decoded) and upload', async () => {
    const create = await send(server.url, { method: 'POST', url: '/authz/dir/a%20%C3%BC.bin?uploads' });
    const uploadId = /<UploadId>([^<]+)</.exec(create.text)?.[1];
    expect(uploadId).toBeDefined();
    asked.length = 0;
    const part = await send(server.url, { method: 'PUT', url: `/authz/dir/a%20%C3%BC.bin?partNumber=1&uploadId=${uploadId}`, body: 'part' });
    expect(part.status).toBe(200);
    expect(asked).toEqual([{ accessKeyId: ACCESS_KEY, operation: 'UploadPart', bucket: 'authz', key: 'dir/a ü.bin', uploadId }]);
    expect(lookups).toContain(ACCESS_KEY);
  });

  it('refuses with 403 AccessDenied before the body is read or 100 Continue is sent; nothing is written', async () => {
    refusedKeys.add('denied.bin');
    const answer = await expectContinue('/authz/denied.bin', 5 * 1024 * 1024);
    expect(answer).toMatchObject({ first: 'response', status: 403 });
    expect(errorCode(answer.text ?? '')).toBe('AccessDenied');
    const put = await send(server.url, { method: 'PUT', url: '/authz/denied.bin', body: 'data' });
    expect({ status: put.status, code: errorCode(put.text) }).toEqual({ status: 403, code: 'AccessDenied' });
    await expect(engine.headObject({ bucket: 'authz', key: 'denied.bin' })).rejects.toMatchObject({ code: 'NoSuchKey' });
    // An allowed request on the same server is asked for its body.
    expect((await expectContinue('/authz/allowed.bin', 5)).first).toBe('continue');
  });

  it('sees the copy source of CopyObject and UploadPartCopy', async () => {
    expect((await send(server.url, { method: 'PUT', url: '/authz/src%2Bx', body: 'source' })).status).toBe(200);
    asked.length = 0;
    const copy = await send(server.url, { method: 'PUT', url: '/authz/copy', headers: { 'x-amz-copy-source': '/authz/src%2Bx' } });
    expect(copy.status).toBe(200);
    expect(asked).toEqual([{ accessKeyId: ACCESS_KEY, operation: 'CopyObject', bucket: 'authz', key: 'copy', copySource: { bucket: 'authz', key: 'src+x' } }]);
  });

  it('is asked about anonymous requests (no accessKeyId)', async () => {
    expect((await send(server.url, { method: 'PUT', url: '/authz/public', body: 'hi' })).status).toBe(200);
    asked.length = 0;
    const get = await send(server.url, { method: 'GET', url: '/authz/public', anonymous: true });
    expect({ status: get.status, text: get.text }).toEqual({ status: 200, text: 'hi' });
    const put = await send(server.url, { method: 'PUT', url: '/authz/public', anonymous: true, body: 'overwrite' });
    expect({ status: put.status, code: errorCode(put.text) }).toEqual({ status: 403, code: 'AccessDenied' });
    expect(asked).toEqual([
      { accessKeyId: undefined, operation: 'GetObject', bucket: 'authz', key: 'public' },
      { accessKeyId: undefined, operation: 'PutObject', bucket: 'authz', key: 'public' },
    ]);
  });

  it('is not asked when authentication fails; an S3Error it throws is answered as is', async () => {
    asked.length = 0;
    const bad = await send(server.url, { method: 'GET', url: '/authz/public', secret: 'wrong' });
    expect(errorCode(bad.text)).toBe('SignatureDoesNotMatch');
    const unknown = await send(server.url, { method: 'GET', url: '/authz/public', accessKey: 'AKIDNOBODY' });
    expect(errorCode(unknown.text)).toBe('InvalidAccessKeyId');
    expect(asked).toEqual([]);
    const thrown = await send(server.url, { method: 'PUT', url: '/authz/throw/x', body: 'x' });
    expect({ status: thrown.status, code: errorCode(thrown.text) }).toEqual({ status: 403, code: 'AccessDenied' });
    expect(thrown.text).toContain('<Message>Tenant quota exceeded</Message>');
  });
});

import { createServer, request } from 'node:http';
import type { IncomingMessage, RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore, MultipartEngine } from '@mpu/core';
import { attachContinueHandling, createS3Handler } from '../src/index.js';
import type { S3HandlerOptions } from '../src/index.js';
import { BODY_ALREADY_CONSUMED } from '../src/consumed-body.js';
import { mountedUrlOf, normalizeBasePath } from '../src/mounted-url.js';
import { ACCESS_KEY, SECRET_KEY, errorCode, send, signHeaders } from './signed-client.js';

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(listener: RequestListener): Promise<{ server: Server; endpoint: string }> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function handlerOptions(extra: Omit<Partial<S3HandlerOptions>, 'engine'> = {}): S3HandlerOptions & { engine: MultipartEngine } {
  return { credentials: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }], ...extra, engine: new MultipartEngine({ store: new MemoryStore() }) };
}

const fakeReq = (url: string, originalUrl?: string) => ({ url, originalUrl }) as unknown as IncomingMessage;

describe('mountedUrlOf', () => {
  it('strips the base path for routing and keeps the signed path whole', () => {
    expect(mountedUrlOf(fakeReq('/s3/b/k%20x?uploads'), '/s3')).toEqual({ signedPath: '/s3/b/k%20x', path: '/b/k%20x', query: 'uploads', mountPath: '/s3' });
    expect(mountedUrlOf(fakeReq('/s3'), '/s3')).toEqual({ signedPath: '/s3', path: '/', query: '', mountPath: '/s3' });
    expect(() => mountedUrlOf(fakeReq('/s3x/b'), '/s3')).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });

  it('recognises an Express mount (req.url rewritten, req.originalUrl kept), with or without basePath', () => {
    const express = fakeReq('/b/k?x-id=GetObject', '/api/s3/b/k?x-id=GetObject');
    const expected = { signedPath: '/api/s3/b/k', path: '/b/k', query: 'x-id=GetObject', mountPath: '/api/s3' };
    expect(mountedUrlOf(express, '')).toEqual(expected);
    expect(mountedUrlOf(express, '/api/s3')).toEqual(expected);
    expect(mountedUrlOf(fakeReq('/', '/api/s3'), '')).toMatchObject({ signedPath: '/api/s3', path: '/', mountPath: '/api/s3' });
  });

  it('normalizes basePath and rejects what is not a path', () => {
    expect([undefined, '', '/', '/s3/', '/a/b'].map(normalizeBasePath)).toEqual(['', '', '', '/s3', '/a/b']);
    expect(() => normalizeBasePath('s3')).toThrow(TypeError);
  });
});

describe('basePath on plain node:http', () => {
  it('serves signed requests below the base path, refuses paths outside it, and Location carries it', async () => {
    const options = handlerOptions({ basePath: '/storage/s3/' });
    const { endpoint } = await serve(createS3Handler(options));
    expect((await send(endpoint, { method: 'PUT', url: '/storage/s3/bkt' })).status).toBe(200);
    expect((await send(endpoint, { method: 'PUT', url: '/storage/s3/bkt/a%20b', body: 'hello' })).status).toBe(200);
    expect((await options.engine.headObject({ bucket: 'bkt', key: 'a b' })).object.size).toBe(5);
    const get = await send(endpoint, { method: 'GET', url: '/storage/s3/bkt/a%20b' });
    expect({ status: get.status, text: get.text }).toEqual({ status: 200, text: 'hello' });
    const outside = await send(endpoint, { method: 'GET', url: '/bkt/a%20b' });
    expect({ status: outside.status, code: errorCode(outside.text) }).toEqual({ status: 400, code: 'InvalidArgument' });
    const create = await send(endpoint, { method: 'POST', url: '/storage/s3/bkt/mp?uploads' });
    const uploadId = /<UploadId>([^<]+)</.exec(create.text)?.[1] ?? '';
    const part = await send(endpoint, { method: 'PUT', url: `/storage/s3/bkt/mp?partNumber=1&uploadId=${uploadId}`, body: 'x' });
    const complete = await send(endpoint, {
      method: 'POST', url: `/storage/s3/bkt/mp?uploadId=${uploadId}`,
      body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${String(part.headers.etag)}</ETag></Part></CompleteMultipartUpload>`,
    });
    expect(complete.text).toContain(`<Location>${endpoint}/storage/s3/bkt/mp</Location>`);
  });

  it('a request signed for the path below the mount (not what was sent) fails the signature', async () => {
    const { endpoint } = await serve(createS3Handler(handlerOptions({ basePath: '/s3' })));
    const { host, hostname, port } = new URL(endpoint);
    const headers = signHeaders({ method: 'GET', url: '/' }, host); // signed `/`, sent `/s3/`
    const status = await new Promise<string>((resolve) => {
      request({ host: hostname, port, path: '/s3/', headers }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => { text += c.toString(); });
        res.on('end', () => resolve(`${res.statusCode} ${errorCode(text)}`));
      }).end();
    });
    expect(status).toBe('403 SignatureDoesNotMatch');
  });
});

describe('basePath with protection limits', () => {
  it('maxOpenUploadsPerBucket counts the bucket below the base path', async () => {
    const options = handlerOptions({ basePath: '/s3', protection: { maxOpenUploadsPerBucket: 1 } });
    await options.engine.createBucket('bkt');
    const { endpoint } = await serve(createS3Handler(options));
    expect((await send(endpoint, { method: 'POST', url: '/s3/bkt/a?uploads' })).status).toBe(200);
    const second = await send(endpoint, { method: 'POST', url: '/s3/bkt/b?uploads' });
    expect({ status: second.status, code: errorCode(second.text) }).toEqual({ status: 503, code: 'SlowDown' });
    expect((await options.engine.listMultipartUploads({ bucket: 'bkt' })).uploads.map((u) => u.key)).toEqual(['a']);
  });
});

describe('a body parser in front of the handler', () => {
  it('is reported as 500 InternalError with a logged reason; no object is written', async () => {
    const logged: unknown[] = [];
    const options = handlerOptions({ logger: { info: () => undefined, warn: () => undefined, error: (obj) => logged.push((obj as { err?: Error }).err?.message) } });
    await options.engine.createBucket('parsed');
    const s3 = createS3Handler(options);
    // What express.json() / express.raw() do: read the whole body, then call the next handler.
    const { endpoint } = await serve(async (req, res) => {
      for await (const _chunk of req) { /* consumed */ }
      s3(req, res);
    });
    const put = await send(endpoint, { method: 'PUT', url: '/parsed/doc.json', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect({ status: put.status, code: errorCode(put.text) }).toEqual({ status: 500, code: 'InternalError' });
    expect(logged).toEqual([BODY_ALREADY_CONSUMED]);
    await expect(options.engine.headObject({ bucket: 'parsed', key: 'doc.json' })).rejects.toMatchObject({ code: 'NoSuchKey' });
    // Requests without a body are unaffected.
    expect((await send(endpoint, { method: 'GET', url: '/parsed' })).status).toBe(200);
  });
});

describe('attachContinueHandling(server) without a listener', () => {
  it('runs 100-continue requests through the server\'s own request listener', async () => {
    const options = handlerOptions();
    await options.engine.createBucket('cont');
    const s3 = createS3Handler(options);
    const seen: string[] = [];
    const { server, endpoint } = await serve((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.expect ?? '-'}`);
      s3(req, res);
    });
    attachContinueHandling(server);
    const { host, hostname, port } = new URL(endpoint);
    const headers = { ...signHeaders({ method: 'PUT', url: '/cont/k', body: 'hello' }, host), 'content-length': '5', expect: '100-continue' };
    const events: string[] = [];
    await new Promise<void>((resolve) => {
      const req = request({ host: hostname, port, method: 'PUT', path: '/cont/k', headers }, (res) => {
        events.push(`response ${res.statusCode}`);
        res.resume().on('end', resolve);
      });
      req.on('continue', () => {
        events.push('continue');
        req.end('hello');
      });
      req.flushHeaders();
    });
    expect(events).toEqual(['continue', 'response 200']);
    expect(seen).toEqual(['PUT /cont/k 100-continue']);
    expect((await options.engine.headObject({ bucket: 'cont', key: 'k' })).object.size).toBe(5);
  });
});

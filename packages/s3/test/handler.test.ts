import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, MultipartEngine } from '@mpu/core';
import { startS3Server } from '../src/index.js';
import type { RunningS3Server } from '../src/index.js';
import { ACCESS_KEY, SECRET_KEY, errorCode, send, signHeaders } from './signed-client.js';

let server: RunningS3Server;
let endpoint: string;
const loggedErrors: object[] = [];

beforeAll(async () => {
  const engine = new MultipartEngine({ store: new MemoryStore() });
  server = await startS3Server({
    engine,
    credentials: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }],
    baseDomain: 'localhost',
    logger: { info: () => {}, warn: () => {}, error: (o) => loggedErrors.push(o) },
  });
  endpoint = server.url;
});

afterAll(async () => {
  await server.close();
});

describe('raw S3 protocol over the handler', () => {
  it('creates a bucket, puts, gets, lists and deletes an object', async () => {
    expect((await send(endpoint, { method: 'PUT', url: '/raw-b1' })).status).toBe(200);
    const put = await send(endpoint, { method: 'PUT', url: '/raw-b1/dir/a%20b.txt', body: 'hello', headers: { 'content-type': 'text/plain', 'x-amz-meta-color': 'blue' } });
    expect(put.status).toBe(200);
    expect(put.headers.etag).toBe('"5d41402abc4b2a76b9719d911017c592"');
    expect(put.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
    const get = await send(endpoint, { method: 'GET', url: '/raw-b1/dir/a%20b.txt' });
    expect(get.status).toBe(200);
    expect(get.text).toBe('hello');
    expect(get.headers['content-type']).toBe('text/plain');
    expect(get.headers['x-amz-meta-color']).toBe('blue');
    expect(get.headers['last-modified']).toMatch(/GMT$/);
    const list = await send(endpoint, { method: 'GET', url: '/raw-b1?list-type=2&prefix=dir%2F' });
    expect(list.status).toBe(200);
    expect(list.text).toContain('<Key>dir/a b.txt</Key>');
    expect(list.text).toContain('<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">');
    expect((await send(endpoint, { method: 'DELETE', url: '/raw-b1/dir/a%20b.txt' })).status).toBe(204);
    const missing = await send(endpoint, { method: 'GET', url: '/raw-b1/dir/a%20b.txt' });
    expect(missing.status).toBe(404);
    expect(errorCode(missing.text)).toBe('NoSuchKey');
    expect(missing.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>NoSuchKey<\/Code><Message>[^<]+<\/Message>.*<RequestId>[0-9A-F]{16}<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/s);
  });

  it('runs a multipart upload end to end', async () => {
    await send(endpoint, { method: 'PUT', url: '/raw-b2' });
    const create = await send(endpoint, { method: 'POST', url: '/raw-b2/big.bin?uploads' });
    expect(create.status).toBe(200);
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(create.text)?.[1] ?? '';
    const part1 = Buffer.alloc(5 * 1024 * 1024, 'a');
    const p1 = await send(endpoint, { method: 'PUT', url: `/raw-b2/big.bin?partNumber=1&uploadId=${uploadId}`, body: part1 });
    expect(p1.status).toBe(200);
    expect(p1.headers.etag).toBe('"79b281060d337b9b2b84ccf390adcf74"');
    const p2 = await send(endpoint, { method: 'PUT', url: `/raw-b2/big.bin?partNumber=2&uploadId=${uploadId}`, body: 'hello' });
    const complete = await send(endpoint, {
      method: 'POST', url: `/raw-b2/big.bin?uploadId=${uploadId}`,
      body: `<CompleteMultipartUpload><Part><ETag>${p1.headers.etag}</ETag><PartNumber>1</PartNumber></Part><Part><PartNumber>2</PartNumber><ETag>&quot;${String(p2.headers.etag).slice(1, -1)}&quot;</ETag></Part></CompleteMultipartUpload>`,
    });
    expect(complete.status).toBe(200);
    expect(complete.text).toContain('<ETag>"7cbb08aa3c3309d6882c18fcecc4bee7-2"</ETag>');
    expect(complete.text).toContain(`<Location>${endpoint}/raw-b2/big.bin</Location>`);
    const get = await send(endpoint, { method: 'GET', url: '/raw-b2/big.bin?partNumber=2' });
    expect(get.status).toBe(206);
    expect(get.text).toBe('hello');
    expect(get.headers['x-amz-mp-parts-count']).toBe('2');
    expect(get.headers['content-range']).toBe('bytes 5242880-5242884/5242885');
    const whole = await send(endpoint, { method: 'GET', url: '/raw-b2/big.bin' });
    expect(createHash('md5').update(whole.body).digest('hex')).toBe('fa01dc3471d797b839444a1bdfa87e51');
  });

  it('a client hanging up mid-download is neither an error response nor an error log', async () => {
    await send(endpoint, { method: 'PUT', url: '/raw-b3' });
    await send(endpoint, { method: 'PUT', url: '/raw-b3/large', body: Buffer.alloc(32 * 1024 * 1024, 1) });
    const url = new URL(endpoint);
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: '/raw-b3/large', headers: signHeaders({ method: 'GET', url: '/raw-b3/large' }, url.host) }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
      req.on('close', () => resolve());
      req.setTimeout(5000, () => reject(new Error('no data')));
      req.end();
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(loggedErrors).toEqual([]);
    const again = await send(endpoint, { method: 'GET', url: '/raw-b3/large' });
    expect(again.body.length).toBe(32 * 1024 * 1024);
  });
});

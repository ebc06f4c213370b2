import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, MultipartEngine } from '@mpu/core';
import { startS3Server } from '../src/index.js';
import type { RunningS3Server } from '../src/index.js';
import { ACCESS_KEY, SECRET_KEY, errorCode, presignPath, send, signHeaders } from './signed-client.js';
import type { RawResponse, SignedRequestInit } from './signed-client.js';

let server: RunningS3Server;
let endpoint: string;
const MiB = 1024 * 1024;

beforeAll(async () => {
  const engine = new MultipartEngine({ store: new MemoryStore() });
  server = await startS3Server({ engine, credentials: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }], baseDomain: 'localhost' });
  endpoint = server.url;
  await send(endpoint, { method: 'PUT', url: '/errs' });
  await send(endpoint, { method: 'PUT', url: '/errs/existing', body: 'hello' });
});

afterAll(async () => {
  await server.close();
});

/** Asserts status, Code and the S3 error document shape. */
function expectError(res: RawResponse, status: number, code: string): void {
  expect({ status: res.status, code: errorCode(res.text) }).toEqual({ status, code });
  expect(res.headers['content-type']).toBe('application/xml');
  expect(res.text).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error><Code>[A-Za-z0-9]+<\/Code><Message>[^<]*<\/Message>.*<RequestId>[0-9A-F]{16}<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/s);
  expect(res.headers['x-amz-request-id']).toBe(/<RequestId>([^<]+)</.exec(res.text)?.[1]);
}

async function createUpload(key: string): Promise<string> {
  const res = await send(endpoint, { method: 'POST', url: `/errs/${key}?uploads` });
  return /<UploadId>([^<]+)<\/UploadId>/.exec(res.text)?.[1] ?? '';
}

async function uploadPart(key: string, uploadId: string, n: number, body: Buffer | string): Promise<string> {
  const res = await send(endpoint, { method: 'PUT', url: `/errs/${key}?partNumber=${n}&uploadId=${uploadId}`, body });
  expect(res.status).toBe(200);
  return String(res.headers.etag);
}

const completeXml = (parts: readonly [number, string][]) =>
  `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts.map(([n, e]) => `<Part><PartNumber>${n}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;

/** Sends headers only with `Expect: 100-continue` and reports what the server answered first. */
function expectContinue(init: SignedRequestInit, contentLength: number): Promise<{ first: 'continue' | 'response'; status?: number; text?: string }> {
  const url = new URL(endpoint);
  const headers = { ...signHeaders({ ...init, payloadHash: 'UNSIGNED-PAYLOAD' }, url.host), 'content-length': String(contentLength), expect: '100-continue' };
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: init.method, path: init.url, headers });
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

describe('errors of the multipart flow, on the wire', () => {
  it('NoSuchBucket, NoSuchKey, NoSuchUpload (with UploadId element)', async () => {
    const bucket = await send(endpoint, { method: 'GET', url: '/no-such-bucket/k' });
    expectError(bucket, 404, 'NoSuchBucket');
    expect(bucket.text).toContain('<BucketName>no-such-bucket</BucketName>');
    expectError(await send(endpoint, { method: 'GET', url: '/errs/absent' }), 404, 'NoSuchKey');
    const upload = await send(endpoint, { method: 'PUT', url: '/errs/k?partNumber=1&uploadId=bogus', body: 'x' });
    expectError(upload, 404, 'NoSuchUpload');
    expect(upload.text).toContain('<UploadId>bogus</UploadId>');
    expectError(await send(endpoint, { method: 'DELETE', url: '/errs/k?uploadId=bogus' }), 404, 'NoSuchUpload');
  });

  it('InvalidPart, InvalidPartOrder, EntityTooSmall at Complete', async () => {
    const id = await createUpload('mp');
    const e1 = await uploadPart('mp', id, 1, Buffer.alloc(5 * MiB, 1));
    const e2 = await uploadPart('mp', id, 2, 'small');
    const e3 = await uploadPart('mp', id, 3, 'tail');
    expectError(await send(endpoint, { method: 'POST', url: `/errs/mp?uploadId=${id}`, body: completeXml([[1, e1], [2, '"00000000000000000000000000000000"']]) }), 400, 'InvalidPart');
    expectError(await send(endpoint, { method: 'POST', url: `/errs/mp?uploadId=${id}`, body: completeXml([[2, e2], [1, e1]]) }), 400, 'InvalidPartOrder');
    const small = await send(endpoint, { method: 'POST', url: `/errs/mp?uploadId=${id}`, body: completeXml([[1, e1], [2, e2], [3, e3]]) });
    expectError(small, 400, 'EntityTooSmall');
    expect(small.text).toContain('<MinSizeAllowed>5242880</MinSizeAllowed>');
  });

  it('InvalidArgument for part numbers 0 and 10001; partNumber without uploadId', async () => {
    const id = await createUpload('pn');
    for (const n of ['0', '10001', 'abc']) {
      const res = await send(endpoint, { method: 'PUT', url: `/errs/pn?partNumber=${n}&uploadId=${id}`, body: 'x' });
      expectError(res, 400, 'InvalidArgument');
      expect(res.text).toContain('<ArgumentName>partNumber</ArgumentName>');
    }
    expectError(await send(endpoint, { method: 'PUT', url: '/errs/pn?partNumber=1', body: 'x' }), 400, 'InvalidArgument');
    // §1.2 order: an unknown upload is reported before a bad part number.
    expectError(await send(endpoint, { method: 'PUT', url: '/errs/pn?partNumber=10001&uploadId=bogus', body: 'x' }), 404, 'NoSuchUpload');
    expectError(await send(endpoint, { method: 'GET', url: '/errs/existing?partNumber=0' }), 400, 'InvalidArgument');
    expectError(await send(endpoint, { method: 'GET', url: '/errs/existing?partNumber=2' }), 400, 'InvalidPart');
  });

  it('MalformedXML: empty body, no Part, Part without ETag, garbage, DOCTYPE', async () => {
    const id = await createUpload('mx');
    for (const body of ['', '<CompleteMultipartUpload/>', '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>', '<oops', '<!DOCTYPE x [<!ENTITY a "b">]><CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&a;</ETag></Part></CompleteMultipartUpload>']) {
      expectError(await send(endpoint, { method: 'POST', url: `/errs/mx?uploadId=${id}`, body }), 400, 'MalformedXML');
    }
    const oversize = `<CompleteMultipartUpload>${' '.repeat(2 * 1024 * 1024)}</CompleteMultipartUpload>`;
    expectError(await send(endpoint, { method: 'POST', url: `/errs/mx?uploadId=${id}`, body: oversize }), 400, 'MalformedXML');
  });

  it('EntityTooLarge is answered before the body is sent (Expect: 100-continue)', async () => {
    const id = await createUpload('huge');
    const answer = await expectContinue({ method: 'PUT', url: `/errs/huge?partNumber=1&uploadId=${id}` }, 5 * 1024 * MiB + 1);
    expect(answer.first).toBe('response');
    expect(answer.status).toBe(400);
    expect(errorCode(answer.text ?? '')).toBe('EntityTooLarge');
  });

  it('100-continue is sent once the request is accepted', async () => {
    const id = await createUpload('cont');
    expect((await expectContinue({ method: 'PUT', url: `/errs/cont?partNumber=1&uploadId=${id}` }, 5)).first).toBe('continue');
    const denied = await expectContinue({ method: 'PUT', url: `/errs/cont?partNumber=1&uploadId=${id}`, secret: 'wrong' }, 5);
    expect(denied).toMatchObject({ first: 'response', status: 403 });
  });

  it('BadDigest and InvalidDigest (Content-MD5), BadDigest (x-amz-checksum-crc32)', async () => {
    expectError(await send(endpoint, { method: 'PUT', url: '/errs/md5', body: 'hello', headers: { 'content-md5': 'AAAAAAAAAAAAAAAAAAAAAA==' } }), 400, 'BadDigest');
    expectError(await send(endpoint, { method: 'PUT', url: '/errs/md5', body: 'hello', headers: { 'content-md5': 'short' } }), 400, 'InvalidDigest');
    expectError(await send(endpoint, { method: 'PUT', url: '/errs/md5', body: 'hello', headers: { 'x-amz-checksum-crc32': 'AAAAAA==' } }), 400, 'BadDigest');
    expect((await send(endpoint, { method: 'PUT', url: '/errs/md5', body: 'hello', headers: { 'content-md5': 'XUFAKrxLKna5cZ2REBfFkg==', 'x-amz-checksum-crc32': 'NhCmhg==' } })).status).toBe(200);
    const deleteBody = '<Delete><Object><Key>none</Key></Object></Delete>';
    expectError(await send(endpoint, { method: 'POST', url: '/errs?delete', body: deleteBody, headers: { 'x-amz-checksum-crc32': 'AAAAAA==' } }), 400, 'BadDigest');
    expectError(await send(endpoint, { method: 'POST', url: '/errs?delete', body: deleteBody, headers: { 'content-md5': 'AAAAAAAAAAAAAAAAAAAAAA==' } }), 400, 'BadDigest');
  });

  it('XAmzContentSHA256Mismatch on object and XML bodies', async () => {
    const wrong = 'a'.repeat(64);
    const res = await send(endpoint, { method: 'PUT', url: '/errs/sha', body: 'hello', payloadHash: wrong });
    expectError(res, 400, 'XAmzContentSHA256Mismatch');
    const id = await createUpload('sha');
    expectError(await send(endpoint, { method: 'POST', url: `/errs/sha?uploadId=${id}`, body: completeXml([[1, '"x"']]), payloadHash: wrong }), 400, 'XAmzContentSHA256Mismatch');
  });

  it('SignatureDoesNotMatch, InvalidAccessKeyId, AccessDenied, RequestTimeTooSkewed', async () => {
    const mismatch = await send(endpoint, { method: 'GET', url: '/errs/existing', secret: 'wrong' });
    expectError(mismatch, 403, 'SignatureDoesNotMatch');
    expect(mismatch.text).toContain('<CanonicalRequest>GET\n/errs/existing\n');
    expectError(await send(endpoint, { method: 'GET', url: '/errs/existing', accessKey: 'NOPE' }), 403, 'InvalidAccessKeyId');
    expectError(await send(endpoint, { method: 'GET', url: '/errs/existing', anonymous: true }), 403, 'AccessDenied');
    const skewed = await send(endpoint, { method: 'GET', url: '/errs/existing', date: new Date(Date.now() - 16 * 60_000) });
    expectError(skewed, 403, 'RequestTimeTooSkewed');
    expect(skewed.text).toContain('<MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>');
  });

  it('presigned GET works until it expires, then AccessDenied "Request has expired"', async () => {
    const host = new URL(endpoint).host;
    const fresh = await send(endpoint, { method: 'GET', url: presignPath('GET', '/errs/existing', host, 300, new Date()), anonymous: true });
    expect(fresh.status).toBe(200);
    expect(fresh.text).toBe('hello');
    const expired = await send(endpoint, { method: 'GET', url: presignPath('GET', '/errs/existing', host, 60, new Date(Date.now() - 120_000)), anonymous: true });
    expectError(expired, 403, 'AccessDenied');
    expect(expired.text).toContain('<Message>Request has expired</Message>');
    const tampered = await send(endpoint, { method: 'GET', url: presignPath('GET', '/errs/existing', host, 300, new Date(), 'wrong'), anonymous: true });
    expectError(tampered, 403, 'SignatureDoesNotMatch');
  });

  it('HEAD errors carry no body', async () => {
    const head = await send(endpoint, { method: 'HEAD', url: '/errs/absent' });
    expect(head.status).toBe(404);
    expect(head.body.length).toBe(0);
    expect(head.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
  });

  it('PreconditionFailed (Complete If-None-Match: *, GET If-Match), 304 for If-None-Match', async () => {
    const id = await createUpload('existing');
    const e1 = await uploadPart('existing', id, 1, 'new');
    const res = await send(endpoint, { method: 'POST', url: `/errs/existing?uploadId=${id}`, body: completeXml([[1, e1]]), headers: { 'if-none-match': '*' } });
    expectError(res, 412, 'PreconditionFailed');
    expectError(await send(endpoint, { method: 'GET', url: '/errs/existing', headers: { 'if-match': '"0000"' } }), 412, 'PreconditionFailed');
    const notModified = await send(endpoint, { method: 'GET', url: '/errs/existing', headers: { 'if-none-match': '"5d41402abc4b2a76b9719d911017c592"' } });
    expect(notModified.status).toBe(304);
    const since = await send(endpoint, { method: 'GET', url: '/errs/existing', headers: { 'if-modified-since': new Date(Date.now() + 60_000).toUTCString() } });
    expect(since.status).toBe(304);
  });

  it('KeyTooLongError, InvalidBucketName, InvalidRange', async () => {
    expectError(await send(endpoint, { method: 'PUT', url: `/errs/${'k'.repeat(1025)}`, body: 'x' }), 400, 'KeyTooLongError');
    expectError(await send(endpoint, { method: 'PUT', url: '/Bad_Bucket' }), 400, 'InvalidBucketName');
    const range = await send(endpoint, { method: 'GET', url: '/errs/existing', headers: { range: 'bytes=10-20' } });
    expectError(range, 416, 'InvalidRange');
  });

  it('InvalidStorageClass, MetadataTooLarge, checksum-type rules at Create', async () => {
    expectError(await send(endpoint, { method: 'PUT', url: '/errs/sc', body: 'x', headers: { 'x-amz-storage-class': 'BOGUS' } }), 400, 'InvalidStorageClass');
    expectError(await send(endpoint, { method: 'PUT', url: '/errs/md', body: 'x', headers: { 'x-amz-meta-big': 'v'.repeat(3000) } }), 400, 'MetadataTooLarge');
    expectError(await send(endpoint, { method: 'POST', url: '/errs/ct?uploads', headers: { 'x-amz-checksum-type': 'FULL_OBJECT' } }), 400, 'InvalidRequest');
    expectError(await send(endpoint, { method: 'POST', url: '/errs/ct?uploads', headers: { 'x-amz-checksum-type': 'FULL_OBJECT', 'x-amz-checksum-algorithm': 'SHA256' } }), 400, 'InvalidRequest');
    const ok = await send(endpoint, { method: 'POST', url: '/errs/ct?uploads', headers: { 'x-amz-checksum-algorithm': 'CRC64NVME' } });
    expect(ok.status).toBe(200);
    expect(ok.headers['x-amz-checksum-algorithm']).toBe('CRC64NVME');
    expect(ok.headers['x-amz-checksum-type']).toBe('FULL_OBJECT');
  });

  it('411 MissingContentLength, 405 MethodNotAllowed, 501 NotImplemented', async () => {
    // Raw socket: Node's client would add Transfer-Encoding: chunked to a body-less PUT.
    const url = new URL(endpoint);
    const headers = signHeaders({ method: 'PUT', url: '/errs/nolength', payloadHash: 'UNSIGNED-PAYLOAD' }, url.host);
    const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
    const status = await new Promise<number>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.write(`PUT /errs/nolength HTTP/1.1\r\n${head}\r\n\r\n`));
      let data = '';
      socket.on('data', (c: Buffer) => {
        data += c.toString();
        const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
        if (m !== null) {
          resolve(Number(m[1]));
          socket.destroy();
        }
      });
      socket.on('error', reject);
    });
    expect(status).toBe(411);
    expectError(await send(endpoint, { method: 'POST', url: '/errs/existing' }), 405, 'MethodNotAllowed');
    expectError(await send(endpoint, { method: 'GET', url: '/errs/existing?policy' }), 501, 'NotImplemented');
    expectError(await send(endpoint, { method: 'PUT', url: '/errs/existing?tagging', body: '<Tagging/>' }), 400, 'MalformedXML');
    expectError(await send(endpoint, { method: 'DELETE', url: '/errs/existing?acl' }), 405, 'MethodNotAllowed');
    expectError(await send(endpoint, { method: 'PUT', url: '/errs/x', body: 'x', headers: { 'x-amz-checksum-xxhash64': 'AAAAAAAAAAA=' } }), 501, 'NotImplemented');
  });
});

describe('addressing', () => {
  it('virtual-host style: Host bucket.localhost:port', async () => {
    const host = `errs.localhost:${server.port}`;
    const get = await send(endpoint, { method: 'GET', url: '/existing', host });
    expect(get.status).toBe(200);
    expect(get.text).toBe('hello');
    const id = /<UploadId>([^<]+)</.exec((await send(endpoint, { method: 'POST', url: '/v%20h?uploads', host })).text)?.[1] ?? '';
    const part = await send(endpoint, { method: 'PUT', url: `/v%20h?partNumber=1&uploadId=${id}`, body: 'abc', host });
    const done = await send(endpoint, { method: 'POST', url: `/v%20h?uploadId=${id}`, body: completeXml([[1, String(part.headers.etag)]]), host });
    expect(done.status).toBe(200);
    expect(done.text).toContain(`<Location>http://${host}/v%20h</Location>`);
  });

  it('keys keep //, . and .. and decode exactly once', async () => {
    for (const key of ['a//b', './x', '../y', 'p%2525q', 'sp ace+plus']) {
      const encoded = key.split('/').map(encodeURIComponent).join('/');
      expect((await send(endpoint, { method: 'PUT', url: `/errs/${encoded}`, body: key })).status).toBe(200);
      const get = await send(endpoint, { method: 'GET', url: `/errs/${encoded}` });
      expect(get.text).toBe(key);
    }
    const list = await send(endpoint, { method: 'GET', url: '/errs?list-type=2&encoding-type=url' });
    expect(list.text).toContain('<Key>a//b</Key>');
    expect(list.text).toContain('<Key>p%252525q</Key>');
    expect(list.text).toContain('<EncodingType>url</EncodingType>');
  });

  it('invalid UTF-8 in the key → 400', async () => {
    const res = await send(endpoint, { method: 'GET', url: '/errs/%C3%28', anonymous: true });
    expect(res.status).toBe(400);
  });
});

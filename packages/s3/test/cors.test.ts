import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, MultipartEngine } from '@mpu/core';
import { startS3Server } from '../src/index.js';
import type { RunningS3Server } from '../src/index.js';
import { ACCESS_KEY, SECRET_KEY, errorCode, send } from './signed-client.js';
import type { RawResponse } from './signed-client.js';

let server: RunningS3Server;
let endpoint: string;

const PAGE = 'http://127.0.0.1:5173';
const CONFIG = `<?xml version="1.0" encoding="UTF-8"?>
<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <CORSRule>
    <ID>uploads</ID>
    <AllowedOrigin>http://127.0.0.1:*</AllowedOrigin>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>POST</AllowedMethod>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedHeader>content-*</AllowedHeader>
    <AllowedHeader>x-amz-*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <ExposeHeader>x-amz-request-id</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>HEAD</AllowedMethod>
  </CORSRule>
</CORSConfiguration>`;

/** A raw, unsigned request (a browser preflight carries no signature). */
function unsigned(method: string, path: string, headers: Record<string, string>): Promise<RawResponse> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const body = Buffer.concat(parts);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function corsDocument(rules: string): string {
  return `<CORSConfiguration>${rules}</CORSConfiguration>`;
}

beforeAll(async () => {
  server = await startS3Server({
    engine: new MultipartEngine({ store: new MemoryStore() }),
    credentials: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }],
  });
  endpoint = server.url;
  expect((await send(endpoint, { method: 'PUT', url: '/cors-b' })).status).toBe(200);
  expect((await send(endpoint, { method: 'PUT', url: '/plain-b' })).status).toBe(200);
  expect((await send(endpoint, { method: 'PUT', url: '/cors-b/k', body: 'hello' })).status).toBe(200);
});

afterAll(async () => {
  await server.close();
});

describe('Put/Get/DeleteBucketCors', () => {
  it('stores the rules, returns them in S3 element order, and deletes them', async () => {
    expect(errorCode((await send(endpoint, { method: 'GET', url: '/cors-b?cors' })).text)).toBe('NoSuchCORSConfiguration');
    expect((await send(endpoint, { method: 'PUT', url: '/cors-b?cors', body: CONFIG })).status).toBe(200);
    const got = await send(endpoint, { method: 'GET', url: '/cors-b?cors' });
    expect(got.status).toBe(200);
    expect(got.text).toContain('<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><ID>uploads</ID>'
      + '<AllowedHeader>content-*</AllowedHeader><AllowedHeader>x-amz-*</AllowedHeader>'
      + '<AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod><AllowedMethod>GET</AllowedMethod>'
      + '<AllowedOrigin>http://127.0.0.1:*</AllowedOrigin><ExposeHeader>ETag</ExposeHeader><ExposeHeader>x-amz-request-id</ExposeHeader>'
      + '<MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule><CORSRule><AllowedMethod>HEAD</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>');
    expect((await send(endpoint, { method: 'PUT', url: '/plain-b?cors', body: CONFIG })).status).toBe(200);
    expect((await send(endpoint, { method: 'DELETE', url: '/plain-b?cors' })).status).toBe(204);
    const gone = await send(endpoint, { method: 'GET', url: '/plain-b?cors' });
    expect([gone.status, errorCode(gone.text)]).toEqual([404, 'NoSuchCORSConfiguration']);
  });

  it.each([
    ['no rule', corsDocument(''), 'MalformedXML'],
    ['a rule without AllowedMethod', corsDocument('<CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule>'), 'MalformedXML'],
    ['a rule without AllowedOrigin', corsDocument('<CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule>'), 'MalformedXML'],
    ['an unsupported method', corsDocument('<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule>'), 'InvalidRequest'],
    ['two wildcards in an origin', corsDocument('<CORSRule><AllowedOrigin>http://*.*.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>'), 'InvalidRequest'],
    ['two wildcards in a header', corsDocument('<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>*a*</AllowedHeader></CORSRule>'), 'InvalidRequest'],
    ['a wildcard ExposeHeader', corsDocument('<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><ExposeHeader>*</ExposeHeader></CORSRule>'), 'InvalidRequest'],
    ['a non-integer MaxAgeSeconds', corsDocument('<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>1.5</MaxAgeSeconds></CORSRule>'), 'MalformedXML'],
    ['101 rules', corsDocument('<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>'.repeat(101)), 'MalformedXML'],
    ['a wrong root', '<LifecycleConfiguration/>', 'MalformedXML'],
  ])('refuses %s with 400 %s and keeps the old rules', async (_what, body, code) => {
    const refused = await send(endpoint, { method: 'PUT', url: '/cors-b?cors', body });
    expect([refused.status, errorCode(refused.text)]).toEqual([400, code]);
    expect((await send(endpoint, { method: 'GET', url: '/cors-b?cors' })).text).toContain('<ID>uploads</ID>');
  });
});

describe('preflight (OPTIONS, unsigned)', () => {
  it('answers a matching preflight with the allowed origin, methods, requested headers and max age', async () => {
    const res = await unsigned('OPTIONS', '/cors-b/some/key?partNumber=1&uploadId=x', {
      origin: PAGE, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'Content-Type, X-Amz-Meta-A',
    });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(PAGE);
    expect(res.headers['access-control-allow-methods']).toBe('PUT, POST, GET');
    expect(res.headers['access-control-allow-headers']).toBe('content-type, x-amz-meta-a');
    expect(res.headers['access-control-expose-headers']).toBe('ETag, x-amz-request-id');
    expect(res.headers['access-control-max-age']).toBe('3000');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers.vary).toBe('Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
  });

  it('answers * without credentials for a rule allowing any origin', async () => {
    const res = await unsigned('OPTIONS', '/cors-b/k', { origin: 'https://elsewhere.example', 'access-control-request-method': 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it.each([
    ['an origin no rule allows', { origin: 'https://evil.example', 'access-control-request-method': 'PUT' }],
    ['a method no rule allows', { origin: PAGE, 'access-control-request-method': 'DELETE' }],
    ['a header no rule allows', { origin: PAGE, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization' }],
  ])('refuses %s with 403 AccessForbidden', async (_what, headers) => {
    const res = await unsigned('OPTIONS', '/cors-b/k', headers);
    expect([res.status, errorCode(res.text)]).toEqual([403, 'AccessForbidden']);
    expect(res.text).toContain('<Message>CORSResponse: This CORS request is not allowed.');
    expect(res.text).toContain(`<Method>${headers['access-control-request-method']}</Method><ResourceType>OBJECT</ResourceType>`);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a bucket without CORS rules, and a preflight without Origin or method', async () => {
    const off = await unsigned('OPTIONS', '/plain-b', { origin: PAGE, 'access-control-request-method': 'GET' });
    expect([off.status, errorCode(off.text)]).toEqual([403, 'AccessForbidden']);
    expect(off.text).toContain('CORSResponse: CORS is not enabled for this bucket.');
    expect(off.text).toContain('<ResourceType>BUCKET</ResourceType>');
    const noOrigin = await unsigned('OPTIONS', '/cors-b/k', { 'access-control-request-method': 'GET' });
    expect([noOrigin.status, errorCode(noOrigin.text)]).toEqual([400, 'BadRequest']);
    expect(noOrigin.text).toContain('Insufficient information. Origin request header needed.');
    const noMethod = await unsigned('OPTIONS', '/cors-b/k', { origin: PAGE });
    expect([noMethod.status, errorCode(noMethod.text)]).toEqual([400, 'BadRequest']);
  });
});

describe('CORS headers on actual requests', () => {
  it('adds them to a successful request from an allowed origin', async () => {
    const res = await send(endpoint, { method: 'GET', url: '/cors-b/k', headers: { origin: PAGE } });
    expect([res.status, res.text]).toEqual([200, 'hello']);
    expect(res.headers['access-control-allow-origin']).toBe(PAGE);
    expect(res.headers['access-control-expose-headers']).toBe('ETag, x-amz-request-id');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers.vary).toBe('Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
  });

  it('adds them to errors too, authentication failures included, so a page can read the error', async () => {
    const missing = await send(endpoint, { method: 'GET', url: '/cors-b/absent', headers: { origin: PAGE } });
    expect([missing.status, errorCode(missing.text)]).toEqual([404, 'NoSuchKey']);
    expect(missing.headers['access-control-allow-origin']).toBe(PAGE);
    const badSignature = await send(endpoint, { method: 'PUT', url: '/cors-b/k2', body: 'x', secret: 'wrong', headers: { origin: PAGE } });
    expect([badSignature.status, errorCode(badSignature.text)]).toEqual([403, 'SignatureDoesNotMatch']);
    expect(badSignature.headers['access-control-allow-origin']).toBe(PAGE);
    expect(badSignature.headers['access-control-expose-headers']).toBe('ETag, x-amz-request-id');
  });

  it('leaves them out for an origin or method no rule allows, and for buckets without rules', async () => {
    const evil = await send(endpoint, { method: 'GET', url: '/cors-b/k', headers: { origin: 'https://evil.example' } });
    expect(evil.status).toBe(200);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    expect(evil.headers.vary).toBe('Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
    const del = await send(endpoint, { method: 'DELETE', url: '/cors-b/nothing', headers: { origin: PAGE } });
    expect(del.status).toBe(204);
    expect(del.headers['access-control-allow-origin']).toBeUndefined();
    const plain = await send(endpoint, { method: 'GET', url: '/plain-b?list-type=2', headers: { origin: PAGE } });
    expect(plain.status).toBe(200);
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    expect(plain.headers.vary).toBeUndefined();
  });
});

import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, MultipartEngine } from '@mpu/core';
import { startS3Server } from '../src/index.js';
import type { RunningS3Server } from '../src/index.js';
import { createScope, deriveSigningKey, formatAmzDate, hmacHex } from '../src/sigv4.js';
import { ACCESS_KEY, SECRET_KEY, errorCode, send, signHeaders } from './signed-client.js';

/**
 * The signed streaming variants (Java/Go/.NET SDKs) on the wire: a client-side encoder built
 * from the §8.3 formulas, against the real handler and engine.
 */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
let server: RunningS3Server;

beforeAll(async () => {
  server = await startS3Server({ engine: new MultipartEngine({ store: new MemoryStore() }), credentials: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }] });
  await send(server.url, { method: 'PUT', url: '/sig' });
});

afterAll(async () => {
  await server.close();
});

interface EncodeOptions {
  readonly trailer?: { readonly name: string; readonly value: string };
  readonly corruptChunk?: number;
}

function encodeSigned(data: Buffer, chunkSize: number, date: Date, seed: string, options: EncodeOptions = {}): Buffer {
  const amzDate = formatAmzDate(date);
  const scope = createScope(amzDate.slice(0, 8), 'us-east-1');
  const key = deriveSigningKey(SECRET_KEY, amzDate.slice(0, 8), 'us-east-1');
  const out: Buffer[] = [];
  let previous = seed;
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += chunkSize) chunks.push(data.subarray(at, at + chunkSize));
  chunks.push(Buffer.alloc(0));
  chunks.forEach((chunk, index) => {
    const hash = createHash('sha256').update(chunk).digest('hex');
    let signature = hmacHex(key, ['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, previous, EMPTY_SHA256, hash].join('\n'));
    previous = signature;
    if (options.corruptChunk === index) signature = signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    out.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${signature}\r\n`));
    if (chunk.length > 0) out.push(chunk, Buffer.from('\r\n'));
  });
  if (options.trailer === undefined) {
    out.push(Buffer.from('\r\n'));
  } else {
    const text = `${options.trailer.name}:${options.trailer.value}\n`;
    const trailerSig = hmacHex(key, ['AWS4-HMAC-SHA256-TRAILER', amzDate, scope, previous, createHash('sha256').update(text).digest('hex')].join('\n'));
    out.push(Buffer.from(`${options.trailer.name}:${options.trailer.value}\r\nx-amz-trailer-signature:${trailerSig}\r\n\r\n`));
  }
  return Buffer.concat(out);
}

async function putSigned(path: string, data: Buffer, options: EncodeOptions & { readonly contentLength?: number } = {}) {
  const date = new Date();
  const trailer = options.trailer !== undefined;
  const headers: Record<string, string> = {
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': String(options.contentLength ?? data.length),
  };
  if (trailer) headers['x-amz-trailer'] = options.trailer!.name;
  const payloadHash = trailer ? 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER' : 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
  const url = new URL(server.url);
  const seed = /Signature=([0-9a-f]{64})/.exec(signHeaders({ method: 'PUT', url: path, headers, payloadHash, date }, url.host).authorization ?? '')?.[1] ?? '';
  const body = encodeSigned(data, 8192, date, seed, options);
  return send(server.url, { method: 'PUT', url: path, headers, payloadHash, date, body });
}

describe('signed aws-chunked on the wire', () => {
  const data = Buffer.alloc(100_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 13) & 0xff;

  it('STREAMING-AWS4-HMAC-SHA256-PAYLOAD PutObject stores the decoded bytes, no aws-chunked encoding kept', async () => {
    const put = await putSigned('/sig/plain', data);
    expect(put.status).toBe(200);
    expect(put.headers.etag).toBe(`"${createHash('md5').update(data).digest('hex')}"`);
    const get = await send(server.url, { method: 'GET', url: '/sig/plain' });
    expect(get.body.equals(data)).toBe(true);
    expect(get.headers['content-encoding']).toBeUndefined();
  });

  it('…-PAYLOAD-TRAILER with a CRC32 trailer verifies the checksum; a wrong one is BadDigest', async () => {
    const { crc32 } = await import('node:zlib');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(data) >>> 0);
    const good = await putSigned('/sig/trailer', data, { trailer: { name: 'x-amz-checksum-crc32', value: crc.toString('base64') } });
    expect(good.status).toBe(200);
    expect(good.headers['x-amz-checksum-crc32']).toBe(crc.toString('base64'));
    const bad = await putSigned('/sig/trailer', data, { trailer: { name: 'x-amz-checksum-crc32', value: 'AAAAAA==' } });
    expect({ status: bad.status, code: errorCode(bad.text) }).toEqual({ status: 400, code: 'BadDigest' });
  });

  it('a forged chunk signature → 403 SignatureDoesNotMatch, and nothing is stored', async () => {
    const res = await putSigned('/sig/forged', data, { corruptChunk: 5 });
    expect({ status: res.status, code: errorCode(res.text) }).toEqual({ status: 403, code: 'SignatureDoesNotMatch' });
    expect((await send(server.url, { method: 'HEAD', url: '/sig/forged' })).status).toBe(404);
  });

  it('x-amz-decoded-content-length that lies → 400 IncompleteBody', async () => {
    const res = await putSigned('/sig/lying', data, { contentLength: data.length + 1 });
    expect({ status: res.status, code: errorCode(res.text) }).toEqual({ status: 400, code: 'IncompleteBody' });
  });

  it('a forged first chunk of a large body is answered while the client is still sending', async () => {
    const big = Buffer.alloc(16 * 1024 * 1024, 5);
    const date = new Date();
    const headers: Record<string, string> = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(big.length) };
    const url = new URL(server.url);
    const signed = signHeaders({ method: 'PUT', url: '/sig/big', headers, payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', date }, url.host);
    const seed = /Signature=([0-9a-f]{64})/.exec(signed.authorization ?? '')?.[1] ?? '';
    const body = encodeSigned(big, 65536, date, seed, { corruptChunk: 0 });
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method: 'PUT', path: '/sig/big', headers: { ...signed, 'content-length': String(body.length) } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', (error) => (req.writableEnded ? undefined : reject(error)));
      req.write(body.subarray(0, 256 * 1024)); // the rest is never sent: the answer must not wait for it
    });
    expect({ status: answer.status, code: errorCode(answer.text) }).toEqual({ status: 403, code: 'SignatureDoesNotMatch' });
  });
});

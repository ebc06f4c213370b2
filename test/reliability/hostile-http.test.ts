import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, MultipartEngine, createUploadId } from '@mpu/core';
import { FsStore } from '@mpu/fs';
import { type RunningS3Server, attachContinueHandling, createS3Handler, startS3Server } from '@mpu/s3';
import { TempDirs, partEtagOf, readObject } from './helpers/bytes.js';
import { type RawReply, codeOf, exchange, head } from './helpers/raw-http.js';
import { type Credentials, EMPTY_SHA256, presign, sha256Hex, signHeaders, signedChunkedBody, uriEncode } from './helpers/sigv4.js';

/**
 * Hostile requests against startS3Server (engine on MemoryStore), sent over bare sockets and
 * signed by an independent SigV4 signer. Each must get the right S3 error AND change nothing:
 * after every request the whole engine state (buckets, objects, uploads, parts) is compared
 * with the state before it.
 */

const CREDS: Credentials = { accessKey: 'AKIDRELIABILITY', secret: 'reliability-secret' };
const BUCKET = 'hostile';
const OTHER_BUCKET = 'hostile-other';
const XML_CAP = 64 * 1024;

let engine: MultipartEngine;
let server: RunningS3Server;
let host: string;
const ids = { u: '', v: '', w: '' };

async function snapshot() {
  const buckets = (await engine.listBuckets()).buckets.map((bucket) => bucket.name);
  const state: Record<string, unknown> = { buckets };
  for (const bucket of buckets) {
    const { objects } = await engine.listObjects({ bucket });
    const { uploads } = await engine.listMultipartUploads({ bucket });
    const parts: Record<string, unknown> = {};
    for (const upload of uploads) {
      const listed = await engine.listParts({ bucket, key: upload.key, uploadId: upload.uploadId });
      parts[upload.uploadId] = listed.parts.map((part) => [part.partNumber, part.etag, part.size]);
    }
    state[bucket] = { objects: objects.map((object) => [object.key, object.etag, object.size]), uploads: uploads.map((upload) => [upload.key, upload.uploadId]), parts };
  }
  return state;
}

interface Req {
  readonly method: string;
  /** Wire path (percent-encoded). */
  readonly path: string;
  readonly query?: readonly (readonly [string, string])[];
  readonly body?: Buffer | string;
  readonly headers?: Record<string, string>;
  readonly payloadHash?: string;
  readonly date?: Date;
  readonly region?: string;
  readonly service?: string;
  readonly credentials?: Credentials;
  /** Mangle the signed headers before sending. */
  readonly mangle?: (headers: Record<string, string>) => void;
  readonly contentLength?: number;
}

function wirePath(path: string, query: readonly (readonly [string, string])[] = []): string {
  return query.length === 0 ? path : `${path}?${query.map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`).join('&')}`;
}

function build(req: Req): { text: string; body: Buffer } {
  const body = Buffer.from(req.body ?? '');
  const signed = signHeaders({
    method: req.method, path: req.path, query: req.query ?? [], host, headers: req.headers ?? {},
    payloadHash: req.payloadHash ?? sha256Hex(body), credentials: req.credentials ?? CREDS,
    ...(req.date ? { date: req.date } : {}), ...(req.region ? { region: req.region } : {}), ...(req.service ? { service: req.service } : {}),
  });
  const headers = { ...signed.headers, 'content-length': String(req.contentLength ?? body.byteLength), connection: 'close' };
  req.mangle?.(headers);
  return { text: head(req.method, wirePath(req.path, req.query), headers), body };
}

function send(req: Req): Promise<RawReply> {
  const { text, body } = build(req);
  return exchange(server.port, Buffer.concat([Buffer.from(text, 'latin1'), body]));
}

async function expectRejected(reply: RawReply, status: number, code: string | readonly string[]): Promise<void> {
  const codes = typeof code === 'string' ? [code] : code;
  expect({ status: reply.status, code: codeOf(reply.body) }, reply.raw.slice(0, 600)).toEqual({ status, code: expect.toBeOneOf([...codes]) });
}

/**
 * A client that closes its side mid-body gets either the handler's S3 error or, when Node's
 * HTTP parser sees the EOF first, the parser's bare `400 Bad Request` (no S3 body) or nothing.
 */
function expectCutOrIncomplete(reply: RawReply): void {
  if (reply.status === 0) return;
  expect(reply.status, reply.raw.slice(0, 300)).toBe(400);
  const code = codeOf(reply.body);
  if (code !== undefined) expect(['IncompleteBody', 'InvalidRequest']).toContain(code);
}

const uploadRef = (uploadId: string, key = 'k') => ({ path: `/${BUCKET}/${key}`, query: [['uploadId', uploadId]] as [string, string][] });

let baseline: unknown;

beforeAll(async () => {
  engine = new MultipartEngine({ store: new MemoryStore() });
  server = await startS3Server({
    engine,
    credentials: [{ accessKeyId: CREDS.accessKey, secretAccessKey: CREDS.secret }],
    region: 'us-east-1',
    maxXmlBodyBytes: XML_CAP,
    bodyIdleTimeoutMs: 300,
    headersTimeoutMs: 2000,
  });
  host = `127.0.0.1:${server.port}`;
  await engine.createBucket(BUCKET);
  await engine.createBucket(OTHER_BUCKET);
  const body = async function* () { yield Buffer.from('part-one-bytes'); };
  ids.u = (await engine.createMultipartUpload({ bucket: BUCKET, key: 'k' })).uploadId;
  await engine.uploadPart({ bucket: BUCKET, key: 'k', uploadId: ids.u, partNumber: 1, body: body() });
  ids.v = (await engine.createMultipartUpload({ bucket: BUCKET, key: 'other-key' })).uploadId;
  ids.w = (await engine.createMultipartUpload({ bucket: OTHER_BUCKET, key: 'k' })).uploadId;
  await engine.putObject({ bucket: BUCKET, key: 'existing', body: body() });
  baseline = await snapshot();
});

afterAll(() => server.close());

/** Every case: the reply, then the unchanged engine state. */
async function hostile(reply: Promise<RawReply>, status: number, code: string | readonly string[]): Promise<void> {
  await expectRejected(await reply, status, code);
  expect(await snapshot()).toEqual(baseline);
}

const completeXml = (parts: string) => `<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`;
const partXml = `<Part><PartNumber>1</PartNumber><ETag>${partEtagOf(Buffer.from('part-one-bytes'))}</ETag></Part>`;

describe('XML bodies', () => {
  it('malformed Complete XML → 400 MalformedXML, the upload untouched', async () => {
    for (const body of ['<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>', '<<<', `${completeXml(partXml)}<trailing/>`]) {
      await hostile(send({ method: 'POST', ...uploadRef(ids.u), body }), 400, 'MalformedXML');
    }
  });

  it('a Complete body over the XML cap → 400 MalformedXML, by header and by streamed size', async () => {
    const big = completeXml(partXml.repeat(Math.ceil(XML_CAP / partXml.length) + 1));
    await hostile(send({ method: 'POST', ...uploadRef(ids.u), body: big }), 400, 'MalformedXML');
    // Declared small, sent big: the cap holds on what actually arrives (chunked, no length).
    const { text } = build({ method: 'POST', ...uploadRef(ids.u), body: big, payloadHash: 'UNSIGNED-PAYLOAD' });
    const chunked = text.replace(/content-length: \d+\r\n/, 'transfer-encoding: chunked\r\n');
    const framed = `${Buffer.byteLength(big).toString(16)}\r\n${big}\r\n0\r\n\r\n`;
    await hostile(exchange(server.port, chunked + framed), 400, 'MalformedXML');
  });

  it('DOCTYPE with an external entity (XXE) → 400 MalformedXML, nothing read, nothing changed', async () => {
    const body = `<?xml version="1.0"?><!DOCTYPE c [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${completeXml('<Part><PartNumber>1</PartNumber><ETag>&xxe;</ETag></Part>')}`;
    const reply = await send({ method: 'POST', ...uploadRef(ids.u), body });
    expect(reply.body).not.toContain('root:');
    await hostile(Promise.resolve(reply), 400, 'MalformedXML');
  });

  it('billion laughs → 400 MalformedXML at once (no expansion)', async () => {
    const levels = Array.from({ length: 10 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('');
    const body = `<?xml version="1.0"?><!DOCTYPE c [<!ENTITY l0 "lol">${levels}]>${completeXml('<Part><PartNumber>1</PartNumber><ETag>&l10;</ETag></Part>')}`;
    const started = Date.now();
    await hostile(send({ method: 'POST', ...uploadRef(ids.u), body }), 400, 'MalformedXML');
    expect(Date.now() - started).toBeLessThan(2000);
    // The same bomb in a multi-object delete must not delete anything either.
    const del = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "lol">${levels}]><Delete><Object><Key>existing&l10;</Key></Object></Delete>`;
    await hostile(send({ method: 'POST', path: `/${BUCKET}`, query: [['delete', '']], body: del, headers: { 'content-md5': 'AAAAAAAAAAAAAAAAAAAAAA==' } }), 400, ['MalformedXML', 'InvalidDigest', 'BadDigest']);
  });
});

describe('part numbers', () => {
  it.each(['0', '10001', '-1', '1.5', 'abc', '', '1e3', '0x10', ' 2'])('partNumber=%j → 400 InvalidArgument, no part', async (partNumber) => {
    await hostile(send({ method: 'PUT', path: `/${BUCKET}/k`, query: [['partNumber', partNumber], ['uploadId', ids.u]], body: 'abcd' }), 400, 'InvalidArgument');
  });
});

describe('upload ids', () => {
  const forged = () => createUploadId(new Date());
  const cases: [string, () => string, string?][] = [
    ['forged (well-formed, random)', forged],
    ['truncated', () => ids.u.slice(0, -1)],
    ['extended', () => `${ids.u}A`],
    ['of another key', () => ids.v],
    ['of another bucket', () => ids.w],
    ['with a path in it', () => `../${ids.u}`],
  ];
  it.each(cases)('%s → 404 NoSuchUpload on UploadPart, ListParts, Complete and Abort', async (_name, id) => {
    const uploadId = id();
    await hostile(send({ method: 'PUT', path: `/${BUCKET}/k`, query: [['partNumber', '2'], ['uploadId', uploadId]], body: 'abcd' }), 404, 'NoSuchUpload');
    await hostile(send({ method: 'GET', path: `/${BUCKET}/k`, query: [['uploadId', uploadId]] }), 404, 'NoSuchUpload');
    await hostile(send({ method: 'POST', path: `/${BUCKET}/k`, query: [['uploadId', uploadId]], body: completeXml(partXml) }), 404, 'NoSuchUpload');
    await hostile(send({ method: 'DELETE', path: `/${BUCKET}/k`, query: [['uploadId', uploadId]] }), 404, 'NoSuchUpload');
  });
});

describe('keys and bucket names', () => {
  it('invalid UTF-8 (%C3%28) and lone surrogates in a key → 400, nothing stored', async () => {
    for (const path of [`/${BUCKET}/bad%C3%28key`, `/${BUCKET}/%ED%A0%80`, `/${BUCKET}/%FF`]) {
      await hostile(send({ method: 'PUT', path, body: 'data' }), 400, ['InvalidURI', 'InvalidArgument']);
    }
  });

  it('a key over 1,024 bytes → 400 KeyTooLongError, on PUT and on CreateMultipartUpload', async () => {
    const key = 'k'.repeat(1025);
    await hostile(send({ method: 'PUT', path: `/${BUCKET}/${key}`, body: 'data' }), 400, 'KeyTooLongError');
    await hostile(send({ method: 'POST', path: `/${BUCKET}/${key}`, query: [['uploads', '']] }), 400, 'KeyTooLongError');
    const multibyte = 'é'.repeat(513); // 1,026 bytes in 513 characters
    await hostile(send({ method: 'PUT', path: `/${BUCKET}/${uriEncode(multibyte)}`, body: 'data' }), 400, 'KeyTooLongError');
  });

  it('a key with NUL is stored and read back exactly as sent, or refused — never truncated at the NUL', async () => {
    const reply = await send({ method: 'PUT', path: `/${BUCKET}/nul%00key`, body: 'nul' });
    if (reply.status === 200) {
      expect(await readObject(engine, BUCKET, 'nul\u0000key')).toEqual(Buffer.from('nul'));
      expect(await readObject(engine, BUCKET, 'nul')).toBeUndefined();
      await engine.deleteObject(BUCKET, 'nul\u0000key');
      expect(await snapshot()).toEqual(baseline);
    } else {
      await hostile(Promise.resolve(reply), 400, ['InvalidArgument', 'InvalidURI']);
    }
  });

  it.each(['AB', 'ab', 'a..b', '-abc', 'abc-', '192.168.0.1', 'xn--abc', 'a'.repeat(64), 'has_underscore'])(
    'bucket name %j → 400 InvalidBucketName, no bucket',
    async (name) => {
      await hostile(send({ method: 'PUT', path: `/${name}` }), 400, 'InvalidBucketName');
    },
  );
});

describe('bodies that disagree with Content-Length', () => {
  it('shorter, then the client closes → IncompleteBody or a cut connection; no part recorded', async () => {
    const { text } = build({ method: 'PUT', path: `/${BUCKET}/k`, query: [['partNumber', '3'], ['uploadId', ids.u]], body: 'x'.repeat(100), payloadHash: 'UNSIGNED-PAYLOAD' });
    const reply = await exchange(server.port, `${text}${'x'.repeat(10)}`, { endAfterWrite: true });
    expectCutOrIncomplete(reply);
    expect(await snapshot()).toEqual(baseline);
  });

  it('shorter, then the client stalls → 400 RequestTimeout after the body idle timeout; no part', async () => {
    const { text } = build({ method: 'PUT', path: `/${BUCKET}/k`, query: [['partNumber', '3'], ['uploadId', ids.u]], body: 'x'.repeat(100), payloadHash: 'UNSIGNED-PAYLOAD' });
    await hostile(exchange(server.port, `${text}${'x'.repeat(10)}`, { timeoutMs: 5000 }), 400, 'RequestTimeout');
  });

  it('longer: at most the Content-Length bytes become the part, never the extra ones', async () => {
    const { uploadId } = await engine.createMultipartUpload({ bucket: BUCKET, key: 'longer' });
    const body = Buffer.from('0123456789');
    const { text } = build({ method: 'PUT', path: `/${BUCKET}/longer`, query: [['partNumber', '1'], ['uploadId', uploadId]], body });
    // The extra bytes are a malformed second request on the same connection: Node's parser
    // answers it with a bare 400 and drops the connection, possibly before the first answer.
    const reply = await exchange(server.port, `${text}0123456789EXTRA-BYTES`);
    expect([200, 400], reply.raw).toContain(reply.status);
    if (reply.status === 200) expect(reply.headers.etag).toBe(partEtagOf(body));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { parts } = await engine.listParts({ bucket: BUCKET, key: 'longer', uploadId });
    for (const part of parts) expect([part.etag, part.size]).toEqual([partEtagOf(body), 10]);
    if (reply.status === 200) expect(parts).toHaveLength(1);
    await engine.abortMultipartUpload({ bucket: BUCKET, key: 'longer', uploadId });
    expect(await snapshot()).toEqual(baseline);
  });
});

describe('aws-chunked framing that lies (UploadPart)', () => {
  const data = Buffer.alloc(9000, 7);
  function chunkedPart(options: { tamper?: (index: number, signature: string) => string; decodedLength?: number; transform?: (framed: Buffer) => Buffer } = {}) {
    const date = new Date();
    const headers = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(options.decodedLength ?? data.length) };
    const signed = signHeaders({
      method: 'PUT', path: `/${BUCKET}/k`, query: [['partNumber', '3'], ['uploadId', ids.u]], host, headers,
      payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', credentials: CREDS, date,
    });
    let framed = signedChunkedBody(signed, [data.subarray(0, 8192), data.subarray(8192)], options.tamper);
    if (options.transform) framed = options.transform(framed);
    const requestHead = head('PUT', wirePath(`/${BUCKET}/k`, [['partNumber', '3'], ['uploadId', ids.u]]), { ...signed.headers, 'content-length': String(framed.length), connection: 'close' });
    return { requestHead, framed };
  }

  it('control: the honest framing is accepted (then the part is withdrawn)', async () => {
    const { requestHead, framed } = chunkedPart();
    const reply = await exchange(server.port, Buffer.concat([Buffer.from(requestHead), framed]));
    expect(reply.status, reply.raw.slice(0, 400)).toBe(200);
    expect(reply.headers.etag).toBe(partEtagOf(data));
    baseline = await snapshot(); // part 3 now exists; the cases below must not change it

  });

  it('a bad chunk signature → 403 SignatureDoesNotMatch, no new bytes', async () => {
    const before = await snapshot();
    const { requestHead, framed } = chunkedPart({ tamper: (index, signature) => (index === 1 ? signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) : signature) });
    await expectRejected(await exchange(server.port, Buffer.concat([Buffer.from(requestHead), framed])), 403, 'SignatureDoesNotMatch');
    expect(await snapshot()).toEqual(before);
  });

  it('x-amz-decoded-content-length larger than the chunks → 400 IncompleteBody', async () => {
    const before = await snapshot();
    const { requestHead, framed } = chunkedPart({ decodedLength: data.length + 5 });
    await expectRejected(await exchange(server.port, Buffer.concat([Buffer.from(requestHead), framed])), 400, 'IncompleteBody');
    expect(await snapshot()).toEqual(before);
  });

  it('a chunk size header larger than its data → 400, no new bytes', async () => {
    const before = await snapshot();
    const { requestHead, framed } = chunkedPart({ transform: (framed) => Buffer.from(framed.toString('latin1').replace(/^2000;/, '2100;'), 'latin1') });
    await expectRejected(await exchange(server.port, Buffer.concat([Buffer.from(requestHead), framed])), 400, ['IncompleteBody', 'InvalidRequest', 'SignatureDoesNotMatch']);
    expect(await snapshot()).toEqual(before);
  });

  it('truncated mid-chunk, client closes → 400 IncompleteBody or a cut connection; no new bytes', async () => {
    const before = await snapshot();
    const { requestHead, framed } = chunkedPart();
    const reply = await exchange(server.port, Buffer.concat([Buffer.from(requestHead), framed.subarray(0, 5000)]), { endAfterWrite: true });
    expectCutOrIncomplete(reply);
    expect(await snapshot()).toEqual(before);
  });

  it('an unsigned trailer with a wrong checksum → 400 BadDigest; a missing announced trailer → 400', async () => {
    const before = await snapshot();
    const send = async (trailer: string) => {
      const framed = `${data.length.toString(16)}\r\n${data.toString('latin1')}\r\n0\r\n${trailer}\r\n`;
      const signed = signHeaders({
        method: 'PUT', path: `/${BUCKET}/k`, query: [['partNumber', '3'], ['uploadId', ids.u]], host,
        headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(data.length), 'x-amz-trailer': 'x-amz-checksum-crc32' },
        payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', credentials: CREDS,
      });
      const requestHead = head('PUT', wirePath(`/${BUCKET}/k`, [['partNumber', '3'], ['uploadId', ids.u]]), { ...signed.headers, 'content-length': String(Buffer.byteLength(framed, 'latin1')), connection: 'close' });
      return exchange(server.port, Buffer.from(requestHead + framed, 'latin1'));
    };
    await expectRejected(await send('x-amz-checksum-crc32:AAAAAA==\r\n'), 400, 'BadDigest');
    expect(await snapshot()).toEqual(before);
    await expectRejected(await send(''), 400, ['InvalidRequest', 'IncompleteBody', 'MalformedTrailerError']);
    expect(await snapshot()).toEqual(before);
  });
});

describe('authentication', () => {
  const abort = (extra: Partial<Req> = {}): Req => ({ method: 'DELETE', ...uploadRef(ids.u), ...extra });

  it('no signature at all → 403 AccessDenied', async () => {
    await hostile(send(abort({ mangle: (headers) => { delete headers.authorization; } })), 403, 'AccessDenied');
  });

  it('a forged signature (one digit changed) → 403 SignatureDoesNotMatch', async () => {
    await hostile(send(abort({ mangle: (headers) => { headers.authorization = headers.authorization!.replace(/.$/, (c) => (c === '0' ? '1' : '0')); } })), 403, 'SignatureDoesNotMatch');
  });

  it('signed with the wrong secret → 403 SignatureDoesNotMatch; an unknown key → 403 InvalidAccessKeyId', async () => {
    await hostile(send(abort({ credentials: { accessKey: CREDS.accessKey, secret: 'guess' } })), 403, 'SignatureDoesNotMatch');
    await hostile(send(abort({ credentials: { accessKey: 'AKIDUNKNOWN', secret: CREDS.secret } })), 403, 'InvalidAccessKeyId');
  });

  it('a signature 20 minutes old → 403 RequestTimeTooSkewed', async () => {
    await hostile(send(abort({ date: new Date(Date.now() - 20 * 60_000) })), 403, 'RequestTimeTooSkewed');
  });

  it('a different date in the scope than in x-amz-date → 400 AuthorizationHeaderMalformed', async () => {
    await hostile(send(abort({ mangle: (headers) => { headers.authorization = headers.authorization!.replace(/Credential=([^/]+)\/\d{8}/, 'Credential=$1/20200101'); } })), 400, ['AuthorizationHeaderMalformed', 'SignatureDoesNotMatch']);
  });

  it('wrong region or wrong service in the credential scope → 400 AuthorizationHeaderMalformed', async () => {
    await hostile(send(abort({ region: 'eu-west-1' })), 400, 'AuthorizationHeaderMalformed');
    await hostile(send(abort({ service: 'sqs' })), 400, 'AuthorizationHeaderMalformed');
  });

  it('a payload that does not match its signed hash → 400 XAmzContentSHA256Mismatch, no part', async () => {
    await hostile(send({ method: 'PUT', path: `/${BUCKET}/k`, query: [['partNumber', '4'], ['uploadId', ids.u]], body: 'abcd', payloadHash: sha256Hex('abce') }), 400, 'XAmzContentSHA256Mismatch');
    await hostile(send({ method: 'PUT', path: `/${BUCKET}/k`, query: [['partNumber', '4'], ['uploadId', ids.u]], body: 'abcd', payloadHash: EMPTY_SHA256 }), 400, 'XAmzContentSHA256Mismatch');
  });

  it('an expired presigned UploadPart URL → 403 AccessDenied; a tampered one → 403 SignatureDoesNotMatch', async () => {
    const query: [string, string][] = [['partNumber', '4'], ['uploadId', ids.u]];
    const expired = presign({ method: 'PUT', path: `/${BUCKET}/k`, query, host, credentials: CREDS, expiresSeconds: 60, date: new Date(Date.now() - 3600_000) });
    const req = (path: string) => head('PUT', path, { host, 'content-length': '4', connection: 'close' }) + 'abcd';
    await hostile(exchange(server.port, req(expired)), 403, 'AccessDenied');
    const fresh = presign({ method: 'PUT', path: `/${BUCKET}/k`, query, host, credentials: CREDS, expiresSeconds: 600 });
    await hostile(exchange(server.port, req(fresh.replace('partNumber=4', 'partNumber=5'))), 403, 'SignatureDoesNotMatch');
    await hostile(exchange(server.port, req(fresh.replace('X-Amz-Expires=600', 'X-Amz-Expires=6000'))), 403, 'SignatureDoesNotMatch');
    // Control: the untampered URL works (and its part is then withdrawn).
    const ok = await exchange(server.port, req(fresh));
    expect(ok.status, ok.raw.slice(0, 300)).toBe(200);
    baseline = await snapshot();
  });
});

describe('slow clients', () => {
  it('startS3Server: headers timeout as configured, no whole-request timeout (bodies are idle-timed instead)', () => {
    expect(server.server.headersTimeout).toBe(2000);
    expect(server.server.requestTimeout).toBe(0);
  });

  it('headers that trickle in past the headers timeout → 408 or a closed connection, no request reaches the engine', async () => {
    // startS3Server has no option for Node's connectionsCheckingInterval (30 s), so the same
    // handler is mounted here with a short one to observe the timeout within a test.
    const own = createServer({ headersTimeout: 300, requestTimeout: 0, connectionsCheckingInterval: 50 }, createS3Handler({
      engine, credentials: [{ accessKeyId: CREDS.accessKey, secretAccessKey: CREDS.secret }],
    }));
    attachContinueHandling(own, createS3Handler({ engine, credentials: [{ accessKeyId: CREDS.accessKey, secretAccessKey: CREDS.secret }] }));
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = own.address() as AddressInfo;
      const { text } = build({ method: 'DELETE', ...uploadRef(ids.u) });
      const started = Date.now();
      const reply = await exchange(port, undefined, { timeoutMs: 5000, pieces: [{ data: text.slice(0, 20), pauseMs: 1500 }, { data: text.slice(20) }] });
      expect([0, 408]).toContain(reply.status);
      expect(Date.now() - started).toBeLessThan(4000);
      expect(await snapshot()).toEqual(baseline);
    } finally {
      await new Promise<void>((resolve) => { own.close(() => resolve()); own.closeAllConnections(); });
    }
  });
});

describe('key traversal on the fs backend', () => {
  const temps = new TempDirs();
  afterAll(() => temps.removeAll());

  it('keys with ../ and encoded slashes stay keys: stored and read back exactly, nothing written outside the data directory', async () => {
    const outer = await temps.make('traversal');
    const root = join(outer, 'a', 'b', 'data');
    const store = await FsStore.open({ root, fsync: false });
    const fsEngine = new MultipartEngine({ store });
    const fsServer = await startS3Server({ engine: fsEngine, credentials: [{ accessKeyId: CREDS.accessKey, secretAccessKey: CREDS.secret }] });
    try {
      const before = { outer: await readdir(outer), a: await readdir(join(outer, 'a')), b: await readdir(join(outer, 'a', 'b')) };
      await fsEngine.createBucket('trav');
      // [path segment as sent, key it names]: %2F is a slash inside the key, decoded once.
      const keys: [string, string][] = [
        ['../../../escape', '../../../escape'], ['..%2F..%2Fescape2', '../../escape2'], ['x/../../../../escape3', 'x/../../../../escape3'],
        ['../', '../'], ['..', '..'], ['.', '.'],
      ];
      for (const [wire, key] of keys) {
        const signed = signHeaders({ method: 'PUT', path: `/trav/${uriEncode(key, true)}`, host: `127.0.0.1:${fsServer.port}`, payloadHash: sha256Hex(key), credentials: CREDS });
        const reply = await exchange(fsServer.port, head('PUT', `/trav/${wire}`, { ...signed.headers, 'content-length': String(Buffer.byteLength(key)), connection: 'close' }) + key);
        expect(reply.status, `${key}: ${reply.raw.slice(0, 300)}`).toBe(200);
      }
      const { objects } = await fsEngine.listObjects({ bucket: 'trav' });
      expect(objects.map((object) => object.key).sort()).toEqual(keys.map(([, key]) => key).sort());
      for (const [, key] of keys) expect((await readObject(fsEngine, 'trav', key))?.toString()).toBe(key);
      expect({ outer: await readdir(outer), a: await readdir(join(outer, 'a')), b: await readdir(join(outer, 'a', 'b')) }).toEqual(before);
    } finally {
      await fsServer.close();
      await store.close();
    }
  });
});

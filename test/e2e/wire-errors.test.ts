import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MpuServerProcess, startMpuServer } from './harness/mpu-server.js';
import { type RawRequest, type RawResponse, presignedPath, sendPresigned, sendSigned } from './harness/signed-request.js';

/** The errors issue 6 lists for the multipart flow; each is asserted below at least once. */
const ISSUE_6_ERRORS = [
  'NoSuchBucket', 'NoSuchUpload', 'NoSuchKey', 'InvalidPart', 'InvalidPartOrder', 'EntityTooSmall', 'EntityTooLarge',
  'InvalidArgument', 'MalformedXML', 'BadDigest', 'InvalidDigest', 'XAmzContentSHA256Mismatch', 'SignatureDoesNotMatch',
  'InvalidAccessKeyId', 'AccessDenied', 'RequestTimeTooSkewed', 'PreconditionFailed', 'KeyTooLongError', 'InvalidBucketName',
  'InvalidRange',
] as const;

const MiB = 1024 * 1024;
const BUCKET = 'wire';
let server: MpuServerProcess;
const seen = new Set<string>();

const send = (init: RawRequest): Promise<RawResponse> => sendSigned(server.url, init);

beforeAll(async () => {
  server = await startMpuServer({ args: ['--backend', 'fs', '--data-dir', 'data'] });
  expect((await send({ method: 'PUT', path: `/${BUCKET}` })).status).toBe(200);
  expect((await send({ method: 'PUT', path: `/${BUCKET}/existing`, body: 'hello' })).status).toBe(200);
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

/**
 * Status, Code, and the S3 error document (S3-MULTIPART.md §5.1): XML declaration, `<Error>`
 * with Code and Message first, RequestId and HostId last, the request id echoed in
 * `x-amz-request-id`, and the server's request log line naming the same request and code.
 */
async function expectError(res: RawResponse, status: number, code: (typeof ISSUE_6_ERRORS)[number], elements: Record<string, string> = {}): Promise<void> {
  expect({ status: res.status, code: /<Code>([^<]*)<\/Code>/.exec(res.text)?.[1] }).toEqual({ status, code });
  expect(res.headers['content-type']).toBe('application/xml');
  expect(res.text).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<Error><Code>\w+<\/Code><Message>[^<]+<\/Message>.*<RequestId>[^<]+<\/RequestId><HostId>[^<]+<\/HostId><\/Error>\s*$/s);
  for (const [name, value] of Object.entries(elements)) expect(res.text).toContain(`<${name}>${value}</${name}>`);
  const requestId = /<RequestId>([^<]+)<\/RequestId>/.exec(res.text)?.[1];
  expect(res.headers['x-amz-request-id']).toBe(requestId);
  await expect.poll(() => server.logs.find((l) => l['requestId'] === requestId), { timeout: 10_000 }).toMatchObject({ msg: 's3 request', status, errorCode: code });
  seen.add(code);
}

async function createUpload(key: string): Promise<string> {
  const res = await send({ method: 'POST', path: `/${BUCKET}/${key}?uploads` });
  expect(res.status).toBe(200);
  return /<UploadId>([^<]+)<\/UploadId>/.exec(res.text)?.[1] ?? '';
}

async function uploadPart(key: string, uploadId: string, partNumber: number, body: string | Buffer): Promise<string> {
  const res = await send({ method: 'PUT', path: `/${BUCKET}/${key}?partNumber=${partNumber}&uploadId=${encodeURIComponent(uploadId)}`, body });
  expect(res.status).toBe(200);
  return String(res.headers.etag);
}

const completeXml = (parts: readonly (readonly [number, string])[]): string =>
  `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts.map(([n, e]) => `<Part><PartNumber>${n}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;

describe('every error of the multipart flow, on the wire, from the mpu serve process (fs)', () => {
  it('NoSuchBucket, NoSuchUpload, NoSuchKey', async () => {
    await expectError(await send({ method: 'POST', path: '/no-such-bucket/k?uploads' }), 404, 'NoSuchBucket', { BucketName: 'no-such-bucket' });
    await expectError(await send({ method: 'PUT', path: `/${BUCKET}/k?partNumber=1&uploadId=bogus`, body: 'x' }), 404, 'NoSuchUpload', { UploadId: 'bogus' });
    await expectError(await send({ method: 'GET', path: `/${BUCKET}/k?uploadId=bogus` }), 404, 'NoSuchUpload');
    await expectError(await send({ method: 'GET', path: `/${BUCKET}/absent` }), 404, 'NoSuchKey', { Key: 'absent' });
  });

  it('InvalidPart, InvalidPartOrder, EntityTooSmall and MalformedXML at Complete; the upload survives each', async () => {
    const id = await createUpload('mp');
    const e1 = await uploadPart('mp', id, 1, Buffer.alloc(5 * MiB, 7));
    const e2 = await uploadPart('mp', id, 2, 'small');
    const e3 = await uploadPart('mp', id, 3, 'tail');
    const complete = (body: string) => send({ method: 'POST', path: `/${BUCKET}/mp?uploadId=${encodeURIComponent(id)}`, body });
    await expectError(await complete(completeXml([[1, e1], [2, '"00000000000000000000000000000000"']])), 400, 'InvalidPart', { PartNumber: '2' });
    await expectError(await complete(completeXml([[1, e1], [4, e3]])), 400, 'InvalidPart');
    await expectError(await complete(completeXml([[2, e2], [1, e1]])), 400, 'InvalidPartOrder');
    await expectError(await complete(completeXml([[1, e1], [2, e2], [3, e3]])), 400, 'EntityTooSmall', { MinSizeAllowed: String(5 * MiB) });
    await expectError(await complete('<CompleteMultipartUpload><Part><PartNumber>1'), 400, 'MalformedXML');
    await expectError(await complete(''), 400, 'MalformedXML');
    const done = await complete(completeXml([[1, e1], [3, e3]]));
    expect(done.status).toBe(200);
    expect(done.text).toMatch(/<ETag>&quot;[0-9a-f]{32}-2&quot;<\/ETag>|<ETag>"[0-9a-f]{32}-2"<\/ETag>/);
  });

  it('InvalidArgument for part numbers 0 and 10001; EntityTooLarge answers a 5 GiB + 1 part before its body', async () => {
    const id = await createUpload('pn');
    for (const n of ['0', '10001']) {
      await expectError(await send({ method: 'PUT', path: `/${BUCKET}/pn?partNumber=${n}&uploadId=${encodeURIComponent(id)}`, body: 'x' }), 400, 'InvalidArgument',
        { ArgumentName: 'partNumber', ArgumentValue: n });
    }
    const huge = await send({
      method: 'PUT', path: `/${BUCKET}/pn?partNumber=1&uploadId=${encodeURIComponent(id)}`, payloadHash: 'UNSIGNED-PAYLOAD',
      headers: { 'content-length': String(5 * 1024 * MiB + 1), expect: '100-continue' }, headersOnly: true,
    });
    await expectError(huge, 400, 'EntityTooLarge', { MaxSizeAllowed: String(5 * 1024 * MiB) });
  });

  it('BadDigest, InvalidDigest, XAmzContentSHA256Mismatch on UploadPart bodies', async () => {
    const id = await createUpload('digest');
    const path = `/${BUCKET}/digest?partNumber=1&uploadId=${encodeURIComponent(id)}`;
    await expectError(await send({ method: 'PUT', path, body: 'hello', headers: { 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==' } }), 400, 'BadDigest');
    await expectError(await send({ method: 'PUT', path, body: 'hello', headers: { 'x-amz-checksum-crc32': 'AAAAAA==' } }), 400, 'BadDigest');
    await expectError(await send({ method: 'PUT', path, body: 'hello', headers: { 'content-md5': 'not-an-md5' } }), 400, 'InvalidDigest');
    await expectError(await send({ method: 'PUT', path, body: 'hello', payloadHash: 'a'.repeat(64) }), 400, 'XAmzContentSHA256Mismatch');
    // None of the rejected bodies became a part.
    const parts = await send({ method: 'GET', path: `/${BUCKET}/digest?uploadId=${encodeURIComponent(id)}` });
    expect(parts.status).toBe(200);
    expect(parts.text).not.toContain('<Part>');
  });

  it('SignatureDoesNotMatch, InvalidAccessKeyId, AccessDenied (anonymous, expired presigned URL), RequestTimeTooSkewed', async () => {
    await expectError(await send({ method: 'POST', path: `/${BUCKET}/auth?uploads`, secretAccessKey: 'wrong-secret' }), 403, 'SignatureDoesNotMatch');
    await expectError(await send({ method: 'POST', path: `/${BUCKET}/auth?uploads`, accessKeyId: 'AKIDUNKNOWN' }), 403, 'InvalidAccessKeyId', { AWSAccessKeyId: 'AKIDUNKNOWN' });
    await expectError(await send({ method: 'POST', path: `/${BUCKET}/auth?uploads`, anonymous: true }), 403, 'AccessDenied');
    const expired = presignedPath(server.url, 'GET', `/${BUCKET}/existing`, 60, new Date(Date.now() - 10 * 60_000));
    await expectError(await sendPresigned(server.url, 'GET', expired), 403, 'AccessDenied');
    const fresh = presignedPath(server.url, 'GET', `/${BUCKET}/existing`, 60, new Date());
    expect(await sendPresigned(server.url, 'GET', fresh)).toMatchObject({ status: 200, text: 'hello' });
    await expectError(await send({ method: 'POST', path: `/${BUCKET}/auth?uploads`, date: new Date(Date.now() - 16 * 60_000) }), 403, 'RequestTimeTooSkewed',
      { MaxAllowedSkewMilliseconds: '900000' });
  });

  it('PreconditionFailed (Complete with If-None-Match: * over an existing key), KeyTooLongError, InvalidBucketName, InvalidRange', async () => {
    const id = await createUpload('existing');
    const etag = await uploadPart('existing', id, 1, 'replacement');
    await expectError(await send({ method: 'POST', path: `/${BUCKET}/existing?uploadId=${encodeURIComponent(id)}`, body: completeXml([[1, etag]]), headers: { 'if-none-match': '*' } }),
      412, 'PreconditionFailed');
    expect(await send({ method: 'GET', path: `/${BUCKET}/existing` })).toMatchObject({ status: 200, text: 'hello' });
    await expectError(await send({ method: 'POST', path: `/${BUCKET}/${'k'.repeat(1025)}?uploads` }), 400, 'KeyTooLongError');
    await expectError(await send({ method: 'PUT', path: '/Bad_Bucket' }), 400, 'InvalidBucketName', { BucketName: 'Bad_Bucket' });
    await expectError(await send({ method: 'GET', path: `/${BUCKET}/existing`, headers: { range: 'bytes=100-200' } }), 416, 'InvalidRange', { ActualObjectSize: '5' });
  });

  it('asserted every error issue 6 lists', () => {
    expect([...seen].sort()).toEqual([...ISSUE_6_ERRORS].sort());
  });
});

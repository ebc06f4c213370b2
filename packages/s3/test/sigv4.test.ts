import { describe, expect, it } from 'vitest';
import { S3Error } from '@mpu/core';
import { authenticate, s3UriEncode } from '../src/sigv4.js';
import type { AuthOptions, SignedRequestView } from '../src/sigv4.js';
import { EMPTY_SHA256, TV_ACCESS_KEY, TV_DATE, TV_NOW, TV_SECRET, authorization, viewOf } from './sigv4-helpers.js';

const options: AuthOptions = {
  lookupSecret: (id) => (id === TV_ACCESS_KEY ? TV_SECRET : undefined),
  now: TV_NOW,
  maxSkewMs: 900_000,
};

async function rejection(view: SignedRequestView, opts: AuthOptions = options): Promise<S3Error> {
  try {
    await authenticate(view, opts);
  } catch (error) {
    if (error instanceof S3Error) return error;
    throw error;
  }
  throw new Error('expected the request to be rejected');
}

const tv5Get = (signature: string, extra: Record<string, string> = {}) => viewOf('GET', '/test.txt', {
  host: 'examplebucket.s3.amazonaws.com',
  range: 'bytes=0-9',
  'x-amz-content-sha256': EMPTY_SHA256,
  'x-amz-date': TV_DATE,
  authorization: authorization('host;range;x-amz-content-sha256;x-amz-date', signature),
  ...extra,
});

const TV5_GET_SIG = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';

describe('SigV4 header auth reproduces the published vectors', () => {
  it('TV5 GET /test.txt with range', async () => {
    const result = await authenticate(tv5Get(TV5_GET_SIG), options);
    expect(result.accessKeyId).toBe(TV_ACCESS_KEY);
    expect(result.payload).toEqual({ kind: 'sha256', hex: EMPTY_SHA256 });
  });

  it('TV5 PUT /test%24file.text signs a Date header and a storage class', async () => {
    const view = viewOf('PUT', '/test%24file.text', {
      host: 'examplebucket.s3.amazonaws.com',
      date: 'Fri, 24 May 2013 00:00:00 GMT',
      'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
      'x-amz-date': TV_DATE,
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      authorization: authorization('date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
        '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd'),
    });
    await expect(authenticate(view, options)).resolves.toMatchObject({ presigned: false });
  });

  it('TV5 GET /?lifecycle (value-less parameter) and GET /?max-keys=2&prefix=J', async () => {
    const base = { host: 'examplebucket.s3.amazonaws.com', 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': TV_DATE };
    await authenticate(viewOf('GET', '/?lifecycle', { ...base, authorization: authorization('host;x-amz-content-sha256;x-amz-date', 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543') }), options);
    await authenticate(viewOf('GET', '/?max-keys=2&prefix=J', { ...base, authorization: authorization('host;x-amz-content-sha256;x-amz-date', '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7') }), options);
  });

  it('TV6 UploadPart, header checksum form (botocore)', async () => {
    const view = viewOf('PUT', '/bucket/my%20key.bin?uploadId=UPLOADID&partNumber=2', {
      host: '127.0.0.1:9000',
      'x-amz-checksum-crc32': 'NhCmhg==',
      'x-amz-content-sha256': '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
      'x-amz-date': TV_DATE,
      'x-amz-sdk-checksum-algorithm': 'CRC32',
      authorization: authorization('host;x-amz-checksum-crc32;x-amz-content-sha256;x-amz-date;x-amz-sdk-checksum-algorithm',
        '91da03ef0f8ff5204fa7768a1d7f55b5c12a841395f6d3ec87576f24477c27df'),
    });
    const result = await authenticate(view, options);
    expect(result.payload).toEqual({ kind: 'sha256', hex: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824' });
  });

  it('TV6 UploadPart, unsigned trailer form (botocore over https)', async () => {
    const view = viewOf('PUT', '/bucket/my%20key.bin?uploadId=UPLOADID&partNumber=2', {
      host: '127.0.0.1:9000',
      'content-encoding': 'aws-chunked',
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-date': TV_DATE,
      'x-amz-decoded-content-length': '5',
      'x-amz-sdk-checksum-algorithm': 'CRC32',
      'x-amz-trailer': 'x-amz-checksum-crc32',
      'transfer-encoding': 'chunked',
      authorization: authorization('content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-sdk-checksum-algorithm;x-amz-trailer',
        '8b4f065e930e9a8705022206b51af1f882886ec3c30c39311c4773cf9fc9c291'),
    });
    expect((await authenticate(view, options)).payload).toEqual({ kind: 'streaming-unsigned-trailer' });
  });

  it('TV6 CreateMultipartUpload (?uploads)', async () => {
    const view = viewOf('POST', '/bucket/my%20key.bin?uploads', {
      host: '127.0.0.1:9000',
      'content-type': 'application/octet-stream',
      'x-amz-checksum-algorithm': 'CRC32',
      'x-amz-content-sha256': EMPTY_SHA256,
      'x-amz-date': TV_DATE,
      'x-amz-meta-foo': 'bar',
      authorization: authorization('content-type;host;x-amz-checksum-algorithm;x-amz-content-sha256;x-amz-date;x-amz-meta-foo',
        '806a4d3ff19599645ab82b3539f9b3ab7f90e6dc286ccc4dadb30a8fd0a5177f'),
    });
    await authenticate(view, options);
  });

  it('TV7 seeds (signed streaming, with and without trailer)', async () => {
    const base = {
      host: 's3.amazonaws.com',
      'content-encoding': 'aws-chunked',
      'x-amz-date': TV_DATE,
      'x-amz-decoded-content-length': '66560',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    };
    const plain = await authenticate(viewOf('PUT', '/examplebucket/chunkObject.txt', {
      ...base, 'content-length': '66824', 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      authorization: authorization('content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class',
        '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9'),
    }), options);
    expect(plain.payload).toEqual({ kind: 'streaming-signed', trailer: false });
    expect(Buffer.from(plain.chunkSigning!.signingKey).toString('hex')).toBe('dbb893acc010964918f1fd433add87c70e8b0db6be30c1fbeafefa5ec6ba8378');
    const trailer = await authenticate(viewOf('PUT', '/examplebucket/chunkObject.txt', {
      ...base, 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', 'x-amz-trailer': 'x-amz-checksum-crc32c',
      authorization: authorization('content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer',
        '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e'),
    }), options);
    expect(trailer.payload).toEqual({ kind: 'streaming-signed', trailer: true });
    expect(trailer.chunkSigning?.seedSignature).toBe('106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e');
  });

  it('TV8 seeds (small signed UploadPart, with and without trailer)', async () => {
    const base = {
      host: '127.0.0.1:9000', 'content-encoding': 'aws-chunked', 'x-amz-date': TV_DATE, 'x-amz-decoded-content-length': '5',
    };
    await authenticate(viewOf('PUT', '/bucket/my%20key.bin?partNumber=2&uploadId=UPLOADID', {
      ...base, 'content-length': '177', 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      authorization: authorization('content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length',
        'b35c190b166b04c3699165ecea57408280f7dddc9dd56206127a241f38a20640'),
    }), options);
    await authenticate(viewOf('PUT', '/bucket/my%20key.bin?partNumber=2&uploadId=UPLOADID', {
      ...base, 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', 'x-amz-trailer': 'x-amz-checksum-crc32',
      authorization: authorization('content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-trailer',
        '151ac1a001330999cfc0ae9540d26706c77d56016b36a17137ce3bc90ba98d0b'),
    }), options);
  });
});

const TV5_PRESIGN = '/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host';
const TV5_PRESIGN_SIG = 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';

describe('SigV4 presigned URLs', () => {
  it('TV5 presigned GET reproduces', async () => {
    const result = await authenticate(viewOf('GET', `${TV5_PRESIGN}&X-Amz-Signature=${TV5_PRESIGN_SIG}`, { host: 'examplebucket.s3.amazonaws.com' }), options);
    expect(result).toMatchObject({ presigned: true, payload: { kind: 'unsigned' } });
  });

  it('TV9 presigned UploadPart from the JS presigner (checksum in the query) reproduces', async () => {
    const url = '/bucket/my%20key.bin?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD'
      + '&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z'
      + '&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&partNumber=2&uploadId=UPLOADID&x-amz-checksum-crc32=AAAAAA%3D%3D'
      + '&x-amz-sdk-checksum-algorithm=CRC32&x-id=UploadPart'
      + '&X-Amz-Signature=d8b424a2810e27286af8f7e81adb4823cf86b7750e353fd3fbf561c27158864c';
    const result = await authenticate(viewOf('PUT', url, { host: '127.0.0.1:9000' }), options);
    expect(result).toMatchObject({ presigned: true, payload: { kind: 'unsigned' } });
  });

  it('expired presigned URL → AccessDenied "Request has expired"', async () => {
    const later = new Date(TV_NOW.getTime() + 86_401_000);
    const error = await rejection(viewOf('GET', `${TV5_PRESIGN}&X-Amz-Signature=${TV5_PRESIGN_SIG}`, { host: 'examplebucket.s3.amazonaws.com' }), { ...options, now: later });
    expect(error.code).toBe('AccessDenied');
    expect(error.message).toBe('Request has expired');
    expect(error.details['X-Amz-Expires']).toBe('86400');
  });

  it('unsigned x-amz-* header on a presigned request → AccessDenied', async () => {
    const error = await rejection(viewOf('GET', `${TV5_PRESIGN}&X-Amz-Signature=${TV5_PRESIGN_SIG}`, { host: 'examplebucket.s3.amazonaws.com', 'x-amz-meta-x': '1' }));
    expect(error.code).toBe('AccessDenied');
    expect(error.details.HeadersNotSigned).toBe('x-amz-meta-x');
  });

  it('X-Amz-Expires above a week → AuthorizationQueryParametersError', async () => {
    const error = await rejection(viewOf('GET', `${TV5_PRESIGN.replace('86400', '604801')}&X-Amz-Signature=${TV5_PRESIGN_SIG}`, { host: 'examplebucket.s3.amazonaws.com' }));
    expect(error.code).toBe('AuthorizationQueryParametersError');
    expect(error.status).toBe(400);
  });

  it('a tampered presigned query → SignatureDoesNotMatch', async () => {
    const error = await rejection(viewOf('GET', `${TV5_PRESIGN}&X-Amz-Signature=${TV5_PRESIGN_SIG}&extra=1`, { host: 'examplebucket.s3.amazonaws.com' }));
    expect(error.code).toBe('SignatureDoesNotMatch');
  });
});

describe('SigV4 rejections', () => {
  it('one changed signature digit → SignatureDoesNotMatch with the canonical request', async () => {
    const error = await rejection(tv5Get(`${TV5_GET_SIG.slice(0, -1)}0`));
    expect(error.code).toBe('SignatureDoesNotMatch');
    expect(error.status).toBe(403);
    expect(error.details.CanonicalRequest).toContain('GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n');
    expect(error.details.StringToSign).toMatch(/^AWS4-HMAC-SHA256\n20130524T000000Z\n20130524\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/);
  });

  it('a changed signed header value → SignatureDoesNotMatch', async () => {
    expect((await rejection(tv5Get(TV5_GET_SIG, { range: 'bytes=0-10' }))).code).toBe('SignatureDoesNotMatch');
  });

  it('15 minutes of skew → RequestTimeTooSkewed', async () => {
    const error = await rejection(tv5Get(TV5_GET_SIG), { ...options, now: new Date(TV_NOW.getTime() + 900_001) });
    expect(error.code).toBe('RequestTimeTooSkewed');
    expect(error.details.MaxAllowedSkewMilliseconds).toBe(900000);
    await authenticate(tv5Get(TV5_GET_SIG), { ...options, now: new Date(TV_NOW.getTime() + 899_000) });
  });

  it('unknown access key → InvalidAccessKeyId', async () => {
    const error = await rejection(tv5Get(TV5_GET_SIG), { ...options, lookupSecret: () => undefined });
    expect(error.code).toBe('InvalidAccessKeyId');
    expect(error.details.AWSAccessKeyId).toBe(TV_ACCESS_KEY);
  });

  it('wrong secret → SignatureDoesNotMatch', async () => {
    expect((await rejection(tv5Get(TV5_GET_SIG), { ...options, lookupSecret: () => 'other' })).code).toBe('SignatureDoesNotMatch');
  });

  it('region outside the configured list → AuthorizationHeaderMalformed naming the expected region', async () => {
    const error = await rejection(tv5Get(TV5_GET_SIG), { ...options, regions: ['eu-west-1'] });
    expect(error.code).toBe('AuthorizationHeaderMalformed');
    expect(error.details.Region).toBe('eu-west-1');
  });

  it('service other than s3, or credential date ≠ x-amz-date → AuthorizationHeaderMalformed', async () => {
    const badService = tv5Get(TV5_GET_SIG, { authorization: authorization('host;range;x-amz-content-sha256;x-amz-date', TV5_GET_SIG).replace('/s3/', '/ec2/') });
    expect((await rejection(badService)).code).toBe('AuthorizationHeaderMalformed');
    const badDate = tv5Get(TV5_GET_SIG, { authorization: authorization('host;range;x-amz-content-sha256;x-amz-date', TV5_GET_SIG, 'us-east-1', '20130525') });
    expect((await rejection(badDate)).code).toBe('AuthorizationHeaderMalformed');
    expect((await rejection(tv5Get(TV5_GET_SIG, { authorization: 'AWS4-HMAC-SHA256 garbage' }))).code).toBe('AuthorizationHeaderMalformed');
  });

  it('no auth → the anonymous principal (no access key id, unsigned payload); the access check decides', async () => {
    const view = viewOf('GET', '/b/k', { host: 'h' });
    const result = await authenticate(view, options);
    expect(result.accessKeyId).toBeUndefined();
    expect(result.presigned).toBe(false);
    expect(result.payload).toEqual({ kind: 'unsigned' });
  });

  it('a bogus x-amz-content-sha256 → InvalidArgument; missing → InvalidRequest; SigV4a → 501', async () => {
    expect((await rejection(tv5Get(TV5_GET_SIG, { 'x-amz-content-sha256': 'nope' }))).code).toBe('InvalidArgument');
    const missing = tv5Get(TV5_GET_SIG);
    const headers = { ...missing.headers };
    delete headers['x-amz-content-sha256'];
    expect((await rejection({ ...missing, headers })).code).toBe('InvalidRequest');
    expect((await rejection(tv5Get(TV5_GET_SIG, { authorization: 'AWS4-ECDSA-P256-SHA256 Credential=x' }))).code).toBe('NotImplemented');
  });
});

describe('S3 URI encoding', () => {
  it('encodes every byte except unreserved characters, keeps / in paths', () => {
    expect(s3UriEncode('/a b/!\'()*~.-_ü+=', true)).toBe('/a%20b/%21%27%28%29%2A~.-_%C3%BC%2B%3D');
    expect(s3UriEncode('a/b', false)).toBe('a%2Fb');
  });
});

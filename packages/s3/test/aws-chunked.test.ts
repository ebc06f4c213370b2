import { describe, expect, it } from 'vitest';
import { S3Error } from '@mpu/core';
import { AwsChunkedDecoder } from '../src/aws-chunked.js';
import type { AwsChunkedOptions } from '../src/aws-chunked.js';
import { createScope, deriveSigningKey } from '../src/sigv4.js';
import type { ChunkSigningContext } from '../src/sigv4.js';
import { TV_DATE, TV_SECRET } from './sigv4-helpers.js';

function signing(seedSignature: string): ChunkSigningContext {
  return { signingKey: deriveSigningKey(TV_SECRET, '20130524', 'us-east-1'), longDate: TV_DATE, scope: createScope('20130524', 'us-east-1'), seedSignature };
}

async function* pieces(body: Buffer, cuts: readonly number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const cut of cuts) {
    yield body.subarray(at, cut);
    at = cut;
  }
  yield body.subarray(at);
}

async function decode(body: Buffer, options: AwsChunkedOptions, cuts: readonly number[] = []): Promise<{ data: Buffer; decoder: AwsChunkedDecoder }> {
  const decoder = new AwsChunkedDecoder(options);
  const out: Buffer[] = [];
  for await (const chunk of decoder.decode(pieces(body, cuts))) out.push(Buffer.from(chunk));
  return { data: Buffer.concat(out), decoder };
}

async function failure(body: Buffer, options: AwsChunkedOptions): Promise<S3Error> {
  try {
    await decode(body, options);
  } catch (error) {
    if (error instanceof S3Error) return error;
    throw error;
  }
  throw new Error('expected decoding to fail');
}

const A64K = Buffer.alloc(65536, 'a');
const A1K = Buffer.alloc(1024, 'a');

function tv7Body(sigs: readonly string[], trailer?: string): Buffer {
  const parts = [
    Buffer.from(`10000;chunk-signature=${sigs[0]}\r\n`), A64K, Buffer.from('\r\n'),
    Buffer.from(`400;chunk-signature=${sigs[1]}\r\n`), A1K, Buffer.from('\r\n'),
    Buffer.from(`0;chunk-signature=${sigs[2]}\r\n`),
  ];
  parts.push(Buffer.from(trailer ?? '\r\n'));
  return Buffer.concat(parts);
}

const TV7_SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
const TV7_SIGS = [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
];
const TV7T_SEED = '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e';
const TV7T_SIGS = [
  'b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2',
  '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7',
  '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992',
];
const TV7T_TRAILER = 'x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n';

const TV8_PLAIN = Buffer.from('5;chunk-signature=fa162251afad9857933a9afab6a1f6d0cba7a279d65587759e0fc25c89790f9e\r\nhello\r\n0;chunk-signature=c97934bc2d05d0ef8301b887a3eaef7fde50700e9af733b1643cb4fbe003568a\r\n\r\n');
const TV8_PLAIN_OPTS: AwsChunkedOptions = { signing: signing('b35c190b166b04c3699165ecea57408280f7dddc9dd56206127a241f38a20640'), trailer: false, announcedTrailers: [], decodedContentLength: 5 };
const TV8_TRAILER = Buffer.from('5;chunk-signature=ec555cd6e1132522ff9c97e3451eb020e338c2f0562dd6551ed776c931fc1612\r\nhello\r\n0;chunk-signature=9d96d62cf19dbc0973bacc450666d323d102f0de0b0fa43d33925e94805efc95\r\nx-amz-checksum-crc32:NhCmhg==\r\nx-amz-trailer-signature:881d9ee759acf3628538b475b4ca57375f8a1641e33b228645f0bdc79ed3c27c\r\n\r\n');
const TV8_TRAILER_OPTS: AwsChunkedOptions = { signing: signing('151ac1a001330999cfc0ae9540d26706c77d56016b36a17137ce3bc90ba98d0b'), trailer: true, announcedTrailers: ['x-amz-checksum-crc32'], decodedContentLength: 5 };
const TV9_BODY = Buffer.from('3\r\nhel\r\n2\r\nlo\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n');
const TV9_OPTS: AwsChunkedOptions = { trailer: true, announcedTrailers: ['x-amz-checksum-crc32'], decodedContentLength: 5 };

describe('aws-chunked: published and derived vectors', () => {
  it('TV7 signed, 64 KiB + 1 KiB + final, in one piece and in 1-byte pieces', async () => {
    const body = tv7Body(TV7_SIGS);
    expect(body.length).toBe(66824);
    const opts: AwsChunkedOptions = { signing: signing(TV7_SEED), trailer: false, announcedTrailers: [], decodedContentLength: 66560 };
    const whole = await decode(body, opts);
    expect(whole.data.equals(Buffer.alloc(66560, 'a'))).toBe(true);
    const bytewise = await decode(body, opts, Array.from({ length: body.length - 1 }, (_, i) => i + 1));
    expect(bytewise.data.equals(whole.data)).toBe(true);
  });

  it('TV7 trailer variant: chunk chain and trailer signature', async () => {
    const { data, decoder } = await decode(tv7Body(TV7T_SIGS, TV7T_TRAILER), {
      signing: signing(TV7T_SEED), trailer: true, announcedTrailers: ['x-amz-checksum-crc32c'], decodedContentLength: 66560,
    });
    expect(data.length).toBe(66560);
    expect(decoder.trailer('x-amz-checksum-crc32c')).toBe('sOO8/Q==');
  });

  it('TV8 both forms and TV9 unsigned, split at every byte boundary (and every pair)', async () => {
    for (const [body, opts] of [[TV8_PLAIN, TV8_PLAIN_OPTS], [TV8_TRAILER, TV8_TRAILER_OPTS], [TV9_BODY, TV9_OPTS]] as const) {
      for (let cut = 0; cut <= body.length; cut++) {
        const { data, decoder } = await decode(body, opts, [cut]);
        expect(data.toString()).toBe('hello');
        if (opts.trailer) expect(decoder.trailer('x-amz-checksum-crc32')).toBe('NhCmhg==');
      }
    }
    for (let a = 1; a < TV9_BODY.length; a++) {
      for (let b = a; b < TV9_BODY.length; b++) {
        expect((await decode(TV9_BODY, TV9_OPTS, [a, b])).data.toString()).toBe('hello');
      }
    }
  });

  it('tolerates EOF after the last trailer line and a missing final CRLF', async () => {
    const noBlank = TV9_BODY.subarray(0, TV9_BODY.length - 2);
    expect((await decode(noBlank, TV9_OPTS)).decoder.trailer('x-amz-checksum-crc32')).toBe('NhCmhg==');
    expect((await decode(TV8_PLAIN.subarray(0, TV8_PLAIN.length - 2), TV8_PLAIN_OPTS)).data.toString()).toBe('hello');
  });

  it('accepts chunk extensions on unsigned chunks and upper-case hex sizes', async () => {
    const body = Buffer.from('A;foo=bar\r\n0123456789\r\n0\r\nx-amz-checksum-crc32:x\r\n\r\n');
    expect((await decode(body, { trailer: true, announcedTrailers: ['x-amz-checksum-crc32'] })).data.toString()).toBe('0123456789');
  });
});

describe('aws-chunked: rejections', () => {
  it('a flipped data byte or chunk signature → SignatureDoesNotMatch', async () => {
    const tampered = Buffer.from(TV8_PLAIN);
    tampered[tampered.indexOf('hello')] = 0x48;
    expect((await failure(tampered, TV8_PLAIN_OPTS)).code).toBe('SignatureDoesNotMatch');
    const badSig = Buffer.from(TV8_PLAIN.toString().replace('fa16', 'fa17'));
    expect((await failure(badSig, TV8_PLAIN_OPTS)).code).toBe('SignatureDoesNotMatch');
    const badFinal = Buffer.from(TV8_PLAIN.toString().replace('c979', 'c970'));
    expect((await failure(badFinal, TV8_PLAIN_OPTS)).code).toBe('SignatureDoesNotMatch');
  });

  it('a tampered trailer or trailer signature → SignatureDoesNotMatch', async () => {
    expect((await failure(Buffer.from(TV8_TRAILER.toString().replace('NhCmhg==', 'AAAAAA==')), TV8_TRAILER_OPTS)).code).toBe('SignatureDoesNotMatch');
    expect((await failure(Buffer.from(TV8_TRAILER.toString().replace('881d', '881e')), TV8_TRAILER_OPTS)).code).toBe('SignatureDoesNotMatch');
  });

  it('a trailer not announced in x-amz-trailer → InvalidRequest', async () => {
    const error = await failure(TV9_BODY, { ...TV9_OPTS, announcedTrailers: ['x-amz-checksum-crc32c'] });
    expect(error.code).toBe('InvalidRequest');
  });

  it('truncated at any point → IncompleteBody (or framing error)', async () => {
    for (let end = 0; end < TV8_TRAILER.length - 2; end++) {
      const error = await failure(TV8_TRAILER.subarray(0, end), TV8_TRAILER_OPTS);
      expect(['IncompleteBody', 'InvalidRequest', 'SignatureDoesNotMatch']).toContain(error.code);
    }
    expect((await failure(TV9_BODY.subarray(0, 10), TV9_OPTS)).code).toBe('IncompleteBody');
  });

  it('sizes that lie → IncompleteBody', async () => {
    expect((await failure(TV9_BODY, { ...TV9_OPTS, decodedContentLength: 4 })).code).toBe('IncompleteBody');
    expect((await failure(TV9_BODY, { ...TV9_OPTS, decodedContentLength: 6 })).code).toBe('IncompleteBody');
    const longChunk = Buffer.from('9\r\nhel\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n');
    expect(['IncompleteBody', 'InvalidRequest']).toContain((await failure(longChunk, { ...TV9_OPTS, decodedContentLength: undefined })).code);
  });

  it('bad framing → InvalidRequest', async () => {
    expect((await failure(Buffer.from('zz\r\nhello\r\n'), TV9_OPTS)).code).toBe('InvalidRequest');
    expect((await failure(Buffer.from('5\r\nhelloXX0\r\n\r\n'), TV9_OPTS)).code).toBe('InvalidRequest');
    expect((await failure(Buffer.from(`${'1'.repeat(5000)}\r\n`), TV9_OPTS)).code).toBe('InvalidRequest');
    expect((await failure(Buffer.from('5\r\nhello\r\n0\r\n'), TV8_PLAIN_OPTS)).code).toBe('InvalidRequest');
  });
});

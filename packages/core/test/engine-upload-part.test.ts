import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CountingStore, MemoryStore, checksumOf, encodeChecksum } from '@mpu/core';
import { body, collect, expectS3Error, makeEngine, MiB, recordKeysOf, repeated, TINY_LIMITS } from './engine-helpers.js';

const md5b64 = (text: string) => createHash('md5').update(text).digest('base64');
const sha256hex = (text: string) => createHash('sha256').update(text).digest('hex');
const crc32 = (text: string) => encodeChecksum(checksumOf('CRC32', Buffer.from(text)));

async function setup(options: Parameters<typeof makeEngine>[0] = {}) {
  const made = makeEngine({ limits: TINY_LIMITS, ...options });
  await made.engine.createBucket('bucket');
  const upload = await made.engine.createMultipartUpload({ bucket: 'bucket', key: 'key' });
  return { ...made, upload };
}

describe('uploadPart', () => {
  it('returns the quoted MD5 ETag, size and time; ListParts shows it', async () => {
    const { engine, upload, clock } = await setup();
    const part = await engine.uploadPart({ ...upload, partNumber: 3, body: body('hel', 'lo') });
    expect(part).toEqual({ partNumber: 3, etag: '"5d41402abc4b2a76b9719d911017c592"', size: 5, lastModified: clock.now, checksums: {} });
    expect((await engine.listParts(upload)).parts).toEqual([part]);
  });

  it('accepts a 0-byte part', async () => {
    const { engine, upload } = await setup();
    const part = await engine.uploadPart({ ...upload, partNumber: 1, body: body() });
    expect(part.etag).toBe('"d41d8cd98f00b204e9800998ecf8427e"');
    expect(part.size).toBe(0);
  });

  it('answers NoSuchUpload for unknown, forged, other-key, other-bucket, aborted and completed uploads', async () => {
    const { engine, upload } = await setup();
    await engine.createBucket('other');
    const cases = [
      { ...upload, uploadId: 'unknown' },
      { ...upload, uploadId: `${upload.uploadId.slice(0, -1)}${upload.uploadId.endsWith('A') ? 'B' : 'A'}` },
      { ...upload, key: 'another-key' },
      { ...upload, bucket: 'other' },
    ];
    for (const ref of cases) {
      await expectS3Error(engine.uploadPart({ ...ref, partNumber: 1, body: body('x') }), 'NoSuchUpload', { UploadId: ref.uploadId });
    }
    const aborted = await engine.createMultipartUpload({ bucket: 'bucket', key: 'a' });
    await engine.abortMultipartUpload(aborted);
    await expectS3Error(engine.uploadPart({ ...aborted, partNumber: 1, body: body('x') }), 'NoSuchUpload', { UploadId: aborted.uploadId });
    const part = await engine.uploadPart({ ...upload, partNumber: 1, body: body('xxxx') });
    await engine.completeMultipartUpload({ ...upload, parts: [part] });
    await expectS3Error(engine.uploadPart({ ...upload, partNumber: 2, body: body('x') }), 'NoSuchUpload', { UploadId: upload.uploadId });
  });

  it('checks the upload before the part number', async () => {
    const { engine, upload } = await setup();
    await expectS3Error(engine.uploadPart({ ...upload, uploadId: 'nope', partNumber: 0, body: body('x') }), 'NoSuchUpload');
  });

  it.each([0, -1, 21, 1.5, Number.NaN])('rejects part number %s with InvalidArgument', async (partNumber) => {
    const { engine, upload } = await setup();
    await expectS3Error(
      engine.uploadPart({ ...upload, partNumber, body: body('x') }),
      'InvalidArgument',
      { ArgumentName: 'partNumber', ArgumentValue: String(partNumber) },
      'Part number must be an integer between 1 and 20, inclusive',
    );
  });

  it('uses the AWS part-number range with the aws profile', async () => {
    const { engine, upload } = await setup({ limits: 'aws' });
    await expectS3Error(engine.uploadPart({ ...upload, partNumber: 10_001, body: body('x') }), 'InvalidArgument', {}, /between 1 and 10000/);
    await expect(engine.uploadPart({ ...upload, partNumber: 10_000, body: body('x') })).resolves.toMatchObject({ partNumber: 10_000 });
  });

  it('rejects an announced oversize body before reading it', async () => {
    const { engine, upload } = await setup();
    let pulled = 0;
    async function* counted() {
      for await (const chunk of repeated(1, 100, 10)) {
        pulled++;
        yield chunk;
      }
    }
    await expectS3Error(
      engine.uploadPart({ ...upload, partNumber: 1, body: counted(), expect: { contentLength: 65 } }),
      'EntityTooLarge',
      { ProposedSize: 65, MaxSizeAllowed: 64 },
    );
    expect(pulled).toBe(0);
  });

  it('stops reading an oversize body while streaming and keeps nothing', async () => {
    const { engine, upload, store } = await setup();
    let pulled = 0;
    async function* endless() {
      for (;;) {
        pulled++;
        yield Buffer.alloc(10, 7);
      }
    }
    await expectS3Error(engine.uploadPart({ ...upload, partNumber: 1, body: endless() }), 'EntityTooLarge', { MaxSizeAllowed: 64 });
    expect(pulled).toBe(7); // 70 bytes > 64: the 7th chunk trips the limit
    expect((await engine.listParts(upload)).parts).toEqual([]);
    expect(await recordKeysOf(store, 'part/')).toEqual([]);
  });

  it('takes the smaller of the profile and store part size limits', async () => {
    const store = new MemoryStore();
    Object.defineProperty(store, 'capabilities', { value: { ...store.capabilities, maxPartSize: 10 } });
    const { engine, upload } = await setup({ store });
    expect(engine.limits.maxPartSize).toBe(10);
    await expectS3Error(engine.uploadPart({ ...upload, partNumber: 1, body: body('x'.repeat(11)) }), 'EntityTooLarge', { MaxSizeAllowed: 10 });
  });

  it('verifies Content-MD5: InvalidDigest when malformed, BadDigest on mismatch', async () => {
    const { engine, upload } = await setup();
    for (const bad of ['', 'abc', 'not base64 at all!!!!!==', Buffer.alloc(15).toString('base64')]) {
      await expectS3Error(
        engine.uploadPart({ ...upload, partNumber: 1, body: body('hello'), expect: { contentMd5: bad } }),
        'InvalidDigest',
        { 'Content-MD5': bad },
      );
    }
    await expectS3Error(
      engine.uploadPart({ ...upload, partNumber: 1, body: body('hello'), expect: { contentMd5: md5b64('world') } }),
      'BadDigest',
      { ExpectedDigest: md5b64('world'), CalculatedDigest: md5b64('hello') },
    );
    await expect(engine.uploadPart({ ...upload, partNumber: 1, body: body('hello'), expect: { contentMd5: md5b64('hello') } })).resolves.toBeTruthy();
  });

  it('verifies x-amz-checksum-*: InvalidRequest when malformed, BadDigest naming the algorithm on mismatch', async () => {
    const { engine, upload } = await setup();
    await expectS3Error(
      engine.uploadPart({ ...upload, partNumber: 1, body: body('hello'), expect: { checksumAlgorithm: 'CRC32', checksum: 'bad' } }),
      'InvalidRequest',
    );
    await expectS3Error(
      engine.uploadPart({ ...upload, partNumber: 1, body: body('hello'), expect: { checksumAlgorithm: 'CRC32', checksum: crc32('world') } }),
      'BadDigest',
      {},
      'The CRC32 you specified did not match the calculated checksum.',
    );
    const part = await engine.uploadPart({ ...upload, partNumber: 1, body: body('hello'), expect: { checksumAlgorithm: 'CRC32', checksum: 'NhCmhg==' } });
    expect(part.checksums).toEqual({ CRC32: 'NhCmhg==' });
  });

  it('verifies a trailer checksum after the body ended', async () => {
    const { engine, upload } = await setup();
    let ended = false;
    async function* tracked() {
      yield Buffer.from('hello');
      ended = true;
    }
    const part = await engine.uploadPart({
      ...upload,
      partNumber: 1,
      body: tracked(),
      expect: { checksumAlgorithm: 'CRC32', checksum: () => (ended ? 'NhCmhg==' : undefined) },
    });
    expect(part.checksums).toEqual({ CRC32: 'NhCmhg==' });
    await expectS3Error(
      engine.uploadPart({ ...upload, partNumber: 2, body: body('hello'), expect: { checksumAlgorithm: 'CRC32', checksum: () => crc32('x') } }),
      'BadDigest',
    );
    await expectS3Error(
      engine.uploadPart({ ...upload, partNumber: 2, body: body('hello'), expect: { checksumAlgorithm: 'CRC32', checksum: () => undefined } }),
      'InvalidRequest',
    );
  });

  it('verifies the signed payload SHA-256', async () => {
    const { engine, upload } = await setup();
    await expectS3Error(
      engine.uploadPart({ ...upload, partNumber: 1, body: body('hello'), expect: { sha256Hex: sha256hex('world') } }),
      'XAmzContentSHA256Mismatch',
      { ClientComputedContentSHA256: sha256hex('world'), S3ComputedContentSHA256: sha256hex('hello') },
    );
    await expect(engine.uploadPart({ ...upload, partNumber: 1, body: body('hello'), expect: { sha256Hex: sha256hex('hello').toUpperCase() } })).resolves.toBeTruthy();
  });

  it('answers IncompleteBody when the body is shorter than announced', async () => {
    const { engine, upload } = await setup();
    await expectS3Error(
      engine.uploadPart({ ...upload, partNumber: 1, body: body('hel'), expect: { contentLength: 5 } }),
      'IncompleteBody',
      { ExpectedSize: 5, ReceivedSize: 3 },
    );
  });

  it('leaves the previous part intact when a re-upload fails, and discards the failed bytes', async () => {
    const inner = new MemoryStore();
    const store = new CountingStore(inner);
    const { engine, upload } = await setup({ store });
    const good = await engine.uploadPart({ ...upload, partNumber: 1, body: body('good') });
    await expectS3Error(
      engine.uploadPart({ ...upload, partNumber: 1, body: body('evil'), expect: { contentMd5: md5b64('other') } }),
      'BadDigest',
    );
    async function* broken(): AsyncIterable<Uint8Array> {
      yield Buffer.from('partial');
      throw new Error('connection reset');
    }
    await expect(engine.uploadPart({ ...upload, partNumber: 1, body: broken() })).rejects.toThrow('connection reset');
    expect((await engine.listParts(upload)).parts).toEqual([good]);
    expect(store.snapshot().calls.discard).toBe(2);
    const done = await engine.completeMultipartUpload({ ...upload, parts: [good] });
    expect((await collect((await engine.getObject({ bucket: 'bucket', key: 'key' })).body)).toString()).toBe('good');
    expect(done.size).toBe(4);
  });

  it('replaces a part on re-upload: the body that finishes last wins', async () => {
    const { engine, upload } = await setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slow() {
      yield Buffer.from('first');
      await gate;
    }
    const first = engine.uploadPart({ ...upload, partNumber: 1, body: slow() });
    const second = await engine.uploadPart({ ...upload, partNumber: 1, body: body('second') });
    expect((await engine.listParts(upload)).parts[0]!.etag).toBe(second.etag);
    release();
    const firstPart = await first;
    expect((await engine.listParts(upload)).parts).toEqual([firstPart]);
  });

  describe('checksum rules (§1.2)', () => {
    it('an upload with an algorithm needs that checksum on every part', async () => {
      const { engine } = await setup();
      const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'k', checksumAlgorithm: 'SHA256' });
      await expectS3Error(
        engine.uploadPart({ ...upload, partNumber: 1, body: body('hello') }),
        'InvalidRequest',
        {},
        'Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: null',
      );
      await expectS3Error(
        engine.uploadPart({ ...upload, partNumber: 1, body: body('hello'), expect: { checksumAlgorithm: 'CRC32', checksum: 'NhCmhg==' } }),
        'InvalidRequest',
        {},
        'Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: crc32',
      );
      const sha = createHash('sha256').update('hello').digest('base64');
      const part = await engine.uploadPart({ ...upload, partNumber: 1, body: body('hello'), expect: { checksumAlgorithm: 'SHA256', checksum: sha } });
      expect(part.checksums).toEqual({ SHA256: sha });
    });

    it('a FULL_OBJECT upload may omit the part checksum and still reports the computed one', async () => {
      const { engine } = await setup();
      const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'k', checksumAlgorithm: 'CRC32', checksumType: 'FULL_OBJECT' });
      const part = await engine.uploadPart({ ...upload, partNumber: 1, body: body('hello') });
      expect(part.checksums).toEqual({ CRC32: 'NhCmhg==' });
    });

    it('an upload without an algorithm accepts and verifies whatever is sent', async () => {
      const { engine, upload } = await setup();
      const part = await engine.uploadPart({ ...upload, partNumber: 1, body: body('hello'), expect: { checksumAlgorithm: 'CRC32C', checksum: 'mnG7TA==' } });
      expect(part.checksums).toEqual({ CRC32C: 'mnG7TA==' });
      await expectS3Error(
        engine.uploadPart({ ...upload, partNumber: 2, body: body('hello'), expect: { checksumAlgorithm: 'CRC32C', checksum: 'AAAAAA==' } }),
        'BadDigest',
        {},
        'The CRC32C you specified did not match the calculated checksum.',
      );
    });
  });

  it('streams a multi-MiB part without holding it (bytes are written as they arrive)', async () => {
    const { engine, upload } = await setup({ limits: 'aws' });
    const part = await engine.uploadPart({ ...upload, partNumber: 1, body: repeated(0x61, 5 * MiB) });
    expect(part.etag).toBe('"79b281060d337b9b2b84ccf390adcf74"');
  });
});

describe('uploadPartCopy', () => {
  async function copySetup() {
    const made = await setup();
    await made.engine.putObject({ bucket: 'bucket', key: 'source', body: body('0123456789') });
    return made;
  }

  it('copies a whole object or an inclusive range into a part', async () => {
    const { engine, upload } = await copySetup();
    const whole = await engine.uploadPartCopy({ ...upload, partNumber: 1, source: { bucket: 'bucket', key: 'source' } });
    expect(whole.etag).toBe(`"${createHash('md5').update('0123456789').digest('hex')}"`);
    const ranged = await engine.uploadPartCopy({ ...upload, partNumber: 2, source: { bucket: 'bucket', key: 'source', range: { start: 2, end: 4 } } });
    expect(ranged.size).toBe(3);
    const done = await engine.completeMultipartUpload({ ...upload, parts: [whole, ranged] });
    expect(done.size).toBe(13);
    expect((await collect((await engine.getObject({ bucket: 'bucket', key: 'key' })).body)).toString()).toBe('0123456789234');
  });

  it('reports the upload algorithm checksum of the copied bytes', async () => {
    const { engine } = await copySetup();
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'k2', checksumAlgorithm: 'CRC32' });
    const part = await engine.uploadPartCopy({ ...upload, partNumber: 1, source: { bucket: 'bucket', key: 'source', range: { start: 0, end: 4 } } });
    expect(part.checksums).toEqual({ CRC32: crc32('01234') });
  });

  it('answers InvalidRange outside the source, NoSuchKey / NoSuchBucket for a missing source', async () => {
    const { engine, upload } = await copySetup();
    await expectS3Error(
      engine.uploadPartCopy({ ...upload, partNumber: 1, source: { bucket: 'bucket', key: 'source', range: { start: 5, end: 10 } } }),
      'InvalidRange',
      { ActualObjectSize: 10 },
    );
    await expectS3Error(
      engine.uploadPartCopy({ ...upload, partNumber: 1, source: { bucket: 'bucket', key: 'source', range: { start: 5, end: 2 } } }),
      'InvalidArgument',
      { ArgumentName: 'x-amz-copy-source-range' },
    );
    await expectS3Error(engine.uploadPartCopy({ ...upload, partNumber: 1, source: { bucket: 'bucket', key: 'missing' } }), 'NoSuchKey', { Key: 'missing' });
    await expectS3Error(engine.uploadPartCopy({ ...upload, partNumber: 1, source: { bucket: 'missing', key: 'source' } }), 'NoSuchBucket', { BucketName: 'missing' });
  });

  it('enforces the part size cap on the copied range', async () => {
    const { engine, upload } = await setup();
    await engine.putObject({ bucket: 'bucket', key: 'big', body: body('x'.repeat(100)) });
    await expectS3Error(
      engine.uploadPartCopy({ ...upload, partNumber: 1, source: { bucket: 'bucket', key: 'big' } }),
      'EntityTooLarge',
      { ProposedSize: 100, MaxSizeAllowed: 64 },
    );
    await expect(engine.uploadPartCopy({ ...upload, partNumber: 1, source: { bucket: 'bucket', key: 'big', range: { start: 0, end: 63 } } })).resolves.toMatchObject({ size: 64 });
  });

  it('evaluates copy-source conditions (412 PreconditionFailed, never 304)', async () => {
    const { engine, upload, clock } = await copySetup();
    const source = await engine.headObject({ bucket: 'bucket', key: 'source' });
    const copy = (sourceConditions: object) => engine.uploadPartCopy({ ...upload, partNumber: 1, source: { bucket: 'bucket', key: 'source' }, sourceConditions });
    await expectS3Error(copy({ ifMatch: '"nope"' }), 'PreconditionFailed', { Condition: 'x-amz-copy-source-If-Match' });
    await expectS3Error(copy({ ifNoneMatch: source.object.etag }), 'PreconditionFailed', { Condition: 'x-amz-copy-source-If-None-Match' });
    await expectS3Error(copy({ ifUnmodifiedSince: new Date(clock.now.getTime() - 60_000) }), 'PreconditionFailed');
    await expectS3Error(copy({ ifModifiedSince: new Date(clock.now.getTime() + 60_000) }), 'PreconditionFailed');
    await expect(copy({ ifMatch: source.object.etag, ifModifiedSince: new Date(clock.now.getTime() - 60_000) })).resolves.toBeTruthy();
  });
});

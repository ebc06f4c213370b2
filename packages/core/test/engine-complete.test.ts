import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type CompletedPartInput, type PartInfo, UnknownHandleError, checksumOf, encodeChecksum } from '@mpu/core';
import { body, collect, expectS3Error, makeEngine, recordKeysOf, TINY_LIMITS } from './engine-helpers.js';

async function setup(options: Parameters<typeof makeEngine>[0] = {}) {
  const made = makeEngine({ limits: TINY_LIMITS, ...options });
  await made.engine.createBucket('bucket');
  const upload = await made.engine.createMultipartUpload({ bucket: 'bucket', key: 'key' });
  const put = (partNumber: number, text: string, ref = upload) => made.engine.uploadPart({ ...ref, partNumber, body: body(text) });
  const read = async (key = 'key') => (await collect((await made.engine.getObject({ bucket: 'bucket', key })).body)).toString();
  return { ...made, upload, put, read };
}

const listed = (...parts: PartInfo[]): CompletedPartInput[] => parts.map(({ partNumber, etag }) => ({ partNumber, etag }));
const md5 = (text: string) => createHash('md5').update(text).digest();
const multipartEtag = (...texts: string[]) =>
  `"${createHash('md5').update(Buffer.concat(texts.map(md5))).digest('hex')}-${texts.length}"`;

describe('completeMultipartUpload', () => {
  it('publishes the concatenation with the md5-of-md5s ETag', async () => {
    const { engine, upload, put, read } = await setup();
    const p1 = await put(1, 'aaaa');
    const p2 = await put(2, 'bb');
    const result = await engine.completeMultipartUpload({ ...upload, parts: listed(p1, p2) });
    expect(result).toEqual({ bucket: 'bucket', key: 'key', etag: multipartEtag('aaaa', 'bb'), size: 6 });
    expect(await read()).toBe('aaaabb');
    const head = await engine.headObject({ bucket: 'bucket', key: 'key' });
    expect(head.object).toMatchObject({ etag: result.etag, size: 6, partsCount: 2, storageClass: 'STANDARD' });
  });

  it('answers MalformedXML for an empty part list', async () => {
    const { engine, upload } = await setup();
    await expectS3Error(engine.completeMultipartUpload({ ...upload, parts: [] }), 'MalformedXML');
  });

  it('answers NoSuchUpload for unknown and aborted uploads', async () => {
    const { engine, upload, put } = await setup();
    const p1 = await put(1, 'aaaa');
    await expectS3Error(engine.completeMultipartUpload({ ...upload, uploadId: 'nope', parts: listed(p1) }), 'NoSuchUpload', { UploadId: 'nope' });
    await engine.abortMultipartUpload(upload);
    await expectS3Error(engine.completeMultipartUpload({ ...upload, parts: listed(p1) }), 'NoSuchUpload', { UploadId: upload.uploadId });
    await expectS3Error(engine.abortMultipartUpload(upload), 'NoSuchUpload', { UploadId: upload.uploadId });
  });

  it('answers InvalidPartOrder for a descending list, with facts', async () => {
    const { engine, upload, put } = await setup();
    const p1 = await put(1, 'aaaa');
    const p2 = await put(2, 'bbbb');
    await expectS3Error(
      engine.completeMultipartUpload({ ...upload, parts: listed(p2, p1) }),
      'InvalidPartOrder',
      { UploadId: upload.uploadId, PartNumber: 1, ETag: p1.etag },
      'The list of parts was not in ascending order. Parts must be ordered by part number.',
    );
  });

  it('accepts gaps and repeated numbers (the last entry of a number wins)', async () => {
    const { engine, upload, put, read } = await setup();
    const stale = await put(1, 'old1');
    const p1 = await put(1, 'new1');
    const p5 = await put(5, 'five');
    await put(3, 'unlisted');
    const result = await engine.completeMultipartUpload({ ...upload, parts: listed(stale, p1, p5) });
    expect(result.etag).toBe(multipartEtag('new1', 'five'));
    expect(await read()).toBe('new1five');
    const attributes = await engine.getObjectAttributes({ bucket: 'bucket', key: 'key' });
    expect(attributes.parts?.parts.map((part) => part.partNumber)).toEqual([1, 5]);
  });

  it('answers InvalidPart for a missing part or a wrong ETag; matches ETags quoted or not, any case', async () => {
    const { engine, upload, put } = await setup();
    const p1 = await put(1, 'aaaa');
    await expectS3Error(
      engine.completeMultipartUpload({ ...upload, parts: [...listed(p1), { partNumber: 2, etag: p1.etag }] }),
      'InvalidPart',
      { UploadId: upload.uploadId, PartNumber: 2, ETag: p1.etag },
    );
    await expectS3Error(
      engine.completeMultipartUpload({ ...upload, parts: [{ partNumber: 1, etag: '"00000000000000000000000000000000"' }] }),
      'InvalidPart',
      { PartNumber: 1, ETag: '"00000000000000000000000000000000"' },
    );
    const bare = p1.etag.slice(1, -1).toUpperCase();
    await expect(engine.completeMultipartUpload({ ...upload, parts: [{ partNumber: 1, etag: bare }] })).resolves.toMatchObject({ size: 4 });
  });

  it('answers EntityTooSmall for a small non-last part (checked at Complete only), with facts', async () => {
    const { engine, upload, put } = await setup();
    const p1 = await put(1, 'abc'); // below the 4-byte minimum, accepted by UploadPart
    const p2 = await put(2, 'abcd');
    await expectS3Error(
      engine.completeMultipartUpload({ ...upload, parts: listed(p1, p2) }),
      'EntityTooSmall',
      { ProposedSize: 3, MinSizeAllowed: 4, PartNumber: 1, ETag: p1.etag },
    );
    // The last listed part may be small, even a 0-byte one, even if higher parts exist unlisted.
    const p3 = await put(3, '');
    await expect(engine.completeMultipartUpload({ ...upload, parts: listed(p2, p3) })).resolves.toMatchObject({ size: 4 });
  });

  it('checks x-amz-mp-object-size and the object size cap', async () => {
    const { engine, upload, put } = await setup();
    const parts = [];
    for (let n = 1; n <= 4; n++) parts.push(await put(n, 'x'.repeat(60)));
    await expectS3Error(engine.completeMultipartUpload({ ...upload, parts: listed(...parts.slice(0, 2)), objectSize: 121 }), 'InvalidRequest', {}, /x-amz-mp-object-size/);
    await expectS3Error(engine.completeMultipartUpload({ ...upload, parts: listed(...parts) }), 'EntityTooLarge', { ProposedSize: 240, MaxSizeAllowed: 200 });
    await expect(engine.completeMultipartUpload({ ...upload, parts: listed(...parts.slice(0, 2)), objectSize: 120 })).resolves.toMatchObject({ size: 120 });
  });

  it('replays the same result for a retried Complete and discards unlisted parts', async () => {
    const { engine, upload, put, store } = await setup();
    const p1 = await put(1, 'aaaa');
    await put(2, 'unlisted');
    const first = await engine.completeMultipartUpload({ ...upload, parts: listed(p1) });
    const again = await engine.completeMultipartUpload({ ...upload, parts: [{ partNumber: 9, etag: 'whatever' }] });
    expect(again).toEqual(first);
    expect(await recordKeysOf(store, 'part/')).toEqual([]);
    await expectS3Error(engine.listParts(upload), 'NoSuchUpload');
    expect((await engine.listMultipartUploads({ bucket: 'bucket' })).uploads).toEqual([]);
    // Only the listed part's bytes remain staged: the object reads back without the unlisted part.
    expect((await collect((await engine.getObject({ bucket: 'bucket', key: 'key' })).body)).toString()).toBe('aaaa');
  });

  it('deferPartRecordCleanup leaves part records to the tombstone sweep, and nothing else changes', async () => {
    const { engine, upload, put, store, clock, read } = await setup({ deferPartRecordCleanup: true });
    const p1 = await put(1, 'aaaa');
    await put(2, 'unlisted');
    const result = await engine.completeMultipartUpload({ ...upload, parts: listed(p1) });
    expect(await read()).toBe('aaaa');
    expect(await recordKeysOf(store, 'part/')).toHaveLength(2);
    await expectS3Error(engine.uploadPart({ ...upload, partNumber: 3, body: body('late') }), 'NoSuchUpload');
    await expectS3Error(engine.listParts(upload), 'NoSuchUpload');
    expect(await engine.completeMultipartUpload({ ...upload, parts: listed(p1) })).toEqual(result);
    clock.now = new Date(clock.now.getTime() + 25 * 3600_000);
    await engine.applyLifecycle();
    expect(await recordKeysOf(store)).toEqual(['bucket/bucket', 'object/bucket/key']);
    expect(await read()).toBe('aaaa');
  });

  it('forgets the completion tombstone after the retention period', async () => {
    const { engine, upload, put, clock } = await setup();
    const p1 = await put(1, 'aaaa');
    await engine.completeMultipartUpload({ ...upload, parts: listed(p1) });
    clock.now = new Date(clock.now.getTime() + 23 * 3600_000);
    await engine.expireIncompleteUploads(clock.now);
    await expect(engine.completeMultipartUpload({ ...upload, parts: listed(p1) })).resolves.toBeTruthy();
    clock.now = new Date(clock.now.getTime() + 2 * 3600_000);
    await engine.expireIncompleteUploads(clock.now);
    await expectS3Error(engine.completeMultipartUpload({ ...upload, parts: listed(p1) }), 'NoSuchUpload');
  });

  it('replaces an existing object atomically and deletes the old data', async () => {
    const { engine, upload, put, read, store } = await setup();
    await engine.putObject({ bucket: 'bucket', key: 'key', body: body('old object') });
    const oldHandle = JSON.parse(Buffer.from((await store.readRecord('object/bucket/key'))!.value).toString()).handle as string;
    const p1 = await put(1, 'new!');
    expect(await read()).toBe('old object');
    await engine.completeMultipartUpload({ ...upload, parts: listed(p1) });
    expect(await read()).toBe('new!');
    await expect(collect(store.read(oldHandle))).rejects.toThrow(UnknownHandleError);
  });

  describe('write conditions (§10)', () => {
    it('If-None-Match: * commits when absent, 412 when the key exists (upload left intact)', async () => {
      const { engine, upload, put } = await setup();
      const p1 = await put(1, 'aaaa');
      await engine.putObject({ bucket: 'bucket', key: 'key', body: body('exists') });
      await expectS3Error(engine.completeMultipartUpload({ ...upload, parts: listed(p1), conditions: { ifNoneMatch: '*' } }), 'PreconditionFailed', { Condition: 'If-None-Match' });
      expect((await engine.listParts(upload)).parts).toHaveLength(1);
      await engine.deleteObject('bucket', 'key');
      await expect(engine.completeMultipartUpload({ ...upload, parts: listed(p1), conditions: { ifNoneMatch: '*' } })).resolves.toBeTruthy();
    });

    it('If-Match: NoSuchKey when absent, 412 on a different ETag, commit on the same', async () => {
      const { engine, upload, put } = await setup();
      const p1 = await put(1, 'aaaa');
      await expectS3Error(engine.completeMultipartUpload({ ...upload, parts: listed(p1), conditions: { ifMatch: '*' } }), 'NoSuchKey', { Key: 'key' });
      const existing = await engine.putObject({ bucket: 'bucket', key: 'key', body: body('exists') });
      await expectS3Error(engine.completeMultipartUpload({ ...upload, parts: listed(p1), conditions: { ifMatch: '"abc"' } }), 'PreconditionFailed', { Condition: 'If-Match' });
      await expect(engine.completeMultipartUpload({ ...upload, parts: listed(p1), conditions: { ifMatch: existing.etag } })).resolves.toBeTruthy();
    });

    it('If-None-Match: <etag> commits when the ETag differs, 412 when equal', async () => {
      const { engine, upload, put } = await setup();
      const p1 = await put(1, 'aaaa');
      const existing = await engine.putObject({ bucket: 'bucket', key: 'key', body: body('exists') });
      await expectS3Error(engine.completeMultipartUpload({ ...upload, parts: listed(p1), conditions: { ifNoneMatch: existing.etag } }), 'PreconditionFailed');
      await expect(engine.completeMultipartUpload({ ...upload, parts: listed(p1), conditions: { ifNoneMatch: '"other"' } })).resolves.toBeTruthy();
    });

    it('evaluates preconditions before checking the upload exists', async () => {
      const { engine, put, upload } = await setup();
      const p1 = await put(1, 'aaaa');
      await engine.putObject({ bucket: 'bucket', key: 'key', body: body('exists') });
      await expectS3Error(engine.completeMultipartUpload({ ...upload, uploadId: 'nope', parts: listed(p1), conditions: { ifNoneMatch: '*' } }), 'PreconditionFailed');
    });
  });

  describe('checksums (§4.4)', () => {
    const crc32 = (text: string) => encodeChecksum(checksumOf('CRC32', Buffer.from(text)));

    it('requires each part checksum in a COMPOSITE upload and matches it', async () => {
      const { engine } = await setup();
      const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'k', checksumAlgorithm: 'CRC32' });
      const p1 = await engine.uploadPart({ ...upload, partNumber: 1, body: body('aaaa'), expect: { checksumAlgorithm: 'CRC32', checksum: crc32('aaaa') } });
      await expectS3Error(
        engine.completeMultipartUpload({ ...upload, parts: listed(p1) }),
        'InvalidRequest',
        {},
        'The upload was created using a crc32 checksum. The complete request must include the checksum for each part. It was missing for part 1 in the request.',
      );
      await expectS3Error(
        engine.completeMultipartUpload({ ...upload, parts: [{ ...listed(p1)[0]!, checksums: { CRC32: crc32('bbbb') } }] }),
        'InvalidPart',
        { PartNumber: 1 },
      );
      const done = await engine.completeMultipartUpload({ ...upload, parts: [{ ...listed(p1)[0]!, checksums: p1.checksums }] });
      const composite = encodeChecksum(checksumOf('CRC32', Buffer.from(crc32('aaaa'), 'base64')));
      expect(done.checksum).toEqual({ algorithm: 'CRC32', type: 'COMPOSITE', value: `${composite}-1` });
    });

    it('requires parts numbered 1..n in an upload with a checksum algorithm', async () => {
      const { engine } = await setup();
      const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'k', checksumAlgorithm: 'CRC32' });
      const part = (n: number) => engine.uploadPart({ ...upload, partNumber: n, body: body('aaaa'), expect: { checksumAlgorithm: 'CRC32', checksum: crc32('aaaa') } });
      const p1 = await part(1);
      const p3 = await part(3);
      await expectS3Error(
        engine.completeMultipartUpload({ ...upload, parts: [p1, p3].map((p) => ({ partNumber: p.partNumber, etag: p.etag, checksums: p.checksums })) }),
        'InvalidPartOrder',
        { PartNumber: 3 },
      );
      await expectS3Error(
        engine.completeMultipartUpload({ ...upload, parts: [p1, p1].map((p) => ({ partNumber: p.partNumber, etag: p.etag, checksums: p.checksums })) }),
        'InvalidPartOrder',
      );
    });

    it('verifies the whole-object checksum header and type', async () => {
      const { engine } = await setup();
      const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'k', checksumAlgorithm: 'CRC32', checksumType: 'FULL_OBJECT' });
      const p1 = await engine.uploadPart({ ...upload, partNumber: 1, body: body('hello ') });
      const p2 = await engine.uploadPart({ ...upload, partNumber: 2, body: body('world') });
      const parts = listed(p1, p2);
      await expectS3Error(
        engine.completeMultipartUpload({ ...upload, parts, checksum: { algorithm: 'CRC32', value: crc32('hello') } }),
        'BadDigest',
        {},
        'The CRC32 you specified did not match the calculated checksum.',
      );
      await expectS3Error(engine.completeMultipartUpload({ ...upload, parts, checksumType: 'COMPOSITE' }), 'BadDigest');
      const done = await engine.completeMultipartUpload({ ...upload, parts, checksumType: 'FULL_OBJECT', checksum: { algorithm: 'CRC32', value: crc32('hello world') } });
      expect(done.checksum).toEqual({ algorithm: 'CRC32', type: 'FULL_OBJECT', value: crc32('hello world') });
    });

    it('accepts a composite whole-object value with or without -N, and checks N', async () => {
      const { engine } = await setup();
      const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'k', checksumAlgorithm: 'CRC32' });
      const p1 = await engine.uploadPart({ ...upload, partNumber: 1, body: body('aaaa'), expect: { checksumAlgorithm: 'CRC32', checksum: crc32('aaaa') } });
      const parts = [{ partNumber: 1, etag: p1.etag, checksums: p1.checksums }];
      const value = encodeChecksum(checksumOf('CRC32', Buffer.from(crc32('aaaa'), 'base64')));
      await expectS3Error(engine.completeMultipartUpload({ ...upload, parts, checksum: { algorithm: 'CRC32', value: `${value}-2` } }), 'BadDigest');
      await expect(engine.completeMultipartUpload({ ...upload, parts, checksum: { algorithm: 'CRC32', value } })).resolves.toBeTruthy();
    });

    it('ignores part checksums in the list of an upload without an algorithm', async () => {
      const { engine, upload, put } = await setup();
      const p1 = await put(1, 'aaaa');
      const done = await engine.completeMultipartUpload({ ...upload, parts: [{ ...listed(p1)[0]!, checksums: { CRC32: 'AAAAAA==' } }] });
      expect(done.checksum).toBeUndefined();
    });

    it('gives uploads without an algorithm the default CRC64NVME FULL_OBJECT checksum when enabled', async () => {
      const { engine, upload, put } = await setup({ defaultChecksum: 'CRC64NVME' });
      const p1 = await put(1, 'hello ');
      const p2 = await put(2, 'world');
      const done = await engine.completeMultipartUpload({ ...upload, parts: listed(p1, p2) });
      expect(done.checksum).toEqual({ algorithm: 'CRC64NVME', type: 'FULL_OBJECT', value: encodeChecksum(checksumOf('CRC64NVME', Buffer.from('hello world'))) });
      expect(p1.checksums).toEqual({});
    });
  });

  it('leaves no record or staged byte of an aborted upload', async () => {
    const { engine, upload, put, store } = await setup();
    await put(1, 'aaaa');
    await put(1, 'bbbb');
    await put(2, 'cc');
    await engine.abortMultipartUpload(upload);
    expect(await recordKeysOf(store)).toEqual(['bucket/bucket']);
    await store.discard(upload.uploadId); // idempotent, and nothing to find
    await expect(store.assemble(upload.uploadId, [{ partId: 'x', size: 1 }])).rejects.toThrow();
  });
});

import { CountingStore, type Engine } from '@mpu/core';
import { expect } from 'vitest';
import {
  type EngineSuiteContext, SMALL_MIN_PART_SIZE, bodyOf, bytes, contentMd5Of, expectS3Error, multipartEtagOf,
  partEtagOf, readBody,
} from './engine-suite-context.js';

const MIN = SMALL_MIN_PART_SIZE;
const MiB = 1024 * 1024;

/** Creates an upload and uploads `parts` as part numbers 1..n (or the given numbers). */
async function uploadParts(
  engine: Engine,
  bucket: string,
  key: string,
  parts: readonly Buffer[],
  numbers: readonly number[] = parts.map((_, i) => i + 1),
): Promise<{ uploadId: string; etags: string[] }> {
  const { uploadId } = await engine.createMultipartUpload({ bucket, key });
  const etags: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const info = await engine.uploadPart({ bucket, key, uploadId, partNumber: numbers[i]!, body: bodyOf(parts[i]!) });
    etags.push(info.etag);
  }
  return { uploadId, etags };
}

export function multipartTests({ test, withEngine }: EngineSuiteContext): void {
  test('engine/buckets', 'bucket create, head, list, duplicate, not-empty and delete', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const info = await engine.createBucket('second-bucket');
      expect(info.name).toBe('second-bucket');
      expect(info.created).toBeInstanceOf(Date);
      expect((await engine.headBucket('second-bucket')).name).toBe('second-bucket');
      const names = (await engine.listBuckets()).buckets.map((b) => b.name);
      expect(names).toEqual([bucket, 'second-bucket'].sort());
      await expectS3Error(engine.createBucket('second-bucket'), 'BucketAlreadyOwnedByYou');
      await expectS3Error(engine.createBucket('Not_A_Valid_Bucket'), 'InvalidBucketName');
      await engine.putObject({ bucket: 'second-bucket', key: 'k', body: bodyOf('x') });
      await expectS3Error(engine.deleteBucket('second-bucket'), 'BucketNotEmpty');
      await engine.deleteObject('second-bucket', 'k');
      await engine.deleteBucket('second-bucket');
      await expectS3Error(engine.headBucket('second-bucket'), 'NoSuchBucket');
      await expectS3Error(engine.deleteBucket('second-bucket'), 'NoSuchBucket');
      await expectS3Error(engine.createMultipartUpload({ bucket: 'second-bucket', key: 'k' }), 'NoSuchBucket');
      expect((await engine.listBuckets()).buckets.map((b) => b.name)).toEqual([bucket]);
    }));

  test('engine/complete-basic', 'create → upload → complete → get returns exact bytes, ETag and attributes', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const key = 'dir/my key ü.bin';
      const upload = await engine.createMultipartUpload({
        bucket, key, contentType: 'text/plain', metadata: { colour: 'blue' },
      });
      expect(upload).toMatchObject({ bucket, key, storageClass: 'STANDARD' });
      expect(upload.initiated).toBeInstanceOf(Date);
      expect(upload.uploadId.length).toBeGreaterThanOrEqual(16);
      const other = await engine.createMultipartUpload({ bucket, key });
      expect(other.uploadId).not.toBe(upload.uploadId);
      const parts = [bytes(MIN + 10, 1), bytes(MIN, 2), bytes(7, 3)];
      const infos = [];
      for (const [i, part] of parts.entries()) {
        // Uneven chunking: the engine must not depend on chunk boundaries.
        const info = await engine.uploadPart({
          bucket, key, uploadId: upload.uploadId, partNumber: i + 1, body: bodyOf(part.subarray(0, 3), part.subarray(3)),
        });
        expect(info).toMatchObject({ partNumber: i + 1, etag: partEtagOf(part), size: part.length });
        infos.push(info);
      }
      const result = await engine.completeMultipartUpload({
        bucket, key, uploadId: upload.uploadId, parts: infos.map((p) => ({ partNumber: p.partNumber, etag: p.etag })),
      });
      const whole = Buffer.concat(parts);
      expect(result).toMatchObject({ bucket, key, etag: multipartEtagOf(parts), size: whole.length });
      const got = await engine.getObject({ bucket, key });
      expect((await readBody(got.body)).equals(whole)).toBe(true);
      expect(got.range).toBeUndefined();
      expect(got.object).toMatchObject({
        bucket, key, etag: result.etag, size: whole.length, contentType: 'text/plain', metadata: { colour: 'blue' }, partsCount: 3,
      });
      const head = await engine.headObject({ bucket, key });
      expect(head.object).toMatchObject({ etag: result.etag, size: whole.length, partsCount: 3 });
      // The other upload to the same key is untouched by this Complete.
      expect((await engine.listParts({ bucket, key, uploadId: other.uploadId })).parts).toEqual([]);
    }));

  test('engine/aws-profile-tv1', 'TV1 at the aws profile: 5 MiB of "a" + "hello" completes as 7cbb08aa…-2', () =>
    withEngine('aws', async ({ engine, bucket }) => {
      const part1 = Buffer.alloc(5 * MiB, 0x61);
      const { uploadId, etags } = await uploadParts(engine, bucket, 'tv1', [part1, Buffer.from('hello')]);
      expect(etags).toEqual(['"79b281060d337b9b2b84ccf390adcf74"', '"5d41402abc4b2a76b9719d911017c592"']);
      const result = await engine.completeMultipartUpload({
        bucket, key: 'tv1', uploadId, parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })),
      });
      expect(result.etag).toBe('"7cbb08aa3c3309d6882c18fcecc4bee7-2"');
      expect(result.size).toBe(5 * MiB + 5);
      const got = await engine.getObject({ bucket, key: 'tv1' });
      expect(got.object.etag).toBe('"7cbb08aa3c3309d6882c18fcecc4bee7-2"');
      const body = await readBody(got.body);
      expect(md5(body)).toBe('fa01dc3471d797b839444a1bdfa87e51');
    }), 60_000);

  test('engine/aws-profile-entity-too-small', 'at the aws profile a 5 MiB − 1 non-last part fails Complete with EntityTooSmall', () =>
    withEngine('aws', async ({ engine, bucket }) => {
      const parts = [Buffer.alloc(5 * MiB - 1, 1), Buffer.from('tail')];
      const { uploadId, etags } = await uploadParts(engine, bucket, 'small', parts);
      await expectS3Error(
        engine.completeMultipartUpload({ bucket, key: 'small', uploadId, parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })) }),
        'EntityTooSmall',
        { ProposedSize: 5 * MiB - 1, MinSizeAllowed: 5 * MiB, PartNumber: 1 },
      );
      // The last listed part may be small: completing with part 1 alone succeeds.
      const result = await engine.completeMultipartUpload({ bucket, key: 'small', uploadId, parts: [{ partNumber: 1, etag: etags[0]! }] });
      expect(result.size).toBe(5 * MiB - 1);
    }), 60_000);

  test('engine/reupload-replaces', 'uploading a part number again replaces it; the stale ETag is an InvalidPart', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const first = bytes(MIN, 1);
      const second = bytes(MIN + 5, 2);
      const { uploadId, etags } = await uploadParts(engine, bucket, 'k', [first, bytes(3, 9)]);
      const replaced = await engine.uploadPart({ bucket, key: 'k', uploadId, partNumber: 1, body: bodyOf(second) });
      expect(replaced.etag).toBe(partEtagOf(second));
      const listed = await engine.listParts({ bucket, key: 'k', uploadId });
      expect(listed.parts.map((p) => [p.partNumber, p.etag, p.size])).toEqual([
        [1, partEtagOf(second), second.length], [2, etags[1], 3],
      ]);
      await expectS3Error(
        engine.completeMultipartUpload({ bucket, key: 'k', uploadId, parts: [{ partNumber: 1, etag: etags[0]! }, { partNumber: 2, etag: etags[1]! }] }),
        'InvalidPart',
        { UploadId: uploadId, PartNumber: 1 },
      );
      const result = await engine.completeMultipartUpload({
        bucket, key: 'k', uploadId, parts: [{ partNumber: 1, etag: replaced.etag }, { partNumber: 2, etag: etags[1]! }],
      });
      expect(result.etag).toBe(multipartEtagOf([second, bytes(3, 9)]));
      expect((await readBody((await engine.getObject({ bucket, key: 'k' })).body)).equals(Buffer.concat([second, bytes(3, 9)]))).toBe(true);
    }));

  test('engine/complete-subset', 'completing a subset with gaps publishes only the listed parts', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const parts = [bytes(MIN, 1), bytes(MIN, 2), bytes(MIN + 1, 3), bytes(10, 4)];
      const { uploadId, etags } = await uploadParts(engine, bucket, 'k', parts, [1, 2, 5, 9]);
      // Part 5 is the last listed, so it may be any size; 9 is not listed.
      const result = await engine.completeMultipartUpload({
        bucket, key: 'k', uploadId, parts: [{ partNumber: 1, etag: etags[0]! }, { partNumber: 5, etag: etags[2]! }],
      });
      expect(result.etag).toBe(multipartEtagOf([parts[0]!, parts[2]!]));
      const got = await engine.getObject({ bucket, key: 'k' });
      expect((await readBody(got.body)).equals(Buffer.concat([parts[0]!, parts[2]!]))).toBe(true);
      expect(got.object.partsCount).toBe(2);
      expect((await engine.listMultipartUploads({ bucket })).uploads).toEqual([]);
    }));

  test('engine/complete-etag-forms', 'Complete accepts unquoted and upper-case ETags', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const parts = [bytes(MIN, 1), bytes(5, 2)];
      const { uploadId, etags } = await uploadParts(engine, bucket, 'k', parts);
      const result = await engine.completeMultipartUpload({
        bucket, key: 'k', uploadId,
        parts: [{ partNumber: 1, etag: etags[0]!.replaceAll('"', '') }, { partNumber: 2, etag: etags[1]!.toUpperCase() }],
      });
      expect(result.etag).toBe(multipartEtagOf(parts));
    }));

  test('engine/complete-invalid-part', 'Complete with a missing part or a wrong ETag fails with InvalidPart and leaves the upload', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const parts = [bytes(MIN, 1), bytes(5, 2)];
      const { uploadId, etags } = await uploadParts(engine, bucket, 'k', parts);
      await expectS3Error(
        engine.completeMultipartUpload({ bucket, key: 'k', uploadId, parts: [{ partNumber: 1, etag: etags[0]! }, { partNumber: 3, etag: etags[1]! }] }),
        'InvalidPart', { UploadId: uploadId, PartNumber: 3 },
      );
      await expectS3Error(
        engine.completeMultipartUpload({ bucket, key: 'k', uploadId, parts: [{ partNumber: 1, etag: etags[0]! }, { partNumber: 2, etag: etags[0]! }] }),
        'InvalidPart', { UploadId: uploadId, PartNumber: 2 },
      );
      // A part number outside 1..10000 cannot exist.
      await expectS3Error(
        engine.completeMultipartUpload({ bucket, key: 'k', uploadId, parts: [{ partNumber: 1, etag: etags[0]! }, { partNumber: 10_001, etag: etags[1]! }] }),
        'InvalidPart',
      );
      await expectS3Error(engine.getObject({ bucket, key: 'k' }), 'NoSuchKey');
      const result = await engine.completeMultipartUpload({ bucket, key: 'k', uploadId, parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })) });
      expect(result.etag).toBe(multipartEtagOf(parts));
    }));

  test('engine/complete-invalid-part-order', 'Complete with descending part numbers fails with InvalidPartOrder', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const { uploadId, etags } = await uploadParts(engine, bucket, 'k', [bytes(MIN, 1), bytes(MIN, 2)]);
      await expectS3Error(
        engine.completeMultipartUpload({ bucket, key: 'k', uploadId, parts: [{ partNumber: 2, etag: etags[1]! }, { partNumber: 1, etag: etags[0]! }] }),
        'InvalidPartOrder',
      );
      expect((await engine.listParts({ bucket, key: 'k', uploadId })).parts).toHaveLength(2);
    }));

  test('engine/complete-duplicate-part-numbers', 'a repeated part number uses the last entry (s3t resend_first_finishes_last)', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const stale = bytes(MIN, 1);
      const current = bytes(MIN, 2);
      const { uploadId, etags } = await uploadParts(engine, bucket, 'k', [stale]);
      const now = await engine.uploadPart({ bucket, key: 'k', uploadId, partNumber: 1, body: bodyOf(current) });
      const result = await engine.completeMultipartUpload({
        bucket, key: 'k', uploadId, parts: [{ partNumber: 1, etag: etags[0]! }, { partNumber: 1, etag: now.etag }],
      });
      expect(result.etag).toBe(multipartEtagOf([current]));
      expect((await readBody((await engine.getObject({ bucket, key: 'k' })).body)).equals(current)).toBe(true);
    }));

  test('engine/complete-entity-too-small', 'a small or empty non-last part fails Complete with EntityTooSmall', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const parts = [bytes(MIN, 1), bytes(MIN - 1, 2), bytes(0, 3), bytes(MIN, 4)];
      const { uploadId, etags } = await uploadParts(engine, bucket, 'k', parts);
      const ref = (n: number) => ({ partNumber: n, etag: etags[n - 1]! });
      await expectS3Error(
        engine.completeMultipartUpload({ bucket, key: 'k', uploadId, parts: [ref(1), ref(2), ref(4)] }),
        'EntityTooSmall', { ProposedSize: MIN - 1, MinSizeAllowed: MIN, PartNumber: 2 },
      );
      await expectS3Error(
        engine.completeMultipartUpload({ bucket, key: 'k', uploadId, parts: [ref(1), ref(3), ref(4)] }),
        'EntityTooSmall', { ProposedSize: 0, MinSizeAllowed: MIN, PartNumber: 3 },
      );
      // The small part is fine as the last listed part, even with higher numbers uploaded.
      const result = await engine.completeMultipartUpload({ bucket, key: 'k', uploadId, parts: [ref(1), ref(2)] });
      expect(result.size).toBe(2 * MIN - 1);
    }));

  test('engine/complete-empty-object', 'a single 0-byte part completes as the 0-byte object 59adb24e…-1', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const { uploadId, etags } = await uploadParts(engine, bucket, 'empty', [Buffer.alloc(0)]);
      const result = await engine.completeMultipartUpload({ bucket, key: 'empty', uploadId, parts: [{ partNumber: 1, etag: etags[0]! }] });
      expect(result).toMatchObject({ etag: '"59adb24ef3cdbe0297f05b395827453f-1"', size: 0 });
      expect((await readBody((await engine.getObject({ bucket, key: 'empty' })).body)).length).toBe(0);
    }));

  test('engine/complete-no-such-upload', 'Complete of an unknown upload, or of another key’s upload, fails with NoSuchUpload', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const { uploadId, etags } = await uploadParts(engine, bucket, 'k', [bytes(5, 1)]);
      const parts = [{ partNumber: 1, etag: etags[0]! }];
      await expectS3Error(
        engine.completeMultipartUpload({ bucket, key: 'k', uploadId: 'no-such-upload-id', parts }),
        'NoSuchUpload', { UploadId: 'no-such-upload-id' },
      );
      await expectS3Error(engine.completeMultipartUpload({ bucket, key: 'other-key', uploadId, parts }), 'NoSuchUpload');
      await engine.createBucket('other-bucket');
      await expectS3Error(engine.completeMultipartUpload({ bucket: 'other-bucket', key: 'k', uploadId, parts }), 'NoSuchUpload');
      await expectS3Error(engine.uploadPart({ bucket, key: 'other-key', uploadId, partNumber: 1, body: bodyOf('x') }), 'NoSuchUpload');
      await expectS3Error(engine.listParts({ bucket, key: 'other-key', uploadId }), 'NoSuchUpload');
      await expectS3Error(engine.abortMultipartUpload({ bucket, key: 'other-key', uploadId }), 'NoSuchUpload');
      expect((await engine.completeMultipartUpload({ bucket, key: 'k', uploadId, parts })).size).toBe(5);
    }));

  test('engine/complete-object-size', 'x-amz-mp-object-size that differs from the parts fails with InvalidRequest', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const parts = [bytes(MIN, 1), bytes(5, 2)];
      const { uploadId, etags } = await uploadParts(engine, bucket, 'k', parts);
      const list = etags.map((etag, i) => ({ partNumber: i + 1, etag }));
      await expectS3Error(engine.completeMultipartUpload({ bucket, key: 'k', uploadId, parts: list, objectSize: MIN + 4 }), 'InvalidRequest');
      expect((await engine.completeMultipartUpload({ bucket, key: 'k', uploadId, parts: list, objectSize: MIN + 5 })).size).toBe(MIN + 5);
    }));

  test('engine/upload-part-errors', 'UploadPart rejects bad part numbers, unknown uploads and bad digests', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const { uploadId } = await engine.createMultipartUpload({ bucket, key: 'k' });
      const ref = { bucket, key: 'k', uploadId };
      for (const partNumber of [0, 10_001, -1, 1.5]) {
        await expectS3Error(engine.uploadPart({ ...ref, partNumber, body: bodyOf('x') }), 'InvalidArgument', { ArgumentName: 'partNumber' });
      }
      await expect(engine.uploadPart({ ...ref, partNumber: 10_000, body: bodyOf('x') })).resolves.toMatchObject({ partNumber: 10_000 });
      await expectS3Error(
        engine.uploadPart({ bucket, key: 'k', uploadId: 'no-such-upload-id', partNumber: 1, body: bodyOf('x') }),
        'NoSuchUpload', { UploadId: 'no-such-upload-id' },
      );
      const good = bytes(100, 1);
      const kept = await engine.uploadPart({ ...ref, partNumber: 1, body: bodyOf(good), expect: { contentMd5: contentMd5Of(good) } });
      expect(kept.etag).toBe(partEtagOf(good));
      // A failed verification must not replace the existing part 1.
      await expectS3Error(
        engine.uploadPart({ ...ref, partNumber: 1, body: bodyOf(bytes(100, 2)), expect: { contentMd5: contentMd5Of(good) } }),
        'BadDigest',
      );
      for (const contentMd5 of ['', 'not base64!', Buffer.alloc(15).toString('base64')]) {
        await expectS3Error(engine.uploadPart({ ...ref, partNumber: 2, body: bodyOf('x'), expect: { contentMd5 } }), 'InvalidDigest');
      }
      await expectS3Error(
        engine.uploadPart({ ...ref, partNumber: 2, body: bodyOf('hello'), expect: { checksumAlgorithm: 'CRC32', checksum: 'AAAAAA==' } }),
        'BadDigest',
      );
      const parts = await engine.listParts(ref);
      expect(parts.parts.map((p) => [p.partNumber, p.etag])).toEqual([[1, kept.etag], [10_000, partEtagOf(Buffer.from('x'))]]);
    }));

  test('engine/abort', 'after Abort every operation on the upload is NoSuchUpload and the key is untouched', () =>
    withEngine('small', async ({ engine, bucket }) => {
      await engine.putObject({ bucket, key: 'k', body: bodyOf('old') });
      const { uploadId, etags } = await uploadParts(engine, bucket, 'k', [bytes(MIN, 1)]);
      await engine.abortMultipartUpload({ bucket, key: 'k', uploadId });
      const ref = { bucket, key: 'k', uploadId };
      await expectS3Error(engine.uploadPart({ ...ref, partNumber: 2, body: bodyOf('x') }), 'NoSuchUpload', { UploadId: uploadId });
      await expectS3Error(engine.listParts(ref), 'NoSuchUpload');
      await expectS3Error(engine.completeMultipartUpload({ ...ref, parts: [{ partNumber: 1, etag: etags[0]! }] }), 'NoSuchUpload');
      await expectS3Error(engine.abortMultipartUpload(ref), 'NoSuchUpload');
      expect((await engine.listMultipartUploads({ bucket })).uploads).toEqual([]);
      expect((await readBody((await engine.getObject({ bucket, key: 'k' })).body)).toString()).toBe('old');
    }));

  test('engine/complete-retry', 'Complete retried returns the same ETag and checksum; the upload is then closed to parts', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const { uploadId } = await engine.createMultipartUpload({ bucket, key: 'k', checksumAlgorithm: 'CRC32' });
      const parts = [Buffer.alloc(5 * MiB, 0x61), Buffer.from('hello')];
      const infos = [];
      for (const [i, part] of parts.entries()) {
        infos.push(await engine.uploadPart({ bucket, key: 'k', uploadId, partNumber: i + 1, body: bodyOf(part), expect: { checksumAlgorithm: 'CRC32', checksum: ['r/zBbw==', 'NhCmhg=='][i]! } }));
      }
      const input = { bucket, key: 'k', uploadId, parts: infos.map((p) => ({ partNumber: p.partNumber, etag: p.etag, checksums: p.checksums })) };
      const first = await engine.completeMultipartUpload(input);
      const second = await engine.completeMultipartUpload(input);
      expect(second).toEqual(first);
      expect(first.checksum).toEqual({ algorithm: 'CRC32', type: 'COMPOSITE', value: 'QaduHg==-2' });
      await expectS3Error(engine.uploadPart({ bucket, key: 'k', uploadId, partNumber: 3, body: bodyOf('x') }), 'NoSuchUpload');
      await expectS3Error(engine.abortMultipartUpload({ bucket, key: 'k', uploadId }), 'NoSuchUpload');
      await expectS3Error(engine.listParts({ bucket, key: 'k', uploadId }), 'NoSuchUpload');
    }));

  test('engine/independent-uploads', 'two uploads to one key are independent; the last Complete wins', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const a = [bytes(MIN, 1), bytes(3, 2)];
      const b = [bytes(MIN, 3), bytes(4, 4)];
      const ua = await uploadParts(engine, bucket, 'k', a);
      const ub = await uploadParts(engine, bucket, 'k', b);
      expect(ua.uploadId).not.toBe(ub.uploadId);
      const rb = await engine.completeMultipartUpload({ bucket, key: 'k', uploadId: ub.uploadId, parts: ub.etags.map((etag, i) => ({ partNumber: i + 1, etag })) });
      expect(rb.etag).toBe(multipartEtagOf(b));
      expect((await readBody((await engine.getObject({ bucket, key: 'k' })).body)).equals(Buffer.concat(b))).toBe(true);
      expect((await engine.listParts({ bucket, key: 'k', uploadId: ua.uploadId })).parts.map((p) => p.etag)).toEqual(ua.etags);
      const ra = await engine.completeMultipartUpload({ bucket, key: 'k', uploadId: ua.uploadId, parts: ua.etags.map((etag, i) => ({ partNumber: i + 1, etag })) });
      expect(ra.etag).toBe(multipartEtagOf(a));
      const got = await engine.getObject({ bucket, key: 'k' });
      expect(got.object.etag).toBe(ra.etag);
      expect((await readBody(got.body)).equals(Buffer.concat(a))).toBe(true);
    }));

  test('engine/complete-moves-no-part-bytes', 'Complete reads and writes no part bytes through the store and discards the rest; Abort discards', () =>
    withEngine('small', async ({ engine, bucket, store }) => {
      expect(store, 'the harness must return the engine’s store wrapped in CountingStore').toBeInstanceOf(CountingStore);
      const counting = store as CountingStore;
      const parts = [bytes(MIN, 1), bytes(MIN, 2), bytes(MIN, 3)];
      const { uploadId, etags } = await uploadParts(engine, bucket, 'k', parts);
      counting.reset();
      await engine.completeMultipartUpload({ bucket, key: 'k', uploadId, parts: [{ partNumber: 1, etag: etags[0]! }, { partNumber: 2, etag: etags[1]! }] });
      const complete = counting.snapshot();
      expect(complete).toMatchObject({ bytesRead: 0, bytesWritten: 0, calls: { read: 0, writePart: 0 } });
      expect(complete.calls.assemble).toBeGreaterThanOrEqual(1);
      // Part 3 was not listed: the engine hands it back to the store.
      expect(complete.calls.discard).toBeGreaterThanOrEqual(1);
      const aborted = await uploadParts(engine, bucket, 'a', [bytes(10, 4)]);
      counting.reset();
      await engine.abortMultipartUpload({ bucket, key: 'a', uploadId: aborted.uploadId });
      const abort = counting.snapshot();
      expect(abort).toMatchObject({ bytesRead: 0, bytesWritten: 0, calls: { read: 0, writePart: 0, assemble: 0 } });
      expect(abort.calls.discard).toBeGreaterThanOrEqual(1);
    }));

  test('engine/expire-incomplete-uploads', 'expireIncompleteUploads aborts only uploads initiated before the cutoff', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const old = await engine.createMultipartUpload({ bucket, key: 'old' });
      await engine.uploadPart({ bucket, key: 'old', uploadId: old.uploadId, partNumber: 1, body: bodyOf('x') });
      const done = await uploadParts(engine, bucket, 'done', [bytes(5, 1)]);
      await engine.completeMultipartUpload({ bucket, key: 'done', uploadId: done.uploadId, parts: [{ partNumber: 1, etag: done.etags[0]! }] });
      await sleep(20);
      const cutoff = new Date();
      await sleep(20);
      const young = await engine.createMultipartUpload({ bucket, key: 'young' });
      expect(old.initiated.getTime()).toBeLessThan(cutoff.getTime());
      expect(young.initiated.getTime()).toBeGreaterThan(cutoff.getTime());
      expect(await engine.expireIncompleteUploads(cutoff)).toBe(1);
      await expectS3Error(engine.listParts({ bucket, key: 'old', uploadId: old.uploadId }), 'NoSuchUpload');
      expect((await engine.listParts({ bucket, key: 'young', uploadId: young.uploadId })).parts).toEqual([]);
      expect((await engine.listMultipartUploads({ bucket })).uploads.map((u) => u.uploadId)).toEqual([young.uploadId]);
      expect((await engine.headObject({ bucket, key: 'done' })).object.size).toBe(5);
      expect(await engine.expireIncompleteUploads(cutoff)).toBe(0);
    }));
}

function md5(data: Uint8Array): string {
  return partEtagOf(data).slice(1, -1);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

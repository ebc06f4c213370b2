import type { Engine, WriteConditions } from '@mpu/core';
import { expect } from 'vitest';
import {
  type EngineSuiteContext, SMALL_MIN_PART_SIZE, bodyOf, bytes, expectS3Error, multipartEtagOf, partEtagOf, readBody,
} from './engine-suite-context.js';

const MIN = SMALL_MIN_PART_SIZE;

/** A completed multipart object made of parts 1, 2 and 3 uploaded, with `listed` completed. */
async function multipartObject(engine: Engine, bucket: string, key: string, sizes: readonly number[], listed: readonly number[]) {
  const { uploadId } = await engine.createMultipartUpload({ bucket, key });
  const parts = sizes.map((size, i) => bytes(size, 20 + i));
  const etags: string[] = [];
  for (const [i, part] of parts.entries()) {
    etags.push((await engine.uploadPart({ bucket, key, uploadId, partNumber: i + 1, body: bodyOf(part) })).etag);
  }
  const result = await engine.completeMultipartUpload({
    bucket, key, uploadId, parts: listed.map((n) => ({ partNumber: n, etag: etags[n - 1]! })),
  });
  const listedParts = listed.map((n) => parts[n - 1]!);
  return { result, listedParts, whole: Buffer.concat(listedParts) };
}

type Cell = 'commit' | 'PreconditionFailed' | 'NoSuchKey';

export function objectTests({ test, withEngine }: EngineSuiteContext): void {
  test('engine/get-range', 'GetObject ranges: closed, open-ended, suffix, clipped end, and InvalidRange', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const { whole } = await multipartObject(engine, bucket, 'k', [MIN, MIN + 1, 9], [1, 2, 3]);
      const size = whole.length;
      const cases: { range: { start: number; end?: number } | { suffixLength: number }; start: number; end: number }[] = [
        { range: { start: 0, end: 0 }, start: 0, end: 0 },
        { range: { start: MIN - 1, end: MIN }, start: MIN - 1, end: MIN },
        { range: { start: 5, end: size - 1 }, start: 5, end: size - 1 },
        { range: { start: MIN * 2 }, start: MIN * 2, end: size - 1 },
        { range: { start: 10, end: size + 100 }, start: 10, end: size - 1 },
        { range: { suffixLength: 10 }, start: size - 10, end: size - 1 },
        { range: { suffixLength: size + 5 }, start: 0, end: size - 1 },
      ];
      for (const c of cases) {
        const got = await engine.getObject({ bucket, key: 'k', range: c.range });
        expect(got.range, JSON.stringify(c.range)).toEqual({ start: c.start, end: c.end });
        expect((await readBody(got.body)).equals(whole.subarray(c.start, c.end + 1)), JSON.stringify(c.range)).toBe(true);
        expect(got.object.size).toBe(size);
      }
      await expectS3Error(engine.getObject({ bucket, key: 'k', range: { start: size } }), 'InvalidRange');
      await expectS3Error(engine.getObject({ bucket, key: 'k', range: { start: size + 10, end: size + 20 } }), 'InvalidRange');
      await expectS3Error(engine.getObject({ bucket, key: 'absent', range: { start: 0 } }), 'NoSuchKey');
    }));

  test('engine/get-part-number', 'GetObject partNumber reads the k-th listed part (positional) with partsCount', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const { result, listedParts, whole } = await multipartObject(engine, bucket, 'k', [MIN, MIN + 7, 11], [1, 3]);
      const first = await engine.getObject({ bucket, key: 'k', partNumber: 1 });
      expect((await readBody(first.body)).equals(listedParts[0]!)).toBe(true);
      expect(first.range).toEqual({ start: 0, end: MIN - 1 });
      expect(first.object).toMatchObject({ etag: result.etag, partsCount: 2, size: whole.length });
      const second = await engine.getObject({ bucket, key: 'k', partNumber: 2 });
      expect((await readBody(second.body)).equals(listedParts[1]!)).toBe(true);
      expect(second.range).toEqual({ start: MIN, end: MIN + 10 });
      const head = await engine.headObject({ bucket, key: 'k', partNumber: 2 });
      expect(head.range).toEqual({ start: MIN, end: MIN + 10 });
      expect(head.object).toMatchObject({ etag: result.etag, partsCount: 2 });
      await expectS3Error(engine.getObject({ bucket, key: 'k', partNumber: 3 }), 'InvalidPart');
      for (const partNumber of [0, 10_001]) await expectS3Error(engine.getObject({ bucket, key: 'k', partNumber }), 'InvalidArgument');
      await expectS3Error(engine.getObject({ bucket, key: 'k', partNumber: 1, range: { start: 0, end: 1 } }), 'InvalidRequest');
      await expectS3Error(engine.getObject({ bucket, key: 'absent', partNumber: 1 }), 'NoSuchKey');
    }));

  test('engine/get-part-number-single-put', 'partNumber=1 of a single-PUT object is the whole object; 2 is InvalidPart', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const data = bytes(100, 5);
      const put = await engine.putObject({ bucket, key: 'k', body: bodyOf(data) });
      expect(put).toMatchObject({ etag: partEtagOf(data), size: 100 });
      const got = await engine.getObject({ bucket, key: 'k', partNumber: 1 });
      expect((await readBody(got.body)).equals(data)).toBe(true);
      expect(got.object.etag).toBe(partEtagOf(data));
      expect(got.object.partsCount).toBeUndefined();
      await expectS3Error(engine.getObject({ bucket, key: 'k', partNumber: 2 }), 'InvalidPart');
      // Before any Complete the key is absent.
      const { uploadId } = await engine.createMultipartUpload({ bucket, key: 'pending' });
      await engine.uploadPart({ bucket, key: 'pending', uploadId, partNumber: 1, body: bodyOf('x') });
      await expectS3Error(engine.getObject({ bucket, key: 'pending', partNumber: 1 }), 'NoSuchKey');
      await expectS3Error(engine.headObject({ bucket, key: 'pending' }), 'NoSuchKey');
    }));

  test('engine/conditional-complete', 'conditional Complete follows the S3-MULTIPART.md §10 table', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const table: { state: 'absent' | 'same' | 'other'; conditions: (etag: string) => WriteConditions; expected: Cell }[] = [
        { state: 'absent', conditions: () => ({ ifNoneMatch: '*' }), expected: 'commit' },
        { state: 'absent', conditions: () => ({ ifNoneMatch: '"0123456789abcdef0123456789abcdef"' }), expected: 'commit' },
        { state: 'absent', conditions: () => ({ ifMatch: '"0123456789abcdef0123456789abcdef"' }), expected: 'NoSuchKey' },
        { state: 'absent', conditions: () => ({ ifMatch: '*' }), expected: 'NoSuchKey' },
        { state: 'same', conditions: () => ({ ifNoneMatch: '*' }), expected: 'PreconditionFailed' },
        { state: 'same', conditions: (etag) => ({ ifNoneMatch: etag }), expected: 'PreconditionFailed' },
        { state: 'same', conditions: (etag) => ({ ifMatch: etag }), expected: 'commit' },
        { state: 'same', conditions: () => ({ ifMatch: '*' }), expected: 'commit' },
        { state: 'other', conditions: () => ({ ifNoneMatch: '*' }), expected: 'PreconditionFailed' },
        { state: 'other', conditions: () => ({ ifNoneMatch: '"0123456789abcdef0123456789abcdef"' }), expected: 'commit' },
        { state: 'other', conditions: () => ({ ifMatch: '"0123456789abcdef0123456789abcdef"' }), expected: 'PreconditionFailed' },
        { state: 'other', conditions: () => ({ ifMatch: '*' }), expected: 'commit' },
      ];
      for (const [i, row] of table.entries()) {
        const key = `cond-${i}`;
        let existing = '"0123456789abcdef0123456789abcdef"';
        if (row.state !== 'absent') existing = (await engine.putObject({ bucket, key, body: bodyOf(`existing ${i}`) })).etag;
        const part = bytes(10, i);
        const { uploadId } = await engine.createMultipartUpload({ bucket, key });
        const { etag } = await engine.uploadPart({ bucket, key, uploadId, partNumber: 1, body: bodyOf(part) });
        const input = { bucket, key, uploadId, parts: [{ partNumber: 1, etag }], conditions: row.conditions(existing) };
        const label = `${row.state} ${JSON.stringify(input.conditions)}`;
        if (row.expected === 'commit') {
          expect((await engine.completeMultipartUpload(input)).etag, label).toBe(multipartEtagOf([part]));
        } else {
          await expectS3Error(engine.completeMultipartUpload(input), row.expected);
          // After a failed precondition the upload is intact and completes unconditionally.
          const { conditions: _dropped, ...unconditional } = input;
          expect((await engine.completeMultipartUpload(unconditional)).etag, label).toBe(multipartEtagOf([part]));
        }
        expect((await readBody((await engine.getObject({ bucket, key })).body)).equals(part), label).toBe(true);
      }
    }));

  test('engine/upload-part-copy', 'UploadPartCopy copies a range (across part boundaries) with the copied bytes’ ETag', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const { whole } = await multipartObject(engine, bucket, 'src', [MIN, MIN, 50], [1, 2, 3]);
      const single = bytes(3000, 8);
      await engine.putObject({ bucket, key: 'single', body: bodyOf(single) });
      const { uploadId } = await engine.createMultipartUpload({ bucket, key: 'dst' });
      const ref = { bucket, key: 'dst', uploadId };
      const range = { start: MIN - 100, end: 2 * MIN + 9 }; // spans all three source parts
      const p1 = await engine.uploadPartCopy({ ...ref, partNumber: 1, source: { bucket, key: 'src', range } });
      const copied = whole.subarray(range.start, range.end + 1);
      expect(p1).toMatchObject({ partNumber: 1, etag: partEtagOf(copied), size: copied.length });
      const p2 = await engine.uploadPartCopy({ ...ref, partNumber: 2, source: { bucket, key: 'single' } });
      expect(p2).toMatchObject({ etag: partEtagOf(single), size: 3000 });
      await expectS3Error(
        engine.uploadPartCopy({ ...ref, partNumber: 3, source: { bucket, key: 'single', range: { start: 2999, end: 3000 } } }),
        'InvalidRange',
      );
      await expectS3Error(engine.uploadPartCopy({ ...ref, partNumber: 3, source: { bucket, key: 'absent' } }), 'NoSuchKey');
      await expectS3Error(engine.uploadPartCopy({ ...ref, partNumber: 3, source: { bucket: 'no-such-bucket', key: 'single' } }), 'NoSuchBucket');
      await expectS3Error(
        engine.uploadPartCopy({ ...ref, partNumber: 3, source: { bucket, key: 'single' }, sourceConditions: { ifMatch: '"0123456789abcdef0123456789abcdef"' } }),
        'PreconditionFailed',
      );
      await expectS3Error(
        engine.uploadPartCopy({ bucket, key: 'dst', uploadId: 'no-such-upload-id', partNumber: 3, source: { bucket, key: 'single' } }),
        'NoSuchUpload',
      );
      await expectS3Error(engine.uploadPartCopy({ ...ref, partNumber: 0, source: { bucket, key: 'single' } }), 'InvalidArgument');
      const result = await engine.completeMultipartUpload({ ...ref, parts: [{ partNumber: 1, etag: p1.etag }, { partNumber: 2, etag: p2.etag }] });
      expect(result.etag).toBe(multipartEtagOf([copied, single]));
      expect((await readBody((await engine.getObject({ bucket, key: 'dst' })).body)).equals(Buffer.concat([copied, single]))).toBe(true);
    }));

  test('engine/overwrite-atomic', 'an existing object stays readable through Create, UploadPart and Abort of an upload to its key', () =>
    withEngine('small', async ({ engine, bucket }) => {
      await engine.putObject({ bucket, key: 'k', body: bodyOf('old data') });
      const { uploadId } = await engine.createMultipartUpload({ bucket, key: 'k' });
      const part = await engine.uploadPart({ bucket, key: 'k', uploadId, partNumber: 1, body: bodyOf(bytes(MIN, 1)) });
      expect((await readBody((await engine.getObject({ bucket, key: 'k' })).body)).toString()).toBe('old data');
      await engine.abortMultipartUpload({ bucket, key: 'k', uploadId });
      expect((await readBody((await engine.getObject({ bucket, key: 'k' })).body)).toString()).toBe('old data');
      const second = await engine.createMultipartUpload({ bucket, key: 'k' });
      const p = await engine.uploadPart({ bucket, key: 'k', uploadId: second.uploadId, partNumber: 1, body: bodyOf('new') });
      expect(p.etag).not.toBe(part.etag);
      await engine.completeMultipartUpload({ bucket, key: 'k', uploadId: second.uploadId, parts: [{ partNumber: 1, etag: p.etag }] });
      expect((await readBody((await engine.getObject({ bucket, key: 'k' })).body)).toString()).toBe('new');
    }));
}

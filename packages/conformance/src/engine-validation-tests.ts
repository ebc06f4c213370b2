import { expect } from 'vitest';
import {
  type EngineSuiteContext, bodyOf, bytes, contentMd5Of, expectS3Error, partEtagOf, readBody,
} from './engine-suite-context.js';

const GiB = 1024 ** 3;

export function validationTests({ test, withEngine }: EngineSuiteContext): void {
  test('engine/key-and-metadata-limits', 'keys over 1024 UTF-8 bytes are KeyTooLongError; metadata over 2 KB is MetadataTooLarge', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const longest = 'é'.repeat(512); // 1024 bytes
      const { uploadId } = await engine.createMultipartUpload({ bucket, key: longest });
      expect((await engine.listParts({ bucket, key: longest, uploadId })).upload.key).toBe(longest);
      await expectS3Error(engine.createMultipartUpload({ bucket, key: `${longest}a` }), 'KeyTooLongError');
      await expectS3Error(engine.putObject({ bucket, key: `${longest}a`, body: bodyOf('x') }), 'KeyTooLongError');
      await expectS3Error(engine.createMultipartUpload({ bucket, key: 'm', metadata: { big: 'x'.repeat(2048) } }), 'MetadataTooLarge');
      const fits = await engine.createMultipartUpload({ bucket, key: 'm', metadata: { small: 'x'.repeat(1000) } });
      expect(fits.uploadId).toBeTypeOf('string');
    }));

  test('engine/hostile-keys', 'hostile and unicode object keys are distinct, round-trip and list in UTF-8 order', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const keys = [
        '../x', 'a//b', '/leading', 'back\\slash', 'dot/./seg', 'caf\u00e9', 'cafe\u0301', 'Case', 'case', 'emoji \u{1f600}',
        'space and +plus', 'percent%2F', 'query?versionId', 'new\nline', '\ue000', 'trailing/',
      ];
      for (const [i, key] of keys.entries()) await engine.putObject({ bucket, key, body: bodyOf(`value ${i}`) });
      for (const [i, key] of keys.entries()) {
        const got = await engine.getObject({ bucket, key });
        expect(got.object.key).toBe(key);
        expect((await readBody(got.body)).toString(), JSON.stringify(key)).toBe(`value ${i}`);
      }
      const sorted = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
      expect((await engine.listObjects({ bucket })).objects.map((o) => o.key)).toEqual(sorted);
      // The same keys work for uploads.
      const { uploadId } = await engine.createMultipartUpload({ bucket, key: '../x' });
      const part = await engine.uploadPart({ bucket, key: '../x', uploadId, partNumber: 1, body: bodyOf('mpu') });
      await engine.completeMultipartUpload({ bucket, key: '../x', uploadId, parts: [{ partNumber: 1, etag: part.etag }] });
      expect((await readBody((await engine.getObject({ bucket, key: '../x' })).body)).toString()).toBe('mpu');
      await expectS3Error(engine.getObject({ bucket, key: 'x' }), 'NoSuchKey');
    }));

  test('engine/part-size-limits', 'an announced part over the maximum is EntityTooLarge; a short body is IncompleteBody', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const { uploadId } = await engine.createMultipartUpload({ bucket, key: 'k' });
      const ref = { bucket, key: 'k', uploadId, partNumber: 1 };
      await expectS3Error(
        engine.uploadPart({ ...ref, body: bodyOf('x'), expect: { contentLength: 5 * GiB + 1 } }),
        'EntityTooLarge', { ProposedSize: 5 * GiB + 1 },
      );
      await expectS3Error(engine.uploadPart({ ...ref, body: bodyOf('short'), expect: { contentLength: 10 } }), 'IncompleteBody');
      expect((await engine.listParts({ bucket, key: 'k', uploadId })).parts).toEqual([]);
      const ok = await engine.uploadPart({ ...ref, body: bodyOf('exact'), expect: { contentLength: 5 } });
      expect(ok.size).toBe(5);
      await expectS3Error(engine.putObject({ bucket, key: 'p', body: bodyOf('x'), expect: { contentLength: 5 * GiB + 1 } }), 'EntityTooLarge');
    }));

  test('engine/put-object', 'PutObject: MD5 ETag, Content-MD5 verification, conditional writes, and replacing an object', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const data = bytes(1000, 1);
      await expectS3Error(engine.putObject({ bucket, key: 'k', body: bodyOf(data), expect: { contentMd5: contentMd5Of(bytes(1000, 2)) } }), 'BadDigest');
      await expectS3Error(engine.getObject({ bucket, key: 'k' }), 'NoSuchKey');
      const put = await engine.putObject({ bucket, key: 'k', body: bodyOf(data), expect: { contentMd5: contentMd5Of(data) }, contentType: 'image/png' });
      expect(put).toMatchObject({ etag: partEtagOf(data), size: 1000 });
      const head = await engine.headObject({ bucket, key: 'k' });
      expect(head.object).toMatchObject({ etag: put.etag, size: 1000, contentType: 'image/png' });
      expect(head.object.partsCount).toBeUndefined();
      await expectS3Error(engine.putObject({ bucket, key: 'k', body: bodyOf('y'), conditions: { ifNoneMatch: '*' } }), 'PreconditionFailed');
      await expectS3Error(engine.putObject({ bucket, key: 'k', body: bodyOf('y'), conditions: { ifMatch: '"0123456789abcdef0123456789abcdef"' } }), 'PreconditionFailed');
      const replaced = await engine.putObject({ bucket, key: 'k', body: bodyOf('new'), conditions: { ifMatch: put.etag } });
      expect(replaced.etag).toBe(partEtagOf(Buffer.from('new')));
      expect((await readBody((await engine.getObject({ bucket, key: 'k' })).body)).toString()).toBe('new');
      await expectS3Error(engine.putObject({ bucket: 'no-such-bucket', key: 'k', body: bodyOf('x') }), 'NoSuchBucket');
      await engine.deleteObject(bucket, 'k');
      await expectS3Error(engine.headObject({ bucket, key: 'k' }), 'NoSuchKey');
    }));
}

import { describe, expect, it } from 'vitest';
import { parseTaggingQuery, validateTags } from '@mpu/core';
import { body, expectS3Error, makeEngine, TINY_LIMITS } from './engine-helpers.js';

async function withObject(tagging?: string) {
  const made = makeEngine({ limits: TINY_LIMITS });
  await made.engine.createBucket('bucket');
  await made.engine.putObject({ bucket: 'bucket', key: 'k', body: body('data'), ...(tagging !== undefined ? { tagging } : {}) });
  return made;
}

const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));

describe('object tagging', () => {
  it('x-amz-tagging on PutObject is decoded, stored and counted; Put/Delete replace the set', async () => {
    const { engine } = await withObject('a=1&b%20c=d%2Fe&empty=');
    expect(await engine.getObjectTagging('bucket', 'k')).toEqual([
      { key: 'a', value: '1' }, { key: 'b c', value: 'd/e' }, { key: 'empty', value: '' },
    ]);
    expect((await engine.headObject({ bucket: 'bucket', key: 'k' })).object.tagCount).toBe(3);
    await engine.putObjectTagging('bucket', 'k', [{ key: 'only', value: 'one' }]);
    expect(await engine.getObjectTagging('bucket', 'k')).toEqual([{ key: 'only', value: 'one' }]);
    expect((await engine.headObject({ bucket: 'bucket', key: 'k' })).object.tagCount).toBe(1);
    await engine.deleteObjectTagging('bucket', 'k');
    expect(await engine.getObjectTagging('bucket', 'k')).toEqual([]);
    expect((await engine.headObject({ bucket: 'bucket', key: 'k' })).object.tagCount).toBeUndefined();
  });

  it('tagging an absent object is NoSuchKey; the bytes and ETag survive a tag change', async () => {
    const { engine } = await withObject();
    await expectS3Error(engine.putObjectTagging('bucket', 'nope', []), 'NoSuchKey');
    await expectS3Error(engine.getObjectTagging('bucket', 'nope'), 'NoSuchKey');
    const before = await engine.headObject({ bucket: 'bucket', key: 'k' });
    await engine.putObjectTagging('bucket', 'k', [{ key: 'x', value: 'y' }]);
    const after = await engine.headObject({ bucket: 'bucket', key: 'k' });
    expect(after.object.etag).toBe(before.object.etag);
    expect(after.object.size).toBe(4);
  });

  it.each([
    [tags(11), 'Object tags cannot be greater than 10'],
    [[{ key: 'k'.repeat(129), value: '' }], 'The TagKey you have provided is too long, max 128'],
    [[{ key: 'k', value: 'v'.repeat(257) }], 'The TagValue you have provided is too long, max 256'],
    [[{ key: 'k', value: '1' }, { key: 'k', value: '2' }], 'Cannot provide multiple Tags with the same key'],
    [[{ key: 'aws:thing', value: '1' }], 'Your TagKey cannot be prefixed with aws:'],
    [[{ key: '', value: '1' }], 'The TagKey you have provided is invalid'],
    [[{ key: 'k', value: 'a\u0001b' }], 'The TagValue you have provided is invalid'],
  ])('refuses an illegal tag set with InvalidTag: %#', async (set, message) => {
    const { engine } = await withObject();
    await expectS3Error(engine.putObjectTagging('bucket', 'k', set), 'InvalidTag', undefined, message);
    expect(await engine.getObjectTagging('bucket', 'k')).toEqual([]);
  });

  it('the limits are inclusive: 10 tags, 128-unit keys and 256-unit values pass (UTF-16 units)', () => {
    expect(() => validateTags(tags(10), 'object')).not.toThrow();
    expect(() => validateTags([{ key: '\u00e9'.repeat(128), value: '\u00e9'.repeat(256) }], 'object')).not.toThrow();
    expect(() => validateTags(tags(50), 'bucket')).not.toThrow();
    expect(() => validateTags(tags(51), 'bucket')).toThrow('Bucket tag count cannot be greater than 50');
  });

  it('an illegal x-amz-tagging fails PutObject and CreateMultipartUpload before anything is written', async () => {
    const { engine } = await withObject();
    await expectS3Error(engine.putObject({ bucket: 'bucket', key: 'new', body: body('x'), tagging: 'aws:x=1' }), 'InvalidTag');
    await expectS3Error(engine.headObject({ bucket: 'bucket', key: 'new' }), 'NoSuchKey');
    await expectS3Error(engine.createMultipartUpload({ bucket: 'bucket', key: 'new', tagging: 'a=1&a=2' }), 'InvalidTag');
    expect((await engine.listMultipartUploads({ bucket: 'bucket' })).uploads).toEqual([]);
    expect(parseTaggingQuery('a+b=c+d')).toEqual([{ key: 'a b', value: 'c d' }]);
  });

  it('a multipart object gets the tags of its CreateMultipartUpload', async () => {
    const { engine } = await withObject();
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'mp', tagging: 'team=storage' });
    const part = await engine.uploadPart({ ...upload, partNumber: 1, body: body('abcd') });
    await engine.completeMultipartUpload({ ...upload, parts: [{ partNumber: 1, etag: part.etag }] });
    expect(await engine.getObjectTagging('bucket', 'mp')).toEqual([{ key: 'team', value: 'storage' }]);
  });

  it('CopyObject keeps the source tags (COPY) or takes new ones (REPLACE), independent of metadata', async () => {
    const { engine } = await withObject('src=1');
    await engine.copyObject({ bucket: 'bucket', key: 'copy', source: { bucket: 'bucket', key: 'k' } });
    expect(await engine.getObjectTagging('bucket', 'copy')).toEqual([{ key: 'src', value: '1' }]);
    await engine.copyObject({ bucket: 'bucket', key: 'copy2', source: { bucket: 'bucket', key: 'k' }, metadataDirective: 'REPLACE', attributes: { tagging: 'ignored=1' } });
    expect(await engine.getObjectTagging('bucket', 'copy2')).toEqual([{ key: 'src', value: '1' }]);
    await engine.copyObject({ bucket: 'bucket', key: 'copy3', source: { bucket: 'bucket', key: 'k' }, taggingDirective: 'REPLACE', tagging: 'new=2' });
    expect(await engine.getObjectTagging('bucket', 'copy3')).toEqual([{ key: 'new', value: '2' }]);
    await engine.copyObject({ bucket: 'bucket', key: 'copy4', source: { bucket: 'bucket', key: 'k' }, taggingDirective: 'REPLACE' });
    expect(await engine.getObjectTagging('bucket', 'copy4')).toEqual([]);
  });
});

describe('bucket tagging', () => {
  it('NoSuchTagSet until set; put replaces, delete removes; 50 tags at most', async () => {
    const { engine } = makeEngine();
    await engine.createBucket('bucket');
    await expectS3Error(engine.getBucketTagging('bucket'), 'NoSuchTagSet', { BucketName: 'bucket' });
    await engine.putBucketTagging('bucket', tags(50));
    expect(await engine.getBucketTagging('bucket')).toEqual(tags(50));
    await expectS3Error(engine.putBucketTagging('bucket', tags(51)), 'InvalidTag');
    expect(await engine.getBucketTagging('bucket')).toHaveLength(50);
    await engine.deleteBucketTagging('bucket');
    await expectS3Error(engine.getBucketTagging('bucket'), 'NoSuchTagSet');
    await expectS3Error(engine.putBucketTagging('nope', []), 'NoSuchBucket');
  });
});

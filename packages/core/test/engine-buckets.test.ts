import { describe, expect, it } from 'vitest';
import { DEFAULT_OWNER } from '@mpu/core';
import { body, expectS3Error, makeEngine, recordKeysOf, TINY_LIMITS } from './engine-helpers.js';

describe('buckets', () => {
  it('creates, heads, lists (name order) and deletes buckets', async () => {
    const { engine, clock } = makeEngine();
    const created = await engine.createBucket('zeta');
    // No owner given (an embedder's own call): the bucket belongs to every signed caller.
    expect(created).toEqual({ name: 'zeta', created: clock.now });
    expect(await engine.createBucket('owned', { owner: DEFAULT_OWNER })).toEqual({ name: 'owned', created: clock.now, owner: DEFAULT_OWNER });
    await engine.deleteBucket('owned');
    await engine.createBucket('alpha');
    expect((await engine.listBuckets()).buckets.map((bucket) => bucket.name)).toEqual(['alpha', 'zeta']);
    expect((await engine.headBucket('alpha')).name).toBe('alpha');
    await engine.deleteBucket('alpha');
    await expectS3Error(engine.headBucket('alpha'), 'NoSuchBucket', { BucketName: 'alpha' });
  });

  it('pages ListBuckets by max-buckets and continuation token, within a prefix', async () => {
    const { engine } = makeEngine();
    for (const name of ['logs-a', 'logs-b', 'logs-c', 'media', 'zz-last']) await engine.createBucket(name);
    const first = await engine.listBuckets({ prefix: 'logs-', maxBuckets: 2 });
    expect(first.buckets.map((b) => b.name)).toEqual(['logs-a', 'logs-b']);
    expect(first.continuationToken).toEqual(expect.any(String));
    const second = await engine.listBuckets({ prefix: 'logs-', maxBuckets: 2, continuationToken: first.continuationToken });
    expect(second).toEqual({ buckets: [expect.objectContaining({ name: 'logs-c' })] });
    // A page that ends exactly at the last bucket is not followed by an empty one.
    expect((await engine.listBuckets({ maxBuckets: 5 })).continuationToken).toBeUndefined();
    expect((await engine.listBuckets()).buckets).toHaveLength(5);
    await expectS3Error(engine.listBuckets({ maxBuckets: 0 }), 'InvalidArgument', { ArgumentName: 'max-buckets' });
    await expectS3Error(engine.listBuckets({ maxBuckets: 10_001 }), 'InvalidArgument', { ArgumentName: 'max-buckets' });
    await expectS3Error(engine.listBuckets({ continuationToken: '!!' }), 'InvalidArgument', { ArgumentName: 'continuation-token' });
  });

  it.each([
    'ab', 'a'.repeat(64), 'Upper', 'under_score', '-leading', 'trailing-', 'two..dots', '192.168.1.1', 'xn--punycode',
    'name-s3alias', 'dot.-hyphen', '',
  ])('rejects the invalid bucket name %j', async (name) => {
    const { engine } = makeEngine();
    await expectS3Error(engine.createBucket(name), 'InvalidBucketName', { BucketName: name });
  });

  it.each(['abc', 'a'.repeat(63), 'my.bucket-1', '1bucket'])('accepts the valid bucket name %j', async (name) => {
    const { engine } = makeEngine();
    await expect(engine.createBucket(name)).resolves.toMatchObject({ name });
  });

  it('answers BucketAlreadyOwnedByYou for a second create', async () => {
    const { engine } = makeEngine();
    await engine.createBucket('bucket');
    await expectS3Error(engine.createBucket('bucket'), 'BucketAlreadyOwnedByYou', { BucketName: 'bucket' });
  });

  it('refuses to delete a bucket holding objects or in-progress uploads, not tombstones', async () => {
    const { engine, store } = makeEngine({ limits: TINY_LIMITS });
    await engine.createBucket('bucket');
    await engine.putObject({ bucket: 'bucket', key: 'k', body: body('x') });
    await expectS3Error(engine.deleteBucket('bucket'), 'BucketNotEmpty', { BucketName: 'bucket' });
    await engine.deleteObject('bucket', 'k');
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'u' });
    await expectS3Error(engine.deleteBucket('bucket'), 'BucketNotEmpty', { BucketName: 'bucket' }, /multipart uploads/);
    const part = await engine.uploadPart({ ...upload, partNumber: 1, body: body('abcd') });
    await engine.completeMultipartUpload({ ...upload, parts: [part] });
    await engine.deleteObject('bucket', 'u');
    // Only the completion tombstone is left; it does not block and goes with the bucket.
    await engine.deleteBucket('bucket');
    expect(await recordKeysOf(store)).toEqual([]);
  });

  it('answers NoSuchBucket from every operation on a missing bucket', async () => {
    const { engine } = makeEngine();
    const ref = { bucket: 'nope', key: 'k', uploadId: 'x' };
    const calls: Promise<unknown>[] = [
      engine.deleteBucket('nope'),
      engine.headBucket('nope'),
      engine.putBucketLifecycle('nope', []),
      engine.getBucketLifecycle('nope'),
      engine.deleteBucketLifecycle('nope'),
      engine.createMultipartUpload({ bucket: 'nope', key: 'k' }),
      engine.uploadPart({ ...ref, partNumber: 1, body: body('x') }),
      engine.uploadPartCopy({ ...ref, partNumber: 1, source: { bucket: 'nope', key: 'k' } }),
      engine.listParts(ref),
      engine.listMultipartUploads({ bucket: 'nope' }),
      engine.completeMultipartUpload({ ...ref, parts: [{ partNumber: 1, etag: 'x' }] }),
      engine.abortMultipartUpload(ref),
      engine.putObject({ bucket: 'nope', key: 'k', body: body('x') }),
      engine.getObject({ bucket: 'nope', key: 'k' }),
      engine.headObject({ bucket: 'nope', key: 'k' }),
      engine.copyObject({ bucket: 'nope', key: 'k', source: { bucket: 'nope', key: 'k' } }),
      engine.deleteObject('nope', 'k'),
      engine.deleteObjects('nope', ['k']),
      engine.listObjects({ bucket: 'nope' }),
      engine.getObjectAttributes({ bucket: 'nope', key: 'k' }),
    ];
    for (const call of calls) await expectS3Error(call, 'NoSuchBucket', { BucketName: 'nope' });
  });
});

describe('bucket lifecycle', () => {
  it('stores, returns and deletes rules; NoSuchLifecycleConfiguration when none', async () => {
    const { engine } = makeEngine();
    await engine.createBucket('bucket');
    await expectS3Error(engine.getBucketLifecycle('bucket'), 'NoSuchLifecycleConfiguration', { BucketName: 'bucket' });
    const rules = [
      { id: 'abort-7d', status: 'Enabled' as const, prefix: 'uploads/', abortIncompleteDaysAfterInitiation: 7 },
      { id: 'off', status: 'Disabled' as const, prefix: '', abortIncompleteDaysAfterInitiation: 1 },
    ];
    await engine.putBucketLifecycle('bucket', rules);
    expect(await engine.getBucketLifecycle('bucket')).toEqual(rules);
    await engine.deleteBucketLifecycle('bucket');
    await expectS3Error(engine.getBucketLifecycle('bucket'), 'NoSuchLifecycleConfiguration');
  });

  it('reports abortDate (initiation + days, rounded up to 00:00 UTC) and rule id at Create and ListParts', async () => {
    const { engine } = makeEngine();
    await engine.createBucket('bucket');
    await engine.putBucketLifecycle('bucket', [
      { id: 'abort-7d', status: 'Enabled', prefix: 'uploads/', abortIncompleteDaysAfterInitiation: 7 },
      { id: 'abort-3d', status: 'Enabled', prefix: 'uploads/fast/', abortIncompleteDaysAfterInitiation: 3 },
      { id: 'disabled', status: 'Disabled', prefix: '', abortIncompleteDaysAfterInitiation: 1 },
    ]);
    // Clock: 2026-01-31T12:00Z → +7 d = 2026-02-07T12:00Z → rounded up to 2026-02-08T00:00Z.
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'uploads/a' });
    expect(upload.abortDate).toEqual(new Date('2026-02-08T00:00:00.000Z'));
    expect(upload.abortRuleId).toBe('abort-7d');
    const listed = await engine.listParts(upload);
    expect(listed.upload.abortDate).toEqual(new Date('2026-02-08T00:00:00.000Z'));
    expect(listed.upload.abortRuleId).toBe('abort-7d');
    // The earliest matching rule wins.
    const fast = await engine.createMultipartUpload({ bucket: 'bucket', key: 'uploads/fast/b' });
    expect(fast.abortDate).toEqual(new Date('2026-02-04T00:00:00.000Z'));
    expect(fast.abortRuleId).toBe('abort-3d');
    // No enabled rule matches: no abort date.
    const other = await engine.createMultipartUpload({ bucket: 'bucket', key: 'elsewhere' });
    expect(other.abortDate).toBeUndefined();
    expect(other.abortRuleId).toBeUndefined();
  });

  it('applyLifecycle aborts exactly the eligible uploads and frees their parts', async () => {
    const { engine, store, clock } = makeEngine({ limits: TINY_LIMITS });
    await engine.createBucket('bucket');
    await engine.putBucketLifecycle('bucket', [{ id: 'r', status: 'Enabled', prefix: 'tmp/', abortIncompleteDaysAfterInitiation: 1 }]);
    const doomed = await engine.createMultipartUpload({ bucket: 'bucket', key: 'tmp/x' });
    await engine.uploadPart({ ...doomed, partNumber: 1, body: body('abcd') });
    const kept = await engine.createMultipartUpload({ bucket: 'bucket', key: 'keep/x' });
    // Eligible at 2026-02-02T00:00Z: not yet one second before.
    expect(await engine.applyLifecycle(new Date('2026-02-01T23:59:59.000Z'))).toBe(0);
    clock.now = new Date('2026-02-02T00:00:00.000Z');
    expect(await engine.applyLifecycle()).toBe(1);
    await expectS3Error(engine.listParts(doomed), 'NoSuchUpload', { UploadId: doomed.uploadId });
    expect((await engine.listParts(kept)).parts).toEqual([]);
    expect((await recordKeysOf(store)).filter((key) => key.includes(doomed.uploadId))).toEqual([]);
  });
});

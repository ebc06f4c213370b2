import { describe, expect, it } from 'vitest';
import {
  InvalidLimitsError, LIMIT_PROFILES, MemoryStore, MultipartEngine, createUploadId, defineLimits, isUploadId, uploadIdTime,
} from '@mpu/core';
import { body, expectS3Error, makeEngine } from './engine-helpers.js';

describe('limits', () => {
  it('aws and scaleway profiles carry the documented values', () => {
    expect(LIMIT_PROFILES.aws).toEqual({
      name: 'aws',
      maxPartNumber: 10_000,
      maxPartSize: 5 * 1024 ** 3,
      minPartSize: 5 * 1024 ** 2,
      maxObjectSize: 5 * 1024 ** 4,
      maxPutObjectSize: 5 * 1024 ** 3,
      maxKeyBytes: 1024,
      maxMetadataBytes: 2048,
      maxListPage: 1000,
    });
    expect(LIMIT_PROFILES.scaleway).toEqual({ ...LIMIT_PROFILES.aws, name: 'scaleway', maxPartNumber: 1000 });
  });

  it('the scaleway profile rejects part 1001 at UploadPart', async () => {
    const { engine } = makeEngine({ limits: 'scaleway' });
    await engine.createBucket('bucket');
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'k' });
    await expectS3Error(engine.uploadPart({ ...upload, partNumber: 1001, body: body('x') }), 'InvalidArgument', { ArgumentValue: '1001' }, /between 1 and 1000,/);
  });

  it.each([
    [{ minPartSize: 10, maxPartSize: 5 }, 'minPartSize'],
    [{ maxPartNumber: 0 }, 'maxPartNumber'],
    [{ maxPartNumber: 10_001 }, 'maxPartNumber'],
    [{ maxPartSize: 1.5 }, 'maxPartSize'],
    [{ maxObjectSize: 10, maxPartSize: 20, minPartSize: 1 }, 'maxPartSize'],
    [{ maxKeyBytes: 0 }, 'maxKeyBytes'],
    [{ maxListPage: -1 }, 'maxListPage'],
  ])('defineLimits(%j) throws naming %s', (overrides, limit) => {
    expect(() => defineLimits(overrides)).toThrow(InvalidLimitsError);
    expect(() => defineLimits(overrides)).toThrow(limit);
  });

  it('validates custom limits and unknown profile names at engine construction', () => {
    const store = new MemoryStore();
    expect(() => new MultipartEngine({ store, limits: { ...LIMIT_PROFILES.aws, minPartSize: -1 } })).toThrow(InvalidLimitsError);
    expect(() => new MultipartEngine({ store, limits: 'nope' as 'aws' })).toThrow(/not one of aws, scaleway/);
    expect(new MultipartEngine({ store, limits: defineLimits({ maxPartNumber: 5 }) }).limits.maxPartNumber).toBe(5);
  });

  it('refuses a store whose record keys cannot hold object keys', () => {
    const store = new MemoryStore();
    Object.defineProperty(store, 'capabilities', { value: { ...store.capabilities, maxRecordKeyBytes: 50 } });
    expect(() => new MultipartEngine({ store })).toThrow(/cannot hold object keys/);
  });
});

describe('upload ids', () => {
  it('are URL-safe, carry ≥128 random bits and their creation time, and sort by it', () => {
    const early = createUploadId(new Date('2026-01-01T00:00:00.000Z'));
    const late = createUploadId(new Date('2026-01-01T00:00:00.001Z'));
    for (const id of [early, late]) {
      expect(id).toMatch(/^[0-9a-f]{12}[A-Za-z0-9_-]{22}$/);
      expect(encodeURIComponent(id)).toBe(id);
      expect(isUploadId(id)).toBe(true);
    }
    expect(early < late).toBe(true);
    expect(uploadIdTime(late)).toEqual(new Date('2026-01-01T00:00:00.001Z'));
    expect(uploadIdTime('not-an-id')).toBeUndefined();
    const many = new Set(Array.from({ length: 1000 }, () => createUploadId(new Date(0))));
    expect(many.size).toBe(1000);
  });

  it('the engine issues ids that carry the initiation time', async () => {
    const { engine, clock } = makeEngine();
    await engine.createBucket('bucket');
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'k' });
    expect(uploadIdTime(upload.uploadId)).toEqual(clock.now);
    expect(upload.initiated).toEqual(clock.now);
  });

  it('a custom idGenerator must return a non-empty id without "/"', async () => {
    for (const bad of ['', 'a/b']) {
      const { engine } = makeEngine({ idGenerator: () => bad });
      await engine.createBucket('bucket');
      await expect(engine.createMultipartUpload({ bucket: 'bucket', key: 'k' })).rejects.toThrow(TypeError);
    }
  });

  it('a custom idGenerator that collides gets retried', async () => {
    const ids = ['same', 'same', 'other'];
    const { engine } = makeEngine({ idGenerator: () => ids.shift()! });
    await engine.createBucket('bucket');
    expect((await engine.createMultipartUpload({ bucket: 'bucket', key: 'a' })).uploadId).toBe('same');
    expect((await engine.createMultipartUpload({ bucket: 'bucket', key: 'b' })).uploadId).toBe('other');
  });
});

describe('CreateMultipartUpload checksum settings (§1.1)', () => {
  it('validates algorithm/type combinations and applies defaults', async () => {
    const { engine } = makeEngine();
    await engine.createBucket('bucket');
    const create = (checksumAlgorithm?: string, checksumType?: string) =>
      engine.createMultipartUpload({ bucket: 'bucket', key: 'k', checksumAlgorithm: checksumAlgorithm as 'CRC32', checksumType: checksumType as 'COMPOSITE' });
    await expectS3Error(create(undefined, 'COMPOSITE'), 'InvalidRequest', {}, 'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
    await expectS3Error(create('CRC32', 'WHOLE'), 'InvalidRequest', {}, 'Value for x-amz-checksum-type header is invalid.');
    await expectS3Error(create('SHA256', 'FULL_OBJECT'), 'InvalidRequest', {}, 'The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm.');
    await expectS3Error(create('CRC64NVME', 'COMPOSITE'), 'InvalidRequest');
    await expectS3Error(create('CRC16'), 'InvalidRequest');
    const notImplemented = await expectS3Error(create('XXHASH64'), 'NotImplemented', { Header: 'x-amz-checksum-xxhash64' });
    expect(notImplemented.status).toBe(501);
    await expectS3Error(
      engine.uploadPart({ ...(await create()), partNumber: 1, body: body('x'), expect: { checksumAlgorithm: 'SHA512' as 'SHA256', checksum: 'AAAA' } }),
      'NotImplemented',
    );
    expect(await create('CRC64NVME')).toMatchObject({ checksumAlgorithm: 'CRC64NVME', checksumType: 'FULL_OBJECT' });
    expect(await create('CRC32')).toMatchObject({ checksumAlgorithm: 'CRC32', checksumType: 'COMPOSITE' });
    expect(await create('SHA1')).toMatchObject({ checksumAlgorithm: 'SHA1', checksumType: 'COMPOSITE' });
    const plain = await create();
    expect(plain.checksumAlgorithm).toBeUndefined();
    expect(plain.checksumType).toBeUndefined();
  });

  it('records owner, storage class and content headers for the final object', async () => {
    const { engine } = makeEngine({ owner: { id: 'me', displayName: 'Me' }, limits: defineLimits({ minPartSize: 1 }) });
    await engine.createBucket('bucket');
    const upload = await engine.createMultipartUpload({
      bucket: 'bucket', key: 'k', storageClass: 'GLACIER', contentType: 'image/png', contentEncoding: 'gzip', metadata: { a: 'b' },
    });
    expect(upload).toMatchObject({ owner: { id: 'me', displayName: 'Me' }, storageClass: 'GLACIER' });
    const part = await engine.uploadPart({ ...upload, partNumber: 1, body: body('x') });
    await engine.completeMultipartUpload({ ...upload, parts: [part] });
    expect((await engine.headObject({ bucket: 'bucket', key: 'k' })).object).toMatchObject({
      storageClass: 'GLACIER', contentType: 'image/png', contentEncoding: 'gzip', metadata: { a: 'b' },
    });
  });
});

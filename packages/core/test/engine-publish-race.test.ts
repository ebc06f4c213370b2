import { describe, expect, it } from 'vitest';
import { type DataHandle, MemoryStore, MultipartEngine, type PartRef, UnknownHandleError } from '@mpu/core';
import { body, collect, expectS3Error, recordKeysOf, TINY_LIMITS } from './engine-helpers.js';

/** Runs `hook` once, right after the first `assemble`: a write landing between Complete's validation and its publish. */
class HookedStore extends MemoryStore {
  hook: (() => Promise<void>) | undefined;
  readonly handles = new Map<string, DataHandle>();
  override async assemble(upload: string, parts: readonly PartRef[]): Promise<DataHandle> {
    const handle = await super.assemble(upload, parts);
    this.handles.set(upload, handle);
    const hook = this.hook;
    this.hook = undefined;
    await hook?.();
    return handle;
  }
}

async function setup() {
  const store = new HookedStore();
  const engine = new MultipartEngine({ store, limits: TINY_LIMITS });
  await engine.createBucket('bucket');
  const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'key' });
  const part = await engine.uploadPart({ ...upload, partNumber: 1, body: body('from-upload') });
  const read = async () => (await collect((await engine.getObject({ bucket: 'bucket', key: 'key' })).body)).toString();
  return { store, engine, upload, parts: [{ partNumber: 1, etag: part.etag }], read };
}

describe('a write to the key between Complete validation and publish', () => {
  it('conditional Complete: ConditionalRequestConflict (409), the upload is aborted and freed', async () => {
    const { store, engine, upload, parts, read } = await setup();
    store.hook = async () => {
      await engine.putObject({ bucket: 'bucket', key: 'key', body: body('racer') });
    };
    const error = await expectS3Error(
      engine.completeMultipartUpload({ ...upload, parts, conditions: { ifNoneMatch: '*' } }),
      'ConditionalRequestConflict',
      { Key: 'key' },
    );
    expect(error.status).toBe(409);
    expect(await read()).toBe('racer');
    await expectS3Error(engine.listParts(upload), 'NoSuchUpload');
    expect((await recordKeysOf(store)).filter((key) => key.includes(upload.uploadId))).toEqual([]);
    await expect(collect(store.read(store.handles.get(upload.uploadId)!))).rejects.toThrow(UnknownHandleError);
  });

  it('unconditional Complete: succeeds, linearised just before the racing write, which stays visible', async () => {
    const { store, engine, upload, parts, read } = await setup();
    store.hook = async () => {
      await engine.putObject({ bucket: 'bucket', key: 'key', body: body('racer') });
    };
    const result = await engine.completeMultipartUpload({ ...upload, parts });
    expect(result.etag).toMatch(/-1"$/);
    expect(await read()).toBe('racer');
    // The superseded object's data is freed; a retry replays the same result.
    await expect(collect(store.read(store.handles.get(upload.uploadId)!))).rejects.toThrow(UnknownHandleError);
    expect(await engine.completeMultipartUpload({ ...upload, parts })).toEqual(result);
    // A Complete after the race (fresh upload) replaces the racer as usual.
    const next = await engine.createMultipartUpload({ bucket: 'bucket', key: 'key' });
    const part = await engine.uploadPart({ ...next, partNumber: 1, body: body('later') });
    await engine.completeMultipartUpload({ ...next, parts: [{ partNumber: 1, etag: part.etag }] });
    expect(await read()).toBe('later');
  });

  it('If-Match Complete whose target is deleted meanwhile: ConditionalRequestConflict', async () => {
    const { store, engine, upload, parts } = await setup();
    const existing = await engine.putObject({ bucket: 'bucket', key: 'key', body: body('target') });
    store.hook = async () => { await engine.deleteObject('bucket', 'key'); };
    await expectS3Error(engine.completeMultipartUpload({ ...upload, parts, conditions: { ifMatch: existing.etag } }), 'ConditionalRequestConflict');
    await expectS3Error(engine.getObject({ bucket: 'bucket', key: 'key' }), 'NoSuchKey');
  });
});

describe('getObjectAttributes', () => {
  it('pages the parts of a multipart object; single-part objects have no parts', async () => {
    const { engine } = await setup();
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'mp' });
    const parts = [];
    for (const n of [1, 2, 4, 7, 9]) parts.push(await engine.uploadPart({ ...upload, partNumber: n, body: body(`part${n}`) }));
    await engine.completeMultipartUpload({ ...upload, parts: parts.map(({ partNumber, etag }) => ({ partNumber, etag })) });
    const first = await engine.getObjectAttributes({ bucket: 'bucket', key: 'mp', maxParts: 2 });
    expect(first.object.partsCount).toBe(5);
    expect(first.parts).toEqual({
      totalPartsCount: 5, partNumberMarker: 0, nextPartNumberMarker: 2, maxParts: 2, isTruncated: true,
      parts: [{ partNumber: 1, size: 5, checksums: {} }, { partNumber: 2, size: 5, checksums: {} }],
    });
    const rest = await engine.getObjectAttributes({ bucket: 'bucket', key: 'mp', maxParts: 10, partNumberMarker: 2 });
    expect(rest.parts?.parts.map((part) => part.partNumber)).toEqual([4, 7, 9]);
    expect(rest.parts).toMatchObject({ isTruncated: false, nextPartNumberMarker: 9 });
    await engine.putObject({ bucket: 'bucket', key: 'single', body: body('x') });
    expect((await engine.getObjectAttributes({ bucket: 'bucket', key: 'single' })).parts).toBeUndefined();
    await expectS3Error(engine.getObjectAttributes({ bucket: 'bucket', key: 'nope' }), 'NoSuchKey');
  });
});

describe('expireIncompleteUploads', () => {
  it('aborts only uploads initiated before the cut-off, across buckets', async () => {
    let now = Date.parse('2026-01-31T12:00:00.000Z');
    const store = new MemoryStore();
    const engine = new MultipartEngine({ store, limits: TINY_LIMITS, clock: () => new Date(now) });
    await engine.createBucket('one');
    await engine.createBucket('two');
    const old1 = await engine.createMultipartUpload({ bucket: 'one', key: 'a' });
    await engine.uploadPart({ ...old1, partNumber: 1, body: body('data') });
    const old2 = await engine.createMultipartUpload({ bucket: 'two', key: 'b' });
    now += 3600_000;
    const fresh = await engine.createMultipartUpload({ bucket: 'one', key: 'c' });
    expect(await engine.expireIncompleteUploads(new Date(now - 1000))).toBe(2);
    for (const upload of [old1, old2]) await expectS3Error(engine.listParts(upload), 'NoSuchUpload');
    expect((await engine.listParts(fresh)).parts).toEqual([]);
    expect(await engine.expireIncompleteUploads(new Date(now - 1000))).toBe(0);
    expect(await recordKeysOf(store, 'part/')).toEqual([]);
  });
});

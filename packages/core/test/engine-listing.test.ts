import { describe, expect, it } from 'vitest';
import type { MultipartEngine } from '@mpu/core';
import { body, expectS3Error, makeEngine, TINY_LIMITS } from './engine-helpers.js';

async function setup() {
  const made = makeEngine({ limits: TINY_LIMITS });
  await made.engine.createBucket('bucket');
  return made;
}

async function putAll(engine: MultipartEngine, keys: string[]) {
  for (const key of keys) await engine.putObject({ bucket: 'bucket', key, body: body(key) });
}

/** Follows continuation tokens until the end, returning every page's entries. */
async function pages(engine: MultipartEngine, input: { prefix?: string; delimiter?: string; maxKeys: number; startAfter?: string }) {
  const entries: string[][] = [];
  let token: string | undefined;
  for (;;) {
    const page = await engine.listObjects({ bucket: 'bucket', ...input, ...(token ? { continuationToken: token } : {}) });
    entries.push([...page.objects.map((object) => object.key), ...page.commonPrefixes.map((prefix) => `[${prefix}]`)]);
    if (!page.isTruncated) return entries;
    token = page.nextContinuationToken;
    expect(token).toBeTypeOf('string');
  }
}

describe('listObjects', () => {
  it('lists in UTF-8 byte order (astral after U+FFFD), unlike UTF-16 order', async () => {
    const { engine } = await setup();
    const keys = ['\u{1F600}', '\uFFFD', 'b', 'a', 'A', 'é'];
    await putAll(engine, keys);
    const listed = (await engine.listObjects({ bucket: 'bucket' })).objects.map((object) => object.key);
    expect(listed).toEqual(['A', 'a', 'b', 'é', '\uFFFD', '\u{1F600}']);
    expect(['\u{1F600}', '\uFFFD'].sort()).toEqual(['\u{1F600}', '\uFFFD']); // JS order differs
  });

  it('pages with maxKeys and opaque tokens, with no gap or duplicate', async () => {
    const { engine } = await setup();
    const keys = Array.from({ length: 7 }, (_, i) => `k${i}`);
    await putAll(engine, keys);
    expect(await pages(engine, { maxKeys: 3 })).toEqual([['k0', 'k1', 'k2'], ['k3', 'k4', 'k5'], ['k6']]);
    expect(await pages(engine, { maxKeys: 7 })).toEqual([keys]);
    const first = await engine.listObjects({ bucket: 'bucket', maxKeys: 2 });
    expect(first).toMatchObject({ isTruncated: true, nextMarker: 'k1', maxKeys: 2 });
  });

  it('filters by prefix and starts after a key', async () => {
    const { engine } = await setup();
    await putAll(engine, ['a/1', 'a/2', 'b/1', 'ab']);
    expect((await engine.listObjects({ bucket: 'bucket', prefix: 'a/' })).objects.map((o) => o.key)).toEqual(['a/1', 'a/2']);
    expect((await engine.listObjects({ bucket: 'bucket', startAfter: 'a/2' })).objects.map((o) => o.key)).toEqual(['ab', 'b/1']);
  });

  it('groups common prefixes, counts them toward maxKeys and never repeats them across pages', async () => {
    const { engine } = await setup();
    await putAll(engine, ['a/1', 'a/2', 'a/3/x', 'b', 'c/1', 'c/2', 'd']);
    const all = await engine.listObjects({ bucket: 'bucket', delimiter: '/' });
    expect(all.objects.map((o) => o.key)).toEqual(['b', 'd']);
    expect(all.commonPrefixes).toEqual(['a/', 'c/']);
    expect(await pages(engine, { delimiter: '/', maxKeys: 1 })).toEqual([['[a/]'], ['b'], ['[c/]'], ['d']]);
    expect(await pages(engine, { delimiter: '/', prefix: 'a/', maxKeys: 2 })).toEqual([['a/1', 'a/2'], ['[a/3/]']]);
    // V1 marker on a common prefix skips the whole prefix.
    expect((await engine.listObjects({ bucket: 'bucket', delimiter: '/', startAfter: 'a/' })).commonPrefixes).toEqual(['c/']);
  });

  it('rejects a bad continuation token and bad max-keys', async () => {
    const { engine } = await setup();
    await expectS3Error(engine.listObjects({ bucket: 'bucket', continuationToken: '!!' }), 'InvalidArgument', { ArgumentName: 'continuation-token' });
    await expectS3Error(engine.listObjects({ bucket: 'bucket', maxKeys: -1 }), 'InvalidArgument', { ArgumentName: 'max-keys' });
    await putAll(engine, ['x']);
    // max-keys=0: an empty page that is not truncated, even though the bucket holds a key.
    expect(await engine.listObjects({ bucket: 'bucket', maxKeys: 0 })).toEqual({ objects: [], commonPrefixes: [], isTruncated: false, maxKeys: 0 });
    expect((await engine.listObjects({ bucket: 'bucket', maxKeys: 5000 })).maxKeys).toBe(1000);
  });
});

describe('listParts', () => {
  it('pages by part number marker; NextPartNumberMarker is the last listed', async () => {
    const { engine } = await setup();
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'k', checksumAlgorithm: 'CRC32C', checksumType: 'FULL_OBJECT' });
    for (const n of [2, 4, 6, 8, 10, 12]) await engine.uploadPart({ ...upload, partNumber: n, body: body(`p${n}`) });
    const first = await engine.listParts({ ...upload, maxParts: 4 });
    expect(first.parts.map((part) => part.partNumber)).toEqual([2, 4, 6, 8]);
    expect(first).toMatchObject({ isTruncated: true, nextPartNumberMarker: 8, partNumberMarker: 0, maxParts: 4 });
    expect(first.upload).toMatchObject({ key: 'k', checksumAlgorithm: 'CRC32C', checksumType: 'FULL_OBJECT', storageClass: 'STANDARD', owner: { id: 'mpu' } });
    const second = await engine.listParts({ ...upload, maxParts: 4, partNumberMarker: first.nextPartNumberMarker });
    expect(second.parts.map((part) => part.partNumber)).toEqual([10, 12]);
    expect(second).toMatchObject({ isTruncated: false, nextPartNumberMarker: 12, partNumberMarker: 8 });
    expect((await engine.listParts({ ...upload, partNumberMarker: 5 })).parts.map((part) => part.partNumber)).toEqual([6, 8, 10, 12]);
    expect((await engine.listParts({ ...upload, partNumberMarker: 12 })).parts).toEqual([]);
    expect((await engine.listParts({ ...upload, partNumberMarker: 999_999 })).parts).toEqual([]);
    // The computed CRC32C of a FULL_OBJECT upload is reported even though the client sent none.
    expect(first.parts[0]!.checksums.CRC32C).toBeTypeOf('string');
  });

  it('rejects bad max-parts / part-number-marker and unknown uploads', async () => {
    const { engine } = await setup();
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'k' });
    await expectS3Error(engine.listParts({ ...upload, maxParts: -1 }), 'InvalidArgument', { ArgumentName: 'max-parts' }, 'Argument max-parts must be an integer between 0 and 2147483647');
    await expectS3Error(engine.listParts({ ...upload, partNumberMarker: 1.5 }), 'InvalidArgument', { ArgumentName: 'part-number-marker' });
    await expectS3Error(engine.listParts({ ...upload, uploadId: 'nope' }), 'NoSuchUpload', { UploadId: 'nope' });
    expect((await engine.listParts({ ...upload, maxParts: 5000 })).maxParts).toBe(1000);
  });
});

describe('listMultipartUploads', () => {
  it('sorts by key bytes, then initiation; excludes finished uploads', async () => {
    const { engine, clock } = await setup();
    const created = [];
    for (const key of ['b', 'a', 'b', '\u{1F600}', '\uFFFD']) {
      clock.now = new Date(clock.now.getTime() + 1000);
      created.push(await engine.createMultipartUpload({ bucket: 'bucket', key }));
    }
    const finished = await engine.createMultipartUpload({ bucket: 'bucket', key: 'a' });
    await engine.abortMultipartUpload(finished);
    const listed = await engine.listMultipartUploads({ bucket: 'bucket' });
    expect(listed.uploads.map((upload) => [upload.key, upload.uploadId])).toEqual([
      ['a', created[1]!.uploadId],
      ['b', created[0]!.uploadId],
      ['b', created[2]!.uploadId],
      ['\uFFFD', created[4]!.uploadId],
      ['\u{1F600}', created[3]!.uploadId],
    ]);
    expect(listed).toMatchObject({ isTruncated: false, maxUploads: 1000, commonPrefixes: [] });
    expect(listed.uploads[0]!.initiated).toEqual(created[1]!.initiated);
  });

  it('pages with key-marker + upload-id-marker without gaps or duplicates', async () => {
    const { engine, clock } = await setup();
    const ids: string[] = [];
    for (const key of ['a', 'a', 'a', 'b', 'c']) {
      clock.now = new Date(clock.now.getTime() + 1000);
      ids.push((await engine.createMultipartUpload({ bucket: 'bucket', key })).uploadId);
    }
    const seen: string[] = [];
    let markers: { keyMarker?: string; uploadIdMarker?: string } = {};
    for (;;) {
      const page = await engine.listMultipartUploads({ bucket: 'bucket', maxUploads: 2, ...markers });
      seen.push(...page.uploads.map((upload) => upload.uploadId));
      if (!page.isTruncated) break;
      markers = { keyMarker: page.nextKeyMarker!, uploadIdMarker: page.nextUploadIdMarker! };
    }
    expect(seen).toEqual(ids);
    // key-marker alone: keys strictly after it.
    expect((await engine.listMultipartUploads({ bucket: 'bucket', keyMarker: 'a' })).uploads.map((upload) => upload.key)).toEqual(['b', 'c']);
    // upload-id-marker without key-marker is ignored.
    expect((await engine.listMultipartUploads({ bucket: 'bucket', uploadIdMarker: ids[0]! })).uploads).toHaveLength(5);
  });

  it('answers InvalidArgument for an unknown upload-id-marker and bad max-uploads', async () => {
    const { engine } = await setup();
    await engine.createMultipartUpload({ bucket: 'bucket', key: 'a' });
    await expectS3Error(engine.listMultipartUploads({ bucket: 'bucket', keyMarker: 'a', uploadIdMarker: 'bogus' }), 'InvalidArgument', { ArgumentName: 'upload-id-marker' }, 'Invalid uploadId marker');
    await expectS3Error(engine.listMultipartUploads({ bucket: 'bucket', maxUploads: -5 }), 'InvalidArgument', { ArgumentName: 'max-uploads' });
  });

  it('groups by delimiter; a common prefix counts as one entry and is not repeated after the marker', async () => {
    const { engine } = await setup();
    for (const key of ['photos/2026/a', 'photos/2026/b', 'photos/2025/c', 'photos/top', 'videos/x', 'zzz']) {
      await engine.createMultipartUpload({ bucket: 'bucket', key });
    }
    const all = await engine.listMultipartUploads({ bucket: 'bucket', delimiter: '/' });
    expect(all.commonPrefixes).toEqual(['photos/', 'videos/']);
    expect(all.uploads.map((upload) => upload.key)).toEqual(['zzz']);
    const inside = await engine.listMultipartUploads({ bucket: 'bucket', prefix: 'photos/', delimiter: '/' });
    expect(inside.commonPrefixes).toEqual(['photos/2025/', 'photos/2026/']);
    expect(inside.uploads.map((upload) => upload.key)).toEqual(['photos/top']);
    const first = await engine.listMultipartUploads({ bucket: 'bucket', delimiter: '/', maxUploads: 1 });
    expect(first).toMatchObject({ commonPrefixes: ['photos/'], uploads: [], isTruncated: true, nextKeyMarker: 'photos/' });
    expect(first.nextUploadIdMarker).toBeUndefined();
    const second = await engine.listMultipartUploads({ bucket: 'bucket', delimiter: '/', maxUploads: 1, keyMarker: 'photos/' });
    expect(second.commonPrefixes).toEqual(['videos/']);
  });
});

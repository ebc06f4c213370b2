import { type BlobStore, type Engine, MultipartEngine } from '@mpu/core';
import { expect } from 'vitest';
import {
  type EngineSuiteContext, bodyOf, bytes, expectS3Error, partEtagOf, readBody,
} from './engine-suite-context.js';

/**
 * S3 object versioning (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html):
 * version ids on writes, delete markers, the null version, reads/deletes/copies by version,
 * ListObjectVersions paging — and the crash and race cases of publishing in a versioned bucket.
 */

async function put(engine: Engine, bucket: string, key: string, data: Buffer) {
  return engine.putObject({ bucket, key, body: bodyOf(data) });
}

async function bodyAt(engine: Engine, bucket: string, key: string, versionId?: string): Promise<Buffer> {
  return readBody((await engine.getObject({ bucket, key, ...(versionId !== undefined ? { versionId } : {}) })).body);
}

/** Every entry of ListObjectVersions as `key versionId latest? marker?`, paging with `maxKeys`. */
async function listAll(engine: Engine, bucket: string, options: { prefix?: string; delimiter?: string; maxKeys?: number } = {}) {
  const rows: string[] = [];
  const prefixes: string[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result = await engine.listObjectVersions({ bucket, ...options, ...(keyMarker !== undefined ? { keyMarker } : {}), ...(versionIdMarker !== undefined ? { versionIdMarker } : {}) });
    for (const entry of result.entries) {
      const e = entry.kind === 'version' ? entry.version : entry.marker;
      rows.push(`${e.key} ${e.versionId}${e.isLatest ? ' latest' : ''}${entry.kind === 'deleteMarker' ? ' marker' : ''}`);
    }
    prefixes.push(...result.commonPrefixes);
    if (!result.isTruncated) return { rows, prefixes };
    keyMarker = result.nextKeyMarker;
    versionIdMarker = result.nextVersionIdMarker;
  }
  throw new Error('listing did not end');
}

/** Simple multipart upload of one part, ready to complete. */
async function readyUpload(engine: Engine, bucket: string, key: string, data: Buffer) {
  const { uploadId } = await engine.createMultipartUpload({ bucket, key });
  const { etag } = await engine.uploadPart({ bucket, key, uploadId, partNumber: 1, body: bodyOf(data) });
  return { bucket, key, uploadId, parts: [{ partNumber: 1, etag }] };
}

/**
 * The store with one fault armed: the first write of a current object record (`object/…`)
 * throws, as if the process died between writing the version record and swapping the current
 * record. Methods are bound to the real store (private fields).
 */
function crashBeforeSwap(store: BlobStore): BlobStore {
  let armed = true;
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === 'writeRecord') {
        return (key: string, ...rest: unknown[]) => {
          if (armed && key.startsWith('object/')) {
            armed = false;
            return Promise.reject(new Error('simulated crash before the current record swap'));
          }
          return (value as (...args: unknown[]) => Promise<string>).call(target, key, ...rest);
        };
      }
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export function versioningTests({ test, withEngine }: EngineSuiteContext): void {
  test('engine/versioning-status', 'GetBucketVersioning: unset, then Enabled and Suspended as put', () =>
    withEngine('aws', async ({ engine, bucket }) => {
      expect(await engine.getBucketVersioning(bucket)).toBeUndefined();
      await engine.putBucketVersioning(bucket, 'Enabled');
      expect(await engine.getBucketVersioning(bucket)).toBe('Enabled');
      await engine.putBucketVersioning(bucket, 'Suspended');
      expect(await engine.getBucketVersioning(bucket)).toBe('Suspended');
      await expectS3Error(engine.putBucketVersioning('no-such-bucket', 'Enabled'), 'NoSuchBucket');
    }));

  test('engine/versioning-unversioned-unchanged', 'an unversioned bucket reports no version ids and lists objects as the null version', () =>
    withEngine('aws', async ({ engine, bucket }) => {
      const result = await put(engine, bucket, 'k', bytes(10, 1));
      expect(result.versionId).toBeUndefined();
      await put(engine, bucket, 'k', bytes(10, 2));
      expect((await engine.headObject({ bucket, key: 'k' })).object.versionId).toBeUndefined();
      expect((await bodyAt(engine, bucket, 'k', 'null')).equals(bytes(10, 2))).toBe(true);
      expect((await engine.deleteObject(bucket, 'k')).deleteMarker).toBeUndefined();
      expect((await listAll(engine, bucket)).rows).toEqual([]);
    }));

  test('engine/versioning-put-keeps-versions', 'PutObject in an Enabled bucket: new version ids, older versions stay readable', () =>
    withEngine('aws', async ({ engine, bucket }) => {
      await engine.putBucketVersioning(bucket, 'Enabled');
      const v1 = await put(engine, bucket, 'k', bytes(100, 1));
      const v2 = await put(engine, bucket, 'k', bytes(200, 2));
      expect(v1.versionId).toMatch(/^[0-9a-f]{12}[A-Za-z0-9_-]{22}$/);
      expect(v2.versionId).toMatch(/^[0-9a-f]{12}[A-Za-z0-9_-]{22}$/);
      expect(v2.versionId).not.toBe(v1.versionId);
      expect((await bodyAt(engine, bucket, 'k')).equals(bytes(200, 2))).toBe(true);
      expect((await bodyAt(engine, bucket, 'k', v1.versionId)).equals(bytes(100, 1))).toBe(true);
      const head = await engine.headObject({ bucket, key: 'k', versionId: v1.versionId! });
      expect(head.object.versionId).toBe(v1.versionId);
      expect(head.object.etag).toBe(partEtagOf(bytes(100, 1)));
      expect((await engine.getObjectAttributes({ bucket, key: 'k', versionId: v1.versionId! })).object.size).toBe(100);
      expect((await listAll(engine, bucket)).rows).toEqual([`k ${v2.versionId} latest`, `k ${v1.versionId}`]);
      // ListObjects still shows one object, the current version.
      const listed = await engine.listObjects({ bucket });
      expect(listed.objects.map((o) => [o.key, o.size])).toEqual([['k', 200]]);
    }));

  test('engine/versioning-delete-marker', 'DELETE in an Enabled bucket writes a delete marker; deleting the marker restores the object', () =>
    withEngine('aws', async ({ engine, bucket }) => {
      await engine.putBucketVersioning(bucket, 'Enabled');
      const v1 = await put(engine, bucket, 'k', bytes(10, 1));
      const deleted = await engine.deleteObject(bucket, 'k');
      expect(deleted.deleteMarker).toBe(true);
      expect(deleted.versionId).toMatch(/^[0-9a-f]{12}/);
      const error = await expectS3Error(engine.getObject({ bucket, key: 'k' }), 'NoSuchKey');
      expect((error as unknown as { versionId?: string }).versionId).toBe(deleted.versionId);
      await expectS3Error(engine.headObject({ bucket, key: 'k', versionId: deleted.versionId! }), 'MethodNotAllowed');
      expect((await engine.listObjects({ bucket })).objects).toEqual([]);
      expect((await listAll(engine, bucket)).rows).toEqual([`k ${deleted.versionId} latest marker`, `k ${v1.versionId}`]);
      // The bucket is not empty while versions remain.
      await expectS3Error(engine.deleteBucket(bucket), 'BucketNotEmpty');
      const undone = await engine.deleteObject(bucket, 'k', { versionId: deleted.versionId! });
      expect(undone).toEqual({ versionId: deleted.versionId, deleteMarker: true });
      expect((await bodyAt(engine, bucket, 'k')).equals(bytes(10, 1))).toBe(true);
      expect((await listAll(engine, bucket)).rows).toEqual([`k ${v1.versionId} latest`]);
    }));

  test('engine/versioning-delete-version', 'DELETE ?versionId removes that version for good; the next newest becomes current', () =>
    withEngine('aws', async ({ engine, bucket }) => {
      await engine.putBucketVersioning(bucket, 'Enabled');
      const v1 = await put(engine, bucket, 'k', bytes(10, 1));
      const v2 = await put(engine, bucket, 'k', bytes(20, 2));
      const v3 = await put(engine, bucket, 'k', bytes(30, 3));
      expect(await engine.deleteObject(bucket, 'k', { versionId: v2.versionId! })).toEqual({ versionId: v2.versionId });
      await expectS3Error(engine.getObject({ bucket, key: 'k', versionId: v2.versionId! }), 'NoSuchVersion');
      await engine.deleteObject(bucket, 'k', { versionId: v3.versionId! });
      expect((await bodyAt(engine, bucket, 'k')).equals(bytes(10, 1))).toBe(true);
      expect((await engine.headObject({ bucket, key: 'k' })).object.versionId).toBe(v1.versionId);
      expect((await listAll(engine, bucket)).rows).toEqual([`k ${v1.versionId} latest`]);
      await engine.deleteObject(bucket, 'k', { versionId: v1.versionId! });
      await expectS3Error(engine.getObject({ bucket, key: 'k' }), 'NoSuchKey');
      expect((await listAll(engine, bucket)).rows).toEqual([]);
      await engine.deleteBucket(bucket);
    }));

  test('engine/versioning-invalid-id', 'a malformed version id is 400 InvalidArgument, an unknown one 404 NoSuchVersion', () =>
    withEngine('aws', async ({ engine, bucket }) => {
      await engine.putBucketVersioning(bucket, 'Enabled');
      await put(engine, bucket, 'k', bytes(10, 1));
      const error = await expectS3Error(engine.getObject({ bucket, key: 'k', versionId: 'not-a-version' }), 'InvalidArgument');
      expect(error.message).toBe('Invalid version id specified');
      await expectS3Error(engine.deleteObject(bucket, 'k', { versionId: 'not-a-version' }), 'InvalidArgument');
      await expectS3Error(engine.getObject({ bucket, key: 'k', versionId: `000000000000${'A'.repeat(22)}` }), 'NoSuchVersion');
      await expectS3Error(engine.getObject({ bucket, key: 'k', versionId: 'null' }), 'NoSuchVersion');
    }));

  test('engine/versioning-null-version', 'an object written before versioning is the null version, kept when versioning is enabled', () =>
    withEngine('aws', async ({ engine, bucket }) => {
      await put(engine, bucket, 'k', bytes(10, 1));
      await engine.putBucketVersioning(bucket, 'Enabled');
      expect((await engine.headObject({ bucket, key: 'k' })).object.versionId).toBe('null');
      const v1 = await put(engine, bucket, 'k', bytes(20, 2));
      expect((await bodyAt(engine, bucket, 'k', 'null')).equals(bytes(10, 1))).toBe(true);
      expect((await listAll(engine, bucket)).rows).toEqual([`k ${v1.versionId} latest`, 'k null']);
      expect(await engine.deleteObject(bucket, 'k', { versionId: 'null' })).toEqual({ versionId: 'null' });
      expect((await listAll(engine, bucket)).rows).toEqual([`k ${v1.versionId} latest`]);
    }));

  test('engine/versioning-suspended', 'Suspended: writes and deletes are the null version, replacing the previous null version', () =>
    withEngine('aws', async ({ engine, bucket }) => {
      await engine.putBucketVersioning(bucket, 'Enabled');
      const v1 = await put(engine, bucket, 'k', bytes(10, 1));
      await engine.putBucketVersioning(bucket, 'Suspended');
      expect((await put(engine, bucket, 'k', bytes(20, 2))).versionId).toBe('null');
      expect((await put(engine, bucket, 'k', bytes(30, 3))).versionId).toBe('null');
      expect((await listAll(engine, bucket)).rows).toEqual(['k null latest', `k ${v1.versionId}`]);
      expect((await bodyAt(engine, bucket, 'k', 'null')).equals(bytes(30, 3))).toBe(true);
      expect((await bodyAt(engine, bucket, 'k', v1.versionId)).equals(bytes(10, 1))).toBe(true);
      expect(await engine.deleteObject(bucket, 'k')).toEqual({ versionId: 'null', deleteMarker: true });
      expect((await listAll(engine, bucket)).rows).toEqual(['k null latest marker', `k ${v1.versionId}`]);
      await put(engine, bucket, 'k', bytes(40, 4));
      expect((await listAll(engine, bucket)).rows).toEqual(['k null latest', `k ${v1.versionId}`]);
    }));

  test('engine/versioning-conditional-writes', 'If-Match / If-None-Match are checked against the current version', () =>
    withEngine('aws', async ({ engine, bucket }) => {
      await engine.putBucketVersioning(bucket, 'Enabled');
      const v1 = await put(engine, bucket, 'k', bytes(10, 1));
      await expectS3Error(engine.putObject({ bucket, key: 'k', body: bodyOf('x'), conditions: { ifNoneMatch: '*' } }), 'PreconditionFailed');
      await put(engine, bucket, 'k', bytes(20, 2));
      await expectS3Error(engine.putObject({ bucket, key: 'k', body: bodyOf('x'), conditions: { ifMatch: v1.etag } }), 'PreconditionFailed');
      await engine.deleteObject(bucket, 'k');
      // Behind a delete marker there is no current object.
      await expectS3Error(engine.putObject({ bucket, key: 'k', body: bodyOf('x'), conditions: { ifMatch: '*' } }), 'NoSuchKey');
      const created = await engine.putObject({ bucket, key: 'k', body: bodyOf('y'), conditions: { ifNoneMatch: '*' } });
      expect((await bodyAt(engine, bucket, 'k')).toString()).toBe('y');
      expect((await listAll(engine, bucket)).rows).toHaveLength(4);
      expect((await listAll(engine, bucket)).rows[0]).toBe(`k ${created.versionId} latest`);
    }));

  test('engine/versioning-copy-source-version', 'CopyObject and UploadPartCopy read the source version named by versionId', () =>
    withEngine('aws', async ({ engine, bucket }) => {
      await engine.putBucketVersioning(bucket, 'Enabled');
      const v1 = await put(engine, bucket, 'src', bytes(50, 1));
      await put(engine, bucket, 'src', bytes(60, 2));
      const copied = await engine.copyObject({ bucket, key: 'dst', source: { bucket, key: 'src', versionId: v1.versionId! } });
      expect(copied.sourceVersionId).toBe(v1.versionId);
      expect(copied.versionId).toMatch(/^[0-9a-f]{12}/);
      expect((await bodyAt(engine, bucket, 'dst')).equals(bytes(50, 1))).toBe(true);
      // Restoring an old version onto its own key is a plain copy: a new current version.
      const restored = await engine.copyObject({ bucket, key: 'src', source: { bucket, key: 'src', versionId: v1.versionId! } });
      expect((await bodyAt(engine, bucket, 'src')).equals(bytes(50, 1))).toBe(true);
      expect((await listAll(engine, bucket, { prefix: 'src' })).rows).toHaveLength(3);
      expect((await listAll(engine, bucket, { prefix: 'src' })).rows[0]).toBe(`src ${restored.versionId} latest`);
      const { uploadId } = await engine.createMultipartUpload({ bucket, key: 'mp' });
      const part = await engine.uploadPartCopy({ bucket, key: 'mp', uploadId, partNumber: 1, source: { bucket, key: 'src', versionId: v1.versionId! } });
      expect(part.etag).toBe(partEtagOf(bytes(50, 1)));
      const marker = await engine.deleteObject(bucket, 'src');
      await expectS3Error(engine.copyObject({ bucket, key: 'x', source: { bucket, key: 'src', versionId: marker.versionId! } }), 'InvalidRequest');
      await expectS3Error(engine.copyObject({ bucket, key: 'x', source: { bucket, key: 'src' } }), 'NoSuchKey');
    }));

  test('engine/versioning-list-paging', 'ListObjectVersions: (key, newest first), every page size gives the same listing, prefix and delimiter', () =>
    withEngine('aws', async ({ engine, bucket }) => {
      await engine.putBucketVersioning(bucket, 'Enabled');
      const expected: string[] = [];
      for (const key of ['a', 'a/x', 'a/y', 'b', 'c']) {
        const ids: string[] = [];
        for (let i = 0; i < 3; i++) ids.push((await put(engine, bucket, key, bytes(5, i))).versionId!);
        expected.push(...ids.reverse().map((id, i) => `${key} ${id}${i === 0 ? ' latest' : ''}`));
      }
      const marker = await engine.deleteObject(bucket, 'c');
      expected.splice(12, 1, `c ${expected[12]!.split(' ')[1]}`);
      expected.splice(12, 0, `c ${marker.versionId} latest marker`);
      expect((await listAll(engine, bucket)).rows).toEqual(expected);
      for (const maxKeys of [1, 2, 3, 5, 7]) expect((await listAll(engine, bucket, { maxKeys })).rows).toEqual(expected);
      const first = await engine.listObjectVersions({ bucket, maxKeys: 4 });
      expect(first.isTruncated).toBe(true);
      expect(first.nextKeyMarker).toBe('a/x');
      expect(first.nextVersionIdMarker).toBe(expected[3]!.split(' ')[1]);
      const rolled = await listAll(engine, bucket, { delimiter: '/', maxKeys: 2 });
      expect(rolled.prefixes).toEqual(['a/']);
      expect(rolled.rows).toEqual(expected.filter((row) => !row.startsWith('a/')));
      expect((await listAll(engine, bucket, { prefix: 'a/', maxKeys: 2 })).rows).toEqual(expected.filter((row) => row.startsWith('a/')));
      await expectS3Error(engine.listObjectVersions({ bucket, versionIdMarker: expected[0]!.split(' ')[1]! }), 'InvalidArgument');
    }));

  test('engine/versioning-complete', 'Complete in an Enabled bucket returns a version id and never destroys the version it replaces', () =>
    withEngine('aws', async ({ engine, bucket }) => {
      await engine.putBucketVersioning(bucket, 'Enabled');
      const v1 = await put(engine, bucket, 'k', bytes(100, 1));
      const input = await readyUpload(engine, bucket, 'k', bytes(200, 2));
      const done = await engine.completeMultipartUpload(input);
      expect(done.versionId).toMatch(/^[0-9a-f]{12}/);
      // A retried Complete replays the same version id.
      expect((await engine.completeMultipartUpload(input)).versionId).toBe(done.versionId);
      expect((await bodyAt(engine, bucket, 'k')).equals(bytes(200, 2))).toBe(true);
      expect((await bodyAt(engine, bucket, 'k', v1.versionId)).equals(bytes(100, 1))).toBe(true);
      expect((await listAll(engine, bucket)).rows).toEqual([`k ${done.versionId} latest`, `k ${v1.versionId}`]);
    }));

  test('engine/versioning-complete-race', 'two Completes of one key in an Enabled bucket both succeed and both versions exist', () =>
    withEngine('aws', async ({ engine, bucket }) => {
      await engine.putBucketVersioning(bucket, 'Enabled');
      const datas = [bytes(300, 1), bytes(301, 2), bytes(302, 3)];
      const inputs = await Promise.all(datas.map((data) => readyUpload(engine, bucket, 'k', data)));
      const results = await Promise.all(inputs.map((input) => engine.completeMultipartUpload(input)));
      const ids = results.map((r) => r.versionId!);
      expect(new Set(ids).size).toBe(3);
      for (const [i, id] of ids.entries()) expect((await bodyAt(engine, bucket, 'k', id)).equals(datas[i]!)).toBe(true);
      const rows = (await listAll(engine, bucket)).rows;
      expect(rows).toHaveLength(3);
      expect([...rows.map((row) => row.split(' ')[1])].sort()).toEqual([...ids].sort());
      const latest = rows.filter((row) => row.endsWith('latest'));
      expect(latest).toHaveLength(1);
      const current = await engine.headObject({ bucket, key: 'k' });
      expect(`k ${current.object.versionId} latest`).toBe(latest[0]);
    }));

  test('engine/versioning-put-race', 'concurrent PutObjects of one key in an Enabled bucket: every version is kept, one is current', () =>
    withEngine('aws', async ({ engine, bucket }) => {
      await engine.putBucketVersioning(bucket, 'Enabled');
      const v0 = await put(engine, bucket, 'k', bytes(10, 0));
      const datas = [1, 2, 3, 4, 5].map((seed) => bytes(10 + seed, seed));
      const results = await Promise.all(datas.map((data) => put(engine, bucket, 'k', data)));
      for (const [i, result] of results.entries()) expect((await bodyAt(engine, bucket, 'k', result.versionId)).equals(datas[i]!)).toBe(true);
      expect((await bodyAt(engine, bucket, 'k', v0.versionId)).equals(bytes(10, 0))).toBe(true);
      const rows = (await listAll(engine, bucket)).rows;
      expect(rows.map((row) => row.split(' ')[1]).sort()).toEqual([v0.versionId, ...results.map((r) => r.versionId)].sort());
      expect(rows.filter((row) => row.endsWith('latest'))).toEqual([`k ${(await engine.headObject({ bucket, key: 'k' })).object.versionId} latest`]);
    }));

  test('engine/versioning-complete-vs-delete', 'Complete racing DELETE in an Enabled bucket: either order, nothing lost', () =>
    withEngine('aws', async ({ engine, bucket }) => {
      await engine.putBucketVersioning(bucket, 'Enabled');
      for (const order of ['complete-first', 'delete-first', 'race'] as const) {
        const key = `k-${order}`;
        const v1 = await put(engine, bucket, key, bytes(10, 1));
        const input = await readyUpload(engine, bucket, key, bytes(20, 2));
        let done;
        let marker;
        if (order === 'complete-first') {
          done = await engine.completeMultipartUpload(input);
          marker = await engine.deleteObject(bucket, key);
        } else if (order === 'delete-first') {
          marker = await engine.deleteObject(bucket, key);
          done = await engine.completeMultipartUpload(input);
        } else {
          [done, marker] = await Promise.all([engine.completeMultipartUpload(input), engine.deleteObject(bucket, key)]);
        }
        expect((await bodyAt(engine, bucket, key, v1.versionId)).equals(bytes(10, 1))).toBe(true);
        expect((await bodyAt(engine, bucket, key, done.versionId)).equals(bytes(20, 2))).toBe(true);
        const rows = (await listAll(engine, bucket, { prefix: key })).rows;
        expect(rows.map((row) => row.split(' ')[1]).sort()).toEqual([v1.versionId, done.versionId, marker.versionId].sort());
        if (order === 'complete-first') expect(rows[0]).toBe(`${key} ${marker.versionId} latest marker`);
        if (order === 'delete-first') expect(rows[0]).toBe(`${key} ${done.versionId} latest`);
      }
    }));

  test('engine/versioning-crash-before-swap', 'a crash between writing the version record and swapping the current record: state stays readable, the retry finishes', () =>
    withEngine('aws', async ({ engine, store, bucket }) => {
      await engine.putBucketVersioning(bucket, 'Enabled');
      const v1 = await put(engine, bucket, 'k', bytes(10, 1));
      const crashing = new MultipartEngine({ store: crashBeforeSwap(store), limits: 'aws' });
      const input = await readyUpload(engine, bucket, 'k', bytes(20, 2));
      await expect(crashing.completeMultipartUpload(input)).rejects.toThrow('simulated crash');
      // The replaced version is already a version record and still current: listed once.
      expect((await bodyAt(engine, bucket, 'k')).equals(bytes(10, 1))).toBe(true);
      expect((await listAll(engine, bucket)).rows).toEqual([`k ${v1.versionId} latest`]);
      // The retry finishes the frozen plan.
      const done = await engine.completeMultipartUpload(input);
      expect((await bodyAt(engine, bucket, 'k')).equals(bytes(20, 2))).toBe(true);
      expect((await bodyAt(engine, bucket, 'k', v1.versionId)).equals(bytes(10, 1))).toBe(true);
      expect((await listAll(engine, bucket)).rows).toEqual([`k ${done.versionId} latest`, `k ${v1.versionId}`]);
      // The same for PutObject: the client's retry is a fresh write.
      const crashingPut = new MultipartEngine({ store: crashBeforeSwap(store), limits: 'aws' });
      await expect(crashingPut.putObject({ bucket, key: 'k', body: bodyOf(bytes(30, 3)) })).rejects.toThrow('simulated crash');
      expect((await listAll(engine, bucket)).rows).toEqual([`k ${done.versionId} latest`, `k ${v1.versionId}`]);
      const v3 = await put(engine, bucket, 'k', bytes(30, 3));
      expect((await listAll(engine, bucket)).rows).toEqual([`k ${v3.versionId} latest`, `k ${done.versionId}`, `k ${v1.versionId}`]);
      expect((await bodyAt(engine, bucket, 'k', done.versionId)).equals(bytes(20, 2))).toBe(true);
    }));

  test('engine/versioning-delete-objects', 'DeleteObjects with and without version ids', () =>
    withEngine('aws', async ({ engine, bucket }) => {
      await engine.putBucketVersioning(bucket, 'Enabled');
      const a1 = await put(engine, bucket, 'a', bytes(10, 1));
      await put(engine, bucket, 'b', bytes(10, 2));
      const result = await engine.deleteObjects(bucket, [{ key: 'a', versionId: a1.versionId! }, 'b', { key: 'c', versionId: 'bad' }]);
      expect(result.deleted).toEqual(['a', 'b']);
      expect(result.deletedVersions?.[0]).toEqual({ versionId: a1.versionId });
      expect(result.deletedVersions?.[1]?.deleteMarker).toBe(true);
      expect(result.errors).toEqual([{ key: 'c', versionId: 'bad', code: 'InvalidArgument', message: 'Invalid version id specified' }]);
      await expectS3Error(engine.getObject({ bucket, key: 'a' }), 'NoSuchKey');
      expect((await listAll(engine, bucket)).rows.filter((row) => row.startsWith('a '))).toEqual([]);
    }));
}

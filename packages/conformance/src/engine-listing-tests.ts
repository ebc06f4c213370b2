import type { Engine, ListMultipartUploadsResult, ListObjectsResult } from '@mpu/core';
import { expect } from 'vitest';
import { type EngineSuiteContext, bodyOf, expectS3Error, sleep } from './engine-suite-context.js';

/** Pages through ListMultipartUploads with the returned markers; returns every entry in order. */
async function allUploadPages(engine: Engine, bucket: string, options: { prefix?: string; delimiter?: string; maxUploads: number }) {
  const entries: string[] = [];
  const pages: ListMultipartUploadsResult[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = await engine.listMultipartUploads({
      bucket, ...options, ...(keyMarker === undefined ? {} : { keyMarker }), ...(uploadIdMarker ? { uploadIdMarker } : {}),
    });
    pages.push(page);
    expect(page.uploads.length + page.commonPrefixes.length).toBeLessThanOrEqual(options.maxUploads);
    // Uploads and prefixes interleave in key order; sort the page's entries to compare.
    const pageEntries = [
      ...page.uploads.map((u) => ({ key: u.key, text: `${u.key}#${u.uploadId}` })),
      ...page.commonPrefixes.map((p) => ({ key: p, text: `prefix:${p}` })),
    ].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
    entries.push(...pageEntries.map((e) => e.text));
    if (!page.isTruncated) return { entries, pages };
    expect(page.nextKeyMarker).toBeDefined();
    keyMarker = page.nextKeyMarker;
    uploadIdMarker = page.nextUploadIdMarker;
  }
  throw new Error('ListMultipartUploads did not terminate');
}

async function allObjectPages(engine: Engine, bucket: string, options: { prefix?: string; delimiter?: string; maxKeys: number; startAfter?: string }) {
  const entries: string[] = [];
  const pages: ListObjectsResult[] = [];
  let continuationToken: string | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = await engine.listObjects({ bucket, ...options, ...(continuationToken ? { continuationToken } : {}) });
    pages.push(page);
    expect(page.objects.length + page.commonPrefixes.length).toBeLessThanOrEqual(options.maxKeys);
    const pageEntries = [
      ...page.objects.map((o) => ({ key: o.key, text: o.key })),
      ...page.commonPrefixes.map((p) => ({ key: p, text: `prefix:${p}` })),
    ].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
    entries.push(...pageEntries.map((e) => e.text));
    if (!page.isTruncated) return { entries, pages };
    expect(page.nextContinuationToken).toBeDefined();
    continuationToken = page.nextContinuationToken;
  }
  throw new Error('ListObjects did not terminate');
}

export function listingTests({ test, withEngine }: EngineSuiteContext): void {
  test('engine/list-parts-pagination', 'ListParts pages by part number with max-parts and part-number-marker', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const { uploadId } = await engine.createMultipartUpload({ bucket, key: 'k' });
      for (const n of [5, 1, 7, 3, 2, 6, 4]) {
        await engine.uploadPart({ bucket, key: 'k', uploadId, partNumber: n, body: bodyOf(`part ${n}`) });
      }
      const ref = { bucket, key: 'k', uploadId };
      const page1 = await engine.listParts({ ...ref, maxParts: 3 });
      expect(page1.parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
      expect(page1).toMatchObject({ isTruncated: true, partNumberMarker: 0, nextPartNumberMarker: 3, maxParts: 3 });
      expect(page1.upload).toMatchObject({ bucket, key: 'k', uploadId });
      const page2 = await engine.listParts({ ...ref, maxParts: 3, partNumberMarker: 3 });
      expect(page2.parts.map((p) => p.partNumber)).toEqual([4, 5, 6]);
      expect(page2).toMatchObject({ isTruncated: true, partNumberMarker: 3, nextPartNumberMarker: 6 });
      const page3 = await engine.listParts({ ...ref, maxParts: 3, partNumberMarker: 6 });
      expect(page3.parts.map((p) => p.partNumber)).toEqual([7]);
      expect(page3).toMatchObject({ isTruncated: false, nextPartNumberMarker: 7 });
      const exact = await engine.listParts({ ...ref, maxParts: 7 });
      expect(exact.isTruncated).toBe(false);
      const all = await engine.listParts(ref);
      expect(all).toMatchObject({ maxParts: 1000, isTruncated: false });
      expect(all.parts.map((p) => [p.partNumber, p.size])).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => [n, `part ${n}`.length]));
      for (const p of all.parts) expect(p.lastModified).toBeInstanceOf(Date);
      expect((await engine.listParts({ ...ref, maxParts: 5000 })).maxParts).toBe(1000);
      expect((await engine.listParts({ ...ref, partNumberMarker: 7 })).parts).toEqual([]);
      await expectS3Error(engine.listParts({ ...ref, maxParts: -1 }), 'InvalidArgument');
      await expectS3Error(engine.listParts({ ...ref, partNumberMarker: -1 }), 'InvalidArgument');
    }));

  test('engine/list-uploads-order-and-pagination', 'ListMultipartUploads sorts by key then initiation and pages with both markers', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const created: { key: string; uploadId: string }[] = [];
      for (const key of ['b/1', 'a', 'b/1', 'c', 'b/2', 'b/1']) {
        const { uploadId } = await engine.createMultipartUpload({ bucket, key });
        created.push({ key, uploadId });
        await sleep(3); // distinct initiation times, so the same-key order is defined
      }
      const order = (k: string) => ['a', 'b/1', 'b/2', 'c'].indexOf(k);
      const expected = created
        .map((c, i) => ({ ...c, i }))
        .sort((x, y) => order(x.key) - order(y.key) || x.i - y.i)
        .map((c) => `${c.key}#${c.uploadId}`);
      const whole = await engine.listMultipartUploads({ bucket });
      expect(whole.uploads.map((u) => `${u.key}#${u.uploadId}`)).toEqual(expected);
      expect(whole).toMatchObject({ isTruncated: false, maxUploads: 1000, commonPrefixes: [] });
      for (const maxUploads of [1, 2, 4]) {
        const { entries, pages } = await allUploadPages(engine, bucket, { maxUploads });
        expect(entries, `maxUploads ${maxUploads}`).toEqual(expected);
        expect(pages.at(-1)!.isTruncated).toBe(false);
      }
      // key-marker alone skips every upload of that key.
      const after = await engine.listMultipartUploads({ bucket, keyMarker: 'b/1' });
      expect(after.uploads.map((u) => u.key)).toEqual(['b/2', 'c']);
      // With upload-id-marker: the same key's uploads after that id still come.
      const firstB1 = created.find((c) => c.key === 'b/1')!;
      const resumed = await engine.listMultipartUploads({ bucket, keyMarker: 'b/1', uploadIdMarker: firstB1.uploadId });
      expect(resumed.uploads.map((u) => `${u.key}#${u.uploadId}`)).toEqual(expected.slice(2));
      // upload-id-marker without key-marker is ignored.
      const ignored = await engine.listMultipartUploads({ bucket, uploadIdMarker: firstB1.uploadId });
      expect(ignored.uploads.map((u) => `${u.key}#${u.uploadId}`)).toEqual(expected);
      expect((await engine.listMultipartUploads({ bucket, prefix: 'b/', keyMarker: 'b/1' })).uploads.map((u) => u.key)).toEqual(['b/2']);
      await expectS3Error(engine.listMultipartUploads({ bucket, keyMarker: 'b/1', uploadIdMarker: 'no-such-upload-id' }), 'InvalidArgument');
      await expectS3Error(engine.listMultipartUploads({ bucket, maxUploads: -1 }), 'InvalidArgument');
    }));

  test('engine/list-uploads-delimiter', 'ListMultipartUploads groups CommonPrefixes by delimiter, counting each as one entry', () =>
    withEngine('small', async ({ engine, bucket }) => {
      for (const key of ['a', 'photos/2026/x', 'photos/2026/y', 'photos/a', 'photos/b', 'z/1', 'z/2']) {
        await engine.createMultipartUpload({ bucket, key });
      }
      const top = await engine.listMultipartUploads({ bucket, delimiter: '/' });
      expect(top.uploads.map((u) => u.key)).toEqual(['a']);
      expect(top.commonPrefixes).toEqual(['photos/', 'z/']);
      const photos = await engine.listMultipartUploads({ bucket, prefix: 'photos/', delimiter: '/' });
      expect(photos.uploads.map((u) => u.key)).toEqual(['photos/a', 'photos/b']);
      expect(photos.commonPrefixes).toEqual(['photos/2026/']);
      const prefixed = await engine.listMultipartUploads({ bucket, prefix: 'photos/2' });
      expect(prefixed.uploads.map((u) => u.key)).toEqual(['photos/2026/x', 'photos/2026/y']);
      for (const maxUploads of [1, 2]) {
        const { entries, pages } = await allUploadPages(engine, bucket, { delimiter: '/', maxUploads });
        expect(entries.map((e) => e.replace(/#.*/, '')), `maxUploads ${maxUploads}`).toEqual(['a', 'prefix:photos/', 'prefix:z/']);
        // A page ending on a prefix has that prefix as NextKeyMarker.
        const endsOnPrefix = pages.find((p) => p.isTruncated && p.uploads.length === 0);
        if (maxUploads === 1) expect(endsOnPrefix?.nextKeyMarker).toBe('photos/');
      }
    }));

  test('engine/list-objects', 'ListObjects pages with prefix, delimiter, start-after and continuation tokens in UTF-8 order', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const keys = ['a', 'b/1', 'b/2', 'b/3/x', 'c', 'd', '\ue000', '\u{1f600}'];
      for (const key of [...keys].reverse()) await engine.putObject({ bucket, key, body: bodyOf(key) });
      const whole = await engine.listObjects({ bucket });
      expect(whole.objects.map((o) => o.key)).toEqual(keys);
      expect(whole).toMatchObject({ isTruncated: false, maxKeys: 1000, commonPrefixes: [] });
      expect(whole.objects[0]).toMatchObject({ bucket, key: 'a', size: 1 });
      for (const maxKeys of [1, 3]) {
        const { entries } = await allObjectPages(engine, bucket, { maxKeys });
        expect(entries, `maxKeys ${maxKeys}`).toEqual(keys);
        const grouped = await allObjectPages(engine, bucket, { maxKeys, delimiter: '/' });
        expect(grouped.entries, `maxKeys ${maxKeys} with delimiter`).toEqual(['a', 'prefix:b/', 'c', 'd', '\ue000', '\u{1f600}']);
      }
      const sub = await engine.listObjects({ bucket, prefix: 'b/', delimiter: '/' });
      expect(sub.objects.map((o) => o.key)).toEqual(['b/1', 'b/2']);
      expect(sub.commonPrefixes).toEqual(['b/3/']);
      expect((await engine.listObjects({ bucket, startAfter: 'b/2' })).objects.map((o) => o.key)).toEqual(keys.slice(3));
      expect((await engine.listObjects({ bucket, startAfter: 'b/2', prefix: 'b/' })).objects.map((o) => o.key)).toEqual(['b/3/x']);
      const truncated = await engine.listObjects({ bucket, maxKeys: 2 });
      expect(truncated).toMatchObject({ isTruncated: true, maxKeys: 2 });
      expect(truncated.objects.map((o) => o.key)).toEqual(['a', 'b/1']);
      await engine.deleteObject(bucket, 'c');
      await engine.deleteObject(bucket, 'c');
      expect((await engine.listObjects({ bucket, prefix: 'c' })).objects).toEqual([]);
      await expectS3Error(engine.listObjects({ bucket: 'no-such-bucket' }), 'NoSuchBucket');
    }));
}

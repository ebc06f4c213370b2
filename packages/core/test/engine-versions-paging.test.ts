import { describe, expect, it } from 'vitest';
import { type BlobStore, MemoryStore, MultipartEngine } from '@mpu/core';
import { body } from './engine-helpers.js';

/** A MemoryStore whose listings count the records they yield. */
function countingListings(): { store: BlobStore; yielded: () => number; reset: () => void } {
  const inner = new MemoryStore();
  let count = 0;
  const store = new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === 'listRecords') {
        return async function* (...args: Parameters<BlobStore['listRecords']>) {
          for await (const record of target.listRecords(...args)) {
            count++;
            yield record;
          }
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store, yielded: () => count, reset: () => { count = 0; } };
}

describe('ListObjectVersions pages in O(page)', () => {
  it('a page deep inside one key\'s 400 versions reads about page-size records, not the versions before it', async () => {
    const { store, yielded, reset } = countingListings();
    const engine = new MultipartEngine({ store });
    await engine.createBucket('bucket');
    await engine.putBucketVersioning('bucket', 'Enabled');
    const ids: string[] = [];
    for (let i = 0; i < 400; i++) ids.push((await engine.putObject({ bucket: 'bucket', key: 'k', body: body(String(i)) })).versionId!);
    await engine.putObject({ bucket: 'bucket', key: 'later', body: body('x') });
    const newestFirst = [...ids].reverse();

    reset();
    const deep = await engine.listObjectVersions({ bucket: 'bucket', keyMarker: 'k', versionIdMarker: newestFirst[299]!, maxKeys: 10 });
    expect(deep.entries.map((e) => (e.kind === 'version' ? e.version.versionId : ''))).toEqual(newestFirst.slice(300, 310));
    expect(deep.nextVersionIdMarker).toBe(newestFirst[309]);
    // 10 returned + one to learn the page is truncated, per merged listing (current + versions).
    expect(yielded()).toBeLessThanOrEqual(10 + 2 + 1);

    reset();
    const first = await engine.listObjectVersions({ bucket: 'bucket', maxKeys: 10 });
    expect(first.entries).toHaveLength(10);
    expect(yielded()).toBeLessThanOrEqual(10 + 2);
  });
});

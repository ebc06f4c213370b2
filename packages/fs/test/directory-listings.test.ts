import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FsStore } from '@mpu/fs';
import { DirectoryListings } from '../src/directory-listings.js';
import { TempDirs } from './temp-dirs.js';

const temps = new TempDirs();
afterAll(() => temps.removeAll());

async function keysOf(store: FsStore, prefix: string, startAfter?: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const record of store.listRecords(prefix, { startAfter })) keys.push(record.key);
  return keys;
}

describe('cached listings of big record directories', () => {
  it('a listing read while its directory changed is used once but not kept', async () => {
    const dir = join(await temps.make('listings'), 'd');
    await mkdir(dir);
    for (let i = 0; i < 20; i++) await writeFile(join(dir, `r${(100 + i).toString(16)}`), '');
    const listings = new DirectoryListings(10, 4);
    const reading = listings.entries(dir);
    listings.changed(dir); // a change lands while readdir is in flight
    expect((await reading)!.length).toBe(20);
    await writeFile(join(dir, 'r01'), '');
    expect((await listings.entries(dir))!.map((e) => e.label)[0]).toBe('01'); // re-read, not the spoiled one
    // Behind the cache's back, as another process sharing the directory would: the directory's
    // stamp changed, so the listing is read again.
    await writeFile(join(dir, 'r02'), '');
    expect((await listings.entries(dir))!.length).toBe(22);
    await writeFile(join(dir, 'r03'), '');
    expect((await listings.entries(dir))!.map((e) => e.label).slice(0, 3)).toEqual(['01', '02', '03']);
  });

  it('a flat directory of 600 records lists right through writes, deletes and pages', async () => {
    const store = await FsStore.open({ root: await temps.make('flat'), fsync: false });
    try {
      const key = (i: number): string => `object/bucket/key-${String(i).padStart(5, '0')}`;
      const expected = new Set<string>();
      for (let i = 0; i < 600; i += 2) {
        await store.writeRecord(key(i), Buffer.from('x'));
        expected.add(key(i));
      }
      const sorted = (): string[] => [...expected].sort();
      expect(await keysOf(store, 'object/bucket/')).toEqual(sorted()); // now cached
      for (let round = 0; round < 20; round++) {
        const add = key(round * 29 + 1);
        const remove = key(round * 58);
        // A listing races with a write; afterwards the listing must be exact. Then the same
        // for a delete (separately, so one's invalidation cannot mask the other's).
        const during = await Promise.all([keysOf(store, 'object/bucket/', key(round * 10)), store.writeRecord(add, Buffer.from('y'))]);
        expect(during[0].every((k) => k > key(round * 10))).toBe(true);
        expected.add(add);
        expect(await keysOf(store, 'object/bucket/')).toEqual(sorted());
        await Promise.all([keysOf(store, 'object/bucket/'), store.deleteRecord(remove)]);
        expected.delete(remove);
        expect(await keysOf(store, 'object/bucket/')).toEqual(sorted());
        const after = key(round * 25);
        expect(await keysOf(store, 'object/bucket/', after)).toEqual(sorted().filter((k) => k > after));
      }
    } finally {
      await store.close();
    }
  });
});

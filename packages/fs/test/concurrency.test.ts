import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordConditionFailedError } from '@mpu/core';
import { FsStore } from '@mpu/fs';
import { TempDirs } from './temp-dirs.js';

const temps = new TempDirs();
afterAll(() => temps.removeAll());

async function keysOf(store: FsStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const record of store.listRecords(prefix)) keys.push(record.key);
  return keys;
}

describe('records under concurrency', () => {
  it('writers never lose their directory to the pruner of a concurrent delete in the same (deep) directory', async () => {
    const store = await FsStore.open({ root: await temps.make('prune'), fsync: false });
    try {
      const dir = 'deep/' + 'nested/'.repeat(10);
      // Several workers each write then delete their own key in one directory, so it empties
      // again and again and the pruner keeps removing the whole chain while others recreate it.
      const worker = async (id: number): Promise<void> => {
        for (let i = 0; i < 150; i++) {
          const key = `${dir}w${id}-${i}`;
          await store.writeRecord(key, Buffer.from(key));
          expect(Buffer.from((await store.readRecord(key))!.value).toString()).toBe(key);
          await store.deleteRecord(key);
          if (i % 3 === id % 3) await new Promise((resolve) => setImmediate(resolve)); // let the pruner in
        }
      };
      await Promise.all(Array.from({ length: 6 }, (_, id) => worker(id)));
      expect(await keysOf(store, 'deep/')).toEqual([]);
      await store.writeRecord(`${dir}last`, Buffer.from('x'));
      expect(await keysOf(store, 'deep/')).toEqual([`${dir}last`]);
    } finally {
      await store.close(); // waits for the pruner
    }
  });

  it('empty record directories are pruned after deletes', async () => {
    const root = await temps.make('prune2');
    const store = await FsStore.open({ root });
    await store.writeRecord('part/upload-1/00001', Buffer.from('a'));
    await store.writeRecord('part/upload-1/00002', Buffer.from('b'));
    await store.writeRecord('part/upload-2/00001', Buffer.from('c'));
    await store.deleteRecord('part/upload-1/00001');
    await store.deleteRecord('part/upload-1/00002');
    await store.close();
    const partDir = (await readdir(join(root, 'records')))[0]!;
    expect(await readdir(join(root, 'records', partDir))).toHaveLength(1); // only upload-2's directory
  });

  it('exactly one of many concurrent CAS writers wins per round, across keys sharing a directory', async () => {
    const store = await FsStore.open({ root: await temps.make('cas'), fsync: false });
    try {
      const keys = Array.from({ length: 8 }, (_, i) => `cas/shared/k${i}`);
      const versions = new Map<string, string>();
      for (const key of keys) versions.set(key, await store.writeRecord(key, Buffer.from('0')));
      for (let round = 1; round <= 10; round++) {
        const attempts = keys.flatMap((key) =>
          Array.from({ length: 6 }, (_, writer) =>
            store.writeRecord(key, Buffer.from(`${round}:${writer}`), { ifVersion: versions.get(key)! }).then(
              (version) => ({ key, version, writer }),
              (error: unknown) => {
                expect(error).toBeInstanceOf(RecordConditionFailedError);
                return undefined;
              },
            )),
        );
        const winners = (await Promise.all(attempts)).filter((w) => w !== undefined);
        expect(winners.map((w) => w.key).sort()).toEqual([...keys].sort());
        for (const { key, version, writer } of winners) {
          versions.set(key, version);
          const record = await store.readRecord(key);
          expect(record?.version).toBe(version);
          expect(Buffer.from(record!.value).toString()).toBe(`${round}:${writer}`);
        }
      }
    } finally {
      await store.close();
    }
  });

  it('a small record cache evicts but never serves a stale value; files stay the truth across reopen', async () => {
    const root = await temps.make('cache');
    const store = await FsStore.open({ root, recordCacheBytes: 4096, fsync: false });
    const expected = new Map<string, string>();
    for (let i = 0; i < 200; i++) {
      const key = `c/${i % 50}`;
      const value = `v${i}-${'x'.repeat(i % 7)}`;
      await store.writeRecord(key, Buffer.from(value));
      expected.set(key, value);
      if (i % 9 === 0) {
        await store.deleteRecord(`c/${(i * 7) % 50}`);
        expected.delete(`c/${(i * 7) % 50}`);
      }
    }
    const check = async (s: FsStore): Promise<void> => {
      for (let i = 0; i < 50; i++) {
        const record = await s.readRecord(`c/${i}`);
        expect(record && Buffer.from(record.value).toString(), `c/${i}`).toBe(expected.get(`c/${i}`));
      }
      const listed = new Map<string, string>();
      for await (const record of s.listRecords('c/')) listed.set(record.key, Buffer.from(record.value).toString());
      expect(listed).toEqual(expected);
    };
    await check(store);
    // A caller mutating a returned value must not change the stored record.
    const record = await store.readRecord([...expected.keys()][0]!);
    record!.value.fill(0);
    await check(store);
    await store.close();
    const reopened = await FsStore.open({ root });
    try {
      await check(reopened);
    } finally {
      await reopened.close();
    }
  });
});

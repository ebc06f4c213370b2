import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UnknownHandleError } from '@mpu/core';
import { FsStore } from '@mpu/fs';
import { bodyOf } from './body.js';
import { TempDirs } from './temp-dirs.js';

const temps = new TempDirs();
afterAll(() => temps.removeAll());

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* slowly(chunks: readonly string[], delayMs: number): AsyncIterable<Uint8Array> {
  for (const chunk of chunks) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    yield Buffer.from(chunk);
  }
}

/** Every regular file under `dir` with its inode and size. */
async function files(dir: string): Promise<Map<string, { ino: number; size: number }>> {
  const out = new Map<string, { ino: number; size: number }>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const { ino, size } = await stat(path);
    out.set(path, { ino, size });
  }
  return out;
}

describe('open-time recovery', () => {
  it('removes temp files left by writes that never finished, and reports it', async () => {
    const root = await temps.make('rec');
    const store = await FsStore.open({ root });
    await store.writeRecord('kept', Buffer.from('v'));
    await store.close();
    await writeFile(join(root, 'tmp', 'deadbeef.tmp'), 'half a part');
    await writeFile(join(root, 'tmp', 'cafe.tmp'), '');
    const reopened = await FsStore.open({ root });
    try {
      expect(reopened.recovery).toEqual({ previousOwnerDied: false, filesystemSynced: false, tempFilesRemoved: 2, deletesFinished: 0 });
      expect(await readdir(join(root, 'tmp'))).toEqual([]);
      expect(Buffer.from((await reopened.readRecord('kept'))!.value).toString()).toBe('v');
    } finally {
      await reopened.close();
    }
  });

  it('finishes a deleteData interrupted after its manifest was journalled', async () => {
    const root = await temps.make('rec2');
    const store = await FsStore.open({ root });
    await store.writePart('u', 'p1', bodyOf(Buffer.from('hello ')));
    await store.writePart('u', 'p2', bodyOf(Buffer.from('world')));
    const handle = await store.assemble('u', [{ partId: 'p1', size: 6 }, { partId: 'p2', size: 5 }]);
    await store.close();
    // Simulate a crash inside deleteData right after its first step (the journalling rename).
    const [, uploadName, digest] = handle.split(':') as [string, string, string];
    await rename(join(root, 'data', uploadName, 'manifests', digest), join(root, 'deleting', `${uploadName}.${digest}`));
    const reopened = await FsStore.open({ root });
    try {
      expect(reopened.recovery?.deletesFinished).toBe(1);
      await expect(collect(reopened.read(handle))).rejects.toBeInstanceOf(UnknownHandleError);
      expect(await readdir(join(root, 'deleting'))).toEqual([]);
      expect(await readdir(join(root, 'data'))).toEqual([]); // parts and the upload directory are gone
    } finally {
      await reopened.close();
    }
  });
});

describe('assembly is zero-copy', () => {
  it('assemble keeps every part file (same inode), adds only a small manifest, and reads exact ranges across boundaries', async () => {
    const root = await temps.make('zc');
    const store = await FsStore.open({ root });
    try {
      const sizes = [1000, 1, 0, 4096, 333];
      const parts = sizes.map((size, i) => Buffer.alloc(size, 65 + i));
      for (const [i, bytes] of parts.entries()) await store.writePart('u', `p${i}`, bodyOf(bytes));
      const before = await files(join(root, 'data'));
      const handle = await store.assemble('u', sizes.map((size, i) => ({ partId: `p${i}`, size })));
      const after = await files(join(root, 'data'));
      for (const [path, file] of before) expect(after.get(path)).toEqual(file);
      const added = [...after.keys()].filter((path) => !before.has(path));
      expect(added).toHaveLength(1);
      expect(after.get(added[0]!)!.size).toBeLessThan(1000); // the manifest: names and sizes only
      const whole = Buffer.concat(parts);
      expect((await collect(store.read(handle))).equals(whole)).toBe(true);
      for (const [start, end] of [[999, 1001], [1000, 1000], [0, whole.length - 1], [1001, 5097], [5096, 5429]] as const) {
        expect((await collect(store.read(handle, { start, end }))).equals(whole.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
      }
    } finally {
      await store.close();
    }
  });

  it('deleteData keeps parts another manifest of the upload still uses', async () => {
    const store = await FsStore.open({ root: await temps.make('share') });
    try {
      await store.writePart('u', 'a', bodyOf(Buffer.from('AA')));
      await store.writePart('u', 'b', bodyOf(Buffer.from('BBB')));
      const ab = await store.assemble('u', [{ partId: 'a', size: 2 }, { partId: 'b', size: 3 }]);
      const b = await store.assemble('u', [{ partId: 'b', size: 3 }]);
      await store.deleteData(ab);
      expect((await collect(store.read(b))).toString()).toBe('BBB');
      await expect(collect(store.read(ab))).rejects.toBeInstanceOf(UnknownHandleError);
      await expect(store.assemble('u', [{ partId: 'a', size: 2 }])).rejects.toThrow(/not staged/);
      await store.deleteData(b);
      await store.deleteData(b);
    } finally {
      await store.close();
    }
  });
});

describe('close', () => {
  it('waits for a write in progress before releasing the lock, and that write is durable', async () => {
    const root = await temps.make('close');
    const store = await FsStore.open({ root });
    const writing = store.writePart('u', 'slow', slowly(['a', 'b', 'c'], 30));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await store.close();
    await expect(writing).resolves.toEqual({ size: 3 });
    const reopened = await FsStore.open({ root });
    try {
      const handle = await reopened.assemble('u', [{ partId: 'slow', size: 3 }]);
      expect((await collect(reopened.read(handle))).toString()).toBe('abc');
    } finally {
      await reopened.close();
    }
  });

  it('fsync: false still publishes atomically and survives close and reopen', async () => {
    const root = await temps.make('nofsync');
    const store = await FsStore.open({ root, fsync: false });
    const version = await store.writeRecord('k', Buffer.from('v'));
    await store.writePart('u', 'p', bodyOf(Buffer.from('data')));
    await store.close();
    await mkdir(join(root, 'tmp'), { recursive: true });
    const reopened = await FsStore.open({ root, fsync: false });
    try {
      expect((await reopened.readRecord('k'))?.version).toBe(version);
      const handle = await reopened.assemble('u', [{ partId: 'p', size: 4 }]);
      expect((await collect(reopened.read(handle))).toString()).toBe('data');
    } finally {
      await reopened.close();
    }
  });
});

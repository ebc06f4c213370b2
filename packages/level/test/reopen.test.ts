import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MissingPartError } from '@mpu/core';
import { LevelStore } from '../src/index.js';
import { bodyOf, collect, concat, pattern, patternBody, sameBytes } from './helpers/bytes.js';
import { rawKeys } from './helpers/raw-keys.js';
import { tempDir } from './helpers/temp-dir.js';

let dir: Awaited<ReturnType<typeof tempDir>>;

beforeEach(async () => {
  dir = await tempDir();
});

afterEach(async () => {
  await dir.remove();
});

describe('LevelStore close and reopen', () => {
  it('keeps records, staged parts and assembled objects', async () => {
    const utf8 = new TextEncoder();
    let store = await LevelStore.open({ location: dir.path, chunkSize: 4096 });
    const version = await store.writeRecord('upload/1', utf8.encode('state'));
    await store.writePart('u', 'a', patternBody(1, 10_000, 999));
    await store.writePart('u', 'b', patternBody(2, 5_000, 999));
    await store.writePart('u', 'staged', bodyOf(pattern(3, 7)));
    const handle = await store.assemble('u', [{ partId: 'a', size: 10_000 }, { partId: 'b', size: 5_000 }]);
    await store.close();

    // Reopened with another chunk size: existing parts keep the size they were written with.
    store = await LevelStore.open({ location: dir.path, chunkSize: 1000 });
    try {
      expect(await store.readRecord('upload/1')).toEqual({ key: 'upload/1', value: utf8.encode('state'), version });
      // A write after reopen gets a version never issued before.
      expect(await store.writeRecord('upload/1', utf8.encode('x'), { ifVersion: version })).not.toBe(version);
      expect(sameBytes(await collect(store.read(handle)), concat(pattern(1, 10_000), pattern(2, 5_000)))).toBe('equal');
      expect(sameBytes(await collect(store.read(handle, { start: 4095, end: 12_288 })), concat(pattern(1, 10_000), pattern(2, 5_000)).subarray(4095, 12_289))).toBe('equal');
      expect(await collect(store.read(await store.assemble('u', [{ partId: 'staged', size: 7 }])))).toEqual(pattern(3, 7));
      await store.writePart('u', 'c', patternBody(4, 2500, 700));
      const mixed = await store.assemble('u', [{ partId: 'b', size: 5_000 }, { partId: 'c', size: 2500 }]);
      expect(sameBytes(await collect(store.read(mixed, { start: 4000, end: 7499 })), concat(pattern(2, 5_000), pattern(4, 2500)).subarray(4000))).toBe('equal');
    } finally {
      await store.close();
    }
  });

  it('collects parts orphaned by a writer that never finished', async () => {
    let store = await LevelStore.open({ location: dir.path, chunkSize: 100 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* stalled() {
      yield pattern(1, 250);
      await gate;
    }
    const pending = store.writePart('u', 'orphan', stalled());
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Close under the writer (as a crash would); the part is marked `writing` with chunks.
    await store.close();
    release();
    await pending.catch(() => undefined);

    expect((await rawKeys(dir.path)).map((key) => key[0])).toEqual(['d', 'p']);

    store = await LevelStore.open({ location: dir.path, chunkSize: 100 });
    try {
      await expect(store.assemble('u', [{ partId: 'orphan', size: 250 }])).rejects.toBeInstanceOf(MissingPartError);
      await store.discard('u');
    } finally {
      await store.close();
    }
    expect(await rawKeys(dir.path)).toEqual([]);
  });
});

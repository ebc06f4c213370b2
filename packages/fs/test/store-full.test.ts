import { readdir } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreFullError } from '@mpu/core';
import { FsStore } from '@mpu/fs';
import { bodyOf } from './body.js';
import { TempDirs } from './temp-dirs.js';

const temps = new TempDirs();
afterAll(() => temps.removeAll());

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('free-space reserve', () => {
  it('refuses new part data below the reserve, before a byte is written, and still writes records', async () => {
    const root = await temps.make('reserve');
    // No volume has this much free: every part is refused by the reserve check.
    const store = await FsStore.open({ root, reserveBytes: Number.MAX_SAFE_INTEGER });
    try {
      const refused = store.writePart('upload-1', 'p1', bodyOf(bytes('hello')));
      await expect(refused).rejects.toBeInstanceOf(StoreFullError);
      await expect(refused).rejects.toMatchObject({ store: 'fs', message: expect.stringMatching(/below the reserve/) });
      expect(await readdir(store.layout.tmpDir)).toEqual([]);
      // Records (Complete, Abort, deletes) still go through: they are how space is freed.
      await expect(store.writeRecord('k', bytes('v'), { ifAbsent: true })).resolves.toEqual(expect.any(String));
      expect(new TextDecoder().decode((await store.readRecord('k'))?.value)).toBe('v');
    } finally {
      await store.close();
    }
  });

  it('writes parts while more than the reserve is free', async () => {
    const root = await temps.make('reserve-ok');
    const store = await FsStore.open({ root, reserveBytes: 1 });
    try {
      await expect(store.writePart('upload-1', 'p1', bodyOf(bytes('hello')))).resolves.toEqual({ size: 5 });
    } finally {
      await store.close();
    }
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LevelStore, StoreLockedError, StoreOpenError } from '../src/index.js';
import { ChildLines, spawnFixture } from './helpers/child.js';
import { tempDir } from './helpers/temp-dir.js';

let dir: Awaited<ReturnType<typeof tempDir>>;

beforeEach(async () => {
  dir = await tempDir();
});

afterEach(async () => {
  await dir.remove();
});

describe('LevelStore directory lock', () => {
  it('a second open in the same process fails with a clear error naming the directory', async () => {
    const first = await LevelStore.open({ location: dir.path });
    try {
      const error = await LevelStore.open({ location: dir.path }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(StoreLockedError);
      expect((error as StoreLockedError).location).toBe(dir.path);
      expect((error as Error).message).toContain(dir.path);
      expect((error as Error).message).toMatch(/another process/);
      expect(((error as Error).cause as { code?: string }).code).toBe('LEVEL_DATABASE_NOT_OPEN');
    } finally {
      await first.close();
    }
    // Once closed, the directory opens again.
    const again = await LevelStore.open({ location: dir.path });
    await again.close();
  });

  it('another process holding the directory makes open fail with the clear error', async () => {
    const holder = spawnFixture('hold-lock.ts', [dir.path]);
    const holderOut = new ChildLines(holder);
    expect(await holderOut.nextLine()).toBe('open');
    try {
      await expect(LevelStore.open({ location: dir.path })).rejects.toThrow(StoreLockedError);
      await expect(LevelStore.open({ location: dir.path })).rejects.toThrow(dir.path);
    } finally {
      holder.stdin!.end();
      await holderOut.exited;
    }
  });

  it('a child process gets the clear error while this process holds the directory', async () => {
    const store = await LevelStore.open({ location: dir.path });
    try {
      const child = spawnFixture('hold-lock.ts', [dir.path, 'try']);
      const out = new ChildLines(child);
      const report = JSON.parse(await out.nextLine()) as { opened: boolean; name?: string; message?: string };
      expect(report).toMatchObject({ opened: false, name: 'StoreLockedError' });
      expect(report.message).toContain(dir.path);
      await out.exited;
    } finally {
      await store.close();
    }
  });

  it('any other open failure names the directory and the reason LevelDB gave', async () => {
    const file = join(dir.path, 'a-file');
    await writeFile(file, 'not a directory');
    const location = join(file, 'db');
    const error = await LevelStore.open({ location }).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as StoreOpenError).location).toBe(location);
    expect((error as Error).message).toContain(location);
    expect((error as Error).message).toMatch(/ENOTDIR/);
  });
});

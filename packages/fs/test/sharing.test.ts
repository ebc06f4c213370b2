import { spawn } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirectoryLayoutError, DataDirectoryLockedError, FsStore } from '@mpu/fs';
import { spawnFixture } from './child-process.js';
import { TempDirs } from './temp-dirs.js';

const temps = new TempDirs();
afterAll(() => temps.removeAll());

/** A pid that certainly belonged to a process which has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('several stores share a data directory', () => {
  it('two FsStores in this process share a root and see each other\'s writes; close leaves no member entry', async () => {
    const root = await temps.make('share');
    const first = await FsStore.open({ root });
    const second = await FsStore.open({ root });
    expect(first.capabilities.shared).toBe(true);
    expect(await readdir(join(root, 'members'))).toHaveLength(2);
    const version = await first.writeRecord('k', Buffer.from('one'));
    expect(await second.readRecord('k')).toMatchObject({ version });
    await second.writeRecord('k', Buffer.from('two'), { ifVersion: version });
    expect(Buffer.from((await first.readRecord('k'))!.value).toString()).toBe('two');
    await first.close();
    await second.close();
    expect(await readdir(join(root, 'members'))).toEqual([]);
    expect(await readFile(join(root, 'mpu-layout'), 'utf8')).toBe('mpu-fs 2\n');
  });

  it('a second process opens while the first is open; once one is SIGKILLed, the next open syncs the filesystem', async () => {
    const root = await temps.make('share2');
    const holder = spawnFixture('open-store.ts', [root, 'hold']);
    try {
      expect(await holder.nextLine()).toEqual({ opened: true, pid: holder.child.pid });
      const other = spawnFixture('open-store.ts', [root]);
      expect(await other.nextLine()).toEqual({ opened: true, pid: other.child.pid });
      expect((await other.exited).code).toBe(0);
      const here = await FsStore.open({ root });
      expect(here.recovery).toMatchObject({ previousOwnerDied: false, filesystemSynced: false });
      await here.close();
    } finally {
      holder.child.kill('SIGKILL');
      await holder.exited;
    }
    const store = await FsStore.open({ root });
    expect(store.recovery).toMatchObject({ previousOwnerDied: true, filesystemSynced: true });
    await store.close();
  });

  it('a directory in another layout is refused', async () => {
    const root = await temps.make('layout');
    await writeFile(join(root, 'mpu-layout'), 'mpu-fs 9\n');
    const error = await FsStore.open({ root }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirectoryLayoutError);
    expect((error as Error).message).toContain('"mpu-fs 9"');
  });

  it('a live mpu.lock of an older single-process mpu is refused; a dead one is removed; another host\'s is respected', async () => {
    const root = await temps.make('legacy');
    const lockPath = join(root, 'mpu.lock');
    await writeFile(lockPath, JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z', token: 't' }));
    const error = await FsStore.open({ root }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirectoryLockedError);
    expect((error as DataDirectoryLockedError).holder?.pid).toBe(process.pid);

    const pid = await deadPid();
    await writeFile(lockPath, JSON.stringify({ pid, hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z', token: 't' }));
    const store = await FsStore.open({ root });
    expect(store.recovery).toMatchObject({ previousOwnerDied: true });
    await expect(readFile(lockPath)).rejects.toMatchObject({ code: 'ENOENT' });
    await store.close();

    await writeFile(lockPath, JSON.stringify({ pid, hostname: 'elsewhere.example', startedAt: '2020-01-01T00:00:00.000Z', token: 't' }));
    await expect(FsStore.open({ root })).rejects.toThrow(`pid ${pid} on elsewhere.example`);
  });

  it('close is idempotent; a closed store refuses work', async () => {
    const root = await temps.make('close');
    const store = await FsStore.open({ root });
    await store.close();
    await store.close();
    await expect(store.readRecord('k')).rejects.toThrow(/closed/);
  });
});

import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirectoryLockedError, FsStore } from '@mpu/fs';
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

describe('one process per data directory', () => {
  it('a second FsStore in this process fails fast, naming this pid; after close the directory opens again', async () => {
    const root = await temps.make('lock');
    const first = await FsStore.open({ root });
    const error = await FsStore.open({ root }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirectoryLockedError);
    expect((error as Error).message).toContain(`pid ${process.pid}`);
    expect((error as DataDirectoryLockedError).holder?.pid).toBe(process.pid);
    await first.close();
    const again = await FsStore.open({ root });
    await again.close();
  });

  it('a second process fails with the holder pid; once the holder is SIGKILLed its stale lock is taken over', async () => {
    const root = await temps.make('lock2');
    const holder = spawnFixture('open-store.ts', [root, 'hold']);
    try {
      const ready = (await holder.nextLine()) as { opened: boolean; pid: number };
      expect(ready).toEqual({ opened: true, pid: holder.child.pid });

      // Another process…
      const contender = spawnFixture('open-store.ts', [root]);
      const refused = (await contender.nextLine()) as { opened: boolean; name: string; message: string };
      await contender.exited;
      expect(refused.opened).toBe(false);
      expect(refused.name).toBe('DataDirectoryLockedError');
      expect(refused.message).toContain(`pid ${holder.child.pid}`);
      // …and this one.
      await expect(FsStore.open({ root })).rejects.toThrow(`pid ${holder.child.pid}`);
    } finally {
      holder.child.kill('SIGKILL');
      await holder.exited;
    }
    const lockText = await readFile(join(root, 'mpu.lock'), 'utf8');
    expect(JSON.parse(lockText)).toMatchObject({ pid: holder.child.pid }); // the dead holder's lock is still there
    const store = await FsStore.open({ root });
    expect(store.recovery).toMatchObject({ previousOwnerDied: true, filesystemSynced: true });
    expect(JSON.parse(await readFile(join(root, 'mpu.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    await store.close();
  });

  it('a lock naming a dead pid on this host is taken over; one on another host is respected', async () => {
    const root = await temps.make('lock3');
    const pid = await deadPid();
    await writeFile(join(root, 'mpu.lock'), JSON.stringify({ pid, hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z', token: 't' }));
    const store = await FsStore.open({ root });
    await store.close();

    await writeFile(join(root, 'mpu.lock'), JSON.stringify({ pid, hostname: 'elsewhere.example', startedAt: '2020-01-01T00:00:00.000Z', token: 't' }));
    await expect(FsStore.open({ root })).rejects.toThrow(`pid ${pid} on elsewhere.example`);
  });

  it('of several processes racing to take over one stale lock, exactly one wins', async () => {
    const root = await temps.make('lock5');
    const pid = await deadPid();
    await writeFile(join(root, 'mpu.lock'), JSON.stringify({ pid, hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z', token: 't' }));
    const contenders = Array.from({ length: 4 }, () => spawnFixture('open-store.ts', [root, 'hold']));
    try {
      const results = (await Promise.all(contenders.map((c) => c.nextLine()))) as { opened: boolean; pid: number; message?: string }[];
      const winners = results.filter((r) => r.opened);
      expect(winners).toHaveLength(1);
      for (const loser of results.filter((r) => !r.opened)) expect(loser.message).toContain(`pid ${winners[0]!.pid}`);
      expect(JSON.parse(await readFile(join(root, 'mpu.lock'), 'utf8'))).toMatchObject({ pid: winners[0]!.pid });
    } finally {
      for (const contender of contenders) contender.child.kill('SIGKILL');
      await Promise.all(contenders.map((c) => c.exited));
    }
  });

  it('close releases the lock and is idempotent; a closed store refuses work', async () => {
    const root = await temps.make('lock4');
    const store = await FsStore.open({ root });
    await store.close();
    await store.close();
    await expect(store.readRecord('k')).rejects.toThrow(/closed/);
    await expect(readFile(join(root, 'mpu.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

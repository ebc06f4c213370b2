import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UnknownHandleError } from '@mpu/core';
import { FsStore } from '@mpu/fs';
import { spawnFixture } from './child-process.js';
import type { RunningChild } from './child-process.js';
import { TempDirs } from './temp-dirs.js';

const temps = new TempDirs();
afterAll(() => temps.removeAll());

type Reply = Record<string, unknown>;

async function startWorkers(root: string, count: number): Promise<RunningChild[]> {
  const workers = Array.from({ length: count }, () => spawnFixture('store-worker.ts', [root]));
  for (const worker of workers) expect(await worker.nextLine()).toMatchObject({ ready: true });
  return workers;
}

async function stopAll(workers: readonly RunningChild[]): Promise<void> {
  for (const worker of workers) worker.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
}

async function drain(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('FsStore shared by several processes', () => {
  it('conditional writes racing from three processes on one record have exactly one winner, every round', async () => {
    const root = await temps.make('mp-cas');
    const workers = await startWorkers(root, 3);
    const store = await FsStore.open({ root });
    try {
      for (let round = 0; round < 6; round++) {
        const key = 'cas/one-record';
        // Even rounds race to create (ifAbsent) — the record was deleted; odd rounds race to replace one version.
        const current = await store.readRecord(key);
        if (round % 2 === 0 && current) await store.deleteRecord(key);
        const condition = round % 2 === 0 ? { ifAbsent: true } : { ifVersion: current!.version };
        for (const [index, worker] of workers.entries()) worker.send({ op: 'armWrite', key, value: `r${round}w${index}`, ...condition });
        for (const worker of workers) expect(await worker.nextLine()).toEqual({ armed: true });
        for (const worker of workers) worker.child.kill('SIGUSR2'); // the gate: all start at once
        const results = (await Promise.all(workers.map((w) => w.nextLine()))) as Reply[];
        const winners = results.flatMap((result, index) => (result['ok'] ? [index] : []));
        expect(winners).toHaveLength(1);
        for (const loser of results.filter((r) => !r['ok'])) expect(loser['error']).toBe('RecordConditionFailedError');
        const stored = await store.readRecord(key);
        expect(Buffer.from(stored!.value).toString()).toBe(`r${round}w${winners[0]}`);
        expect(stored!.version).toBe(results[winners[0]!]!['version']);
      }
      // No lock file outlives its write.
      expect(await readdir(join(root, 'locks'))).toEqual([]);
    } finally {
      await store.close();
      await stopAll(workers);
    }
  });

  it('a read in this process survives another process deleting the object; the delete completes when the read ends', async () => {
    const root = await temps.make('mp-read');
    const [worker] = await startWorkers(root, 1);
    const store = await FsStore.open({ root });
    try {
      worker!.send({ op: 'assemble', upload: 'u1', parts: ['aaaa', 'bbbb', 'cccc'] });
      const { handle } = (await worker!.nextLine()) as { handle: string };
      const reader = store.read(handle)[Symbol.asyncIterator]();
      const first = await reader.next(); // only the first part file is open
      worker!.send({ op: 'deleteData', handle });
      expect(await worker!.nextLine()).toEqual({ deleted: true });
      // The handle stopped resolving for new reads at once…
      await expect(drain(store.read(handle))).rejects.toBeInstanceOf(UnknownHandleError);
      // …but the read in progress gets every byte.
      const chunks = [Buffer.from(first.value as Uint8Array)];
      for (let next = await reader.next(); !next.done; next = await reader.next()) chunks.push(Buffer.from(next.value));
      expect(Buffer.concat(chunks).toString()).toBe('aaaabbbbcccc');
      // The last reader finished the deferred delete: the parts and the journal entry are gone.
      await store.close();
      expect(await readdir(join(root, 'deleting'))).toEqual([]);
      expect(await readdir(join(root, 'data'))).toEqual([]);
      expect(await readdir(join(root, 'reading'))).toEqual([]);
    } finally {
      await store.close();
      await stopAll([worker!]);
    }
  });

  it('recovery in a second process keeps a live process\'s temp file and removes a dead one\'s', async () => {
    const root = await temps.make('mp-recover');
    const [live, doomed] = await startWorkers(root, 2);
    try {
      live!.send({ op: 'slowPart', upload: 'u', partId: 'p1', first: 'hello ' });
      expect(await live!.nextLine()).toEqual({ writing: true });
      doomed!.send({ op: 'slowPart', upload: 'u', partId: 'p2', first: 'lost' });
      expect(await doomed!.nextLine()).toEqual({ writing: true });
      expect(await readdir(join(root, 'tmp'))).toHaveLength(2);
      doomed!.child.kill('SIGKILL');
      await doomed!.exited;

      const store = await FsStore.open({ root });
      try {
        expect(store.recovery).toMatchObject({ previousOwnerDied: true, tempFilesRemoved: 1 });
        const left = await readdir(join(root, 'tmp'));
        expect(left).toHaveLength(1);
        expect(left[0]).toMatch(new RegExp(`^${live!.child.pid}-`));
        // The live process's write finishes and its part is whole.
        live!.send({ op: 'finishPart', rest: 'world' });
        expect(await live!.nextLine()).toEqual({ size: 11 });
        const handle = await store.assemble('u', [{ partId: 'p1', size: 11 }]);
        expect((await drain(store.read(handle))).toString()).toBe('hello world');
      } finally {
        await store.close();
      }
    } finally {
      await stopAll([live!, doomed!]);
    }
  });
});

import { open, readdir, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FsStore, PartTooLargeError, TruncatedPartError } from '@mpu/fs';
import { streamIntoFile } from '../src/part-file-writer.js';
import { bodyOf } from './body.js';
import { TempDirs } from './temp-dirs.js';

const temps = new TempDirs();
afterAll(() => temps.removeAll());

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Yields one buffer again and again, rewriting it after each pull (a buffer-reusing producer). */
async function* reusingProducer(chunkSize: number, count: number): AsyncIterable<Uint8Array> {
  const buffer = Buffer.alloc(chunkSize);
  for (let i = 0; i < count; i++) {
    buffer.fill(i & 0xff);
    yield buffer;
  }
}

describe('part files', () => {
  it('a part over the size limit is refused while streaming', async () => {
    const dir = await temps.make('limit');
    const handle = await open(join(dir, 'f'), 'w');
    try {
      await expect(streamIntoFile(handle, bodyOf(Buffer.alloc(6), Buffer.alloc(6)), { partId: 'p', maxPartSize: 10 }))
        .rejects.toBeInstanceOf(PartTooLargeError);
    } finally {
      await handle.close();
    }
  });

  it('a failed or aborted body leaves no temp file and no part file', async () => {
    const root = await temps.make('fail');
    const store = await FsStore.open({ root });
    try {
      async function* failing(): AsyncIterable<Uint8Array> {
        yield Buffer.alloc(100_000, 1);
        throw new Error('client went away');
      }
      await expect(store.writePart('u', 'p1', failing())).rejects.toThrow('client went away');
      const controller = new AbortController();
      async function* aborting(): AsyncIterable<Uint8Array> {
        yield Buffer.alloc(10, 1);
        controller.abort(new Error('aborted by test'));
        yield Buffer.alloc(10, 2);
      }
      await expect(store.writePart('u', 'p2', aborting(), { signal: controller.signal })).rejects.toThrow('aborted by test');
      expect(await readdir(join(root, 'tmp'))).toEqual([]);
      expect(await readdir(join(root, 'data'))).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a producer that reuses its buffer after each pull is stored as yielded (small and large chunks)', async () => {
    const store = await FsStore.open({ root: await temps.make('reuse') });
    try {
      for (const [chunkSize, count] of [[1000, 700], [100_000, 30], [600_000, 3]] as const) {
        const partId = `p${chunkSize}`;
        const { size } = await store.writePart('u', partId, reusingProducer(chunkSize, count));
        expect(size).toBe(chunkSize * count);
        const handle = await store.assemble('u', [{ partId, size }]);
        const bytes = await readAll(store.read(handle));
        for (let i = 0; i < count; i++) {
          expect(bytes.subarray(i * chunkSize, (i + 1) * chunkSize).every((b) => b === (i & 0xff)), `chunk ${i}`).toBe(true);
        }
      }
    } finally {
      await store.close();
    }
  });

  it('a part file truncated on disk fails the read with TruncatedPartError instead of short data', async () => {
    const root = await temps.make('trunc');
    const store = await FsStore.open({ root });
    try {
      await store.writePart('u', 'p', bodyOf(Buffer.alloc(5000, 7)));
      const handle = await store.assemble('u', [{ partId: 'p', size: 5000 }]);
      const upload = (await readdir(join(root, 'data')))[0]!;
      const [part] = await readdir(join(root, 'data', upload, 'parts'));
      await truncate(join(root, 'data', upload, 'parts', part!), 4000);
      await expect(readAll(store.read(handle))).rejects.toBeInstanceOf(TruncatedPartError);
    } finally {
      await store.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import {
  type BlobStore, type ByteRange, type DataHandle, type ListRecordsOptions, MemoryStore, MultipartEngine, type PartRef,
  type RecordCondition, type S3Error, type StoredRecord, type WritePartOptions,
} from '@mpu/core';
import { body, collect, expectS3Error, recordKeysOf, TINY_LIMITS } from './engine-helpers.js';

/** Yields to the event loop a pseudo-random number of times before each call, so racing operations interleave. */
class JitterStore implements BlobStore {
  #seed: number;
  constructor(readonly inner: MemoryStore, seed: number) {
    this.#seed = seed;
  }
  get capabilities() { return this.inner.capabilities; }
  async #jitter(): Promise<void> {
    this.#seed = (this.#seed * 1103515245 + 12345) & 0x7fffffff;
    const turns = this.#seed % 4;
    for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
  }
  async readRecord(key: string) { await this.#jitter(); return this.inner.readRecord(key); }
  async writeRecord(key: string, value: Uint8Array, condition?: RecordCondition) { await this.#jitter(); return this.inner.writeRecord(key, value, condition); }
  async deleteRecord(key: string, condition?: { readonly ifVersion: string }) { await this.#jitter(); return this.inner.deleteRecord(key, condition); }
  async *listRecords(prefix: string, options?: ListRecordsOptions): AsyncIterable<StoredRecord> { await this.#jitter(); yield* this.inner.listRecords(prefix, options); }
  async writePart(upload: string, partId: string, b: AsyncIterable<Uint8Array>, options?: WritePartOptions) { await this.#jitter(); return this.inner.writePart(upload, partId, b, options); }
  async assemble(upload: string, parts: readonly PartRef[]) { await this.#jitter(); return this.inner.assemble(upload, parts); }
  async *read(handle: DataHandle, range?: ByteRange) { await this.#jitter(); yield* this.inner.read(handle, range); }
  async discard(upload: string, partIds?: readonly string[]) { await this.#jitter(); return this.inner.discard(upload, partIds); }
  async deleteData(handle: DataHandle) { await this.#jitter(); return this.inner.deleteData(handle); }
  async close() { return this.inner.close(); }
}

/** Fails the first call matching `when` — the "process died here" of a crash test (state stays as the crash left it). */
class CrashOnceStore extends MemoryStore {
  constructor(readonly when: (method: string, key: string) => boolean) {
    super();
  }
  #crashed = false;
  #maybeCrash(method: string, key: string): void {
    if (!this.#crashed && this.when(method, key)) {
      this.#crashed = true;
      throw new Error(`simulated crash at ${method} ${key}`);
    }
  }
  override async writeRecord(key: string, value: Uint8Array, condition?: RecordCondition): Promise<string> {
    this.#maybeCrash('writeRecord', key);
    return super.writeRecord(key, value, condition);
  }
  override async assemble(upload: string, parts: readonly PartRef[]): Promise<DataHandle> {
    this.#maybeCrash('assemble', upload);
    return super.assemble(upload, parts);
  }
  override async deleteRecord(key: string, condition?: { readonly ifVersion: string }): Promise<void> {
    this.#maybeCrash('deleteRecord', key);
    return super.deleteRecord(key, condition);
  }
  override async discard(upload: string, partIds?: readonly string[]): Promise<void> {
    this.#maybeCrash('discard', upload);
    return super.discard(upload, partIds);
  }
}

async function setupWith(store: BlobStore) {
  const engine = new MultipartEngine({ store, limits: TINY_LIMITS });
  await engine.createBucket('bucket');
  const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'key' });
  const p1 = await engine.uploadPart({ ...upload, partNumber: 1, body: body('aaaa') });
  const p2 = await engine.uploadPart({ ...upload, partNumber: 2, body: body('bb') });
  const parts = [p1, p2].map(({ partNumber, etag }) => ({ partNumber, etag }));
  const read = async () => (await collect((await engine.getObject({ bucket: 'bucket', key: 'key' })).body)).toString();
  return { engine, upload, parts, read };
}

const SEEDS = Array.from({ length: 25 }, (_, i) => i + 1);

describe('concurrency', () => {
  it.each(SEEDS)('two Completes of one upload return the same result (seed %i)', async (seed) => {
    const inner = new MemoryStore();
    const { engine, upload, parts, read } = await setupWith(new JitterStore(inner, seed));
    const [a, b] = await Promise.all([
      engine.completeMultipartUpload({ ...upload, parts }),
      engine.completeMultipartUpload({ ...upload, parts }),
    ]);
    expect(a).toEqual(b);
    expect(await read()).toBe('aaaabb');
    expect(await recordKeysOf(inner, 'part/')).toEqual([]);
  });

  it.each(SEEDS)('Complete racing Abort: exactly one wins (seed %i)', async (seed) => {
    const inner = new MemoryStore();
    const { engine, upload, parts, read } = await setupWith(new JitterStore(inner, seed));
    const [complete, abort] = await Promise.allSettled([
      engine.completeMultipartUpload({ ...upload, parts }),
      engine.abortMultipartUpload(upload),
    ]);
    expect([complete.status, abort.status].filter((status) => status === 'fulfilled')).toHaveLength(1);
    if (complete.status === 'fulfilled') {
      expect((abort as PromiseRejectedResult).reason).toMatchObject({ code: 'NoSuchUpload' });
      expect(await read()).toBe('aaaabb');
    } else {
      expect((complete.reason as S3Error).code).toBe('NoSuchUpload');
      await expectS3Error(engine.getObject({ bucket: 'bucket', key: 'key' }), 'NoSuchKey');
      expect(await recordKeysOf(inner)).toEqual(['bucket/bucket']);
    }
    expect(await recordKeysOf(inner, 'part/')).toEqual([]);
  });

  it.each(SEEDS.slice(0, 10))('UploadPart racing Complete never leaves a part behind (seed %i)', async (seed) => {
    const inner = new MemoryStore();
    const { engine, upload, parts } = await setupWith(new JitterStore(inner, seed));
    const [late] = await Promise.allSettled([
      engine.uploadPart({ ...upload, partNumber: 3, body: body('late') }),
      engine.completeMultipartUpload({ ...upload, parts }),
    ]);
    if (late.status === 'rejected') expect((late.reason as S3Error).code).toBe('NoSuchUpload');
    expect(await recordKeysOf(inner, 'part/')).toEqual([]);
    // No staged part survives besides the two the object uses.
    await inner.discard(upload.uploadId);
    expect((await collect((await engine.getObject({ bucket: 'bucket', key: 'key' })).body)).toString()).toBe('aaaabb');
  });

  it('two uploads of one key, completed in either order: reads return the last completed', async () => {
    for (const order of [[0, 1], [1, 0]] as const) {
      const engine = new MultipartEngine({ store: new MemoryStore(), limits: TINY_LIMITS });
      await engine.createBucket('bucket');
      const uploads = [
        await engine.createMultipartUpload({ bucket: 'bucket', key: 'key' }),
        await engine.createMultipartUpload({ bucket: 'bucket', key: 'key' }),
      ];
      const parts = [];
      for (const [index, upload] of uploads.entries()) {
        parts.push(await engine.uploadPart({ ...upload, partNumber: 1, body: body(`upload-${index}`) }));
      }
      for (const index of order) {
        await engine.completeMultipartUpload({ ...uploads[index]!, parts: [parts[index]!] });
        expect((await collect((await engine.getObject({ bucket: 'bucket', key: 'key' })).body)).toString()).toBe(`upload-${index}`);
      }
    }
  });

  it.each(SEEDS.slice(0, 10))('conditional Completes of two uploads to one absent key: one commits, the other 412/409 (seed %i)', async (seed) => {
    const inner = new MemoryStore();
    const engine = new MultipartEngine({ store: new JitterStore(inner, seed), limits: TINY_LIMITS });
    await engine.createBucket('bucket');
    const entries = [];
    for (const text of ['first', 'second']) {
      const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'key' });
      const part = await engine.uploadPart({ ...upload, partNumber: 1, body: body(text) });
      entries.push({ upload, parts: [{ partNumber: 1, etag: part.etag }], text });
    }
    const results = await Promise.allSettled(entries.map(({ upload, parts }) =>
      engine.completeMultipartUpload({ ...upload, parts, conditions: { ifNoneMatch: '*' } })));
    const winners = results.flatMap((result, index) => (result.status === 'fulfilled' ? [index] : []));
    expect(winners).toHaveLength(1);
    const loser = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(['PreconditionFailed', 'ConditionalRequestConflict']).toContain((loser.reason as S3Error).code);
    expect((await collect((await engine.getObject({ bucket: 'bucket', key: 'key' })).body)).toString()).toBe(entries[winners[0]!]!.text);
  });
});

describe('crash safety of Complete', () => {
  const crashPoints: [string, (method: string, key: string) => boolean][] = [
    ['at assemble', (method) => method === 'assemble'],
    ['recording the handle', (method, key) => method === 'writeRecord' && key.startsWith('upload/') && key.length > 0 && crashAfter(1)],
    ['publishing the object', (method, key) => method === 'writeRecord' && key.startsWith('object/')],
    ['marking completed', (method, key) => method === 'writeRecord' && key.startsWith('upload/') && crashAfter(2)],
    ['deleting part records', (method, key) => method === 'deleteRecord' && key.startsWith('part/')],
    ['discarding staged parts', (method) => method === 'discard'],
  ];
  let uploadWrites = 0;
  function crashAfter(n: number): boolean {
    return ++uploadWrites > n;
  }

  it.each(crashPoints)('a retry finishes a Complete that crashed %s', async (_name, when) => {
    uploadWrites = 0;
    let armed = false;
    const store = new CrashOnceStore((method, key) => armed && when(method, key));
    const { engine, upload, parts, read } = await setupWith(store);
    await engine.putObject({ bucket: 'bucket', key: 'key', body: body('previous') });
    armed = true;
    await expect(engine.completeMultipartUpload({ ...upload, parts })).rejects.toThrow(/simulated crash/);
    // Until the retry, readers see the old object or the new one — never a mix or nothing.
    expect(['previous', 'aaaabb']).toContain(await read());
    const result = await engine.completeMultipartUpload({ ...upload, parts });
    expect(result.etag).toMatch(/-2"$/);
    expect(await read()).toBe('aaaabb');
    expect(await engine.completeMultipartUpload({ ...upload, parts })).toEqual(result);
    expect(await recordKeysOf(store, 'part/')).toEqual([]);
  });

  it('a sweep finishes a crashed Complete nobody retried, once it is old enough', async () => {
    let armed = false;
    let now = Date.parse('2026-01-31T12:00:00.000Z');
    const store = new CrashOnceStore((method, key) => armed && method === 'writeRecord' && key.startsWith('object/'));
    const engine = new MultipartEngine({ store, limits: TINY_LIMITS, clock: () => new Date(now) });
    await engine.createBucket('bucket');
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'key' });
    const part = await engine.uploadPart({ ...upload, partNumber: 1, body: body('data') });
    armed = true;
    await expect(engine.completeMultipartUpload({ ...upload, parts: [part] })).rejects.toThrow(/simulated crash/);
    await expectS3Error(engine.getObject({ bucket: 'bucket', key: 'key' }), 'NoSuchKey');
    now += 60_000;
    await engine.expireIncompleteUploads(new Date(0));
    await expectS3Error(engine.getObject({ bucket: 'bucket', key: 'key' }), 'NoSuchKey');
    now += 5 * 60_000;
    expect(await engine.expireIncompleteUploads(new Date(0))).toBe(0);
    expect((await collect((await engine.getObject({ bucket: 'bucket', key: 'key' })).body)).toString()).toBe('data');
    expect(await recordKeysOf(store, 'part/')).toEqual([]);
  });

  it('a sweep finishes an abort that crashed midway', async () => {
    let armed = false;
    const store = new CrashOnceStore((method) => armed && method === 'discard');
    const { engine, upload } = await setupWith(store);
    armed = true;
    await expect(engine.abortMultipartUpload(upload)).rejects.toThrow(/simulated crash/);
    await expectS3Error(engine.abortMultipartUpload(upload), 'NoSuchUpload');
    await engine.expireIncompleteUploads(new Date(0));
    expect(await recordKeysOf(store)).toEqual(['bucket/bucket']);
  });
});

import { describe, expect, it } from 'vitest';
import {
  type ByteRange, type DataHandle, type ListRecordsOptions, MemoryStore, MultipartEngine, type PartRef,
  type RecordCondition, type StoredRecord, TransientStoreError, withRetry,
} from '@mpu/core';
import { body, collect, TINY_LIMITS } from './engine-helpers.js';

/** Fails every `every`-th call with a TransientStoreError; streams fail once after their first item. */
class FlakyStore extends MemoryStore {
  calls = 0;
  failures = 0;
  constructor(readonly every: number) {
    super();
  }
  #flake(): void {
    if (++this.calls % this.every === 0) {
      this.failures++;
      throw new TransientStoreError('503 Slow Down');
    }
  }
  override async readRecord(key: string) { this.#flake(); return super.readRecord(key); }
  override async writeRecord(key: string, value: Uint8Array, condition?: RecordCondition) { this.#flake(); return super.writeRecord(key, value, condition); }
  override async deleteRecord(key: string, condition?: { readonly ifVersion: string }) { this.#flake(); return super.deleteRecord(key, condition); }
  override async assemble(upload: string, parts: readonly PartRef[]) { this.#flake(); return super.assemble(upload, parts); }
  override async discard(upload: string, partIds?: readonly string[]) { this.#flake(); return super.discard(upload, partIds); }
  override async deleteData(handle: DataHandle) { this.#flake(); return super.deleteData(handle); }
  override async *listRecords(prefix: string, options?: ListRecordsOptions): AsyncIterable<StoredRecord> {
    let yielded = 0;
    for await (const record of super.listRecords(prefix, options)) {
      if (yielded++ === 1) this.#flake();
      yield record;
    }
  }
  override async *read(handle: DataHandle, range?: ByteRange): AsyncIterable<Uint8Array> {
    let yielded = 0;
    for await (const chunk of super.read(handle, range)) {
      if (yielded++ === 1) this.#flake();
      yield chunk;
    }
  }
}

const noSleep = async () => undefined;

describe('withRetry', () => {
  it('runs the whole engine over a store failing every 3rd call', async () => {
    const flaky = new FlakyStore(3);
    const engine = new MultipartEngine({ store: withRetry(flaky, { sleep: noSleep }), limits: TINY_LIMITS });
    await engine.createBucket('bucket');
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'key' });
    const parts = [];
    for (let n = 1; n <= 5; n++) parts.push(await engine.uploadPart({ ...upload, partNumber: n, body: body(`part-${n}`, '-tail') }));
    expect((await engine.listParts({ ...upload, maxParts: 10 })).parts.map((part) => part.partNumber)).toEqual([1, 2, 3, 4, 5]);
    await engine.completeMultipartUpload({ ...upload, parts: parts.map(({ partNumber, etag }) => ({ partNumber, etag })) });
    const expected = [1, 2, 3, 4, 5].map((n) => `part-${n}-tail`).join('');
    expect((await collect((await engine.getObject({ bucket: 'bucket', key: 'key' })).body)).toString()).toBe(expected);
    const ranged = await engine.getObject({ bucket: 'bucket', key: 'key', range: { start: 3, end: 40 } });
    expect((await collect(ranged.body)).toString()).toBe(expected.slice(3, 41));
    for (let i = 0; i < 5; i++) await engine.putObject({ bucket: 'bucket', key: `k${i}`, body: body('x') });
    expect((await engine.listObjects({ bucket: 'bucket' })).objects.map((object) => object.key)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'key']);
    expect(flaky.failures).toBeGreaterThan(5);
  });

  it('gives up after the retry budget and passes other errors through at once', async () => {
    const flaky = new FlakyStore(1);
    const store = withRetry(flaky, { retries: 2, sleep: noSleep });
    await expect(store.readRecord('x')).rejects.toThrow(TransientStoreError);
    expect(flaky.calls).toBe(3);
    const closed = new MemoryStore();
    await closed.close();
    let sleeps = 0;
    await expect(withRetry(closed, { sleep: async () => { sleeps++; } }).readRecord('x')).rejects.toThrow(/closed/);
    expect(sleeps).toBe(0);
  });

  it('never retries writePart (its body is consumed)', async () => {
    class FailingWrite extends MemoryStore {
      attempts = 0;
      override async writePart(): Promise<{ readonly size: number }> {
        this.attempts++;
        throw new TransientStoreError('reset');
      }
    }
    const inner = new FailingWrite();
    await expect(withRetry(inner, { sleep: noSleep }).writePart('u', 'p', body('x'))).rejects.toThrow(TransientStoreError);
    expect(inner.attempts).toBe(1);
  });
});

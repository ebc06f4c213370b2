import { describe, expect, it } from 'vitest';
import { FaultyStore, MemoryStore, MultipartEngine, withRetry } from '@mpu/core';
import { bodyOf, partEtagOf, readObject } from './helpers/bytes.js';

/**
 * Exact fault schedules for what faults.property.test.ts found, so each stays fixed. Each
 * states the failure a client could see: the key naming bytes that no longer exist.
 */

async function setup() {
  const store = new FaultyStore(new MemoryStore(), { paused: true });
  const engine = new MultipartEngine({ store });
  await engine.createBucket('bkt');
  await engine.putObject({ bucket: 'bkt', key: 'k', body: bodyOf(Buffer.from('old bytes')) });
  return { store, engine };
}

describe('PutObject whose publish fails after the record swap', () => {
  it('the old data cannot be deleted: the put has happened, and the key reads the new bytes', async () => {
    const { store, engine } = await setup();
    store.failNext('deleteData'); // the delete of the replaced object's data, after the swap
    // The replacement is published; failing to free the old (now unreachable) bytes only leaks them.
    const put = await engine.putObject({ bucket: 'bkt', key: 'k', body: bodyOf(Buffer.from('new bytes')) });
    expect(put.etag).toBe(partEtagOf(Buffer.from('new bytes')));
    expect((await readObject(engine, 'bkt', 'k'))?.toString()).toBe('new bytes');
  });

  it('the answer of the record write is lost: the key still reads old or new bytes', async () => {
    const { store, engine } = await setup();
    // writeRecord calls of a PutObject over an existing key: 1 = the object record swap.
    store.failNext('writeRecord', { kind: 'fail', when: 'after' });
    await expect(engine.putObject({ bucket: 'bkt', key: 'k', body: bodyOf(Buffer.from('new bytes')) })).rejects.toThrow(/injected/);
    const seen = (await readObject(engine, 'bkt', 'k'))?.toString();
    expect(['old bytes', 'new bytes']).toContain(seen);
    // And the retry a client makes is idempotent.
    const retry = await engine.putObject({ bucket: 'bkt', key: 'k', body: bodyOf(Buffer.from('new bytes')) });
    expect(retry.etag).toBe(partEtagOf(Buffer.from('new bytes')));
    expect((await readObject(engine, 'bkt', 'k'))?.toString()).toBe('new bytes');
  });

  it('CopyObject onto an existing key: same rule', async () => {
    const { store, engine } = await setup();
    await engine.putObject({ bucket: 'bkt', key: 'src', body: bodyOf(Buffer.from('copied bytes')) });
    store.failNext('deleteData');
    await engine.copyObject({ bucket: 'bkt', key: 'k', source: { bucket: 'bkt', key: 'src' } });
    expect((await readObject(engine, 'bkt', 'k'))?.toString()).toBe('copied bytes');
  });
});

describe('PutObject whose lost answer cannot even be checked', () => {
  it('the record write lands but reports failure, and the read-back fails too: the data stays (unknown means keep)', async () => {
    const faulty = new FaultyStore(new MemoryStore(), { paused: true });
    // After the record write fails, the next record read fails as well: the engine cannot
    // tell whether its object is published, so it must not delete the object's data.
    const store = new Proxy(faulty, {
      get(target, property) {
        if (property !== 'writeRecord') {
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return async (...args: Parameters<FaultyStore['writeRecord']>) => {
          try {
            return await target.writeRecord(...args);
          } catch (error) {
            target.failNext('readRecord');
            throw error;
          }
        };
      },
    });
    const engine = new MultipartEngine({ store });
    await engine.createBucket('bkt');
    faulty.failNext('writeRecord', { kind: 'fail', when: 'after' });
    await expect(engine.putObject({ bucket: 'bkt', key: 'fresh', body: bodyOf(Buffer.from('fresh bytes')) })).rejects.toThrow(/injected/);
    const seen = await readObject(engine, 'bkt', 'fresh');
    expect(seen === undefined || seen.toString() === 'fresh bytes', `reads ${String(seen)}`).toBe(true);
  });
});

/**
 * Under `withRetry` (how the azure and gcs backends run), a record write whose answer is lost
 * is retried and fails its condition against itself. Each operation must recognise its own
 * write instead of treating it as someone else's.
 */
describe('a lost answer to a record write, retried by withRetry', () => {
  async function retrying() {
    const store = new FaultyStore(new MemoryStore(), { paused: true });
    const engine = new MultipartEngine({ store: withRetry(store, { sleep: async () => undefined }) });
    await engine.createBucket('bkt');
    return { store, engine };
  }

  it('PutObject to an absent key: the object is readable (its own retried write is not "a newer object")', async () => {
    const { store, engine } = await retrying();
    store.failNext('writeRecord', { kind: 'fail', when: 'after' });
    const result = await engine.putObject({ bucket: 'bkt', key: 'k', body: bodyOf(Buffer.from('fresh bytes')) });
    expect(result.etag).toBe(partEtagOf(Buffer.from('fresh bytes')));
    expect((await readObject(engine, 'bkt', 'k'))?.toString()).toBe('fresh bytes');
  });

  it('PutObject over an existing key: the new bytes are readable', async () => {
    const { store, engine } = await retrying();
    await engine.putObject({ bucket: 'bkt', key: 'k', body: bodyOf(Buffer.from('old bytes')) });
    store.failNext('writeRecord', { kind: 'fail', when: 'after' });
    await engine.putObject({ bucket: 'bkt', key: 'k', body: bodyOf(Buffer.from('new bytes')) });
    expect((await readObject(engine, 'bkt', 'k'))?.toString()).toBe('new bytes');
  });

  it('AbortMultipartUpload: answered as the success it was, not NoSuchUpload', async () => {
    const { store, engine } = await retrying();
    const upload = await engine.createMultipartUpload({ bucket: 'bkt', key: 'k' });
    store.failNext('writeRecord', { kind: 'fail', when: 'after' }); // initiated → aborted
    await expect(engine.abortMultipartUpload(upload)).resolves.toBeUndefined();
    expect((await engine.listMultipartUploads({ bucket: 'bkt' })).uploads).toEqual([]);
  });

  it('CreateMultipartUpload: one upload, not a second one beside a ghost nobody knows', async () => {
    const { store, engine } = await retrying();
    store.failNext('writeRecord', { kind: 'fail', when: 'after' });
    const upload = await engine.createMultipartUpload({ bucket: 'bkt', key: 'k' });
    const { uploads } = await engine.listMultipartUploads({ bucket: 'bkt' });
    expect(uploads.map((listed) => listed.uploadId)).toEqual([upload.uploadId]);
  });
});

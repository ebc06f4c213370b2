import { describe, expect, it } from 'vitest';
import { FaultyStore, MemoryStore, MultipartEngine } from '@mpu/core';
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
  it('the old data cannot be deleted: the key still reads old or new bytes, never missing ones', async () => {
    const { store, engine } = await setup();
    store.failNext('deleteData'); // the delete of the replaced object's data, after the swap
    await expect(engine.putObject({ bucket: 'bkt', key: 'k', body: bodyOf(Buffer.from('new bytes')) })).rejects.toThrow(/injected/);
    const seen = (await readObject(engine, 'bkt', 'k'))?.toString();
    expect(['old bytes', 'new bytes']).toContain(seen);
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
    await expect(engine.copyObject({ bucket: 'bkt', key: 'k', source: { bucket: 'bkt', key: 'src' } })).rejects.toThrow(/injected/);
    const seen = (await readObject(engine, 'bkt', 'k'))?.toString();
    expect(['old bytes', 'copied bytes']).toContain(seen);
  });
});

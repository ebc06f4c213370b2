import { describe, expect, it } from 'vitest';
import { FaultyStore, InjectedFaultError, MemoryStore, TransientStoreError } from '@mpu/core';
import { body, collect } from './engine-helpers.js';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('FaultyStore', () => {
  it('passes every call through when nothing is configured', async () => {
    const store = new FaultyStore(new MemoryStore());
    await store.writeRecord('a', Buffer.from('1'));
    expect((await store.readRecord('a'))?.value).toEqual(Buffer.from('1'));
    const { size } = await store.writePart('u', 'p', body('hello'));
    const handle = await store.assemble('u', [{ partId: 'p', size }]);
    expect((await collect(store.read(handle))).toString()).toBe('hello');
    expect(store.injected).toEqual([]);
    expect(store.calls('writeRecord')).toBe(1);
  });

  it('fails exactly the scheduled call, before it reaches the inner store', async () => {
    const inner = new MemoryStore();
    const store = new FaultyStore(inner);
    store.schedule('writeRecord', 2, { kind: 'fail', error: 'plain' });
    await store.writeRecord('a', Buffer.from('1'));
    const error = await rejection(store.writeRecord('b', Buffer.from('2')));
    expect(error).toBeInstanceOf(InjectedFaultError);
    expect(error).not.toBeInstanceOf(TransientStoreError);
    expect(await inner.readRecord('b')).toBeUndefined();
    await store.writeRecord('c', Buffer.from('3'));
    expect(store.injected).toEqual([{ method: 'writeRecord', call: 2, fault: { kind: 'fail', error: 'plain' }, target: 'b' }]);
  });

  it('a fail "after" lets the write land and loses its acknowledgement', async () => {
    const inner = new MemoryStore();
    const store = new FaultyStore(inner);
    store.failNext('writeRecord', { kind: 'fail', when: 'after' });
    expect(await rejection(store.writeRecord('a', Buffer.from('1')))).toBeInstanceOf(TransientStoreError);
    expect((await inner.readRecord('a'))?.value).toEqual(Buffer.from('1'));
  });

  it('cuts a writePart body after k bytes: the write fails and nothing is readable', async () => {
    const inner = new MemoryStore();
    const store = new FaultyStore(inner);
    store.failNext('writePart', { kind: 'cut', after: 3 });
    const error = await rejection(store.writePart('u', 'p', body('ab', 'cd', 'ef')));
    expect(error).toBeInstanceOf(TransientStoreError);
    await expect(inner.assemble('u', [{ partId: 'p', size: 6 }])).rejects.toThrow();
  });

  it('cuts a read after k bytes, having yielded exactly those bytes', async () => {
    const store = new FaultyStore(new MemoryStore());
    const { size } = await store.writePart('u', 'p', body('abcd', 'efgh'));
    const handle = await store.assemble('u', [{ partId: 'p', size }]);
    store.failNext('read', { kind: 'cut', after: 6 });
    const seen: Buffer[] = [];
    await expect((async () => { for await (const chunk of store.read(handle)) seen.push(Buffer.from(chunk)); })()).rejects.toBeInstanceOf(TransientStoreError);
    expect(Buffer.concat(seen).toString()).toBe('abcdef');
    expect((await collect(store.read(handle))).toString()).toBe('abcdefgh');
  });

  it('cuts a listing after k records', async () => {
    const store = new FaultyStore(new MemoryStore());
    for (const key of ['a', 'b', 'c']) await store.writeRecord(key, Buffer.from(key));
    store.failNext('listRecords', { kind: 'cut', after: 2 }, 0);
    const keys: string[] = [];
    await expect((async () => { for await (const record of store.listRecords('')) keys.push(record.key); })()).rejects.toThrow(/listRecords/);
    expect(keys).toEqual(['a', 'b']);
  });

  it('delays a call without failing it', async () => {
    const store = new FaultyStore(new MemoryStore());
    store.failNext('readRecord', { kind: 'delay', ms: 30 });
    const started = Date.now();
    expect(await store.readRecord('missing')).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('draws the same random faults from the same seed, none while paused', async () => {
    const run = async (seed: number, paused = false) => {
      const store = new FaultyStore(new MemoryStore(), { seed, paused, rates: { readRecord: { fail: 0.3, delay: 0.2 } }, maxDelayMs: 0 });
      for (let i = 0; i < 40; i++) await store.readRecord(`k${i}`).catch(() => undefined);
      return store.injected.map(({ call, fault }) => `${call}:${fault.kind}`);
    };
    const a = await run(7);
    expect(a.length).toBeGreaterThan(5);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
    expect(await run(7, true)).toEqual([]);
  });

  it('randomErrors picks the error class of random faults', async () => {
    const kinds = async (randomErrors: 'transient' | 'plain') => {
      const store = new FaultyStore(new MemoryStore(), { seed: 3, randomErrors, rates: { readRecord: { fail: 1 } } });
      const errors = await Promise.all(Array.from({ length: 10 }, (_, i) => rejection(store.readRecord(`k${i}`))));
      return new Set(errors.map((error) => error instanceof TransientStoreError));
    };
    expect(await kinds('transient')).toEqual(new Set([true]));
    expect(await kinds('plain')).toEqual(new Set([false]));
  });

  it('fires scheduled faults while random ones are paused, and clearSchedule drops them', async () => {
    const store = new FaultyStore(new MemoryStore(), { paused: true });
    store.failNext('deleteData');
    await expect(store.deleteData('h')).rejects.toThrow(/deleteData call 1/);
    store.failNext('discard');
    store.clearSchedule();
    await store.discard('u');
  });
});

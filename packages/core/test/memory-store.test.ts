import { describe, expect, it } from 'vitest';
import {
  CountingStore, MemoryStore, MissingPartError, RangeOutOfBoundsError, StoreClosedError, UnknownHandleError, compareUtf8,
} from '../src/index.js';

// The shared behaviour of MemoryStore is proven by the conformance suite
// (packages/conformance/test/memory.test.ts); these are its own facts and the decorator's.

async function* body(...chunks: Uint8Array[]): AsyncIterable<Uint8Array> {
  yield* chunks;
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of source) out.push(...chunk);
  return out;
}

describe('MemoryStore', () => {
  it('orders by UTF-8 bytes, where UTF-16 order differs', () => {
    expect('\u{1f600}' < '\uffff').toBe(true);
    expect(compareUtf8('\u{1f600}', '\uffff')).toBeGreaterThan(0);
    expect(compareUtf8('a', 'a')).toBe(0);
  });

  it('copies chunks and values, so callers may reuse their buffers', async () => {
    const store = new MemoryStore();
    const buffer = Uint8Array.of(1, 2, 3);
    await store.writePart('u', 'p', body(buffer));
    const value = Uint8Array.of(9);
    await store.writeRecord('k', value);
    buffer.fill(0);
    value.fill(0);
    const handle = await store.assemble('u', [{ partId: 'p', size: 3 }]);
    expect(await collect(store.read(handle))).toEqual([1, 2, 3]);
    expect(Array.from((await store.readRecord('k'))!.value)).toEqual([9]);
  });

  it('names the facts when assemble, read or a key length is wrong', async () => {
    const store = new MemoryStore();
    await store.writePart('u', 'p', body(Uint8Array.of(1, 2)));
    await expect(store.assemble('u', [{ partId: 'q', size: 2 }])).rejects.toMatchObject(
      new MissingPartError('u', 'q', 2, undefined),
    );
    await expect(store.assemble('u', [{ partId: 'p', size: 3 }])).rejects.toBeInstanceOf(MissingPartError);
    const handle = await store.assemble('u', [{ partId: 'p', size: 2 }]);
    await expect(collect(store.read(handle, { start: 1, end: 2 }))).rejects.toBeInstanceOf(RangeOutOfBoundsError);
    await expect(collect(store.read('memory:none:1'))).rejects.toBeInstanceOf(UnknownHandleError);
    await expect(store.writeRecord('k'.repeat(64 * 1024 + 1), new Uint8Array())).rejects.toBeInstanceOf(RangeError);
  });

  it('refuses work after close', async () => {
    const store = new MemoryStore();
    await store.close();
    await expect(store.readRecord('k')).rejects.toBeInstanceOf(StoreClosedError);
  });
});

describe('CountingStore', () => {
  it('counts calls per method and the bytes written and read', async () => {
    const store = new CountingStore(new MemoryStore());
    expect(store.capabilities.name).toBe('memory');
    await store.writePart('u', 'a', body(new Uint8Array(10), new Uint8Array(5)));
    await store.writePart('u', 'b', body(new Uint8Array(7)));
    await store.writeRecord('k', new Uint8Array(1));
    const handle = await store.assemble('u', [{ partId: 'a', size: 15 }, { partId: 'b', size: 7 }]);
    let counts = store.snapshot();
    expect(counts.bytesWritten).toBe(22);
    expect(counts.bytesRead).toBe(0);
    expect(counts.calls).toMatchObject({ writePart: 2, writeRecord: 1, assemble: 1, read: 0 });
    expect((await collect(store.read(handle, { start: 3, end: 16 }))).length).toBe(14);
    counts = store.snapshot();
    expect(counts.bytesRead).toBe(14);
    expect(counts.calls.read).toBe(1);
    store.reset();
    expect(store.snapshot()).toMatchObject({ bytesRead: 0, bytesWritten: 0, calls: { read: 0, writePart: 0 } });
    await store.close();
    expect(store.snapshot().calls.close).toBe(1);
  });
});

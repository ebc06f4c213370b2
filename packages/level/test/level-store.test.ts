import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MissingPartError, RangeOutOfBoundsError, RecordConditionFailedError, StoreClosedError, UnknownHandleError } from '@mpu/core';
import { LEVEL_STORE_CAPABILITIES, LevelStore, PartTooLargeError } from '../src/index.js';
import { bodyOf, collect, concat, pattern, patternBody, sameBytes } from './helpers/bytes.js';
import { rawKeys } from './helpers/raw-keys.js';
import { tempDir } from './helpers/temp-dir.js';

const utf8 = new TextEncoder();

let dir: Awaited<ReturnType<typeof tempDir>>;
let store: LevelStore;

beforeEach(async () => {
  dir = await tempDir();
  store = await LevelStore.open({ location: dir.path, chunkSize: 1000 });
});

afterEach(async () => {
  await store.close();
  await dir.remove();
});

describe('LevelStore records', () => {
  it('writes, reads, and changes the version on every write', async () => {
    const v1 = await store.writeRecord('a', utf8.encode('one'));
    const v2 = await store.writeRecord('a', utf8.encode('one'));
    expect(v1).not.toBe(v2);
    const read = await store.readRecord('a');
    expect(read).toEqual({ key: 'a', value: utf8.encode('one'), version: v2 });
    expect(await store.readRecord('missing')).toBeUndefined();
  });

  it('honours ifAbsent and ifVersion, and exactly one racing writer wins', async () => {
    const v1 = await store.writeRecord('k', utf8.encode('1'), { ifAbsent: true });
    await expect(store.writeRecord('k', utf8.encode('2'), { ifAbsent: true })).rejects.toBeInstanceOf(RecordConditionFailedError);
    await expect(store.writeRecord('k', utf8.encode('2'), { ifVersion: 'nope' })).rejects.toBeInstanceOf(RecordConditionFailedError);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => store.writeRecord('k', utf8.encode(String(i)), { ifVersion: v1 })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await expect(store.deleteRecord('k', { ifVersion: v1 })).rejects.toBeInstanceOf(RecordConditionFailedError);
    const current = await store.readRecord('k');
    await store.deleteRecord('k', { ifVersion: current!.version });
    expect(await store.readRecord('k')).toBeUndefined();
    await store.deleteRecord('k'); // absent, unconditional: fine
  });

  it('lists by prefix in UTF-8 byte order with startAfter and limit', async () => {
    const keys = ['p/b', 'p/a', 'p/\u00e9', 'p/\u{1F600}', 'p/\uFFFD', 'p/\u0000x', 'p', 'q/a', 'o/z'];
    for (const key of keys) await store.writeRecord(key, utf8.encode(key));
    const listed = async (prefix: string, options = {}) => {
      const out: string[] = [];
      for await (const record of store.listRecords(prefix, options)) out.push(record.key);
      return out;
    };
    const expected = keys.filter((k) => k.startsWith('p/')).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(await listed('p/')).toEqual(expected);
    expect(await listed('p/', { startAfter: 'p/b' })).toEqual(expected.slice(expected.indexOf('p/b') + 1));
    expect(await listed('p/', { limit: 2 })).toEqual(expected.slice(0, 2));
    expect(await listed('p/', { startAfter: 'a' })).toEqual(expected);
    expect(await listed('', {})).toHaveLength(keys.length);
  });

  it('rejects lone surrogates and over-long keys', async () => {
    await expect(store.writeRecord('a\uD800', new Uint8Array())).rejects.toBeInstanceOf(RangeError);
    await expect(store.writeRecord('x'.repeat(LEVEL_STORE_CAPABILITIES.maxRecordKeyBytes + 1), new Uint8Array())).rejects.toBeInstanceOf(RangeError);
  });
});

describe('LevelStore part data', () => {
  it('reads every range across chunk and part boundaries exactly', async () => {
    // chunkSize 1000: parts of 2500, 1, 0, 1000 and 1999 bytes straddle chunk edges.
    const sizes = [2500, 1, 0, 1000, 1999];
    const datas = sizes.map((size, i) => pattern(i + 1, size));
    for (const [i, data] of datas.entries()) {
      // Deliver in awkward pieces so rechunking is exercised.
      const pieces = [];
      for (let at = 0; at < data.length; at += 333) pieces.push(data.subarray(at, at + 333));
      expect(await store.writePart('u1', `p${i}`, bodyOf(...pieces))).toEqual({ size: sizes[i] });
    }
    const handle = await store.assemble('u1', sizes.map((size, i) => ({ partId: `p${i}`, size })));
    const whole = concat(...datas);
    expect(await collect(store.read(handle))).toEqual(whole);
    const edges = [0, 1, 999, 1000, 1001, 2499, 2500, 2501, 3500, 3501, 4500, 5499];
    for (const start of edges) {
      for (const end of edges) {
        if (end < start) continue;
        expect(await collect(store.read(handle, { start, end }))).toEqual(whole.subarray(start, end + 1));
      }
    }
    await expect(collect(store.read(handle, { start: 0, end: whole.length }))).rejects.toBeInstanceOf(RangeOutOfBoundsError);
  });

  it('reads many small parts (batched) mixed with multi-chunk parts exactly', async () => {
    // 299 one-chunk parts cross the 256-key batch limit; a 2500-byte part near the end
    // interrupts a batch and streams through an iterator.
    const sizes = Array.from({ length: 300 }, (_, i) => (i === 280 ? 2500 : (i % 7) + 1));
    const datas = sizes.map((size, i) => pattern(i, size));
    for (const [i, data] of datas.entries()) await store.writePart('many', `p${i}`, bodyOf(data));
    const handle = await store.assemble('many', sizes.map((size, i) => ({ partId: `p${i}`, size })));
    const whole = concat(...datas);
    expect(sameBytes(await collect(store.read(handle)), whole)).toBe('equal');
    for (const [start, end] of [[0, 0], [3, 700], [500, 3500], [whole.length - 10, whole.length - 1]] as const) {
      expect(sameBytes(await collect(store.read(handle, { start, end })), whole.subarray(start, end + 1))).toBe('equal');
    }
  });

  it('reads 1 MiB default chunks with parts that are not multiples of a chunk', async () => {
    await store.close();
    store = await LevelStore.open({ location: dir.path });
    const sizes = [3 * 1024 * 1024 + 7, 1024 * 1024 - 1, 5];
    for (const [i, size] of sizes.entries()) await store.writePart('u', `p${i}`, patternBody(i, size, 100_000));
    const handle = await store.assemble('u', sizes.map((size, i) => ({ partId: `p${i}`, size })));
    const whole = concat(...sizes.map((size, i) => pattern(i, size)));
    expect(sameBytes(await collect(store.read(handle)), whole)).toBe('equal');
    const mib = 1024 * 1024;
    for (const [start, end] of [[mib - 1, mib], [3 * mib + 6, 3 * mib + 7], [2 * mib, 4 * mib + 6], [whole.length - 6, whole.length - 1]] as const) {
      expect(sameBytes(await collect(store.read(handle, { start, end })), whole.subarray(start, end + 1))).toBe('equal');
    }
  });

  it('a read that has begun sees the object as it was, even if it is deleted mid-stream', async () => {
    // Small parts (batched getMany) then a multi-chunk part (iterator), 300 + 3 parts in all.
    const sizes = [...Array.from({ length: 300 }, (_, i) => (i % 5) + 1), 2500, 3, 4000];
    const datas = sizes.map((size, i) => pattern(i + 50, size));
    for (const [i, data] of datas.entries()) await store.writePart('gone', `p${i}`, bodyOf(data));
    const handle = await store.assemble('gone', sizes.map((size, i) => ({ partId: `p${i}`, size })));
    const reader = store.read(handle)[Symbol.asyncIterator]();
    const pieces: Uint8Array[] = [];
    const first = await reader.next();
    pieces.push(first.value as Uint8Array);
    await store.deleteData(handle);
    await store.discard('gone');
    for (let next = await reader.next(); !next.done; next = await reader.next()) pieces.push(next.value);
    expect(sameBytes(concat(...pieces), concat(...datas))).toBe('equal');
    // A read begun after the delete finds nothing.
    await expect(collect(store.read(handle))).rejects.toBeInstanceOf(UnknownHandleError);
  });

  it('reads an empty object and rejects unknown handles', async () => {
    await store.writePart('u', 'empty', bodyOf());
    const handle = await store.assemble('u', [{ partId: 'empty', size: 0 }]);
    expect(await collect(store.read(handle))).toEqual(new Uint8Array());
    await expect(collect(store.read('level:nope'))).rejects.toBeInstanceOf(UnknownHandleError);
    await expect(collect(store.read(`level:${'0'.repeat(32)}:u`))).rejects.toBeInstanceOf(UnknownHandleError);
  });

  it('assemble checks parts exist with their sizes and is idempotent', async () => {
    await store.writePart('u', 'a', bodyOf(pattern(1, 10)));
    await expect(store.assemble('u', [{ partId: 'a', size: 11 }])).rejects.toBeInstanceOf(MissingPartError);
    await expect(store.assemble('u', [{ partId: 'b', size: 0 }])).rejects.toBeInstanceOf(MissingPartError);
    const h1 = await store.assemble('u', [{ partId: 'a', size: 10 }]);
    const h2 = await store.assemble('u', [{ partId: 'a', size: 10 }]);
    expect(await collect(store.read(h2))).toEqual(pattern(1, 10));
    expect(h1).toBe(h2);
  });

  it('a failed body leaves nothing readable and nothing staged', async () => {
    async function* failing() {
      yield pattern(1, 2500);
      throw new Error('client went away');
    }
    await expect(store.writePart('u', 'bad', failing())).rejects.toThrow('client went away');
    await expect(store.assemble('u', [{ partId: 'bad', size: 2500 }])).rejects.toBeInstanceOf(MissingPartError);
    const controller = new AbortController();
    async function* aborting() {
      yield pattern(1, 1500);
      controller.abort();
      yield pattern(1, 1500);
    }
    await expect(store.writePart('u', 'aborted', aborting(), { signal: controller.signal })).rejects.toThrow();
    await expect(store.assemble('u', [{ partId: 'aborted', size: 3000 }])).rejects.toBeInstanceOf(MissingPartError);
  });

  it('enforces maxPartSize', async () => {
    // capabilities is plain data on the instance: lower the limit rather than stream 5 GiB.
    Object.defineProperty(store, 'capabilities', { value: { ...LEVEL_STORE_CAPABILITIES, maxPartSize: 100 } });
    await expect(store.writePart('u', 'big', bodyOf(pattern(1, 101)))).rejects.toBeInstanceOf(PartTooLargeError);
    await expect(store.assemble('u', [{ partId: 'big', size: 101 }])).rejects.toBeInstanceOf(MissingPartError);
    expect(await store.writePart('u', 'ok', bodyOf(pattern(1, 100)))).toEqual({ size: 100 });
  });

  it('discard with ids removes exactly those; without ids keeps what handles use', async () => {
    for (const id of ['a', 'b', 'c', 'd']) await store.writePart('u', id, bodyOf(pattern(id.charCodeAt(0), 1500)));
    await store.writePart('other', 'a', bodyOf(pattern(9, 10)));
    await store.discard('u', ['d']);
    await expect(store.assemble('u', [{ partId: 'd', size: 1500 }])).rejects.toBeInstanceOf(MissingPartError);
    const handle = await store.assemble('u', [{ partId: 'a', size: 1500 }, { partId: 'c', size: 1500 }]);
    await store.discard('u');
    await store.discard('u'); // idempotent
    await expect(store.assemble('u', [{ partId: 'b', size: 1500 }])).rejects.toBeInstanceOf(MissingPartError);
    expect(await collect(store.read(handle))).toEqual(concat(pattern(97, 1500), pattern(99, 1500)));
    // Naming a part a handle uses does not break the handle.
    await store.discard('u', ['a']);
    expect(await collect(store.read(handle))).toEqual(concat(pattern(97, 1500), pattern(99, 1500)));
    // Other uploads are untouched.
    expect(await collect(store.read(await store.assemble('other', [{ partId: 'a', size: 10 }])))).toEqual(pattern(9, 10));
    await store.discard('never-existed');
  });

  it('discard(upload) leaves a part that is still being written to its writer', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slow() {
      yield pattern(5, 2500); // two whole chunks go to the database before the gate
      await gate;
      yield pattern(6, 700);
    }
    const writing = store.writePart('u', 'slow', slow());
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.discard('u');
    release();
    expect(await writing).toEqual({ size: 3200 });
    const handle = await store.assemble('u', [{ partId: 'slow', size: 3200 }]);
    expect(await collect(store.read(handle))).toEqual(concat(pattern(5, 2500), pattern(6, 700)));
  });

  it('deleteData removes the manifest and its chunks, idempotently', async () => {
    await store.writePart('u', 'a', bodyOf(pattern(1, 1500)));
    const handle = await store.assemble('u', [{ partId: 'a', size: 1500 }]);
    await store.deleteData(handle);
    await store.deleteData(handle);
    await store.deleteData('level:garbage');
    await expect(collect(store.read(handle))).rejects.toBeInstanceOf(UnknownHandleError);
    await expect(store.assemble('u', [{ partId: 'a', size: 1500 }])).rejects.toBeInstanceOf(MissingPartError);
    // Nothing of the upload is left in the database: no chunk, part meta or manifest.
    await store.close();
    expect(await rawKeys(dir.path)).toEqual([]);
    store = await LevelStore.open({ location: dir.path, chunkSize: 1000 });
  });

  it('keeps hostile upload and part ids apart', async () => {
    // Without escaping, ("a\0b", "c") and ("a", "b\0c") would share chunk keys.
    await store.writePart('a\u0000b', 'c', bodyOf(pattern(1, 10)));
    await store.writePart('a', 'b\u0000c', bodyOf(pattern(2, 10)));
    await store.writePart('a\u0001', 'x', bodyOf(pattern(3, 10)));
    const h1 = await store.assemble('a\u0000b', [{ partId: 'c', size: 10 }]);
    const h2 = await store.assemble('a', [{ partId: 'b\u0000c', size: 10 }]);
    await store.discard('a\u0001');
    expect(await collect(store.read(h1))).toEqual(pattern(1, 10));
    expect(await collect(store.read(h2))).toEqual(pattern(2, 10));
    await store.discard('a', ['b\u0000c']);
    expect(await collect(store.read(h2))).toEqual(pattern(2, 10));
  });

  it('fails every call after close', async () => {
    await store.close();
    await expect(store.readRecord('a')).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.writePart('u', 'p', bodyOf())).rejects.toBeInstanceOf(StoreClosedError);
    store = await LevelStore.open({ location: dir.path });
  });
});

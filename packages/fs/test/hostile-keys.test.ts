import { readdir, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UnknownHandleError } from '@mpu/core';
import type { StoredRecord } from '@mpu/core';
import { FsStore, RecordKeyTooLongError, RootPathTooLongError } from '@mpu/fs';
import { encodeWtf8 } from '../src/wtf8.js';
import { bodyOf } from './body.js';
import { TempDirs } from './temp-dirs.js';

const temps = new TempDirs();
afterAll(() => temps.removeAll());

/** Every path under `dir` (files and directories), relative to it. */
async function walk(dir: string, relativeTo = dir, out: string[] = []): Promise<string[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    out.push(path.slice(relativeTo.length + 1));
    if (entry.isDirectory()) await walk(path, relativeTo, out);
  }
  return out;
}

/** Order of the bytes the store files keys by (WTF-8 = UTF-8 for well-formed strings). */
const byKeyBytes = (a: string, b: string): number => Buffer.compare(encodeWtf8(a), encodeWtf8(b));

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

const s3Key1024 = 'k/'.repeat(200) + 'é'.repeat(312); // 400 + 624 = 1024 bytes
const hostileKeys = [
  '..', '../..', '../../etc/passwd', '/', '//', '///a', '/leading', 'a//b', 'a/./b', 'a/../b', 'a/', 'a',
  'x\u0000y', '\u0000', 'back\\slash', '\\..\\..\\x', 'CaseKey', 'casekey', 'CASEKEY',
  'caf\u00e9', 'cafe\u0301', // NFC vs NFD: different bytes, different records
  '\uD800', '\uDBFF', '\uDC00', 'a\uD800b', '\uFFFD', '\uD83D\uDE00', // lone surrogates vs U+FFFD vs a real pair
  ' ', '.', '...', 'con', 'nul.txt', 'a:b', '*?<>|"',
  s3Key1024, `upload/bucket/${s3Key1024}`, 'z'.repeat(1280), '/'.repeat(1280), `${'/'.repeat(600)}x${'/'.repeat(600)}`,
];

describe('hostile keys and ids', () => {
  it('every hostile record key round-trips, stays distinct, lists in byte order, and nothing escapes the root', async () => {
    const parent = await temps.make('hostile');
    const root = join(parent, 'store');
    const before = await walk(parent);
    const store = await FsStore.open({ root });
    try {
      const values = new Map<string, Uint8Array>();
      for (const [index, key] of hostileKeys.entries()) {
        const value = Buffer.from(`value ${index}`);
        values.set(key, value);
        await store.writeRecord(key, value, { ifAbsent: true }); // ifAbsent: a collision would fail here
      }
      expect(values.size).toBe(hostileKeys.length); // the list itself has no duplicates
      for (const [key, value] of values) {
        const record = await store.readRecord(key);
        expect(record?.key).toBe(key);
        expect(Buffer.from(record!.value).equals(Buffer.from(value))).toBe(true);
      }
      const listed = await collect(store.listRecords(''));
      expect(listed.map((r) => r.key)).toEqual([...values.keys()].sort(byKeyBytes));
      // NFC and NFD really are two entries; so are a lone surrogate and U+FFFD.
      expect((await store.readRecord('caf\u00e9'))?.value).not.toEqual((await store.readRecord('cafe\u0301'))?.value);
      expect((await store.readRecord('\uD800'))?.value).not.toEqual((await store.readRecord('\uFFFD'))?.value);

      // The same hostile strings as upload ids and part ids.
      for (const [index, id] of hostileKeys.entries()) {
        await store.writePart(id, id, bodyOf(Buffer.from(`part ${index}`)));
        const handle = await store.assemble(id, [{ partId: id, size: Buffer.byteLength(`part ${index}`) }]);
        expect(Buffer.concat(await collect(store.read(handle))).toString()).toBe(`part ${index}`);
      }

      const after = await walk(parent);
      const outside = after.filter((path) => !path.startsWith('store'));
      expect(outside).toEqual(before);
      // Inside the root, only the fixed layout and hex-named entries exist, and no symlinks.
      const allowed = /^(mpu-layout|members|locks|reading|tmp|records|data|deleting|parts|manifests|[drxh][0-9a-f]*|[0-9a-f]{32}|\d+-\d+\.[0-9a-f]+)$/;
      const strange: string[] = [];
      for (const path of await walk(root)) {
        if (path.split('/').some((segment) => !allowed.test(segment))) strange.push(path);
        if ((await lstat(join(root, path))).isSymbolicLink()) strange.push(`symlink ${path}`);
      }
      expect(strange).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a record key over maxRecordKeyBytes is refused with a clear error, and reads as absent', async () => {
    const store = await FsStore.open({ root: await temps.make('long') });
    try {
      const key = 'k'.repeat(store.capabilities.maxRecordKeyBytes + 1);
      await expect(store.writeRecord(key, new Uint8Array(1))).rejects.toBeInstanceOf(RecordKeyTooLongError);
      expect(await store.readRecord(key)).toBeUndefined();
      expect(store.capabilities.maxRecordKeyBytes).toBeGreaterThanOrEqual(1100);
    } finally {
      await store.close();
    }
  });

  it('a root too long for the deepest record path is refused at open', async () => {
    const root = join(await temps.make('root'), 'r'.repeat(200), 'r'.repeat(200), 'r'.repeat(200), 'r'.repeat(200));
    await expect(FsStore.open({ root })).rejects.toBeInstanceOf(RootPathTooLongError);
  });

  it('forged handles resolve to nothing instead of a path', async () => {
    const store = await FsStore.open({ root: await temps.make('forged') });
    try {
      for (const handle of ['fs1:../..:0123456789abcdef0123456789abcdef', 'fs1:x61:../../mpu.lock', '../../etc/passwd', 'fs1:x61:0123456789abcdef0123456789abcdef:x']) {
        await expect(collect(store.read(handle))).rejects.toBeInstanceOf(UnknownHandleError);
        await store.deleteData(handle); // idempotent, and touches nothing
      }
    } finally {
      await store.close();
    }
  });
});

/** Small deterministic PRNG so a failure reproduces. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('listing order against a reference sort', () => {
  // Alphabet chosen to stress the segmenting rule: '/' and its byte neighbours '.' and '0',
  // multi-byte characters, NUL, and a lone surrogate.
  const alphabet = ['/', '/', '/', '.', '0', 'a', 'b', '\u0000', '\u00e9', '\u20ac', '\uD83D\uDE00', '\uD800', '\uFFFD'];

  it('random keys (deep, slash-heavy, long segments) list in byte order for many prefixes and startAfter values', async () => {
    const random = prng(20261123);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const keys = new Set<string>();
    while (keys.size < 600) {
      const length = random() < 0.1 ? 90 + Math.floor(random() * 140) : 1 + Math.floor(random() * 12);
      let key = '';
      for (let i = 0; i < length; i++) key += pick(alphabet);
      keys.add(key);
    }
    const sorted = [...keys].sort(byKeyBytes);
    const store = await FsStore.open({ root: await temps.make('order'), fsync: false });
    try {
      for (const key of keys) await store.writeRecord(key, Buffer.from(key, 'utf8'));
      const keysOf = (records: StoredRecord[]): string[] => records.map((r) => r.key);
      expect(keysOf(await collect(store.listRecords('')))).toEqual(sorted);
      const prefixes = ['', '/', '//', 'a/', 'a/b', '\u00e9', ...sorted.filter((_, i) => i % 37 === 0).map((k) => k.slice(0, Math.ceil(k.length / 2)))];
      for (const prefix of prefixes) {
        const prefixBytes = encodeWtf8(prefix);
        const expected = sorted.filter((k) => encodeWtf8(k).subarray(0, prefixBytes.length).equals(prefixBytes));
        expect(keysOf(await collect(store.listRecords(prefix))), `prefix ${JSON.stringify(prefix)}`).toEqual(expected);
        for (const after of [expected[0], expected[Math.floor(expected.length / 2)], prefix, prefix + '0', pick(sorted)]) {
          if (after === undefined) continue;
          const expectedAfter = expected.filter((k) => byKeyBytes(k, after) > 0);
          expect(
            keysOf(await collect(store.listRecords(prefix, { startAfter: after, limit: 7 }))),
            `prefix ${JSON.stringify(prefix)} after ${JSON.stringify(after)}`,
          ).toEqual(expectedAfter.slice(0, 7));
        }
      }
      // Page through everything 13 at a time: no gaps, no repeats.
      const paged: string[] = [];
      for (let after: string | undefined; ; ) {
        const page = keysOf(await collect(store.listRecords('', { startAfter: after, limit: 13 })));
        paged.push(...page);
        if (page.length < 13) break;
        after = page[page.length - 1];
      }
      expect(paged).toEqual(sorted);
      // Deleting prunes emptied directories; listing stays right.
      for (const key of sorted.filter((_, i) => i % 2 === 0)) await store.deleteRecord(key);
      expect(keysOf(await collect(store.listRecords('')))).toEqual(sorted.filter((_, i) => i % 2 === 1));
    } finally {
      await store.close();
    }
  });
});

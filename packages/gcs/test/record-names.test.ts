import { compareUtf8 } from '@mpu/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GcsStore} from '../src/index.js';
import { RecordNames, escapeKey, unescapeKey } from '../src/index.js';
import { openSharedStore } from './harness.js';

const byUtf8 = (a: string, b: string): number => compareUtf8(a, b);

/** Deterministic pseudo-random keys mixing control bytes, ASCII and 2/3/4-byte characters. */
function keysAround(length: number, count: number, seed: number): string[] {
  const alphabet = ['a', 'b', '\n', '\r', '\u0000', '\u0001', '\u000d', '\u00e9', '\u0800', '\ue000', '\ufffd', '\u{1f600}', '\u{10ffff}', '/', '~'];
  let state = seed;
  const next = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31);
  return Array.from({ length: count }, () => {
    let key = '';
    while (Buffer.byteLength(key) < length + (next() % 9) - 4) key += alphabet[next() % alphabet.length];
    return key;
  });
}

describe('escapeKey', () => {
  it('removes CR and LF from names, round-trips, and keeps UTF-8 byte order', () => {
    const keys = [...keysAround(12, 400, 1), 'plain', '', '\u0001', '\u0001A', '\u000e'];
    for (const key of keys) {
      const name = escapeKey(key);
      expect(name).not.toMatch(/[\r\n]/);
      expect(unescapeKey(name)).toBe(key);
    }
    const byKey = [...keys].sort(byUtf8);
    const byName = [...keys].sort((a, b) => byUtf8(escapeKey(a), escapeKey(b)));
    expect(byName).toEqual(byKey);
  });

  it('refuses lone surrogates (they have no UTF-8 form)', () => {
    expect(() => escapeKey('a\ud800b')).toThrow(RangeError);
  });
});

describe('RecordNames', () => {
  const names = new RecordNames('p/');

  it('names short keys by their escaped bytes and long keys by head, U+10FFFF mark and hash, all ≤ 1024 bytes', () => {
    expect(names.nameOf('abc')).toEqual({ name: 'p/records/abc' });
    for (const key of keysAround(names.headBytes + 200, 200, 2)) {
      const { name } = names.nameOf(key);
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(1024);
      expect(name).not.toMatch(/[\r\n]/);
    }
    const long = 'x'.repeat(2000);
    expect(names.nameOf(long).longKey).toBe(Buffer.from(long).toString('base64'));
    expect(() => names.nameOf('x'.repeat(2049))).toThrow(RangeError);
  });

  it('orders names like keys, except within a run of long keys sharing a head (sorted on listing)', () => {
    // Keys straddling headBytes so that cuts land before and inside multi-byte characters.
    const keys = [...new Set([...keysAround(names.headBytes, 600, 3), ...keysAround(names.headBytes - 2, 300, 4)])];
    const runOf = (key: string): string => {
      const { name, longKey } = names.nameOf(key);
      return longKey === undefined ? name : name.slice(0, -32);
    };
    const byKey = [...keys].sort(byUtf8);
    const byName = [...keys].sort((a, b) => byUtf8(names.nameOf(a).name, names.nameOf(b).name));
    // Compare at run granularity: the sequence of runs must be identical.
    const collapse = (list: string[]): string[] => list.map(runOf).filter((run, i, all) => i === 0 || all[i - 1] !== run);
    expect(collapse(byName)).toEqual(collapse(byKey));
    expect(byKey.some((key) => names.nameOf(key).longKey !== undefined)).toBe(true);
    expect(byKey.some((key) => names.nameOf(key).longKey === undefined)).toBe(true);
  });
});

describe('GcsStore long keys (on the test server)', () => {
  let store: GcsStore;
  beforeAll(async () => {
    store = await openSharedStore();
  });
  afterAll(() => store.close());

  it('stores keys of up to 2048 bytes, lists them in byte order across runs and pages, with prefixes and startAfter', async () => {
    const head = 'k/' + 'h'.repeat(600);
    const keys = [
      'k/short', 'k/' + 'a'.repeat(1500), head, `${head}b`, `${head}a`, `${head}\u{1f600}`, `${head}\u00e9tail`, `${head}a\nnewline`,
      'k/' + 'z'.repeat(1022), 'k/' + '\u00e9'.repeat(700), 'k/zz',
    ];
    for (const [i, key] of keys.entries()) await store.writeRecord(key, new TextEncoder().encode(`v${i}`), { ifAbsent: true });
    const expected = [...keys].sort(byUtf8);
    const listed: string[] = [];
    for await (const record of store.listRecords('k/')) listed.push(record.key);
    expect(listed).toEqual(expected);
    for (const [i, key] of keys.entries()) expect(new TextDecoder().decode((await store.readRecord(key))!.value)).toBe(`v${i}`);
    // startAfter inside a run of long keys sharing the 600-byte head, and a prefix longer than the head.
    const afterA: string[] = [];
    for await (const record of store.listRecords('k/', { startAfter: `${head}a` })) afterA.push(record.key);
    expect(afterA).toEqual(expected.filter((key) => byUtf8(key, `${head}a`) > 0));
    const underHead: string[] = [];
    for await (const record of store.listRecords(`${head}a`)) underHead.push(record.key);
    expect(underHead).toEqual([`${head}a`, `${head}a\nnewline`]);
    const paged: string[] = [];
    let startAfter: string | undefined;
    for (;;) {
      const page: string[] = [];
      for await (const record of store.listRecords('k/', { limit: 2, ...(startAfter === undefined ? {} : { startAfter }) })) page.push(record.key);
      if (page.length === 0) break;
      paged.push(...page);
      startAfter = page.at(-1);
    }
    expect(paged).toEqual(expected);
    // CAS works the same on hash-named records.
    const version = (await store.readRecord(`${head}b`))!.version;
    await expect(store.writeRecord(`${head}b`, new Uint8Array(1), { ifAbsent: true })).rejects.toThrow();
    await store.writeRecord(`${head}b`, new Uint8Array(1), { ifVersion: version });
    await store.deleteRecord(`${head}b`);
    expect(await store.readRecord(`${head}b`)).toBeUndefined();
  });
});

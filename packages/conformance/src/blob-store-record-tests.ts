import { type BlobStore, RecordConditionFailedError, type StoredRecord } from '@mpu/core';
import { expect } from 'vitest';
import type { SuiteContext } from './suite-context.js';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const decode = (value: Uint8Array): string => new TextDecoder().decode(value);

async function listAll(store: BlobStore, prefix: string, options?: { startAfter?: string; limit?: number }): Promise<StoredRecord[]> {
  const records: StoredRecord[] = [];
  for await (const record of store.listRecords(prefix, options)) records.push(record);
  return records;
}

async function expectConditionFailed(promise: Promise<unknown>, key: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected RecordConditionFailedError for ${JSON.stringify(key)}`).toBeInstanceOf(RecordConditionFailedError);
  expect((error as RecordConditionFailedError).key).toBe(key);
}

/**
 * Keys chosen so that JS string order (UTF-16 code units) and UTF-8 byte order disagree:
 * U+E000 and U+FFFD sort after an astral character's surrogates in UTF-16 but before its
 * 4-byte UTF-8 form. This list is in UTF-8 byte order, written out by hand.
 */
const ORDERED_KEYS = [
  'o/', // the bare prefix itself is a key
  'o/A',
  'o/Z',
  'o/a',
  'o/a/b',
  'o/a0',
  'o/b',
  'o/\u00e9', // C3 A9
  'o/\u0800', // E0 A0 80
  'o/\ue000', // EE 80 80
  'o/\ufffd', // EF BF BD
  'o/\u{1f600}', // F0 9F 98 80
  'o/\u{1f600}x',
] as const;

export function recordTests({ test, withStore }: SuiteContext): void {
  test('records/round-trip', 'a written record reads back with its value, key and version', () =>
    withStore(async ({ store }) => {
      expect(await store.readRecord('r/absent')).toBeUndefined();
      const binary = new Uint8Array(256).map((_, i) => i);
      const version = await store.writeRecord('r/one', binary);
      expect(typeof version).toBe('string');
      const record = await store.readRecord('r/one');
      expect(record?.key).toBe('r/one');
      expect(record?.version).toBe(version);
      expect(Array.from(record?.value ?? [])).toEqual(Array.from(binary));
      await store.writeRecord('r/empty', new Uint8Array(0));
      expect((await store.readRecord('r/empty'))?.value.byteLength).toBe(0);
    }));

  test('records/overwrite-and-delete', 'unconditional writes replace; delete removes and is idempotent', () =>
    withStore(async ({ store }) => {
      await store.writeRecord('r/k', text('first'));
      await store.writeRecord('r/k', text('second'));
      expect(decode((await store.readRecord('r/k'))!.value)).toBe('second');
      await store.deleteRecord('r/k');
      expect(await store.readRecord('r/k')).toBeUndefined();
      await store.deleteRecord('r/k');
      await store.deleteRecord('r/never-written');
      expect(await listAll(store, 'r/')).toEqual([]);
    }));

  test('records/versions-change', 'the version changes on every successful write, even of the same value', () =>
    withStore(async ({ store }) => {
      const seen = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const version = await store.writeRecord('r/v', text('same'));
        expect(seen.has(version), `version ${version} reused`).toBe(false);
        seen.add(version);
        expect((await store.readRecord('r/v'))?.version).toBe(version);
      }
      // A record deleted and recreated must not get back a version a stale reader holds.
      const before = (await store.readRecord('r/v'))!.version;
      await store.deleteRecord('r/v');
      const recreated = await store.writeRecord('r/v', text('same'), { ifAbsent: true });
      expect(recreated).not.toBe(before);
      await expectConditionFailed(store.writeRecord('r/v', text('x'), { ifVersion: before }), 'r/v');
    }));

  test('records/cas-if-absent', 'ifAbsent succeeds only when the key is absent', () =>
    withStore(async ({ store }) => {
      const version = await store.writeRecord('r/a', text('one'), { ifAbsent: true });
      await expectConditionFailed(store.writeRecord('r/a', text('two'), { ifAbsent: true }), 'r/a');
      const record = await store.readRecord('r/a');
      expect(decode(record!.value)).toBe('one');
      expect(record!.version).toBe(version);
      await store.deleteRecord('r/a');
      await store.writeRecord('r/a', text('three'), { ifAbsent: true });
      expect(decode((await store.readRecord('r/a'))!.value)).toBe('three');
    }));

  test('records/cas-if-version', 'ifVersion succeeds only against the current version', () =>
    withStore(async ({ store }) => {
      await expectConditionFailed(store.writeRecord('r/c', text('x'), { ifVersion: '1' }), 'r/c');
      expect(await store.readRecord('r/c')).toBeUndefined();
      const v1 = await store.writeRecord('r/c', text('one'));
      const v2 = await store.writeRecord('r/c', text('two'), { ifVersion: v1 });
      await expectConditionFailed(store.writeRecord('r/c', text('stale'), { ifVersion: v1 }), 'r/c');
      const record = await store.readRecord('r/c');
      expect(decode(record!.value)).toBe('two');
      expect(record!.version).toBe(v2);
      // A condition on one key says nothing about another key.
      await expectConditionFailed(store.writeRecord('r/other', text('x'), { ifVersion: v2 }), 'r/other');
    }));

  test('records/delete-if-version', 'deleteRecord with ifVersion deletes only the matching version', () =>
    withStore(async ({ store }) => {
      const v1 = await store.writeRecord('r/d', text('one'));
      const v2 = await store.writeRecord('r/d', text('two'));
      await expectConditionFailed(store.deleteRecord('r/d', { ifVersion: v1 }), 'r/d');
      expect(decode((await store.readRecord('r/d'))!.value)).toBe('two');
      await store.deleteRecord('r/d', { ifVersion: v2 });
      expect(await store.readRecord('r/d')).toBeUndefined();
      await expectConditionFailed(store.deleteRecord('r/d', { ifVersion: v2 }), 'r/d');
    }));

  test('records/race-if-absent', 'exactly one of 20 concurrent ifAbsent writers wins', () =>
    withStore(async ({ store }) => {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => store.writeRecord('r/race', text(`writer ${i}`), { ifAbsent: true })),
      );
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ i, version: r.value }] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(RecordConditionFailedError);
      const record = await store.readRecord('r/race');
      expect(decode(record!.value)).toBe(`writer ${winners[0]!.i}`);
      expect(record!.version).toBe(winners[0]!.version);
    }));

  test('records/race-if-version', 'exactly one of 20 concurrent ifVersion writers wins', () =>
    withStore(async ({ store }) => {
      const base = await store.writeRecord('r/race', text('base'));
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => store.writeRecord('r/race', text(`writer ${i}`), { ifVersion: base })),
      );
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ i, version: r.value }] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(RecordConditionFailedError);
      const record = await store.readRecord('r/race');
      expect(decode(record!.value)).toBe(`writer ${winners[0]!.i}`);
      expect(record!.version).toBe(winners[0]!.version);
    }));

  test('records/list-utf8-order', 'listRecords returns keys in UTF-8 byte order, not UTF-16 order', () =>
    withStore(async ({ store }) => {
      // Written in a scrambled order so insertion order cannot pass for sorting.
      // (i * 7) mod 13 is a permutation of the 13 keys.
      for (const key of ORDERED_KEYS.map((_, i) => ORDERED_KEYS[(i * 7) % ORDERED_KEYS.length]!)) {
        await store.writeRecord(key, text(`value of ${key}`));
      }
      const listed = await listAll(store, 'o/');
      expect(listed.map((r) => r.key)).toEqual([...ORDERED_KEYS]);
      for (const record of listed) {
        expect(decode(record.value)).toBe(`value of ${record.key}`);
        expect(record.version).toBe((await store.readRecord(record.key))!.version);
      }
    }));

  test('records/list-pagination', 'startAfter and limit page through the listing without gaps or repeats', () =>
    withStore(async ({ store }) => {
      for (const key of ORDERED_KEYS) await store.writeRecord(key, text(key));
      for (const pageSize of [1, 2, 5]) {
        const paged: string[] = [];
        let startAfter: string | undefined;
        for (;;) {
          const page = await listAll(store, 'o/', { limit: pageSize, ...(startAfter === undefined ? {} : { startAfter }) });
          expect(page.length).toBeLessThanOrEqual(pageSize);
          if (page.length === 0) break;
          paged.push(...page.map((r) => r.key));
          startAfter = page.at(-1)!.key;
        }
        expect(paged).toEqual([...ORDERED_KEYS]);
      }
      // startAfter need not be a stored key, and is exclusive of an equal key.
      expect((await listAll(store, 'o/', { startAfter: 'o/a/' })).map((r) => r.key)).toEqual(ORDERED_KEYS.slice(4));
      expect((await listAll(store, 'o/', { startAfter: 'o/\ue000' })).map((r) => r.key)).toEqual(ORDERED_KEYS.slice(10));
      expect((await listAll(store, 'o/', { startAfter: 'o/\u{1f600}x' })).map((r) => r.key)).toEqual([]);
      // startAfter before the prefix lists the whole prefix.
      expect((await listAll(store, 'o/', { startAfter: 'a' })).map((r) => r.key)).toEqual([...ORDERED_KEYS]);
    }));

  test('records/list-prefix-isolation', 'a prefix lists exactly the keys that start with it', () =>
    withStore(async ({ store }) => {
      const keys = ['p', 'p/', 'p/1', 'p/2/x', 'p0', 'pa/1', 'q/1', 'P/1'];
      for (const key of keys) await store.writeRecord(key, text(key));
      const keysOf = async (prefix: string) => (await listAll(store, prefix)).map((r) => r.key);
      expect(await keysOf('p/')).toEqual(['p/', 'p/1', 'p/2/x']);
      expect(await keysOf('p/2')).toEqual(['p/2/x']);
      expect(await keysOf('p')).toEqual(['p', 'p/', 'p/1', 'p/2/x', 'p0', 'pa/1']);
      expect(await keysOf('q')).toEqual(['q/1']);
      expect(await keysOf('r')).toEqual([]);
      expect(await keysOf('')).toEqual(['P/1', 'p', 'p/', 'p/1', 'p/2/x', 'p0', 'pa/1', 'q/1']);
    }));

  test('records/hostile-keys', 'hostile and unicode keys round-trip, stay distinct and list in byte order', () =>
    withStore(async ({ store }) => {
      const longKeyBytes = Math.min(900, store.capabilities.maxRecordKeyBytes);
      // A long key mixing 1-, 2- and 4-byte characters, cut to a whole character.
      let longKey = 'h/long-';
      while (Buffer.byteLength(longKey + 'é😀a', 'utf8') <= longKeyBytes) longKey += 'é😀a';
      const keys = [
        'h/../x', 'h/a//b', 'h//leading', 'h/back\\slash', 'h/nul\u0000byte', 'h/new\nline', 'h/tab\tand space',
        'h/%2F', 'h/.', 'h/..', 'h/trailing/', 'h/emoji\u{1f600}', 'h/astral\u{1d11e}', 'h/caf\u00e9', 'h/cafe\u0301',
        'h/Case', 'h/case', 'h/CASE', 'h/?query#frag', 'h/"quote\'', 'h/<xml>&amp;', longKey,
      ];
      expect(new Set(keys).size).toBe(keys.length);
      for (const key of keys) await store.writeRecord(key, text(`value of ${key}`), { ifAbsent: true });
      for (const key of keys) {
        const record = await store.readRecord(key);
        expect(record?.key, JSON.stringify(key)).toBe(key);
        expect(decode(record!.value)).toBe(`value of ${key}`);
      }
      const expected = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
      const listed = await listAll(store, 'h/');
      expect(listed.map((r) => r.key)).toEqual(expected);
      for (const record of listed) expect(decode(record.value)).toBe(`value of ${record.key}`);
      // NFC and NFD forms of "é" are different keys, under different prefixes.
      expect((await listAll(store, 'h/caf\u00e9')).map((r) => r.key)).toEqual(['h/caf\u00e9']);
      expect((await listAll(store, 'h/cafe')).map((r) => r.key)).toEqual(['h/cafe\u0301']);
      expect((await listAll(store, 'h/c')).map((r) => r.key)).toEqual(['h/cafe\u0301', 'h/caf\u00e9', 'h/case']);
      expect((await listAll(store, 'h/..')).map((r) => r.key)).toEqual(['h/..', 'h/../x']);
      expect((await listAll(store, 'h/a/')).map((r) => r.key)).toEqual(['h/a//b']);
      // Deleting one case variant leaves the others.
      await store.deleteRecord('h/case');
      expect(await store.readRecord('h/Case')).toBeDefined();
      expect(await store.readRecord('h/CASE')).toBeDefined();
      expect(await store.readRecord('h/case')).toBeUndefined();
      // A path-traversal key must not have escaped the store's namespace.
      expect(await store.readRecord('x')).toBeUndefined();
      expect(await store.readRecord('../x')).toBeUndefined();
    }));
}

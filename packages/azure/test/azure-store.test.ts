import { MissingPartError, RangeOutOfBoundsError, RecordConditionFailedError, UnknownHandleError } from '@mpu/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyAssembledError, AzureStore, InvalidAzureStoreOptionsError, RecordKeyNotStorableError } from '../src/index.js';
import { type AzureTestHarness, azureTestHarness, blobNames, bytesOf, collect } from './azure-harness.js';

let harness: AzureTestHarness;
beforeAll(async () => {
  harness = await azureTestHarness();
});
afterAll(async () => {
  await harness.cleanup();
});

const text = (value: Uint8Array | undefined): string | undefined => value && Buffer.from(value).toString();

describe('AzureStore records', () => {
  it('creates, swaps and deletes with ETag conditions; losers get RecordConditionFailedError', async () => {
    const store = await harness.open();
    const v1 = await store.writeRecord('k', Buffer.from('one'), { ifAbsent: true });
    await expect(store.writeRecord('k', Buffer.from('x'), { ifAbsent: true })).rejects.toBeInstanceOf(RecordConditionFailedError);
    const v2 = await store.writeRecord('k', Buffer.from('two'), { ifVersion: v1 });
    expect(v2).not.toBe(v1);
    await expect(store.writeRecord('k', Buffer.from('x'), { ifVersion: v1 })).rejects.toBeInstanceOf(RecordConditionFailedError);
    expect(text((await store.readRecord('k'))?.value)).toBe('two');
    await expect(store.deleteRecord('k', { ifVersion: v1 })).rejects.toBeInstanceOf(RecordConditionFailedError);
    await store.deleteRecord('k', { ifVersion: v2 });
    expect(await store.readRecord('k')).toBeUndefined();
    await store.deleteRecord('k'); // absent, unconditional: fine
    await expect(store.deleteRecord('k', { ifVersion: v2 })).rejects.toBeInstanceOf(RecordConditionFailedError);
    await expect(store.writeRecord('k', Buffer.from('x'), { ifVersion: v2 })).rejects.toBeInstanceOf(RecordConditionFailedError);
  });

  it('lets exactly one of 12 racing creators and one of 12 racing swappers win', async () => {
    const store = await harness.open();
    const creators = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => store.writeRecord('race', Buffer.from(`c${i}`), { ifAbsent: true })));
    expect(creators.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const current = await store.readRecord('race');
    const swappers = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => store.writeRecord('race', Buffer.from(`s${i}`), { ifVersion: current!.version })),
    );
    const winners = swappers.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    expect((await store.readRecord('race'))?.version).toBe((winners[0] as PromiseFulfilledResult<string>).value);
  });

  it('lists hostile and unicode keys in UTF-8 byte order, with prefix, startAfter and limit', async () => {
    const store = await harness.open();
    const keys = ['', 'a', 'a/', 'a/.', 'a\\b', 'a b', 'a\u0000', 'a\u0001', 'ab', 'b', 'é', '\uFFFD', '\u{1F600}', 'z.', 'Z', '~'];
    for (const key of keys) await store.writeRecord(key, Buffer.from(`v:${key}`));
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    const listed = [];
    for await (const record of store.listRecords('')) listed.push(record);
    expect(listed.map((r) => r.key)).toEqual(byBytes);
    expect(listed.map((r) => text(r.value))).toEqual(byBytes.map((k) => `v:${k}`));
    const withA = [];
    for await (const record of store.listRecords('a', { startAfter: 'a/', limit: 3 })) withA.push(record.key);
    const expected = byBytes.filter((k) => k.startsWith('a') && Buffer.compare(Buffer.from(k), Buffer.from('a/')) > 0).slice(0, 3);
    expect(withA).toEqual(expected);
    expect(withA).toEqual(['a/.', 'a\\b', 'ab']);
  });

  it('returns listed versions that a conditional write accepts, for inline and large values', async () => {
    const store = await harness.open();
    await store.writeRecord('big', Buffer.alloc(10_000, 7));
    await store.writeRecord('small', Buffer.from('s'));
    const listed = new Map<string, string>();
    for await (const record of store.listRecords('')) {
      listed.set(record.key, record.version);
      expect(record.value.byteLength).toBe(record.key === 'big' ? 10_000 : 1);
    }
    await store.writeRecord('big', Buffer.from('b2'), { ifVersion: listed.get('big')! });
    await store.writeRecord('small', Buffer.from('s2'), { ifVersion: listed.get('small')! });
  });

  it('stores keys longer than a blob name can spell (S3 allows 1,024-byte keys) and lists them in byte order', async () => {
    const store = await harness.open();
    const head = 'h'.repeat(800); // longer than the name can encode: these keys are hashed
    const keys = [
      head, `${head}b`, `${head}a`, `${head}a\u0000`, `${head}\u{1F600}`, `${head}é`, 'é'.repeat(512), `${head.slice(0, 700)}z`,
      'h', 'hh', 'i', `${'h'.repeat(799)}g`,
    ];
    for (const key of keys) await store.writeRecord(key, Buffer.from(`v${Buffer.byteLength(key)}`), { ifAbsent: true });
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    const listed: string[] = [];
    for await (const record of store.listRecords('')) listed.push(record.key);
    expect(listed).toEqual(byBytes);
    for (const key of keys) expect(text((await store.readRecord(key))?.value)).toBe(`v${Buffer.byteLength(key)}`);
    const page: string[] = [];
    for await (const record of store.listRecords(head, { startAfter: `${head}a`, limit: 2 })) page.push(record.key);
    expect(page).toEqual(byBytes.filter((k) => k.startsWith(head) && Buffer.compare(Buffer.from(k), Buffer.from(`${head}a`)) > 0).slice(0, 2));
    const current = await store.readRecord(`${head}b`);
    await store.writeRecord(`${head}b`, Buffer.from('swapped'), { ifVersion: current!.version });
    await expect(store.writeRecord(`${head}b`, Buffer.from('x'), { ifVersion: current!.version })).rejects.toBeInstanceOf(RecordConditionFailedError);
    await store.deleteRecord(`${head}b`);
    expect(await store.readRecord(`${head}b`)).toBeUndefined();
  });

  it('pages exactly through short keys and runs of long keys that straddle listing pages', async () => {
    const store = await harness.open({ listPageSize: 3 });
    const head = 'r'.repeat(760);
    const keys = [
      'a', 'b', 'c', ...Array.from({ length: 7 }, (_, i) => `${head}${String.fromCharCode(122 - i)}`), 'r', 's', 't',
      ...Array.from({ length: 5 }, (_, i) => `${'s'.repeat(760)}${i}`), 'u',
    ];
    await Promise.all(keys.map((key) => store.writeRecord(key, Buffer.from('v'))));
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    for (const pageSize of [1, 2, 4]) {
      // Twice: the second pass pages with resume markers remembered by the first.
      for (let pass = 0; pass < 2; pass++) {
        const seen: string[] = [];
        let startAfter: string | undefined;
        for (;;) {
          const page: string[] = [];
          for await (const record of store.listRecords('', { ...(startAfter === undefined ? {} : { startAfter }), limit: pageSize })) page.push(record.key);
          if (page.length === 0) break;
          seen.push(...page);
          startAfter = page.at(-1);
        }
        expect(seen, `page size ${pageSize}, pass ${pass}`).toEqual(byBytes);
      }
    }
  });

  it('states its key limit and rejects keys beyond it or with lone surrogates', async () => {
    const store = await harness.open();
    const max = store.capabilities.maxRecordKeyBytes;
    expect(max).toBe(2048);
    await store.writeRecord('x'.repeat(max), Buffer.from('fits'));
    expect(text((await store.readRecord('x'.repeat(max)))?.value)).toBe('fits');
    await expect(store.writeRecord('x'.repeat(max + 1), Buffer.from('no'))).rejects.toBeInstanceOf(RecordKeyNotStorableError);
    await expect(store.writeRecord('a\uD800', Buffer.from('no'))).rejects.toBeInstanceOf(RecordKeyNotStorableError);
  });

  it('opens with an account name and key, or a TokenCredential, and creates its container on request', async () => {
    const endpoint = /BlobEndpoint=([^;]+)/.exec(harness.connectionString)?.[1];
    const accountName = /AccountName=([^;]+)/.exec(harness.connectionString)?.[1];
    const accountKey = /AccountKey=([^;]+)/.exec(harness.connectionString)?.[1];
    expect(endpoint && accountName && accountKey).toBeTruthy();
    const container = `mpu-create-${Date.now().toString(36)}`;
    const keyed = await AzureStore.open({ accountName: accountName!, accountKey: accountKey!, endpoint: endpoint!, container, createContainer: true });
    try {
      expect(await keyed.container.exists()).toBe(true);
      await keyed.writeRecord('k', Buffer.from('via shared key'));
      const again = await AzureStore.open({ connectionString: harness.connectionString, container, createContainer: true });
      expect(text((await again.readRecord('k'))?.value)).toBe('via shared key');
    } finally {
      await keyed.container.deleteIfExists();
    }
    // A TokenCredential store is built without any request (the token is fetched per call).
    const credential = { getToken: async () => ({ token: 'unused', expiresOnTimestamp: Date.now() + 60_000 }) };
    const tokenStore = await AzureStore.open({ accountUrl: 'https://example.invalid', credential, container: 'any-name' });
    expect(tokenStore.capabilities).toMatchObject({ name: 'azure', shared: true, durable: true, assembly: 'zero-copy' });
  });

  it('validates options before sending anything', async () => {
    await expect(AzureStore.open({ connectionString: harness.connectionString, container: 'ok-name', prefix: '/abs' })).rejects.toBeInstanceOf(InvalidAzureStoreOptionsError);
    await expect(AzureStore.open({ connectionString: harness.connectionString, container: 'ok-name', prefix: 'a\\b' })).rejects.toBeInstanceOf(InvalidAzureStoreOptionsError);
    await expect(AzureStore.open({ connectionString: harness.connectionString, container: 'ok-name', blockSize: 4001 * 1024 * 1024 })).rejects.toBeInstanceOf(InvalidAzureStoreOptionsError);
    await expect(AzureStore.open({ connectionString: harness.connectionString, container: 'Bad_Name' })).rejects.toBeInstanceOf(InvalidAzureStoreOptionsError);
    await expect(AzureStore.open({ connectionString: harness.connectionString, container: 'ok-name', blockSize: 0 })).rejects.toBeInstanceOf(InvalidAzureStoreOptionsError);
  });
});

describe('AzureStore part data', () => {
  it('splits parts into sub-blocks, assembles them in order and reads ranges across blocks', async () => {
    const store = await harness.open({ blockSize: 5 });
    await store.writePart('u', 'p2', bytesOf('DEFGH', 'IJKLMNO'));
    await store.writePart('u', 'p1', bytesOf('abc'));
    await store.writePart('u', 'p0', bytesOf(''));
    const blocks = await store.container.getBlockBlobClient(`${store.prefix}${store.handleOf('u')}`).getBlockList('uncommitted');
    expect(blocks.uncommittedBlocks?.map((b) => b.size).sort()).toEqual([2, 3, 5, 5]); // 12 bytes → 5+5+2
    const handle = await store.assemble('u', [{ partId: 'p0', size: 0 }, { partId: 'p1', size: 3 }, { partId: 'p2', size: 12 }]);
    expect((await collect(store.read(handle))).toString()).toBe('abcDEFGHIJKLMNO');
    expect((await collect(store.read(handle, { start: 2, end: 9 }))).toString()).toBe('cDEFGHIJ');
    expect((await collect(store.read(handle, { start: 14, end: 14 }))).toString()).toBe('O');
    await expect(collect(store.read(handle, { start: 10, end: 15 }))).rejects.toBeInstanceOf(RangeOutOfBoundsError);
    await expect(collect(store.read(handle, { start: 15, end: 15 }))).rejects.toBeInstanceOf(RangeOutOfBoundsError);
  });

  it('assembles idempotently and refuses a different part list for the same upload', async () => {
    const store = await harness.open({ blockSize: 4 });
    await store.writePart('u', 'a', bytesOf('12345'));
    await store.writePart('u', 'b', bytesOf('678'));
    const parts = [{ partId: 'a', size: 5 }, { partId: 'b', size: 3 }];
    const first = await store.assemble('u', parts);
    expect(await store.assemble('u', parts)).toBe(first);
    expect((await collect(store.read(first))).toString()).toBe('12345678');
    await expect(store.assemble('u', [{ partId: 'a', size: 5 }])).rejects.toBeInstanceOf(AlreadyAssembledError);
  });

  it('rejects parts never staged, of the wrong size, or whose writer failed half-way', async () => {
    const store = await harness.open({ blockSize: 2 });
    async function* failing(): AsyncIterable<Uint8Array> {
      yield Buffer.from('abcdef');
      throw new Error('client went away');
    }
    await expect(store.writePart('u', 'broken', failing())).rejects.toThrow('client went away');
    await store.writePart('u', 'ok', bytesOf('xyz'));
    await expect(store.assemble('u', [{ partId: 'broken', size: 6 }])).rejects.toBeInstanceOf(MissingPartError);
    await expect(store.assemble('u', [{ partId: 'never', size: 1 }])).rejects.toBeInstanceOf(MissingPartError);
    await expect(store.assemble('u', [{ partId: 'ok', size: 4 }])).rejects.toBeInstanceOf(MissingPartError);
  });

  it('stops a part upload when its signal aborts', async () => {
    const store = await harness.open({ blockSize: 4 });
    const controller = new AbortController();
    async function* slow(): AsyncIterable<Uint8Array> {
      yield Buffer.from('12345678');
      controller.abort();
      yield Buffer.from('9');
    }
    await expect(store.writePart('u', 'p', slow(), { signal: controller.signal })).rejects.toThrow();
  });

  it('keeps two uploads of one key apart: each assemble leaves the other upload intact', async () => {
    const store = await harness.open();
    await store.writePart('upload-1', 'p', bytesOf('first upload'));
    await store.writePart('upload-2', 'p', bytesOf('second upload'));
    const second = await store.assemble('upload-2', [{ partId: 'p', size: 13 }]);
    const first = await store.assemble('upload-1', [{ partId: 'p', size: 12 }]);
    expect((await collect(store.read(second))).toString()).toBe('second upload');
    expect((await collect(store.read(first))).toString()).toBe('first upload');
  });

  it('discard without ids deletes an unassembled upload blob and all its uncommitted blocks', async () => {
    const store = await harness.open({ blockSize: 3 });
    await store.writePart('aborted', 'p1', bytesOf('0123456789'));
    await store.writePart('aborted', 'p2', bytesOf('x'));
    const blob = store.container.getBlockBlobClient(`${store.prefix}${store.handleOf('aborted')}`);
    expect((await blob.getBlockList('uncommitted')).uncommittedBlocks).toHaveLength(5);
    await store.discard('aborted');
    await store.discard('aborted'); // idempotent
    expect(await blobNames(store.container, store.prefix)).toEqual([]);
    await expect(blob.getBlockList('all')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('after assemble, unlisted blocks are gone and discard keeps the assembled data', async () => {
    const store = await harness.open();
    await store.writePart('u', 'kept', bytesOf('kept'));
    await store.writePart('u', 'unlisted', bytesOf('unlisted'));
    const handle = await store.assemble('u', [{ partId: 'kept', size: 4 }]);
    const blob = store.container.getBlockBlobClient(`${store.prefix}${handle}`);
    expect((await blob.getBlockList('uncommitted')).uncommittedBlocks).toEqual([]);
    await store.writePart('u', 'straggler', bytesOf('late')); // a part upload that raced Complete
    expect((await blob.getBlockList('uncommitted')).uncommittedBlocks).toHaveLength(1);
    await store.discard('u', ['unlisted']);
    await store.discard('u');
    expect((await blob.getBlockList('uncommitted')).uncommittedBlocks).toEqual([]);
    expect((await collect(store.read(handle))).toString()).toBe('kept');
    // The engine discards a straggler by id: on an assembled blob that drops it too.
    await store.writePart('u', 'straggler-2', bytesOf('later'));
    await store.discard('u', ['straggler-2']);
    expect((await blob.getBlockList('uncommitted')).uncommittedBlocks).toEqual([]);
    expect((await collect(store.read(handle))).toString()).toBe('kept');
  });

  it('keeps an assembled empty object through discard, and deleteData removes it', async () => {
    const store = await harness.open();
    await store.writePart('empty', 'p', bytesOf());
    const handle = await store.assemble('empty', [{ partId: 'p', size: 0 }]);
    await store.discard('empty');
    expect((await collect(store.read(handle))).length).toBe(0);
    await store.deleteData(handle);
    await store.deleteData(handle); // idempotent
    await expect(collect(store.read(handle))).rejects.toBeInstanceOf(UnknownHandleError);
    await expect(collect(store.read('not-a-handle'))).rejects.toBeInstanceOf(UnknownHandleError);
  });

  it('serves uploads across two store instances on one container and prefix', async () => {
    const prefix = harness.freshPrefix();
    const one = await harness.open({ prefix });
    const two = await harness.open({ prefix });
    await one.writePart('shared', 'p1', bytesOf('from one;'));
    await two.writePart('shared', 'p2', bytesOf('from two'));
    const handle = await two.assemble('shared', [{ partId: 'p1', size: 9 }, { partId: 'p2', size: 8 }]);
    expect((await collect(one.read(handle))).toString()).toBe('from one;from two');
    const version = await one.writeRecord('state', Buffer.from('initiated'), { ifAbsent: true });
    await two.writeRecord('state', Buffer.from('completing'), { ifVersion: version });
    await expect(one.writeRecord('state', Buffer.from('aborted'), { ifVersion: version })).rejects.toBeInstanceOf(RecordConditionFailedError);
  });

  it('streams a 24 MiB part through 1 MiB blocks with bounded memory and reads it back', async () => {
    const store = await harness.open({ blockSize: 1024 * 1024 });
    const total = 24 * 1024 * 1024;
    async function* generated(): AsyncIterable<Uint8Array> {
      for (let offset = 0; offset < total; offset += 65_536) yield Buffer.alloc(65_536, (offset / 65_536) & 0xff);
    }
    expect((await store.writePart('big', 'p', generated())).size).toBe(total);
    const handle = await store.assemble('big', [{ partId: 'p', size: total }]);
    let seen = 0;
    for await (const chunk of store.read(handle, { start: total - 70_000, end: total - 1 })) seen += chunk.byteLength;
    expect(seen).toBe(70_000);
  }, 60_000);

  it('survives close and reopen: records, staged parts and an assembled object (reopen = new process)', async () => {
    const first = await harness.open();
    const version = await first.writeRecord('d/record', Buffer.from('durable'));
    await first.writePart('staged', 'p', bytesOf('staged before reopen'));
    await first.writePart('done', 'p', bytesOf('assembled before reopen'));
    const handle = await first.assemble('done', [{ partId: 'p', size: 23 }]);
    await first.close();
    await expect(first.readRecord('d/record')).rejects.toThrow('closed');

    const again = await harness.open({ prefix: first.prefix });
    expect((await again.readRecord('d/record'))?.version).toBe(version);
    await again.writeRecord('d/record', Buffer.from('next'), { ifVersion: version });
    expect((await collect(again.read(handle, { start: 10, end: 22 }))).toString()).toBe('before reopen');
    const later = await again.assemble('staged', [{ partId: 'p', size: 20 }]);
    expect((await collect(again.read(later))).toString()).toBe('staged before reopen');
  });
});

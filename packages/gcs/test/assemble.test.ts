import { collect, generatedBytes, chunked, digestOf } from '@mpu/conformance';
import type { GcsTestServer } from '@mpu/gcs-test-server';
import type { PartRef } from '@mpu/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GcsAssembleError, type GcsStore, partListHash } from '../src/index.js';
import { openLocalStore, startLocalServer } from './local-server.js';

let server: GcsTestServer;
beforeAll(async () => {
  server = await startLocalServer();
});
afterAll(() => server.close());

async function writeParts(store: GcsStore, upload: string, sizes: readonly number[], concurrency = 16): Promise<{ refs: PartRef[]; bytes: Uint8Array[] }> {
  const refs: PartRef[] = new Array(sizes.length);
  const bytes = sizes.map((size, i) => generatedBytes(size, i + 1));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sizes.length) {
      const i = next++;
      const partId = `p${String(i + 1).padStart(5, '0')}-x`;
      const { size } = await store.writePart(upload, partId, chunked(bytes[i]!));
      refs[i] = { partId, size };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { refs, bytes };
}

function seedParts(store: GcsStore, upload: string, sizes: readonly number[]): { refs: PartRef[]; bytes: Uint8Array[] } {
  const bytes = sizes.map((size, i) => generatedBytes(size, i + 1));
  const refs = bytes.map((part, i) => ({ partId: `p${i}`, size: part.length }));
  for (const [i, part] of bytes.entries()) server.seedObject('local', `${store.prefix}parts/${upload}/p${i}`, part);
  return { refs, bytes };
}

async function expectedDigest(parts: readonly Uint8Array[]): Promise<{ sha256: string; size: number }> {
  async function* all(): AsyncIterable<Uint8Array> {
    yield* parts;
  }
  return digestOf(all());
}

/** Objects left under a prefix of the store's namespace. */
async function namesUnder(store: GcsStore, sub: string): Promise<string[]> {
  const [files] = await store.storage.bucket('local').getFiles({ prefix: `${store.prefix}${sub}` });
  return files.map((file) => file.name);
}

describe('assemble composes server-side, 32 sources per call, as a tree', () => {
  let store: GcsStore;
  beforeEach(async () => {
    store = await openLocalStore(server);
  });

  // compose calls: n ≤ 32 → 1; otherwise ⌈n/32⌉ at the first level, and so on up the tree.
  for (const [count, composes] of [[1, 1], [32, 1], [33, 3], [1000, 33]] as const) {
    it(`${count} part(s): ${composes} compose call(s), exact bytes, no part byte through mpu, intermediates deleted`, async () => {
      const sizes = Array.from({ length: count }, (_, i) => (i % 11 === 5 ? 0 : 1 + ((i * 37) % 300)));
      // 1,000 parts are staged straight into the server; writePart at that scale is the
      // conformance suite's assemble/many-parts.
      const { refs, bytes } = count >= 1000 ? seedParts(store, `u${count}`, sizes) : await writeParts(store, `u${count}`, sizes);
      server.resetStats();
      const handle = await store.assemble(`u${count}`, refs);
      const stats = server.stats();
      expect(stats.requests['objects.compose']).toBe(composes);
      expect(stats.bytesReceived).toBe(0);
      expect(stats.bytesSent).toBe(0);
      expect(await namesUnder(store, 'tmp/')).toEqual([]);
      expect(await digestOf(store.read(handle))).toEqual(await expectedDigest(bytes));
      const [metadata] = await store.storage.bucket('local').file(`${store.prefix}objects/u${count}/${partListHash(refs)}`).getMetadata();
      expect(metadata.componentCount).toBe(count);
      expect(metadata.md5Hash).toBeUndefined(); // composites carry no MD5: mpu's ETag is its own
    }, 60_000);
  }

  it('10,000 parts: 313 + 10 + 1 composes, every boundary byte where it belongs', async () => {
    // Staged straight into the server (10,000 uploads would measure writePart, not assemble).
    const { refs, bytes } = seedParts(store, 'u10k', Array.from({ length: 10_000 }, (_, i) => 1 + (i % 7)));
    server.resetStats();
    const handle = await store.assemble('u10k', refs);
    expect(server.stats().requests['objects.compose']).toBe(313 + 10 + 1);
    expect(server.stats().bytesReceived + server.stats().bytesSent).toBe(0);
    expect(await digestOf(store.read(handle))).toEqual(await expectedDigest(bytes));
    let offset = 0;
    for (let i = 0; i < 10_000; i += 997) {
      const start = bytes.slice(0, i).reduce((sum, b) => sum + b.length, 0);
      offset = start;
      const got = await collect(store.read(handle, { start: offset, end: offset + bytes[i]!.length - 1 }));
      expect(Buffer.from(got).equals(Buffer.from(bytes[i]!)), `part ${i}`).toBe(true);
    }
    expect(await namesUnder(store, 'tmp/')).toEqual([]);
  }, 60_000);

  it('is idempotent: the same part list finds its object without composing again, even after discard', async () => {
    const { refs, bytes } = await writeParts(store, 'again', [100, 200, 300]);
    const first = await store.assemble('again', refs);
    await store.discard('again');
    expect(await namesUnder(store, 'parts/')).toEqual([]);
    server.resetStats();
    const second = await store.assemble('again', refs);
    expect(second).toBe(first);
    expect(server.stats().requests['objects.compose']).toBeUndefined();
    expect(Buffer.from(await collect(store.read(second))).equals(Buffer.concat(bytes))).toBe(true);
  });

  it('two processes completing the same upload at once publish one object (ifGenerationMatch=0 on the destination)', async () => {
    const { refs } = await writeParts(store, 'race', Array.from({ length: 70 }, () => 10));
    const other = await openLocalStore(server, { prefix: store.prefix });
    const [a, b] = await Promise.all([store.assemble('race', refs), other.assemble('race', refs)]);
    expect(a).toBe(b);
    expect((await collect(store.read(a))).byteLength).toBe(700);
    expect(await namesUnder(store, 'tmp/')).toEqual([]);
  });

  it('rejects a missing part, and a size that does not match what was staged', async () => {
    const { refs } = await writeParts(store, 'bad', [10, 20]);
    await expect(store.assemble('bad', [...refs, { partId: 'nope', size: 1 }])).rejects.toBeInstanceOf(GcsAssembleError);
    await expect(store.assemble('bad', [{ partId: refs[0]!.partId, size: 11 }])).rejects.toBeInstanceOf(GcsAssembleError);
    await expect(store.assemble('bad', [])).rejects.toBeInstanceOf(GcsAssembleError);
  });

  it('a tree that fails part-way (a missing part among 200) leaves no intermediates behind', async () => {
    const { refs } = seedParts(store, 'broken-tree', Array.from({ length: 200 }, () => 5));
    const withHole = refs.map((ref, i) => (i === 150 ? { partId: 'missing', size: 5 } : ref));
    await expect(store.assemble('broken-tree', withHole)).rejects.toBeInstanceOf(GcsAssembleError);
    expect(await namesUnder(store, 'tmp/')).toEqual([]);
    expect(await namesUnder(store, 'objects/')).toEqual([]);
  });

  it('declares server-copy assembly and the limits it is tested for', () => {
    expect(store.capabilities).toMatchObject({ name: 'gcs', assembly: 'server-copy', shared: true, durable: true, maxPartSize: 5 * 1024 ** 3, maxAssembleParts: 10_000 });
  });
});

import type { BlobStore, ByteRange, DataHandle, PartRef } from '@mpu/core';
import { expect } from 'vitest';
import {
  chunked, collect, digestOf, failingBody, generatedBytes, largeBody, largeByteAt,
} from './generated-bytes.js';
import type { SuiteContext } from './suite-context.js';

export interface PartTestOptions {
  readonly largePartBytes: number;
  readonly manyParts: number;
}

interface PartSpec {
  readonly partId: string;
  readonly bytes: Uint8Array;
}

/** Odd chunk sizes, including an empty chunk, so no backend sees convenient boundaries. */
const CHUNKS = [7, 0, 64, 1, 333];

function specs(sizes: readonly number[], seedBase = 0): PartSpec[] {
  return sizes.map((size, i) => ({ partId: `part-${String(i + 1).padStart(5, '0')}-n${seedBase}`, bytes: generatedBytes(size, seedBase + i + 1) }));
}

function concat(parts: readonly PartSpec[]): Uint8Array {
  const total = parts.reduce((sum, p) => sum + p.bytes.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part.bytes, offset);
    offset += part.bytes.byteLength;
  }
  return out;
}

/** Writes parts with bounded concurrency (as the engine's clients do) and returns their refs. */
async function writeAll(store: BlobStore, upload: string, parts: readonly PartSpec[], concurrency = 8): Promise<PartRef[]> {
  const refs: PartRef[] = new Array(parts.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < parts.length) {
      const i = next++;
      const part = parts[i]!;
      const { size } = await store.writePart(upload, part.partId, chunked(part.bytes, CHUNKS));
      expect(size, `size of ${part.partId}`).toBe(part.bytes.byteLength);
      refs[i] = { partId: part.partId, size };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, parts.length) }, worker));
  return refs;
}

async function expectBytes(store: BlobStore, handle: DataHandle, expected: Uint8Array, range?: ByteRange): Promise<void> {
  const actual = await collect(store.read(handle, range));
  const want = range ? expected.subarray(range.start, range.end + 1) : expected;
  const label = range ? `range ${range.start}-${range.end} of ${expected.byteLength}` : `whole object of ${expected.byteLength}`;
  expect(actual.byteLength, label).toBe(want.byteLength);
  // Compare as Buffers: a mismatch reports the first differing offset cheaply.
  expect(Buffer.from(actual).equals(Buffer.from(want)), label).toBe(true);
}

/**
 * Ranges that probe every seam: first and last byte, the whole object, a middle byte, each
 * part exactly, and each part boundary ±1 (as single bytes and as a straddling range).
 * `boundaryLimit` samples the boundaries evenly for very many parts.
 */
function probeRanges(sizes: readonly number[], boundaryLimit = Infinity): ByteRange[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total === 0) return [];
  const ranges: ByteRange[] = [
    { start: 0, end: 0 }, { start: total - 1, end: total - 1 }, { start: 0, end: total - 1 },
    { start: Math.floor(total / 2), end: Math.floor(total / 2) },
  ];
  const starts: number[] = [];
  let offset = 0;
  for (const size of sizes) {
    starts.push(offset);
    if (size > 0) ranges.push({ start: offset, end: offset + size - 1 });
    offset += size;
  }
  const step = Math.max(1, Math.ceil(starts.length / boundaryLimit));
  for (let i = 1; i < starts.length; i += step) {
    const b = starts[i]!;
    if (b <= 0 || b >= total) continue;
    ranges.push({ start: b - 1, end: b - 1 }, { start: b, end: b }, { start: b - 1, end: b });
    ranges.push({ start: Math.max(0, b - 2), end: Math.min(total - 1, b + 1) });
  }
  return ranges;
}

async function expectAssembleRejects(store: BlobStore, upload: string, parts: readonly PartRef[]): Promise<void> {
  const outcome = await store.assemble(upload, parts).then(
    (handle) => ({ handle }),
    (error: unknown) => ({ error }),
  );
  expect('error' in outcome, `assemble of ${parts.map((p) => p.partId).join(',')} should reject`).toBe(true);
}

async function assembleAndProbe(store: BlobStore, upload: string, sizes: readonly number[], boundaryLimit?: number): Promise<void> {
  const parts = specs(sizes);
  const refs = await writeAll(store, upload, parts);
  const handle = await store.assemble(upload, refs);
  expect(typeof handle).toBe('string');
  const expected = concat(parts);
  await expectBytes(store, handle, expected);
  for (const range of probeRanges(sizes, boundaryLimit)) await expectBytes(store, handle, expected, range);
}

export function partTests({ test, withStore }: SuiteContext, options: PartTestOptions): void {
  test('parts/empty', 'an empty part (no chunks, or only empty chunks) has size 0 and reads back empty', () =>
    withStore(async ({ store }) => {
      expect(await store.writePart('u-empty', 'none', chunked(new Uint8Array(0), []))).toEqual({ size: 0 });
      const handle = await store.assemble('u-empty', [{ partId: 'none', size: 0 }]);
      expect((await collect(store.read(handle))).byteLength).toBe(0);
      // Each upload is assembled once (as the engine does), so the two-part case is its own upload.
      expect(await store.writePart('u-empty-2', 'none', chunked(new Uint8Array(0), []))).toEqual({ size: 0 });
      expect(await store.writePart('u-empty-2', 'zeros', chunked(new Uint8Array(0), [0, 0]))).toEqual({ size: 0 });
      const both = await store.assemble('u-empty-2', [{ partId: 'none', size: 0 }, { partId: 'zeros', size: 0 }]);
      expect((await collect(store.read(both))).byteLength).toBe(0);
    }));

  test('parts/one-byte', 'a 1-byte part reads back whole and as its only range', () =>
    withStore(async ({ store }) => {
      const { size } = await store.writePart('u-1', 'p', chunked(Uint8Array.of(0xa5)));
      expect(size).toBe(1);
      const handle = await store.assemble('u-1', [{ partId: 'p', size: 1 }]);
      await expectBytes(store, handle, Uint8Array.of(0xa5));
      await expectBytes(store, handle, Uint8Array.of(0xa5), { start: 0, end: 0 });
    }));

  test('parts/multi-chunk', 'a part written in many uneven chunks is the concatenation of its chunks', () =>
    withStore(async ({ store }) => {
      const bytes = generatedBytes(100_003, 42);
      const { size } = await store.writePart('u-m', 'p', chunked(bytes, [1, 4096, 0, 65_537, 17]));
      expect(size).toBe(bytes.byteLength);
      const handle = await store.assemble('u-m', [{ partId: 'p', size }]);
      await expectBytes(store, handle, bytes);
      await expectBytes(store, handle, bytes, { start: 4096, end: 70_000 });
    }));

  test('parts/large-streamed', `a ${options.largePartBytes}-byte streamed part round-trips (hash compared while streaming)`, () =>
    withStore(async ({ store }) => {
      const n = options.largePartBytes;
      const { size } = await store.writePart('u-large', 'big', largeBody(n, 9));
      expect(size).toBe(n);
      const tail = generatedBytes(3, 10);
      await store.writePart('u-large', 'tail', chunked(tail));
      const handle = await store.assemble('u-large', [{ partId: 'big', size: n }, { partId: 'tail', size: 3 }]);
      async function* expected(): AsyncIterable<Uint8Array> {
        yield* largeBody(n, 9);
        yield tail;
      }
      expect(await digestOf(store.read(handle))).toEqual(await digestOf(expected()));
      const straddle = await collect(store.read(handle, { start: n - 2, end: n + 1 }));
      expect(Array.from(straddle)).toEqual([largeByteAt(9, n - 2), largeByteAt(9, n - 1), tail[0], tail[1]]);
      const middle = Math.floor(n / 2) + 3;
      expect(Array.from(await collect(store.read(handle, { start: middle, end: middle })))).toEqual([largeByteAt(9, middle)]);
    }), 120_000);

  test('parts/concurrent-writes', 'parts of one upload written concurrently do not interfere', () =>
    withStore(async ({ store }) => {
      const parts = specs([50_000, 1, 70_001, 0, 33_333, 65_536, 2, 40_000, 12_345, 99]);
      const refs = await writeAll(store, 'u-conc', parts, parts.length);
      const handle = await store.assemble('u-conc', refs);
      await expectBytes(store, handle, concat(parts));
    }));

  test('parts/failed-body', 'a body that throws mid-stream rejects and leaves nothing assemblable', () =>
    withStore(async ({ store }) => {
      const good = specs([1000, 2000]);
      const refs = await writeAll(store, 'u-fail', good.slice(0, 1));
      const boom = new Error('client went away');
      await expect(store.writePart('u-fail', 'broken', failingBody(generatedBytes(5000, 3), boom))).rejects.toThrow();
      refs.push(...(await writeAll(store, 'u-fail', good.slice(1))));
      await expectAssembleRejects(store, 'u-fail', [{ partId: 'broken', size: 5000 }]);
      await store.discard('u-fail', ['broken']);
      const handle = await store.assemble('u-fail', refs);
      await expectBytes(store, handle, concat(good));
    }));

  test('parts/abort-signal', 'aborting the signal mid-stream rejects and leaves nothing assemblable', () =>
    withStore(async ({ store }) => {
      const controller = new AbortController();
      async function* body(): AsyncIterable<Uint8Array> {
        yield generatedBytes(1000, 4);
        controller.abort(new Error('request aborted'));
        yield generatedBytes(1000, 5);
        yield generatedBytes(1000, 6);
      }
      await expect(store.writePart('u-abort', 'p', body(), { signal: controller.signal })).rejects.toThrow();
      for (const size of [1000, 2000, 3000]) await expectAssembleRejects(store, 'u-abort', [{ partId: 'p', size }]);
      const good = specs([10]);
      const handle = await store.assemble('u-abort', await writeAll(store, 'u-abort', good));
      await expectBytes(store, handle, concat(good));
    }));

  test('assemble/missing-part', 'assemble rejects a part that was never written', () =>
    withStore(async ({ store }) => {
      const refs = await writeAll(store, 'u-missing', specs([10]));
      await expectAssembleRejects(store, 'u-missing', [...refs, { partId: 'never-written', size: 10 }]);
      await expectAssembleRejects(store, 'u-other', refs);
    }));

  test('assemble/one-part', 'assemble of 1 part reads back at every boundary', () =>
    withStore(({ store }) => assembleAndProbe(store, 'u-one', [777])));

  test('assemble/two-parts', 'assemble of 2 parts reads back at every boundary', () =>
    withStore(async ({ store }) => {
      await assembleAndProbe(store, 'u-two', [513, 1]);
      await assembleAndProbe(store, 'u-two-empty-first', [0, 9]);
    }));

  test('assemble/33-parts', 'assemble of 33 parts of distinct sizes, empty ones included, reads back at every boundary', () =>
    withStore(({ store }) =>
      assembleAndProbe(store, 'u-33', Array.from({ length: 33 }, (_, i) => ([0, 16, 32].includes(i) ? 0 : ((i * 37) % 101) + 1 + i * 3)))));

  test('assemble/many-parts', `assemble of ${options.manyParts} parts reads back whole and at sampled boundaries`, () =>
    withStore(async ({ store }) => {
      const n = Math.min(options.manyParts, store.capabilities.maxAssembleParts);
      const sizes = Array.from({ length: n }, (_, i) => (i % 97 === 7 ? 0 : ((i * 13) % 257) + 1));
      await assembleAndProbe(store, 'u-many', sizes, 25);
    }), 120_000);

  test('assemble/idempotent', 'assembling the same parts twice gives two readable handles to identical bytes', () =>
    withStore(async ({ store }) => {
      const parts = specs([100, 0, 200]);
      const refs = await writeAll(store, 'u-idem', parts);
      const first = await store.assemble('u-idem', refs);
      const second = await store.assemble('u-idem', refs);
      await expectBytes(store, first, concat(parts));
      await expectBytes(store, second, concat(parts));
      await store.discard('u-idem');
      await expectBytes(store, first, concat(parts));
      await expectBytes(store, second, concat(parts));
    }));

  test('assemble/subset-and-order', 'assemble publishes exactly the listed parts, in the listed order', () =>
    withStore(async ({ store }) => {
      const parts = specs([10, 20, 30, 40]);
      const refs = await writeAll(store, 'u-subset', parts);
      const handle = await store.assemble('u-subset', [refs[3]!, refs[0]!, refs[2]!]);
      await expectBytes(store, handle, concat([parts[3]!, parts[0]!, parts[2]!]));
    }));

  test('assemble/independent-uploads', 'two uploads with the same part ids assemble, discard and delete independently', () =>
    withStore(async ({ store }) => {
      const a = specs([300, 5]);
      const b = specs([7, 400], 100).map((p, i) => ({ ...p, partId: a[i]!.partId }));
      const refsA = await writeAll(store, 'u-a', a);
      const refsB = await writeAll(store, 'u-b', b);
      const handleA = await store.assemble('u-a', refsA);
      const handleB = await store.assemble('u-b', refsB);
      expect(handleA).not.toBe(handleB);
      await expectBytes(store, handleA, concat(a));
      await expectBytes(store, handleB, concat(b));
      await store.discard('u-a');
      await store.deleteData(handleA);
      await expectBytes(store, handleB, concat(b));
      await expectBytes(store, handleB, concat(b), { start: 6, end: 8 });
    }));

  test('discard/keeps-assembled', 'discard with and without ids is idempotent and never breaks an assembled object', () =>
    withStore(async ({ store }) => {
      const parts = specs([100, 200, 300]);
      const refs = await writeAll(store, 'u-d', parts);
      const handle = await store.assemble('u-d', [refs[0]!, refs[2]!]);
      const expected = concat([parts[0]!, parts[2]!]);
      await store.discard('u-d', [refs[1]!.partId]);
      await store.discard('u-d', [refs[1]!.partId]);
      await store.discard('u-d', []);
      await store.discard('u-d', ['never-written']);
      await expectBytes(store, handle, expected);
      await store.discard('u-d');
      await store.discard('u-d');
      await expectBytes(store, handle, expected);
      await expectBytes(store, handle, expected, { start: 99, end: 100 });
      await store.discard('u-never-existed');
      await store.discard('u-never-existed', ['x']);
    }));

  test('discard/removes-listed', 'discard(upload, ids) removes exactly those staged parts', () =>
    withStore(async ({ store }) => {
      const parts = specs([10, 20, 30]);
      const refs = await writeAll(store, 'u-dl', parts);
      await store.discard('u-dl', [refs[1]!.partId]);
      await expectAssembleRejects(store, 'u-dl', [refs[1]!]);
      const handle = await store.assemble('u-dl', [refs[0]!, refs[2]!]);
      await expectBytes(store, handle, concat([parts[0]!, parts[2]!]));
    }));

  test('discard/removes-unused', 'discard(upload) removes every staged part no assembled handle uses', () =>
    withStore(async ({ store }) => {
      const parts = specs([10, 20, 30]);
      const refs = await writeAll(store, 'u-du', parts);
      const handle = await store.assemble('u-du', [refs[0]!]);
      await store.discard('u-du');
      await expectAssembleRejects(store, 'u-du', [refs[1]!]);
      await expectAssembleRejects(store, 'u-du', [refs[2]!]);
      await expectBytes(store, handle, parts[0]!.bytes);
      // Parts a handle uses stay staged, so a retried assemble (after a crash) still works.
      await expectBytes(store, await store.assemble('u-du', [refs[0]!]), parts[0]!.bytes);
      // An aborted upload: no handle at all, so everything goes.
      const aborted = await writeAll(store, 'u-abandoned', specs([5, 6]));
      await store.discard('u-abandoned');
      await expectAssembleRejects(store, 'u-abandoned', [aborted[0]!]);
      await expectAssembleRejects(store, 'u-abandoned', [aborted[1]!]);
    }));

  test('data/delete', 'deleteData is idempotent and leaves the data unreadable', () =>
    withStore(async ({ store }) => {
      const parts = specs([64, 32]);
      const handle = await store.assemble('u-del', await writeAll(store, 'u-del', parts));
      await expectBytes(store, handle, concat(parts));
      await store.deleteData(handle);
      await store.deleteData(handle);
      await expect(collect(store.read(handle))).rejects.toThrow();
      await store.discard('u-del');
    }));
}

import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ChecksumAlgorithm, type ChecksumType, type DataHandle, MemoryStore, MultipartEngine, type PartInfo, type PartRef,
  S3Error, type UploadRef, checksumOf, defineLimits,
} from '@mpu/core';

/**
 * Random sequences of create / upload / re-upload / abort / complete / put / delete / expire
 * over the engine on MemoryStore, checked after every step against a model. Expected ETags and
 * checksums are recomputed here from the bytes (node:crypto, node:zlib; whole-object CRCs
 * directly over the data rather than by combination).
 */

const LIMITS = defineLimits({
  name: 'property', maxPartNumber: 6, minPartSize: 2, maxPartSize: 16, maxObjectSize: 1000, maxPutObjectSize: 64, maxListPage: 1000,
});
const KEYS = ['a/b', 'a/c', 'é', '\uFFFD', '\u{1F600}'];
const SETTINGS: readonly (readonly [ChecksumAlgorithm, ChecksumType] | undefined)[] = [
  undefined, ['CRC32', 'COMPOSITE'], ['SHA256', 'COMPOSITE'], ['CRC32C', 'FULL_OBJECT'], ['CRC64NVME', 'FULL_OBJECT'],
];

/** Tracks every partId written per upload, to prove aborted uploads leave no part data behind. */
class TrackingStore extends MemoryStore {
  readonly written = new Map<string, PartRef[]>();
  override async writePart(upload: string, partId: string, body: AsyncIterable<Uint8Array>): Promise<{ readonly size: number }> {
    const result = await super.writePart(upload, partId, body);
    this.written.set(upload, [...(this.written.get(upload) ?? []), { partId, size: result.size }]);
    return result;
  }
  /** Staged parts of `upload` that are still there. */
  async surviving(upload: string): Promise<PartRef[]> {
    const alive: PartRef[] = [];
    for (const part of this.written.get(upload) ?? []) {
      let handle: DataHandle | undefined;
      try {
        handle = await this.assemble(upload, [part]);
      } catch {
        continue;
      }
      alive.push(part);
      await this.deleteData(handle);
    }
    return alive;
  }
}

type Command =
  | { kind: 'create'; key: number; setting: number }
  | { kind: 'upload'; upload: number; partNumber: number; bytes: Uint8Array }
  | { kind: 'complete'; upload: number; pick: number; stale: boolean }
  | { kind: 'abort'; upload: number }
  | { kind: 'put'; key: number; bytes: Uint8Array }
  | { kind: 'delete'; key: number }
  | { kind: 'expire' };

// Mostly parts at or above the 2-byte minimum, sometimes a too-small one (EntityTooSmall unless last).
const partBytes = fc.oneof({ weight: 4, arbitrary: fc.uint8Array({ minLength: 2, maxLength: 16 }) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 1 }) });

// Commands address uploads counting back from the newest, mostly the newest one.
const target = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat() });

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('create' as const), key: fc.nat(KEYS.length - 1), setting: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.nat(SETTINGS.length - 1) }) }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('upload' as const), upload: target, partNumber: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 6 })), bytes: partBytes }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('complete' as const), upload: target, pick: fc.oneof({ weight: 3, arbitrary: fc.constant(63) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: 63 }) }), stale: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('abort' as const), upload: target }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('put' as const), key: fc.nat(KEYS.length - 1), bytes: fc.uint8Array({ maxLength: 20 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.nat(KEYS.length - 1) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'expire' as const }) },
);

interface ModelPart { readonly bytes: Buffer; readonly info: PartInfo; readonly stale?: PartInfo }
interface ModelUpload {
  readonly ref: UploadRef;
  readonly setting: readonly [ChecksumAlgorithm, ChecksumType] | undefined;
  readonly parts: Map<number, ModelPart>;
  state: 'open' | 'completed' | 'aborted';
}
interface ModelObject { readonly bytes: Buffer; readonly etag: string; readonly checksum?: string }

const md5 = (data: Uint8Array) => createHash('md5').update(data).digest();
const rawChecksum = (algorithm: ChecksumAlgorithm, data: Uint8Array): Buffer => {
  if (algorithm === 'SHA256') return createHash('sha256').update(data).digest();
  if (algorithm === 'CRC32') {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(crc32(data));
    return out;
  }
  return checksumOf(algorithm, data);
};

function expectedObject(upload: ModelUpload, listed: ModelPart[]): ModelObject {
  const bytes = Buffer.concat(listed.map((part) => part.bytes));
  const etag = `"${createHash('md5').update(Buffer.concat(listed.map((part) => md5(part.bytes)))).digest('hex')}-${listed.length}"`;
  if (!upload.setting) return { bytes, etag };
  const [algorithm, type] = upload.setting;
  const checksum = type === 'COMPOSITE'
    ? `${rawChecksum(algorithm, Buffer.concat(listed.map((part) => rawChecksum(algorithm, part.bytes)))).toString('base64')}-${listed.length}`
    : rawChecksum(algorithm, bytes).toString('base64');
  return { bytes, etag, checksum };
}

const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

async function run(commands: Command[]): Promise<void> {
  const store = new TrackingStore();
  let clock = Date.parse('2026-01-31T12:00:00.000Z');
  const engine = new MultipartEngine({ store, limits: LIMITS, clock: () => new Date(clock) });
  await engine.createBucket('bucket');
  const uploads: ModelUpload[] = [];
  const objects = new Map<string, ModelObject>();
  const open = () => uploads.filter((upload) => upload.state === 'open');

  for (const step of commands) {
    clock += 1; // ids and initiation times strictly increase
    switch (step.kind) {
      case 'create': {
        const setting = SETTINGS[step.setting];
        const info = await engine.createMultipartUpload({
          bucket: 'bucket', key: KEYS[step.key]!, ...(setting ? { checksumAlgorithm: setting[0], checksumType: setting[1] } : {}),
        });
        uploads.push({ ref: { bucket: 'bucket', key: info.key, uploadId: info.uploadId }, setting, parts: new Map(), state: 'open' });
        break;
      }
      case 'upload': {
        if (uploads.length === 0) break;
        const upload = uploads[uploads.length - 1 - (step.upload % uploads.length)]!;
        const bytes = Buffer.from(step.bytes);
        const algorithm = upload.setting?.[0];
        const call = engine.uploadPart({
          ...upload.ref, partNumber: step.partNumber, body: once(bytes),
          ...(algorithm ? { expect: { checksumAlgorithm: algorithm, checksum: rawChecksum(algorithm, bytes).toString('base64') } } : {}),
        });
        if (upload.state !== 'open') {
          await expect(call).rejects.toMatchObject({ code: 'NoSuchUpload' });
          break;
        }
        const info = await call;
        expect(info.etag).toBe(`"${md5(bytes).toString('hex')}"`);
        const previous = upload.parts.get(step.partNumber);
        upload.parts.set(step.partNumber, { bytes, info, ...(previous ? { stale: previous.info } : {}) });
        break;
      }
      case 'complete': {
        if (uploads.length === 0) break;
        const upload = uploads[uploads.length - 1 - (step.upload % uploads.length)]!;
        const numbers = [...upload.parts.keys()].sort((a, b) => a - b).filter((_, index) => (step.pick >> index) & 1);
        const listed = numbers.map((n) => upload.parts.get(n)!);
        const entries = listed.flatMap((part) => {
          const current = { partNumber: part.info.partNumber, etag: part.info.etag, checksums: part.info.checksums };
          // A stale entry before the current one: the last entry of a repeated number wins.
          return step.stale && part.stale && !upload.setting
            ? [{ partNumber: part.stale.partNumber, etag: part.stale.etag }, current]
            : [current];
        });
        const call = engine.completeMultipartUpload({ ...upload.ref, parts: entries });
        const expectedError = entries.length === 0 ? 'MalformedXML'
          : upload.state === 'completed' ? undefined
          : upload.state === 'aborted' ? 'NoSuchUpload'
          : upload.setting && numbers.some((n, index) => n !== index + 1) ? 'InvalidPartOrder'
          : listed.slice(0, -1).some((part) => part.bytes.length < LIMITS.minPartSize) ? 'EntityTooSmall'
          : undefined;
        if (expectedError) {
          await expect(call).rejects.toMatchObject({ code: expectedError });
          break;
        }
        const result = await call;
        if (upload.state === 'completed') break; // replay: checked against the object below only if unchanged
        const expected = expectedObject(upload, listed);
        expect(result.etag).toBe(expected.etag);
        expect(result.checksum?.value).toBe(expected.checksum);
        objects.set(upload.ref.key, expected);
        upload.state = 'completed';
        expect(await store.surviving(upload.ref.uploadId)).toHaveLength(listed.length);
        break;
      }
      case 'abort': {
        if (uploads.length === 0) break;
        const upload = uploads[uploads.length - 1 - (step.upload % uploads.length)]!;
        const call = engine.abortMultipartUpload(upload.ref);
        if (upload.state !== 'open') {
          await expect(call).rejects.toMatchObject({ code: 'NoSuchUpload' });
          break;
        }
        await call;
        upload.state = 'aborted';
        break;
      }
      case 'put': {
        const bytes = Buffer.from(step.bytes);
        const result = await engine.putObject({ bucket: 'bucket', key: KEYS[step.key]!, body: once(bytes) });
        expect(result.etag).toBe(`"${md5(bytes).toString('hex')}"`);
        objects.set(KEYS[step.key]!, { bytes, etag: result.etag });
        break;
      }
      case 'delete': {
        await engine.deleteObject('bucket', KEYS[step.key]!);
        objects.delete(KEYS[step.key]!);
        break;
      }
      case 'expire': {
        const count = await engine.expireIncompleteUploads(new Date(clock + 1));
        expect(count).toBe(open().length);
        for (const upload of open()) upload.state = 'aborted';
        break;
      }
    }
    await checkInvariants(engine, store, uploads, objects);
  }
}

async function checkInvariants(engine: MultipartEngine, store: TrackingStore, uploads: ModelUpload[], objects: Map<string, ModelObject>) {
  // Objects: bytes, ETag and checksum as modelled; the listing pages fit together in UTF-8 order.
  for (const [key, expected] of objects) {
    const got = await engine.getObject({ bucket: 'bucket', key });
    expect(await readAll(got.body)).toEqual(expected.bytes);
    expect(got.object.etag).toBe(expected.etag);
    expect(got.object.checksum?.value).toBe(expected.checksum);
  }
  const expectedKeys = [...objects.keys()].sort(byUtf8);
  const listedKeys: string[] = [];
  let token: string | undefined;
  do {
    const page = await engine.listObjects({ bucket: 'bucket', maxKeys: 2, ...(token ? { continuationToken: token } : {}) });
    expect(page.objects.length).toBeLessThanOrEqual(2);
    listedKeys.push(...page.objects.map((object) => object.key));
    token = page.isTruncated ? page.nextContinuationToken : undefined;
  } while (token);
  expect(listedKeys).toEqual(expectedKeys);

  // Delimited listing: objects + prefixes, paged by 1, cover the keys exactly once.
  const entries: string[] = [];
  token = undefined;
  do {
    const page = await engine.listObjects({ bucket: 'bucket', maxKeys: 1, delimiter: '/', ...(token ? { continuationToken: token } : {}) });
    entries.push(...page.objects.map((object) => object.key), ...page.commonPrefixes);
    token = page.isTruncated ? page.nextContinuationToken : undefined;
  } while (token);
  const grouped = [...new Set(expectedKeys.map((key) => (key.includes('/') ? key.slice(0, key.indexOf('/') + 1) : key)))].sort(byUtf8);
  expect(entries).toEqual(grouped);

  // In-progress uploads: ListMultipartUploads pages (key bytes, then initiation) and ListParts pages.
  const open = uploads.filter((upload) => upload.state === 'open');
  const expectedUploads = open
    .map((upload, order) => ({ key: upload.ref.key, id: upload.ref.uploadId, order }))
    .sort((a, b) => byUtf8(a.key, b.key) || a.order - b.order)
    .map((upload) => upload.id);
  const listedUploads: string[] = [];
  let markers = {};
  for (;;) {
    const page = await engine.listMultipartUploads({ bucket: 'bucket', maxUploads: 2, ...markers });
    listedUploads.push(...page.uploads.map((upload) => upload.uploadId));
    if (!page.isTruncated) break;
    markers = { keyMarker: page.nextKeyMarker, uploadIdMarker: page.nextUploadIdMarker };
  }
  expect(listedUploads).toEqual(expectedUploads);

  for (const upload of open) {
    const listed: PartInfo[] = [];
    let marker = 0;
    for (;;) {
      const page = await engine.listParts({ ...upload.ref, maxParts: 2, partNumberMarker: marker });
      listed.push(...page.parts);
      if (!page.isTruncated) break;
      marker = page.nextPartNumberMarker;
    }
    expect(listed.map((part) => [part.partNumber, part.etag])).toEqual(
      [...upload.parts.entries()].sort(([a], [b]) => a - b).map(([n, part]) => [n, `"${md5(part.bytes).toString('hex')}"`]),
    );
  }

  // Aborted uploads leave no record and no staged byte; finished ones no part records.
  const recordKeys: string[] = [];
  for await (const record of store.listRecords('')) recordKeys.push(record.key);
  for (const upload of uploads) {
    if (upload.state === 'open') continue;
    expect(recordKeys.filter((key) => key.startsWith(`part/${upload.ref.uploadId}/`))).toEqual([]);
    if (upload.state === 'aborted') {
      expect(recordKeys.filter((key) => key.includes(upload.ref.uploadId))).toEqual([]);
      expect(await store.surviving(upload.ref.uploadId)).toEqual([]);
    }
  }
}

describe('engine properties', () => {
  it('random create/upload/re-upload/complete/abort/put/delete/expire sequences keep every invariant', async () => {
    await fc.assert(fc.asyncProperty(fc.tuple(fc.record({ kind: fc.constant('create' as const), key: fc.nat(KEYS.length - 1), setting: fc.nat(SETTINGS.length - 1) }), fc.array(command, { minLength: 10, maxLength: 40 })), async ([first, rest]) => {
      try {
        await run([first, ...rest]);
      } catch (error) {
        if (error instanceof S3Error) throw new Error(`unexpected ${error.code}: ${error.message}`, { cause: error });
        throw error;
      }
    }), { numRuns: 100 });
  });
});

/** Yields to the event loop a pseudo-random number of times before each call. */
class JitterStore extends TrackingStore {
  #seed: number;
  constructor(seed: number) {
    super();
    this.#seed = seed;
  }
  async #jitter(): Promise<void> {
    this.#seed = (this.#seed * 1103515245 + 12345) & 0x7fffffff;
    for (let i = this.#seed % 9; i > 0; i--) await new Promise((resolve) => setImmediate(resolve));
  }
  override async readRecord(key: string) { await this.#jitter(); return super.readRecord(key); }
  override async writeRecord(key: string, value: Uint8Array, condition?: Parameters<MemoryStore['writeRecord']>[2]) { await this.#jitter(); return super.writeRecord(key, value, condition); }
  override async deleteRecord(key: string, condition?: { readonly ifVersion: string }) { await this.#jitter(); return super.deleteRecord(key, condition); }
  override async assemble(upload: string, parts: readonly PartRef[]) { await this.#jitter(); return super.assemble(upload, parts); }
  override async discard(upload: string, partIds?: readonly string[]) { await this.#jitter(); return super.discard(upload, partIds); }
}

type Racer = { kind: 'completeAll' } | { kind: 'completeFirst' } | { kind: 'abort' } | { kind: 'lateUpload' };

describe('engine properties under concurrency', () => {
  it('racing Completes, Aborts and late UploadParts on one upload: one outcome, consistent object, nothing leaked', async () => {
    const racer: fc.Arbitrary<Racer> = fc.constantFrom<Racer>({ kind: 'completeAll' }, { kind: 'completeFirst' }, { kind: 'abort' }, { kind: 'lateUpload' });
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 30 }), fc.array(racer, { minLength: 2, maxLength: 5 }), async (seed, racers) => {
      const store = new JitterStore(seed);
      const engine = new MultipartEngine({ store, limits: LIMITS });
      await engine.createBucket('bucket');
      const ref = await engine.createMultipartUpload({ bucket: 'bucket', key: 'key' });
      const texts = ['first', 'second', 'third'];
      const parts = [];
      for (const [index, text] of texts.entries()) parts.push(await engine.uploadPart({ ...ref, partNumber: index + 1, body: once(Buffer.from(text)) }));
      const listings = {
        completeAll: parts.map(({ partNumber, etag }) => ({ partNumber, etag })),
        completeFirst: [{ partNumber: 1, etag: parts[0]!.etag }],
      };
      const results = await Promise.allSettled(racers.map((entry, index) => {
        switch (entry.kind) {
          case 'completeAll':
          case 'completeFirst':
            return engine.completeMultipartUpload({ ...ref, parts: listings[entry.kind] });
          case 'abort':
            return engine.abortMultipartUpload(ref);
          case 'lateUpload':
            return engine.uploadPart({ ...ref, partNumber: 4 + (index % 3), body: once(Buffer.from('late')) });
        }
      }));
      const outcome = (kind: Racer['kind']) => results.filter((_, i) => racers[i]!.kind === kind);
      const completes = [...outcome('completeAll'), ...outcome('completeFirst')];
      const completed = completes.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof engine.completeMultipartUpload>>> => r.status === 'fulfilled');
      const aborted = outcome('abort').filter((r) => r.status === 'fulfilled');
      for (const result of results) {
        if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'NoSuchUpload' });
      }
      // Exactly one fate: completed (every successful Complete answers the same) or aborted.
      expect(completed.length > 0 && aborted.length > 0).toBe(false);
      expect(aborted.length).toBeLessThanOrEqual(1);
      if (completed.length > 0) {
        const [first] = completed;
        for (const result of completed) expect(result.value).toEqual(first!.value);
        const texted = first!.value.etag.endsWith('-3"') ? texts.join('') : texts[0]!;
        const got = await engine.getObject({ bucket: 'bucket', key: 'key' });
        expect((await readAll(got.body)).toString()).toBe(texted);
        expect(await store.surviving(ref.uploadId)).toHaveLength(first!.value.etag.endsWith('-3"') ? 3 : 1);
      } else {
        await expect(engine.getObject({ bucket: 'bucket', key: 'key' })).rejects.toMatchObject({ code: 'NoSuchKey' });
        if (aborted.length === 1) expect(await store.surviving(ref.uploadId)).toEqual([]);
      }
      const keys: string[] = [];
      for await (const record of store.listRecords(`part/${ref.uploadId}/`)) keys.push(record.key);
      if (completed.length > 0 || aborted.length > 0) expect(keys).toEqual([]);
    }), { numRuns: 60 });
  });
});

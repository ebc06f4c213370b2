import { randomBytes } from 'node:crypto';
import { CountingStore, defineLimits, type Engine, MultipartEngine, NoSuchKeyError, NoSuchUploadError } from '@mpu/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AzureStore } from '../src/index.js';
import { type AzureTestHarness, azureTestHarness, blobNames, bytesOf, collect } from './azure-harness.js';

/**
 * Engine-level properties specific to a shared backend: several engines (processes) over one
 * container, Complete racing Abort, zero-copy Complete, same-key uploads, no lingering blocks.
 */
let harness: AzureTestHarness;
beforeAll(async () => {
  harness = await azureTestHarness();
});
afterAll(async () => {
  await harness.cleanup();
});

const BUCKET = 'bucket';
const limits = defineLimits({ minPartSize: 1024 });
const part = (seed: number, size = 1500): Buffer => Buffer.alloc(size, seed);

/** Two engines over two independent AzureStore instances on the same container and prefix. */
async function twoEngines(): Promise<{ one: Engine; two: Engine; stores: AzureStore[] }> {
  const prefix = harness.freshPrefix();
  const stores = [await harness.open({ prefix }), await harness.open({ prefix })];
  const [one, two] = stores.map((store) => new MultipartEngine({ store, limits }));
  await one!.createBucket(BUCKET);
  return { one: one!, two: two!, stores };
}

async function upload(engine: Engine, key: string, bodies: Buffer[]): Promise<{ uploadId: string; parts: { partNumber: number; etag: string }[] }> {
  const { uploadId } = await engine.createMultipartUpload({ bucket: BUCKET, key });
  const parts = [];
  for (const [index, body] of bodies.entries()) {
    const { etag } = await engine.uploadPart({ bucket: BUCKET, key, uploadId, partNumber: index + 1, body: bytesOf(body) });
    parts.push({ partNumber: index + 1, etag });
  }
  return { uploadId, parts };
}

async function objectBytes(engine: Engine, key: string): Promise<Buffer> {
  return collect((await engine.getObject({ bucket: BUCKET, key })).body);
}

/** Every blob (committed or not) of an upload's data blob, and its blocks if it exists. */
async function dataLeft(store: AzureStore, uploadId: string): Promise<{ names: string[]; blocks: number | 'absent' }> {
  const blobName = store.prefix + store.handleOf(uploadId);
  const names = await blobNames(store.container, blobName);
  const blocks = await store.container
    .getBlockBlobClient(blobName)
    .getBlockList('all')
    .then((list) => (list.committedBlocks?.length ?? 0) + (list.uncommittedBlocks?.length ?? 0))
    .catch((error: { statusCode?: number }) => {
      if (error.statusCode === 404) return 'absent' as const;
      throw error;
    });
  return { names, blocks };
}

describe('MultipartEngine on AzureStore', () => {
  it('two engines on one container: parts through one, Complete through the other', async () => {
    const { one, two } = await twoEngines();
    const { uploadId } = await one.createMultipartUpload({ bucket: BUCKET, key: 'k' });
    const p1 = await one.uploadPart({ bucket: BUCKET, key: 'k', uploadId, partNumber: 1, body: bytesOf(part(1)) });
    const p2 = await two.uploadPart({ bucket: BUCKET, key: 'k', uploadId, partNumber: 2, body: bytesOf(part(2, 10)) });
    const listed = await two.listParts({ bucket: BUCKET, key: 'k', uploadId });
    expect(listed.parts.map((p) => p.etag)).toEqual([p1.etag, p2.etag]);
    const done = await two.completeMultipartUpload({
      bucket: BUCKET, key: 'k', uploadId,
      parts: [{ partNumber: 1, etag: p1.etag }, { partNumber: 2, etag: p2.etag }],
    });
    expect(done.size).toBe(1510);
    expect((await objectBytes(one, 'k')).equals(Buffer.concat([part(1), part(2, 10)]))).toBe(true);
  });

  it('Complete racing Abort on two engines: exactly one wins and the outcome is consistent', async () => {
    const { one, two, stores } = await twoEngines();
    const outcomes = { complete: 0, abort: 0 };
    // Head start in ms of Complete over Abort (negative: Abort starts first). The ends make
    // each outcome certain; the middle rounds are true races.
    const headStarts = [-400, -20, -5, 0, 0, 5, 20, 400];
    for (const [round, headStart] of headStarts.entries()) {
      const key = `race-${round}`;
      const { uploadId, parts } = await upload(one, key, [part(round), part(round + 100, 7)]);
      // Alternate which engine does what, so neither side always plays the same role.
      const [completer, aborter] = round % 2 === 0 ? [one, two] : [two, one];
      const after = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
      const [complete, abort] = await Promise.allSettled([
        after(-headStart).then(() => completer.completeMultipartUpload({ bucket: BUCKET, key, uploadId, parts })),
        after(headStart).then(() => aborter.abortMultipartUpload({ bucket: BUCKET, key, uploadId })),
      ]);
      expect([complete.status, abort.status].filter((s) => s === 'fulfilled'), `round ${round}`).toHaveLength(1);
      if (complete.status === 'fulfilled') {
        outcomes.complete++;
        expect(abort.status === 'rejected' && abort.reason).toBeInstanceOf(NoSuchUploadError);
        expect((await objectBytes(two, key)).equals(Buffer.concat([part(round), part(round + 100, 7)]))).toBe(true);
        expect((await dataLeft(stores[0]!, uploadId)).blocks).toBe(2);
      } else {
        outcomes.abort++;
        expect(complete.status === 'rejected' && complete.reason).toBeInstanceOf(NoSuchUploadError);
        await expect(one.headObject({ bucket: BUCKET, key })).rejects.toBeInstanceOf(NoSuchKeyError);
        expect(await dataLeft(stores[0]!, uploadId)).toEqual({ names: [], blocks: 'absent' });
      }
      await expect(one.listParts({ bucket: BUCKET, key, uploadId })).rejects.toBeInstanceOf(NoSuchUploadError);
    }
    expect(outcomes.complete).toBeGreaterThan(0);
    expect(outcomes.abort).toBeGreaterThan(0);
    if (process.env['MPU_DEBUG_RACE']) console.log('race outcomes', outcomes);
  });

  it('Complete moves no part bytes: 0 bytes read or written through the store', async () => {
    const counting = new CountingStore(await harness.open({ blockSize: 1024 }));
    const engine = new MultipartEngine({ store: counting, limits });
    await engine.createBucket(BUCKET);
    const bodies = [part(1, 300_000), part(2, 200_000), part(3, 5)];
    const { uploadId, parts } = await upload(engine, 'zero-copy', bodies);
    expect(counting.snapshot().bytesWritten).toBe(500_005);
    counting.reset();
    await engine.completeMultipartUpload({ bucket: BUCKET, key: 'zero-copy', uploadId, parts });
    const during = counting.snapshot();
    expect(during.bytesRead).toBe(0);
    expect(during.bytesWritten).toBe(0);
    expect(during.calls.read).toBe(0);
    expect(during.calls.writePart).toBe(0);
    expect(during.calls.assemble).toBe(1);
    expect((await objectBytes(engine, 'zero-copy')).equals(Buffer.concat(bodies))).toBe(true);
  });

  it('same key: start two uploads, complete the second then the first; each read returns that upload’s bytes', async () => {
    const { one, two, stores } = await twoEngines();
    const first = await upload(one, 'same', [part(11), part(12, 3)]);
    const second = await upload(two, 'same', [part(21), part(22, 4)]);
    await two.completeMultipartUpload({ bucket: BUCKET, key: 'same', ...second });
    expect((await objectBytes(one, 'same')).equals(Buffer.concat([part(21), part(22, 4)]))).toBe(true);
    await one.completeMultipartUpload({ bucket: BUCKET, key: 'same', ...first });
    expect((await objectBytes(two, 'same')).equals(Buffer.concat([part(11), part(12, 3)]))).toBe(true);
    // The overwritten object's data blob was freed; the live one holds exactly its 2 blocks.
    expect((await dataLeft(stores[0]!, second.uploadId)).blocks).toBe('absent');
    expect((await dataLeft(stores[0]!, first.uploadId)).blocks).toBe(2);
  });

  it('Abort leaves no uncommitted block and no data blob', async () => {
    const store = await harness.open({ blockSize: 700 });
    const engine = new MultipartEngine({ store, limits });
    await engine.createBucket(BUCKET);
    const { uploadId } = await upload(engine, 'aborted', [part(1), part(2), part(3, 9)]);
    // A replaced part: its first attempt becomes a superseded (discard-marked) block set.
    await engine.uploadPart({ bucket: BUCKET, key: 'aborted', uploadId, partNumber: 2, body: bytesOf(part(4)) });
    expect((await dataLeft(store, uploadId)).blocks).toBeGreaterThan(9);
    await engine.abortMultipartUpload({ bucket: BUCKET, key: 'aborted', uploadId });
    expect(await dataLeft(store, uploadId)).toEqual({ names: [], blocks: 'absent' });
    expect(await blobNames(store.container, `${store.prefix}data/`)).toEqual([]);
  });

  it('expiring an incomplete upload leaves no uncommitted block either', async () => {
    const store = await harness.open();
    const engine = new MultipartEngine({ store, limits });
    await engine.createBucket(BUCKET);
    const { uploadId } = await upload(engine, 'stale', [part(1), part(2, 3)]);
    expect(await engine.expireIncompleteUploads(new Date(Date.now() + 60_000))).toBe(1);
    expect(await dataLeft(store, uploadId)).toEqual({ names: [], blocks: 'absent' });
  });

  it('Complete drops superseded and unlisted parts in the same commit', async () => {
    const store = await harness.open();
    const engine = new MultipartEngine({ store, limits });
    await engine.createBucket(BUCKET);
    const { uploadId, parts } = await upload(engine, 'partial', [part(1), part(2), part(3)]);
    const replaced = await engine.uploadPart({ bucket: BUCKET, key: 'partial', uploadId, partNumber: 1, body: bytesOf(part(9)) });
    await engine.completeMultipartUpload({
      bucket: BUCKET, key: 'partial', uploadId,
      parts: [{ partNumber: 1, etag: replaced.etag }, parts[1]!],
    });
    expect((await objectBytes(engine, 'partial')).equals(Buffer.concat([part(9), part(2)]))).toBe(true);
    const list = await store.container.getBlockBlobClient(store.prefix + store.handleOf(uploadId)).getBlockList('all');
    expect(list.committedBlocks).toHaveLength(2);
    expect(list.uncommittedBlocks).toEqual([]);
  });

  it('a put object (single request) is one committed blob too', async () => {
    const store = await harness.open();
    const engine = new MultipartEngine({ store, limits });
    await engine.createBucket(BUCKET);
    const body = randomBytes(40_000);
    await engine.putObject({ bucket: BUCKET, key: 'single', body: bytesOf(body) });
    expect((await objectBytes(engine, 'single')).equals(body)).toBe(true);
    await engine.deleteObject(BUCKET, 'single');
    expect(await blobNames(store.container, `${store.prefix}data/`)).toEqual([]);
  });
});

import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand,
  DeleteObjectCommand, GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { FAULTABLE_METHODS, type FaultRates, type FaultableMethod, FaultyStore, MultipartEngine, defineLimits, seededRandom } from '@mpu/core';
import { FsStore } from '@mpu/fs';
import { startS3Server } from '@mpu/s3';

/**
 * The soak: concurrent SDK clients run mixed traffic (multipart uploads with re-uploaded
 * parts, aborts, puts, gets, lists, deletes) for a while against an in-process S3 server whose
 * engine runs on FaultyStore(FsStore) — random store failures, lost acknowledgements, cut
 * streams and delays. Each client owns its keys and tracks, per key, every state the key may
 * be in (exactly one after an acknowledged write; old-or-new after a failed one). The audit at
 * the end (faults off) reads everything back: zero lost or corrupted objects is the bar.
 */

export interface SoakOptions {
  readonly durationMs: number;
  readonly workers?: number;
  /** Probability that one store call is disturbed (fail / cut), per method. Default 0.01. */
  readonly faultRate?: number;
  readonly seed?: number;
  readonly log?: (line: string) => void;
}

export interface SoakReport {
  readonly seconds: number;
  readonly operations: Record<string, number>;
  /** Requests that failed even after the SDK's retries (expected under faults). */
  readonly failedOperations: Record<string, number>;
  readonly faultsInjected: number;
  readonly faultsByKind: Record<string, number>;
  readonly bytesUploaded: number;
  readonly audit: {
    readonly keysChecked: number;
    readonly objectsPresent: number;
    readonly lost: readonly string[];
    readonly corrupted: readonly string[];
    readonly unknownObjects: readonly string[];
    readonly finishedUploadsStillListed: readonly string[];
    readonly uploadsLeftOpen: number;
  };
}

type Version = string | null; // "<sha256>:<size>", or null for absent

const CREDENTIALS = { accessKeyId: 'AKIDSOAK', secretAccessKey: 'soak-secret-key' };
const BUCKET = 'soak';
const KiB = 1024;
const LIMITS = defineLimits({ name: 'soak', minPartSize: 64 * KiB });

function versionOf(data: Uint8Array): string {
  return `${createHash('sha256').update(data).digest('hex')}:${data.byteLength}`;
}

function uniq(values: Version[]): Version[] {
  return [...new Set(values)];
}

class Tally {
  readonly counts: Record<string, number> = {};
  add(name: string, n = 1): void {
    this.counts[name] = (this.counts[name] ?? 0) + n;
  }
}

/** Every state each key may be in, as far as its one owning client knows. */
class KeyBook {
  readonly #states = new Map<string, Version[]>();
  get(key: string): Version[] {
    return this.#states.get(key) ?? [null];
  }
  set(key: string, states: Version[]): void {
    this.#states.set(key, uniq(states));
  }
  keys(): string[] {
    return [...this.#states.keys()];
  }
}

function rates(rate: number): Partial<Record<FaultableMethod, FaultRates>> {
  const streams = new Set<FaultableMethod>(['writePart', 'read', 'listRecords']);
  return Object.fromEntries(FAULTABLE_METHODS.map((method) => [
    method,
    { fail: rate, delay: rate * 3, ...(streams.has(method) ? { cut: rate / 2 } : {}) },
  ]));
}

async function bodyBytes(body: unknown): Promise<Buffer> {
  const stream = body as { transformToByteArray(): Promise<Uint8Array> };
  return Buffer.from(await stream.transformToByteArray());
}

interface WorkerContext {
  readonly client: S3Client;
  readonly book: KeyBook;
  readonly ops: Tally;
  readonly failed: Tally;
  readonly finishedUploads: Set<string>;
  readonly corruptedDuringRun: string[];
  readonly random: () => number;
  bytes: number;
}

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)]!;
}

async function attempt<T>(ctx: WorkerContext, name: string, run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  ctx.ops.add(name);
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    ctx.failed.add(`${name}:${(error as { name?: string }).name ?? 'Error'}`);
    return { ok: false, error };
  }
}

async function putOp(ctx: WorkerContext, key: string): Promise<void> {
  const data = randomBytes(1 + Math.floor(ctx.random() * 96 * KiB));
  const before = ctx.book.get(key);
  const result = await attempt(ctx, 'PutObject', () => ctx.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: data })));
  ctx.bytes += data.byteLength;
  ctx.book.set(key, result.ok ? [versionOf(data)] : [...before, versionOf(data)]);
}

async function deleteOp(ctx: WorkerContext, key: string): Promise<void> {
  const before = ctx.book.get(key);
  const result = await attempt(ctx, 'DeleteObject', () => ctx.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key })));
  ctx.book.set(key, result.ok ? [null] : [...before, null]);
}

async function getOp(ctx: WorkerContext, key: string): Promise<void> {
  const before = ctx.book.get(key);
  const result = await attempt(ctx, 'GetObject', async () => {
    try {
      const response = await ctx.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      return versionOf(await bodyBytes(response.Body));
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return null;
      throw error;
    }
  });
  if (!result.ok) return;
  if (!before.includes(result.value)) {
    ctx.corruptedDuringRun.push(`${key}: read ${result.value ?? 'NoSuchKey'}, expected one of ${before.join(' | ')}`);
    return;
  }
  ctx.book.set(key, [result.value]); // a successful read pins the state
}

async function listOp(ctx: WorkerContext, prefix: string): Promise<void> {
  const result = await attempt(ctx, 'ListObjectsV2', () => ctx.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix })));
  if (!result.ok) return;
  for (const object of result.value.Contents ?? []) {
    if (!ctx.book.get(object.Key!).some((state) => state !== null)) {
      ctx.corruptedDuringRun.push(`${object.Key}: listed, but its client never wrote it (or deleted it for sure)`);
    }
  }
}

/** Create, upload 2–4 parts, re-upload one, then abort (1 in 8) or complete (retrying a failed Complete like a client would). */
async function multipartOp(ctx: WorkerContext, key: string): Promise<void> {
  const created = await attempt(ctx, 'CreateMultipartUpload', () => ctx.client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key })));
  if (!created.ok) return;
  const uploadId = created.value.UploadId!;
  const count = 2 + Math.floor(ctx.random() * 3);
  const parts = new Map<number, { data: Buffer; etag: string }>();
  const upload = async (number: number): Promise<void> => {
    const data = randomBytes(64 * KiB + Math.floor(ctx.random() * 128 * KiB));
    const result = await attempt(ctx, 'UploadPart', () => ctx.client.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: number, Body: data })));
    ctx.bytes += data.byteLength;
    if (result.ok) parts.set(number, { data, etag: result.value.ETag! });
    else parts.delete(number); // unknown which bytes the part holds now: never list it
  };
  for (let number = 1; number <= count; number++) await upload(number);
  await upload(1 + Math.floor(ctx.random() * count)); // re-upload
  const abort = async () => {
    const result = await attempt(ctx, 'AbortMultipartUpload', () => ctx.client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId })));
    if (result.ok) ctx.finishedUploads.add(uploadId);
  };
  const numbers = [...parts.keys()].sort((a, b) => a - b);
  if (ctx.random() < 1 / 8 || numbers.length === 0) return abort();
  const listed = numbers.map((number) => ({ PartNumber: number, ETag: parts.get(number)!.etag }));
  const next = versionOf(Buffer.concat(numbers.map((number) => parts.get(number)!.data)));
  const before = ctx.book.get(key);
  for (let tries = 0; tries < 3; tries++) {
    const result = await attempt(ctx, 'CompleteMultipartUpload', () => ctx.client.send(new CompleteMultipartUploadCommand({
      Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: listed },
    })));
    if (result.ok) {
      ctx.finishedUploads.add(uploadId);
      ctx.book.set(key, [next]);
      return;
    }
    ctx.book.set(key, [...before, next]);
  }
  await abort();
}

async function worker(ctx: WorkerContext, index: number, deadline: number): Promise<void> {
  const puts = Array.from({ length: 6 }, (_, i) => `w${index}/put-${i}`);
  const multis = Array.from({ length: 3 }, (_, i) => `w${index}/mp-${i}`);
  const all = [...puts, ...multis];
  while (Date.now() < deadline) {
    const roll = ctx.random();
    if (roll < 0.25) await multipartOp(ctx, pick(ctx.random, multis));
    else if (roll < 0.5) await putOp(ctx, pick(ctx.random, puts));
    else if (roll < 0.8) await getOp(ctx, pick(ctx.random, all));
    else if (roll < 0.9) await listOp(ctx, `w${index}/`);
    else await deleteOp(ctx, pick(ctx.random, all));
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => undefined);
  const seed = options.seed ?? Date.now() % 0x7fffffff;
  const root = await mkdtemp(join(tmpdir(), 'mpu-soak-'));
  const fs = await FsStore.open({ root });
  const store = new FaultyStore(fs, { seed, rates: rates(options.faultRate ?? 0.01), maxDelayMs: 5, maxCutAfter: 64 * KiB, paused: true });
  const engine = new MultipartEngine({ store, limits: LIMITS });
  const server = await startS3Server({ engine, credentials: [CREDENTIALS], region: 'us-east-1' });
  const client = new S3Client({
    endpoint: server.url, region: 'us-east-1', forcePathStyle: true, credentials: CREDENTIALS, maxAttempts: 4,
  });
  const started = Date.now();
  try {
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const book = new KeyBook();
    const ops = new Tally();
    const failed = new Tally();
    const finishedUploads = new Set<string>();
    const corruptedDuringRun: string[] = [];
    const workers = options.workers ?? 8;
    const contexts: WorkerContext[] = Array.from({ length: workers }, (_, i) => ({
      client, book, ops, failed, finishedUploads, corruptedDuringRun, random: seededRandom(seed + i + 1), bytes: 0,
    }));
    log(`soak: seed ${seed}, ${workers} workers, ${Math.round(options.durationMs / 1000)} s, data ${root}`);
    store.resume();
    const deadline = started + options.durationMs;
    const progress = setInterval(() => {
      const total = Object.values(ops.counts).reduce((a, b) => a + b, 0);
      log(`soak: ${Math.round((Date.now() - started) / 1000)} s, ${total} operations, ${store.injected.length} faults`);
    }, 30_000);
    try {
      await Promise.all(contexts.map((ctx, i) => worker(ctx, i, deadline)));
    } finally {
      clearInterval(progress);
      store.pause();
    }

    // ── audit, faults off ──
    const lost: string[] = [];
    const corrupted = [...corruptedDuringRun];
    let present = 0;
    for (const key of book.keys()) {
      const states = book.get(key);
      let seen: Version;
      try {
        const response = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
        seen = versionOf(await bodyBytes(response.Body));
        present++;
      } catch (error) {
        if ((error as { name?: string }).name !== 'NoSuchKey') throw error;
        seen = null;
      }
      if (states.includes(seen)) continue;
      if (seen === null) lost.push(`${key}: missing, expected ${states.join(' | ')}`);
      else corrupted.push(`${key}: reads ${seen}, expected ${states.join(' | ')}`);
    }
    const unknownObjects: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, ...(token ? { ContinuationToken: token } : {}) }));
      for (const object of page.Contents ?? []) {
        if (!book.get(object.Key!).some((state) => state !== null)) unknownObjects.push(object.Key!);
      }
      token = page.NextContinuationToken;
    } while (token);
    const stillListed: string[] = [];
    let open = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await client.send(new ListMultipartUploadsCommand({
        Bucket: BUCKET, ...(keyMarker ? { KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker } : {}),
      }));
      for (const upload of page.Uploads ?? []) {
        open++;
        if (finishedUploads.has(upload.UploadId!)) stillListed.push(`${upload.Key} ${upload.UploadId}`);
      }
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }

    const faultsByKind: Record<string, number> = {};
    for (const { fault } of store.injected) {
      const kind = fault.kind === 'fail' ? `fail-${fault.when ?? 'before'}` : fault.kind;
      faultsByKind[kind] = (faultsByKind[kind] ?? 0) + 1;
    }
    return {
      seconds: Math.round((Date.now() - started) / 1000),
      operations: ops.counts,
      failedOperations: failed.counts,
      faultsInjected: store.injected.length,
      faultsByKind,
      bytesUploaded: contexts.reduce((sum, ctx) => sum + ctx.bytes, 0),
      audit: {
        keysChecked: book.keys().length,
        objectsPresent: present,
        lost,
        corrupted,
        unknownObjects,
        finishedUploadsStillListed: stillListed,
        uploadsLeftOpen: open,
      },
    };
  } finally {
    client.destroy();
    await server.close();
    await engine.close();
    await rm(root, { recursive: true, force: true });
  }
}

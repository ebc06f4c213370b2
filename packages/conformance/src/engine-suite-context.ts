import { createHash } from 'node:crypto';
import { type BlobStore, type Engine, S3Error, type S3ErrorCode, type S3ErrorDetails } from '@mpu/core';
import { afterAll, beforeAll, expect } from 'vitest';
import { generatedBytes } from './generated-bytes.js';

/**
 * Limits the engine suite asks the harness for:
 * - `aws`: the engine's `aws` profile (5 MiB minimum part size).
 * - `small`: the `aws` profile with the minimum non-last part size lowered to
 *   `SMALL_MIN_PART_SIZE`, so ordering and size rules are testable with kilobyte parts.
 */
export type EngineLimitsProfile = 'aws' | 'small';

/** Minimum non-last part size of the `small` profile, in bytes. */
export const SMALL_MIN_PART_SIZE = 1024;

export interface EngineHarness {
  /** A fresh engine over a fresh, empty store, with the limits `profile` names. */
  open(profile: EngineLimitsProfile): Promise<{ readonly engine: Engine; readonly store: BlobStore }>;
  cleanup?(): Promise<void>;
}

export type EngineTestRegistrar = (id: string, title: string, body: () => Promise<void>, timeout?: number) => void;

export interface EngineSession {
  readonly engine: Engine;
  readonly store: BlobStore;
  /** A bucket created for this test. */
  readonly bucket: string;
}

export interface EngineSuiteContext {
  readonly test: EngineTestRegistrar;
  withEngine<T>(profile: EngineLimitsProfile, fn: (session: EngineSession) => Promise<T>): Promise<T>;
}

export const BUCKET = 'conformance-bucket';

export function engineLifecycle(
  factory: () => EngineHarness | Promise<EngineHarness>,
): EngineSuiteContext['withEngine'] {
  let harness: EngineHarness | undefined;
  beforeAll(async () => {
    harness = await factory();
  });
  afterAll(async () => {
    await harness?.cleanup?.();
  });
  return async (profile, fn) => {
    if (!harness) throw new Error('engine harness was not initialised');
    const { engine, store } = await harness.open(profile);
    try {
      await engine.createBucket(BUCKET);
      return await fn({ engine, store, bucket: BUCKET });
    } finally {
      await engine.close();
      // The engine may already have closed its store; a second close is not what is tested.
      await store.close().catch(() => undefined);
    }
  };
}

// ── helpers shared by the engine tests ──────────────────────────────────────────────────────

export async function* bodyOf(...chunks: readonly (Uint8Array | string)[]): AsyncIterable<Uint8Array> {
  for (const chunk of chunks) yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

export async function readBody(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Deterministic bytes as a Buffer. */
export function bytes(size: number, seed: number): Buffer {
  return Buffer.from(generatedBytes(size, seed));
}

export function md5(data: Uint8Array): Buffer {
  return createHash('md5').update(data).digest();
}

/** Quoted hex MD5: a part or single-PUT ETag (S3-MULTIPART.md §3.1). */
export function partEtagOf(data: Uint8Array): string {
  return `"${md5(data).toString('hex')}"`;
}

/** `"hex(md5(md5bin₁‖…‖md5binₙ))-n"`, computed here, independently of the engine. */
export function multipartEtagOf(parts: readonly Uint8Array[]): string {
  return `"${md5(Buffer.concat(parts.map((p) => md5(p)))).toString('hex')}-${parts.length}"`;
}

export function contentMd5Of(data: Uint8Array): string {
  return md5(data).toString('base64');
}

/** Awaits a rejection that must be an S3Error with `code` (and, if given, these details). */
export async function expectS3Error(
  promise: Promise<unknown>,
  code: S3ErrorCode,
  details?: S3ErrorDetails,
): Promise<S3Error> {
  const outcome = await promise.then(
    (value: unknown) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected S3Error ${code}, but the call succeeded`);
  const error = outcome.error;
  expect(error, `expected S3Error ${code}, got ${String(error)}`).toBeInstanceOf(S3Error);
  expect((error as S3Error).code).toBe(code);
  if (details) expect((error as S3Error).details).toMatchObject(details);
  return error as S3Error;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

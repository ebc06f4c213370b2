import { createHash } from 'node:crypto';
import type { PartRef } from '@mpu/core';

/** One staged part as a manifest references it: where its chunks are and where it starts. */
export interface ManifestPart {
  readonly partId: string;
  readonly size: number;
  /** Bytes per chunk of this part (its last chunk may be shorter). */
  readonly chunkSize: number;
  /** Absolute offset of the part's first byte in the assembled object. */
  readonly offset: number;
}

/** What `assemble` publishes: the ordered parts of one object. No part byte is copied. */
export interface Manifest {
  readonly upload: string;
  readonly size: number;
  readonly parts: readonly ManifestPart[];
}

/** Thrown when a manifest or part meta in the database does not decode (corruption). */
export class CorruptEntryError extends Error {
  override readonly name = 'CorruptEntryError';
  constructor(
    readonly what: string,
    options?: ErrorOptions,
  ) {
    super(`corrupt ${what} in the LevelStore database`, options);
  }
}

/**
 * The handle id is a digest of the upload and its part list, so assembling the same parts
 * again (a Complete retried after a crash) rewrites the same manifest instead of leaving a
 * second one behind.
 */
export function handleIdOf(upload: string, parts: readonly PartRef[]): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([upload, parts.map((part) => [part.partId, part.size])]));
  return hash.digest('hex').slice(0, 32);
}

const HANDLE_PREFIX = 'level:';
const HANDLE_ID_LENGTH = 32;

/** `level:<handle id>:<upload>` — the upload last, since it may contain any character. */
export function formatHandle(handleId: string, upload: string): string {
  return `${HANDLE_PREFIX}${handleId}:${upload}`;
}

/** The parts of a handle, or undefined if this store could not have issued it. */
export function parseHandle(handle: string): { readonly handleId: string; readonly upload: string } | undefined {
  if (!handle.startsWith(HANDLE_PREFIX)) return undefined;
  const handleId = handle.slice(HANDLE_PREFIX.length, HANDLE_PREFIX.length + HANDLE_ID_LENGTH);
  if (!/^[0-9a-f]{32}$/.test(handleId) || handle[HANDLE_PREFIX.length + HANDLE_ID_LENGTH] !== ':') return undefined;
  return { handleId, upload: handle.slice(HANDLE_PREFIX.length + HANDLE_ID_LENGTH + 1) };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Stored as JSON with the parts as compact tuples (10,000 parts stay well under a megabyte):
 * `{ v: 1, upload, size, parts: [[partId, size, chunkSize, offset], …] }`.
 */
export function encodeManifest(manifest: Manifest): Uint8Array {
  return encoder.encode(
    JSON.stringify({
      v: 1,
      upload: manifest.upload,
      size: manifest.size,
      parts: manifest.parts.map((part) => [part.partId, part.size, part.chunkSize, part.offset]),
    }),
  );
}

export function decodeManifest(bytes: Uint8Array): Manifest {
  try {
    const raw = JSON.parse(decoder.decode(bytes)) as { v: number; upload: string; size: number; parts: [string, number, number, number][] };
    if (raw.v !== 1 || !Array.isArray(raw.parts)) throw new TypeError(`unknown manifest version ${String(raw.v)}`);
    return {
      upload: raw.upload,
      size: raw.size,
      parts: raw.parts.map(([partId, size, chunkSize, offset]) => ({ partId, size, chunkSize, offset })),
    };
  } catch (error) {
    throw new CorruptEntryError('manifest', { cause: error });
  }
}

/** Index of the part holding absolute byte `offset` (binary search over part offsets). */
export function partIndexAt(manifest: Manifest, offset: number): number {
  let low = 0;
  let high = manifest.parts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if (manifest.parts[mid]!.offset <= offset) low = mid;
    else high = mid - 1;
  }
  // Empty parts share their offset with the next part; step past them.
  while (low < manifest.parts.length - 1 && manifest.parts[low]!.size === 0) low++;
  return low;
}

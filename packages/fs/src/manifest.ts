import { createHash } from 'node:crypto';
import type { DataHandle } from '@mpu/core';
import { UnknownHandleError } from '@mpu/core';
import { CorruptFileError } from './errors.js';
import { ID_NAME_PATTERN } from './key-paths.js';

/**
 * An assembled object is a manifest: the ordered list of part files (by their safe names)
 * and sizes, written atomically beside the upload's parts. No part byte moves.
 *
 * The handle is `fs1:<upload name>:<digest>` where the digest hashes the part list, so a
 * retried `assemble` (after a crash in Complete) lands on the same manifest instead of
 * leaving a second one behind.
 */
export interface Manifest {
  readonly format: 1;
  /** The upload id as the engine gave it (for operators reading the directory). */
  readonly upload: string;
  readonly size: number;
  /** [part file name, size] in object order. */
  readonly parts: readonly (readonly [string, number])[];
}

export interface ParsedHandle {
  readonly uploadName: string;
  readonly digest: string;
}

const HANDLE_PREFIX = 'fs1';
const DIGEST_PATTERN = /^[0-9a-f]{32}$/;

export function manifestDigest(parts: Manifest['parts']): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

export function formatHandle(uploadName: string, digest: string): DataHandle {
  return `${HANDLE_PREFIX}:${uploadName}:${digest}`;
}

/** Validates the handle's shape strictly: it becomes a path, so nothing else may pass. */
export function parseHandle(handle: DataHandle): ParsedHandle {
  const [prefix, uploadName, digest, ...rest] = handle.split(':');
  if (prefix !== HANDLE_PREFIX || uploadName === undefined || digest === undefined || rest.length > 0
    || !ID_NAME_PATTERN.test(uploadName) || !DIGEST_PATTERN.test(digest)) {
    throw new UnknownHandleError(handle);
  }
  return { uploadName, digest };
}

export function encodeManifest(manifest: Manifest): Buffer {
  return Buffer.from(JSON.stringify(manifest), 'utf8');
}

export function decodeManifest(path: string, bytes: Buffer): Manifest {
  let value: Partial<Manifest>;
  try {
    value = JSON.parse(bytes.toString('utf8')) as Partial<Manifest>;
  } catch (error) {
    throw new CorruptFileError(path, `manifest is not JSON (${(error as Error).message})`);
  }
  if (value.format !== 1 || !Array.isArray(value.parts) || typeof value.size !== 'number') {
    throw new CorruptFileError(path, 'not an mpu manifest (format 1)');
  }
  for (const entry of value.parts) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !ID_NAME_PATTERN.test(entry[0]) || typeof entry[1] !== 'number') {
      throw new CorruptFileError(path, 'manifest has a malformed part entry');
    }
  }
  return value as Manifest;
}

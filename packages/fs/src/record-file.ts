import { randomBytes } from 'node:crypto';
import { CorruptFileError } from './errors.js';

/**
 * A record file is `MPUR1 <version>\n` followed by the value bytes. The version is a fresh
 * random token on every write (96 bits), so an ABA sequence (write, delete, write) never
 * hands a stale `ifVersion` holder a match.
 */
const MAGIC = 'MPUR1 ';
const NEWLINE = 0x0a;

export function newVersion(): string {
  return randomBytes(12).toString('base64url');
}

export function encodeRecordFile(version: string, value: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${MAGIC}${version}\n`, 'ascii'), value]);
}

export function decodeRecordFile(path: string, file: Buffer): { readonly version: string; readonly value: Uint8Array } {
  const newline = file.indexOf(NEWLINE);
  if (newline < 0 || file.toString('ascii', 0, MAGIC.length) !== MAGIC) {
    throw new CorruptFileError(path, 'not an mpu record file (missing MPUR1 header)');
  }
  // Copy the value out so callers never share the read buffer.
  return { version: file.toString('ascii', MAGIC.length, newline), value: new Uint8Array(file.subarray(newline + 1)) };
}

/** The value bytes of an encoded record file (a view, not a copy). */
export function recordValue(file: Buffer): Uint8Array {
  return file.subarray(file.indexOf(NEWLINE) + 1);
}

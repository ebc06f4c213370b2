import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { decodeWtf8, encodeWtf8 } from './wtf8.js';

/**
 * Record key → path, order-preserving.
 *
 * A key's bytes (WTF-8, see wtf8.ts) are cut into segments; each segment but the last is a
 * directory named `d<hex>`, the last is a file named `r<hex>`. Names hold only `[dr0-9a-f]`,
 * so `..`, `/`, `\`, NUL, case and Unicode normalisation can never reach the filesystem, and
 * lower-case hex of bytes sorts exactly like the bytes. Listing is then a sorted directory walk.
 *
 * Where a segment ends: at the first `/` at index ≥ MIN_SLASH_INDEX within the first
 * MAX_SEGMENT_BYTES bytes (so `upload/<id>/part/…` becomes one directory per level and a
 * prefix listing opens only its own directory), else after MAX_SEGMENT_BYTES bytes when more
 * follow, else the rest is the file. This rule keeps sibling labels prefix-free for
 * directories (no label extends a directory's label), which is what makes "sort siblings by
 * label, files before directories on a tie" equal to key-byte order. MIN_SLASH_INDEX stops a
 * run of `/` from costing one directory level per byte (PATH_MAX is 4096).
 */
export const MAX_SEGMENT_BYTES = 100; // 200 hex chars + 1: well under NAME_MAX (255)
const MIN_SLASH_INDEX = 3;
const SLASH = 0x2f;

/**
 * Longest record key: a worst case key of 4-byte segments costs 10 path characters per 4 bytes,
 * so 1,280 bytes need ≤ 3,200 characters below the records directory (root ≤ MAX_ROOT_LENGTH).
 */
export const MAX_RECORD_KEY_BYTES = 1280;
export const MAX_ROOT_LENGTH = 768;

export const DIR_MARK = 'd';
export const FILE_MARK = 'r';

/**
 * Where the directory segment starting at `from` ends (exclusive), or undefined when the rest
 * is the file label. Also valid for a prefix: a prefix determines a directory segment exactly
 * when this returns a value for it.
 */
export function nextDirectoryEnd(bytes: Uint8Array, from: number): number | undefined {
  const limit = Math.min(bytes.length, from + MAX_SEGMENT_BYTES);
  for (let i = from + MIN_SLASH_INDEX; i < limit; i++) {
    if (bytes[i] === SLASH) return i + 1;
  }
  return bytes.length - from > MAX_SEGMENT_BYTES ? from + MAX_SEGMENT_BYTES : undefined;
}

function hexOf(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('hex');
}

/** The hex labels of the directory segments fully determined by `bytes`, and where they end. */
export function directoryLabels(bytes: Uint8Array): { readonly labels: string[]; readonly consumed: number } {
  const labels: string[] = [];
  let from = 0;
  for (let end = nextDirectoryEnd(bytes, from); end !== undefined; end = nextDirectoryEnd(bytes, from)) {
    labels.push(hexOf(bytes, from, end));
    from = end;
  }
  return { labels, consumed: from };
}

/** The file holding record `key`, under `recordsDir`. */
export function recordPath(recordsDir: string, key: string): string {
  const bytes = encodeWtf8(key);
  const { labels, consumed } = directoryLabels(bytes);
  return join(recordsDir, ...labels.map((label) => DIR_MARK + label), FILE_MARK + hexOf(bytes, consumed, bytes.length));
}

/** Key bytes (WTF-8) for length checks and ordering. */
export function keyBytes(key: string): Buffer {
  return encodeWtf8(key);
}

/** The key whose bytes are this hex. */
export function keyFromHex(hex: string): string {
  return decodeWtf8(Buffer.from(hex, 'hex'));
}

/**
 * Upload ids and part ids → one safe file name. Short ids are their hex (`x…`, reversible,
 * collision-free); ids over 100 bytes use a SHA-256 (`h…`) so the name stays under NAME_MAX.
 * The two forms cannot collide with each other because of the leading letter.
 */
export function idName(id: string): string {
  const bytes = encodeWtf8(id);
  if (bytes.length <= MAX_SEGMENT_BYTES) return 'x' + bytes.toString('hex');
  return 'h' + createHash('sha256').update(bytes).digest('hex');
}

export const ID_NAME_PATTERN = /^(?:x(?:[0-9a-f]{2}){0,100}|h[0-9a-f]{64})$/;

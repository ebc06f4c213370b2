import type { ChecksumAlgorithm } from '../engine/types.js';

/** Raw digest length in bytes of each algorithm (S3-MULTIPART.md §4.1). */
export const DIGEST_LENGTH: Readonly<Record<ChecksumAlgorithm, number>> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
};

// Standard alphabet, padded to a multiple of 4. Node's decoder is lenient (accepts URL-safe
// characters, missing padding, embedded junk), so a checksum header is only trusted when it
// matches this shape exactly — anything else must become InvalidRequest, not a silent mismatch.
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes a wire checksum; undefined unless it is strict standard base64 of the exact length. */
export function decodeChecksum(algorithm: ChecksumAlgorithm, base64: string): Buffer | undefined {
  const length = DIGEST_LENGTH[algorithm];
  if (base64.length !== Math.ceil(length / 3) * 4 || !STRICT_BASE64.test(base64)) return undefined;
  const raw = Buffer.from(base64, 'base64');
  // Non-canonical encodings (unused low bits set in the last character) do not round-trip;
  // rejecting them keeps one wire value per digest.
  if (raw.length !== length || raw.toString('base64') !== base64) return undefined;
  return raw;
}

/** Standard base64 with padding, as S3 puts checksums on the wire. */
export function encodeChecksum(raw: Uint8Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
}

/** Big-endian bytes of a 32-bit CRC value. */
export function uint32ToBytes(value: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(value >>> 0, 0);
  return out;
}

import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { ChecksumAlgorithm } from '../engine/types.js';
import { crc32c } from './crc32c.js';
import { Crc64Nvme } from './crc64nvme.js';
import { uint32ToBytes } from './encoding.js';

/** One streaming checksum; `digest()` returns the raw big-endian value S3 base64-encodes. */
export interface IncrementalChecksum {
  update(chunk: Uint8Array): void;
  digest(): Buffer;
}

/** Streaming state for `algorithm`: native hashes and CRC-32 (zlib), JS tables for the rest. */
export function createChecksum(algorithm: ChecksumAlgorithm): IncrementalChecksum {
  switch (algorithm) {
    case 'CRC32':
      return crc32Stream(crc32);
    case 'CRC32C':
      return crc32Stream(crc32c);
    case 'CRC64NVME':
      return new Crc64Nvme();
    case 'SHA1':
      return createHash('sha1');
    case 'SHA256':
      return createHash('sha256');
    default:
      // Unreachable for typed callers; guards values cast from headers (e.g. SHA512).
      throw new RangeError(`unsupported checksum algorithm: ${String(algorithm satisfies never)}`);
  }
}

function crc32Stream(step: (data: Uint8Array, previous: number) => number): IncrementalChecksum {
  let value = 0;
  return {
    update(chunk) {
      value = step(chunk, value);
    },
    digest: () => uint32ToBytes(value),
  };
}

/** The checksum of one buffer (tests, composite values). */
export function checksumOf(algorithm: ChecksumAlgorithm, data: Uint8Array): Buffer {
  const checksum = createChecksum(algorithm);
  checksum.update(data);
  return checksum.digest();
}

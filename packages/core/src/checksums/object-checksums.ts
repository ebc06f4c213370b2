import type { ChecksumAlgorithm } from '../engine/types.js';
import { combineCrc, type CombinableCrc } from './crc-combine.js';
import { encodeChecksum } from './encoding.js';
import { createChecksum } from './incremental-checksum.js';

/**
 * COMPOSITE object checksum: base64(H(raw₁‖raw₂‖…)) + "-n" over the raw part checksums in part
 * order (S3-MULTIPART.md §4.2). Callers strip the suffix where S3 does (GetObjectAttributes).
 */
export function compositeChecksum(algorithm: ChecksumAlgorithm, partChecksums: readonly Uint8Array[]): string {
  const hash = createChecksum(algorithm);
  for (const raw of partChecksums) hash.update(raw);
  return `${encodeChecksum(hash.digest())}-${partChecksums.length}`;
}

const EMPTY_CRC_BYTES: Readonly<Record<CombinableCrc, number>> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8 };

/**
 * FULL_OBJECT checksum: the CRC of all parts' bytes, folded from stored part CRCs and sizes
 * (S3-MULTIPART.md §4.3). No suffix. Zero parts give the CRC of zero bytes (all zeros).
 */
export function fullObjectChecksum(algorithm: CombinableCrc, parts: readonly { checksum: Uint8Array; size: number }[]): string {
  let full: Uint8Array = Buffer.alloc(EMPTY_CRC_BYTES[algorithm]);
  for (const part of parts) full = combineCrc(algorithm, full, part.checksum, part.size);
  return encodeChecksum(full);
}

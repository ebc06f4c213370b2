import { S3Error } from '../errors/s3-error.js';
import {
  InvalidArgumentError, InvalidBucketNameError, InvalidPartNumberError, InvalidRequestError,
  InvalidStorageClassError, KeyTooLongError, MetadataTooLargeError,
} from '../errors/s3-errors.js';
import type { EffectiveLimits } from './engine-context.js';
import type { ChecksumAlgorithm, ChecksumType } from './types.js';

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** S3 general-purpose bucket naming rules: 3–63 of a-z 0-9 . -, letter/digit at both ends. */
export function validateBucketName(name: string): void {
  const ok = BUCKET_NAME.test(name)
    && !name.includes('..')
    && !name.includes('.-')
    && !name.includes('-.')
    && !IP_ADDRESS.test(name)
    && !name.startsWith('xn--')
    && !name.startsWith('sthree-')
    && !name.endsWith('-s3alias')
    && !name.endsWith('--ol-s3');
  if (!ok) throw new InvalidBucketNameError(name);
}

/** True when the string has no lone surrogate (it encodes to UTF-8 and back unchanged). */
function isWellFormed(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** Keys are 1..maxKeyBytes bytes of well-formed UTF-8 (S3-MULTIPART.md §0). */
export function validateKey(key: string, limits: EffectiveLimits): void {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidArgumentError('Object key must not be empty', 'key', key);
  }
  if (!isWellFormed(key)) {
    throw new InvalidArgumentError('Object key is not well-formed UTF-8', 'key', undefined);
  }
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > limits.maxKeyBytes) throw new KeyTooLongError(key, bytes, limits.maxKeyBytes);
}

export function validatePartNumber(partNumber: number, limits: EffectiveLimits): void {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > limits.maxPartNumber) {
    throw new InvalidPartNumberError(partNumber, limits.maxPartNumber);
  }
}

/** User metadata total (names + values, in UTF-8 bytes) → MetadataTooLarge beyond the limit. */
export function validateMetadata(metadata: Readonly<Record<string, string>> | undefined, limits: EffectiveLimits): void {
  if (!metadata) return;
  let size = 0;
  for (const [name, value] of Object.entries(metadata)) size += Buffer.byteLength(name) + Buffer.byteLength(value);
  if (size > limits.maxMetadataBytes) throw new MetadataTooLargeError(size, limits.maxMetadataBytes);
}

const STORAGE_CLASSES = new Set([
  'STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER',
  'DEEP_ARCHIVE', 'OUTPOSTS', 'GLACIER_IR', 'SNOW', 'EXPRESS_ONEZONE',
]);

export function validateStorageClass(storageClass: string | undefined): string {
  if (storageClass === undefined || storageClass === '') return 'STANDARD';
  if (!STORAGE_CLASSES.has(storageClass)) throw new InvalidStorageClassError(storageClass);
  return storageClass;
}

const ALGORITHMS = new Set<string>(['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256']);
// In the newest S3 model but not implemented here: 501, not 400 (S3-MULTIPART.md §4.1).
const NEWER_ALGORITHMS = new Set<string>(['SHA512', 'MD5', 'XXHASH64', 'XXHASH3', 'XXHASH128']);

export function validateChecksumAlgorithm(algorithm: string): ChecksumAlgorithm {
  if (NEWER_ALGORITHMS.has(algorithm)) {
    throw new S3Error('NotImplemented', `The ${algorithm} checksum algorithm is not implemented.`, {
      Header: `x-amz-checksum-${algorithm.toLowerCase()}`,
    });
  }
  if (!ALGORITHMS.has(algorithm)) {
    throw new InvalidRequestError(`Checksum algorithm ${algorithm} is not supported.`);
  }
  return algorithm as ChecksumAlgorithm;
}

/**
 * CreateMultipartUpload checksum settings (S3-MULTIPART.md §1.1): the type needs an algorithm;
 * SHA1/SHA256 are COMPOSITE only; CRC64NVME is FULL_OBJECT only; CRC32/CRC32C default to COMPOSITE.
 */
export function resolveUploadChecksum(
  algorithm: ChecksumAlgorithm | undefined,
  type: ChecksumType | undefined,
): { algorithm?: ChecksumAlgorithm; type?: ChecksumType } {
  if (type !== undefined && type !== 'COMPOSITE' && type !== 'FULL_OBJECT') {
    throw new InvalidRequestError('Value for x-amz-checksum-type header is invalid.');
  }
  if (algorithm === undefined) {
    if (type !== undefined) {
      throw new InvalidRequestError('The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
    }
    return {};
  }
  validateChecksumAlgorithm(algorithm);
  if (type === 'FULL_OBJECT' && (algorithm === 'SHA1' || algorithm === 'SHA256')) {
    throw new InvalidRequestError(`The FULL_OBJECT checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`);
  }
  if (type === 'COMPOSITE' && algorithm === 'CRC64NVME') {
    throw new InvalidRequestError('The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.');
  }
  return { algorithm, type: type ?? (algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE') };
}

/** max-parts / max-uploads / max-keys: a non-negative integer, capped at the page limit. */
export function resolvePageSize(value: number | undefined, argumentName: string, limits: EffectiveLimits): number {
  if (value === undefined) return limits.maxListPage;
  if (!Number.isInteger(value) || value < 0 || value > 2147483647) {
    throw new InvalidArgumentError(`Argument ${argumentName} must be an integer between 0 and 2147483647`, argumentName, value);
  }
  return Math.min(value, limits.maxListPage);
}

export function resolveMarker(value: number | undefined, argumentName: string): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || value < 0 || value > 2147483647) {
    throw new InvalidArgumentError(`Argument ${argumentName} must be an integer between 0 and 2147483647`, argumentName, value);
  }
  return value;
}

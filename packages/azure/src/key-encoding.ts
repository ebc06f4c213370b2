/**
 * Record keys and upload ids become blob names through an order-preserving base 64.
 *
 * Why not the key itself: Azure blob names must not end in `.` or `/`, may hold at most 254
 * path segments, turn `\` into `/` in some tools, and control characters and lone surrogates
 * do not survive URLs. And why not plain base64: its alphabet is not in ASCII order, so the
 * listing order (which the BlobStore contract fixes as UTF-8 key-byte order) would be lost.
 *
 * This alphabet is the 64 URL-safe characters sorted by their ASCII code, and there is no
 * padding. Encoding the bits of the UTF-8 bytes six at a time in that alphabet keeps
 * lexicographic order: the first differing bit lands in the same 6-bit group of both names,
 * and a key that is a prefix of another encodes to a name that is a prefix of (or sorts
 * before) the other's. Azure (and Azurite) order ASCII names by code unit, so the service's
 * listing order is the keys' UTF-8 byte order. Cost: 4 name characters per 3 key bytes.
 */
const ALPHABET = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
const DECODE = new Map([...ALPHABET].map((char, index) => [char, index]));

/** Thrown when a blob name is not one this store produced (a foreign blob under its prefix). */
export class InvalidEncodedKeyError extends Error {
  override readonly name = 'InvalidEncodedKeyError';
  constructor(readonly encoded: string) {
    super(`${JSON.stringify(encoded)} is not an mpu-encoded key`);
  }
}

/** Encodes UTF-8 bytes of `key` in the order-preserving alphabet. */
export function encodeKey(key: string): string {
  return encodeBytes(Buffer.from(key, 'utf8'));
}

export function encodeBytes(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let pending = 0;
  for (const byte of bytes) {
    pending = (pending << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += ALPHABET[(pending >> bits) & 63];
    }
    pending &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(pending << (6 - bits)) & 63];
  return out;
}

export function decodeKey(encoded: string): string {
  const bytes: number[] = [];
  let bits = 0;
  let pending = 0;
  for (const char of encoded) {
    const value = DECODE.get(char);
    if (value === undefined) throw new InvalidEncodedKeyError(encoded);
    pending = (pending << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((pending >> bits) & 255);
      pending &= (1 << bits) - 1;
    }
  }
  // The trailing bits are the zero padding of the last character; anything else is foreign.
  if (pending !== 0) throw new InvalidEncodedKeyError(encoded);
  return Buffer.from(bytes).toString('utf8');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** False for strings with lone surrogates, which UTF-8 cannot carry (they would come back as U+FFFD). */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

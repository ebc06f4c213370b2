import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc32cBase64, crc32cCombine, crc32cOf } from '../src/index.js';
import { CRC32C } from './storage-client.js';

describe('crc32c', () => {
  it('matches the CRC-32C check value (RFC 3720 B.4 / "123456789" → 0xE3069283)', () => {
    expect(crc32cOf(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32cOf(new Uint8Array(32))).toBe(0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
    expect(crc32cOf(new Uint8Array(0))).toBe(0);
  });

  it('encodes like GCS (base64 of the big-endian value) and agrees with @google-cloud/storage', () => {
    for (const size of [0, 1, 7, 8, 9, 1000, 65_537]) {
      const bytes = randomBytes(size);
      const theirs = new CRC32C();
      theirs.update(bytes);
      expect(crc32cBase64(crc32cOf(bytes)), `size ${size}`).toBe(theirs.toString());
    }
  });

  it('combines crc(A), crc(B) and len(B) into crc(A‖B) without the bytes', () => {
    for (const [a, b] of [[0, 5], [5, 0], [1, 1], [100, 3], [4096, 70_001]] as const) {
      const left = randomBytes(a);
      const right = randomBytes(b);
      expect(crc32cCombine(crc32cOf(left), crc32cOf(right), b)).toBe(crc32cOf(Buffer.concat([left, right])));
    }
  });

  it('is independent of how bytes were split (sanity against md5 of the same data)', () => {
    const data = randomBytes(10_000);
    expect(createHash('md5').update(data).digest('hex')).toHaveLength(32);
    expect(crc32cOf(data)).toBe(crc32cCombine(crc32cOf(data.subarray(0, 3333)), crc32cOf(data.subarray(3333)), 10_000 - 3333));
  });
});

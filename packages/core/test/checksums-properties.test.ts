import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PayloadHasher, checksumOf, combineCrc, fullObjectChecksum, encodeChecksum } from '@mpu/core';
import type { ChecksumAlgorithm } from '@mpu/core';

const CRCS = ['CRC32', 'CRC32C', 'CRC64NVME'] as const;
const ALL: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

// Lengths cross the 8-byte slicing boundary and the tail loop; empty buffers included.
const bytes = fc.uint8Array({ minLength: 0, maxLength: 300 });

describe('combineCrc', () => {
  it.each(CRCS)('%s: combine(crc(A), crc(B), |B|) = crc(A‖B)', (algorithm) => {
    fc.assert(
      fc.property(bytes, bytes, (a, b) => {
        const combined = combineCrc(algorithm, checksumOf(algorithm, a), checksumOf(algorithm, b), b.length);
        expect(combined).toEqual(checksumOf(algorithm, Buffer.concat([a, b])));
      }),
      { numRuns: 300 },
    );
  });

  it.each(CRCS)('%s: large |B| via zero runs (exercises high operator powers)', (algorithm) => {
    fc.assert(
      fc.property(bytes, fc.integer({ min: 0, max: 3 * 1024 * 1024 }), (a, zeros) => {
        const b = new Uint8Array(zeros);
        const combined = combineCrc(algorithm, checksumOf(algorithm, a), checksumOf(algorithm, b), zeros);
        expect(combined).toEqual(checksumOf(algorithm, Buffer.concat([a, b])));
      }),
      { numRuns: 15 },
    );
  });

  it.each(CRCS)('%s: fullObjectChecksum folds any split of the data', (algorithm) => {
    fc.assert(
      fc.property(fc.array(bytes, { maxLength: 6 }), (parts) => {
        const folded = fullObjectChecksum(algorithm, parts.map((p) => ({ checksum: checksumOf(algorithm, p), size: p.length })));
        expect(folded).toBe(encodeChecksum(checksumOf(algorithm, Buffer.concat(parts))));
      }),
      { numRuns: 100 },
    );
  });

  it('rejects wrong-width inputs and bad lengths', () => {
    expect(() => combineCrc('CRC32', new Uint8Array(8), new Uint8Array(4), 1)).toThrow(RangeError);
    expect(() => combineCrc('CRC64NVME', new Uint8Array(8), new Uint8Array(4), 1)).toThrow(RangeError);
    expect(() => combineCrc('CRC32C', new Uint8Array(4), new Uint8Array(4), -1)).toThrow(RangeError);
    expect(() => combineCrc('CRC32C', new Uint8Array(4), new Uint8Array(4), 1.5)).toThrow(RangeError);
  });

  it('handles part sizes beyond 2^32 bytes', () => {
    // Advancing over 2^32 + 8 zero bytes = advancing over 2^32, then 8; checks the >32-bit exponent path.
    for (const algorithm of CRCS) {
      const width = algorithm === 'CRC64NVME' ? 8 : 4;
      const a = checksumOf(algorithm, Buffer.from('abc'));
      const zero = new Uint8Array(width);
      const once = combineCrc(algorithm, a, zero, 2 ** 32 + 8);
      const twice = combineCrc(algorithm, combineCrc(algorithm, a, zero, 2 ** 32), zero, 8);
      expect(once).toEqual(twice);
      expect(once).not.toEqual(combineCrc(algorithm, a, zero, 8));
    }
  });
});

describe('PayloadHasher', () => {
  it('chunked updates give the same digest as one update', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(2000), { maxLength: 8 }), (data, cuts) => {
        const whole = new PayloadHasher({ algorithms: ALL, sha256: true });
        whole.update(data);
        const chunked = new PayloadHasher({ algorithms: ALL, sha256: true });
        const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((x, y) => x - y);
        let start = 0;
        for (const point of [...points, data.length]) {
          chunked.update(data.subarray(start, point));
          start = point;
        }
        expect(chunked.digest()).toEqual(whole.digest());
      }),
      { numRuns: 200 },
    );
  });

  it('computes only what was asked, SHA-256 shared with the SHA256 checksum', () => {
    const hasher = new PayloadHasher({ algorithms: ['CRC32C', 'CRC32C'] });
    hasher.update(Buffer.from('123456789'));
    const digest = hasher.digest();
    expect(Object.keys(digest.checksums)).toEqual(['CRC32C']);
    expect(digest.sha256).toBeUndefined();
    expect(digest.size).toBe(9);
    expect(digest.md5.toString('hex')).toBe('25f9e794323b453885f5181f1b624d0b');

    const signed = new PayloadHasher({ sha256: true });
    signed.update(Buffer.from('hello'));
    const d = signed.digest();
    expect(d.sha256?.toString('hex')).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect(d.checksums).toEqual({});
  });

  it('rejects algorithms S3 has but mpu does not compute', () => {
    expect(() => new PayloadHasher({ algorithms: ['SHA512' as ChecksumAlgorithm] })).toThrow(RangeError);
  });

  it('refuses use after digest', () => {
    const hasher = new PayloadHasher({});
    hasher.digest();
    expect(() => hasher.update(new Uint8Array(1))).toThrow();
    expect(() => hasher.digest()).toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import {
  PayloadHasher, checksumOf, combineCrc, compositeChecksum, decodeChecksum, encodeChecksum,
  fullObjectChecksum, multipartEtag, normalizeEtag, partEtag,
} from '@mpu/core';
import type { ChecksumAlgorithm } from '@mpu/core';

const MiB = 1024 * 1024;
const CRCS = ['CRC32', 'CRC32C', 'CRC64NVME'] as const;

/** Streams `size` bytes of `byte` through a hasher in 64 KiB chunks (the way UploadPart does). */
function hashRepeated(byte: number, size: number, algorithms: readonly ChecksumAlgorithm[]) {
  const hasher = new PayloadHasher({ algorithms, sha256: true });
  const chunk = Buffer.alloc(64 * 1024, byte);
  for (let left = size; left > 0; left -= chunk.length) hasher.update(chunk.subarray(0, Math.min(left, chunk.length)));
  return hasher.digest();
}

function hex(raw: Uint8Array): string {
  return Buffer.from(raw).toString('hex');
}

describe('CRC check values ("123456789")', () => {
  const check = Buffer.from('123456789');
  it.each([
    ['CRC32', 'cbf43926'],
    ['CRC32C', 'e3069283'],
    ['CRC64NVME', 'ae8b14860a799888'],
  ] as const)('%s', (algorithm, expected) => {
    expect(hex(checksumOf(algorithm, check))).toBe(expected);
  });
  it('CRC of zero bytes is zero', () => {
    for (const algorithm of CRCS) expect(checksumOf(algorithm, new Uint8Array(0)).every((b) => b === 0)).toBe(true);
  });
});

describe('TV1 — ETags', () => {
  const part1 = hashRepeated(0x61, 5 * MiB, []);
  const part2 = new PayloadHasher({}); part2.update(Buffer.from('hello'));
  const d2 = part2.digest();

  it('part ETags', () => {
    expect(part1.size).toBe(5242880);
    expect(partEtag(part1.md5)).toBe('"79b281060d337b9b2b84ccf390adcf74"');
    expect(encodeChecksum(part1.md5)).toBe('ebKBBg0ze5srhMzzkK3PdA==');
    expect(d2.size).toBe(5);
    expect(partEtag(d2.md5)).toBe('"5d41402abc4b2a76b9719d911017c592"');
    expect(encodeChecksum(d2.md5)).toBe('XUFAKrxLKna5cZ2REBfFkg==');
  });

  it('multipart ETag differs from the MD5 of the whole object', () => {
    expect(multipartEtag([part1.md5, d2.md5])).toBe('"7cbb08aa3c3309d6882c18fcecc4bee7-2"');
    const whole = new PayloadHasher({});
    whole.update(Buffer.alloc(5 * MiB, 0x61));
    whole.update(Buffer.from('hello'));
    expect(hex(whole.digest().md5)).toBe('fa01dc3471d797b839444a1bdfa87e51');
  });

  it('edge values and Cloudflare example', () => {
    const empty = new PayloadHasher({}).digest();
    expect(multipartEtag([empty.md5])).toBe('"59adb24ef3cdbe0297f05b395827453f-1"');
    expect(multipartEtag([d2.md5])).toBe('"62109206880d38a4010a98e11243924a-1"');
    const cf = ['bce6bf66aeb76c7040fdd5f4eccb78e6', '8165449fc15bbf43d3b674595cbcc406'].map((h) => Buffer.from(h, 'hex'));
    expect(multipartEtag(cf)).toBe('"f77dc0eecdebcd774a2a22cb393ad2ff-2"');
  });

  it('normalizeEtag strips one pair of quotes and lower-cases', () => {
    expect(normalizeEtag('"ABCdef-2"')).toBe('abcdef-2');
    expect(normalizeEtag('abc')).toBe('abc');
    expect(normalizeEtag('""abc""')).toBe('"abc"');
    expect(normalizeEtag('"abc')).toBe('"abc');
    expect(normalizeEtag('"')).toBe('"');
  });
});

describe('TV2/TV3 — part, composite and full-object checksums of the TV1 parts', () => {
  const all: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];
  const part1 = hashRepeated(0x61, 5 * MiB, all);
  const p2 = new PayloadHasher({ algorithms: all });
  p2.update(Buffer.from('hello'));
  const part2 = p2.digest();
  const whole = new PayloadHasher({ algorithms: CRCS });
  whole.update(Buffer.alloc(5 * MiB, 0x61));
  whole.update(Buffer.from('hello'));
  const wholeDigest = whole.digest();

  const table: [ChecksumAlgorithm, string, string, string | undefined, string | undefined][] = [
    ['CRC32', 'r/zBbw==', 'NhCmhg==', 'QaduHg==-2', 'dsLl6w=='],
    ['CRC32C', 'WpuOeg==', 'mnG7TA==', 'QYpdNA==-2', 'vzdZqA=='],
    ['CRC64NVME', 'PbvLEkWUSgg=', 'M3eFcAZSQlc=', undefined, 'xrqTozlh+bk='],
    ['SHA1', 'YbjWYArJTZEodPVpqTQRIPaAyfg=', 'qvTGHdzF6KLavt4PO0gs2a6pQ00=', 'Sc9786yoTVGaHVddVcFc/41FQ9k=-2', undefined],
    ['SHA256', 'oplo+tLngqqfIECjXwWtuX7Yl56x9XLIyOp4Y34nXzw=', 'LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=', 'SgR6J2QpUvtxUG056/fVnydfChjAOF9iE6spWAp//X8=-2', undefined],
  ];

  it.each(table)('%s', (algorithm, c1, c2, composite, full) => {
    const raw1 = part1.checksums[algorithm]!;
    const raw2 = part2.checksums[algorithm]!;
    expect(encodeChecksum(raw1)).toBe(c1);
    expect(encodeChecksum(raw2)).toBe(c2);
    expect(decodeChecksum(algorithm, c1)).toEqual(raw1);
    if (composite) expect(compositeChecksum(algorithm, [raw1, raw2])).toBe(composite);
    if (full && algorithm !== 'SHA1' && algorithm !== 'SHA256') {
      expect(encodeChecksum(wholeDigest.checksums[algorithm]!)).toBe(full);
      expect(encodeChecksum(combineCrc(algorithm, raw1, raw2, 5))).toBe(full);
      expect(fullObjectChecksum(algorithm, [{ checksum: raw1, size: part1.size }, { checksum: raw2, size: part2.size }])).toBe(full);
    }
  });

  it('TV3 hex values', () => {
    expect(hex(wholeDigest.checksums.CRC32!)).toBe('76c2e5eb');
    expect(hex(wholeDigest.checksums.CRC32C!)).toBe('bf3759a8');
    expect(hex(wholeDigest.checksums.CRC64NVME!)).toBe('c6ba93a33961f9b9');
    expect(hex(part1.checksums.CRC32!)).toBe('affcc16f');
    expect(hex(part2.checksums.CRC64NVME!)).toBe('3377857006524257');
  });

  it('the payload SHA-256 is the SHA256 checksum', () => {
    expect(part1.sha256).toEqual(part1.checksums.SHA256);
    expect(part2.sha256).toBeUndefined();
  });
});

describe('TV4 — s3-tests vectors (A, B, C × 5 MiB)', () => {
  const all: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];
  const parts = [0x41, 0x42, 0x43].map((byte) => hashRepeated(byte, 5 * MiB, all));
  const whole = new PayloadHasher({ algorithms: CRCS });
  for (const byte of [0x41, 0x42, 0x43]) whole.update(Buffer.alloc(5 * MiB, byte));
  const wholeDigest = whole.digest();

  it('multipart ETag', () => {
    expect(multipartEtag(parts.map((p) => p.md5))).toBe('"b2add96cc9702bbf4efb0ccdfc6b7747-3"');
  });

  it.each([
    ['SHA256', ['275VF5loJr1YYawit0XSHREhkFXYkkPKGuoK0x9VKxI=', 'mrHwOfjTL5Zwfj74F05HOQGLdUb7E5szdCbxgUSq6NM=', 'Vw7oB/nKQ5xWb3hNgbyfkvDiivl+U+/Dft48nfJfDow='], 'uWBwpe1dxI4Vw8Gf0X9ynOdw/SS6VBzfWm9giiv1sf4=-3'],
    ['SHA1', ['iIaTCGbm+vdVjNqIMF2S0T7ibMk=', 'LS/TJ32bAVKEwRu+sE3X7awh/lk=', '6DDwovUaHwrKNXDMzOGbuvj9kxI='], 'sizjvY4eud3MrcHdZM3cQ/ol39o=-3'],
  ] as const)('%s composite', (algorithm, partValues, composite) => {
    expect(parts.map((p) => encodeChecksum(p.checksums[algorithm]!))).toEqual(partValues);
    expect(compositeChecksum(algorithm, parts.map((p) => p.checksums[algorithm]!))).toBe(composite);
  });

  it.each([
    ['CRC32', ['JRTCyQ==', 'QoZTGg==', 'YAgjqw=='], 'WgDhBQ=='],
    ['CRC32C', ['MDaLrw==', 'TH4EZg==', 'Z7mBIQ=='], 'xU+Krw=='],
    ['CRC64NVME', ['L/E4WYn8v98=', 'xW1l19VobYM=', 'cK5MnNaWrW4='], 'i+6LR0y3eFo='],
  ] as const)('%s full object', (algorithm, partValues, full) => {
    expect(parts.map((p) => encodeChecksum(p.checksums[algorithm]!))).toEqual(partValues);
    expect(encodeChecksum(wholeDigest.checksums[algorithm]!)).toBe(full);
    expect(fullObjectChecksum(algorithm, parts.map((p) => ({ checksum: p.checksums[algorithm]!, size: p.size })))).toBe(full);
    const [a, b, c] = parts.map((p) => p.checksums[algorithm]!);
    expect(encodeChecksum(combineCrc(algorithm, combineCrc(algorithm, a!, b!, 5 * MiB), c!, 5 * MiB))).toBe(full);
  });

  it("single 1024-byte 'A' part", () => {
    const part = hashRepeated(0x41, 1024, ['SHA256', 'CRC64NVME']);
    expect(encodeChecksum(part.checksums.SHA256!)).toBe('arcu6553sHVAiX4MjW0j7I7vD4w6R+Gz9Ok0Q9lTa+0=');
    expect(compositeChecksum('SHA256', [part.checksums.SHA256!])).toBe('Ok6Cs5b96ux6+MWQkJO7UBT5sKPBeXBLwvj/hK89smg=-1');
    expect(encodeChecksum(part.checksums.CRC64NVME!)).toBe('Qeh8oXvGiSo=');
    expect(fullObjectChecksum('CRC64NVME', [{ checksum: part.checksums.CRC64NVME!, size: 1024 }])).toBe('Qeh8oXvGiSo=');
  });
});

describe('decodeChecksum', () => {
  it('accepts exact-length standard base64', () => {
    expect(hex(decodeChecksum('CRC32', 'r/zBbw==')!)).toBe('affcc16f');
    expect(decodeChecksum('CRC64NVME', 'PbvLEkWUSgg=')?.length).toBe(8);
    expect(decodeChecksum('SHA1', 'YbjWYArJTZEodPVpqTQRIPaAyfg=')?.length).toBe(20);
    expect(decodeChecksum('SHA256', 'oplo+tLngqqfIECjXwWtuX7Yl56x9XLIyOp4Y34nXzw=')?.length).toBe(32);
  });
  it.each<[ChecksumAlgorithm, string, string]>([
    ['CRC32', 'PbvLEkWUSgg=', 'wrong length (8 bytes for a 4-byte CRC)'],
    ['CRC64NVME', 'r/zBbw==', 'wrong length (4 bytes for an 8-byte CRC)'],
    ['SHA256', 'YbjWYArJTZEodPVpqTQRIPaAyfg=', 'SHA1 value for SHA256'],
    ['CRC32', 'r/zBbw', 'missing padding'],
    ['CRC32', 'r/zBbw=', 'half padding'],
    ['CRC32', 'r_zBbw==', 'URL-safe alphabet (_)'],
    ['CRC32', 'r-zBbw==', 'URL-safe alphabet (-)'],
    ['CRC32', 'r/zB!w==', 'non-base64 character'],
    ['CRC32', ' r/zBbw==', 'leading space'],
    ['CRC32', 'r/zBbw==\n', 'trailing newline'],
    ['CRC32', '', 'empty'],
    ['CRC32', 'r/zBbx==', 'non-canonical trailing bits'],
    ['CRC64NVME', 'PbvLEkWUSgg==', 'extra padding'],
  ])('%s rejects %s (%s)', (algorithm, value) => {
    expect(decodeChecksum(algorithm, value)).toBeUndefined();
  });
});

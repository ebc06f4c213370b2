import { describe, expect, it } from 'vitest';
import type { ChecksumAlgorithm, ChecksumType, CompletedPartInput, PartInfo } from '@mpu/core';
import { body, makeEngine, MiB, repeated } from './engine-helpers.js';

// S3-MULTIPART.md §11, through the engine with the AWS profile (real 5 MiB parts).

async function awsEngine() {
  const made = makeEngine({ limits: 'aws' });
  await made.engine.createBucket('bucket');
  return made.engine;
}

const listed = (parts: PartInfo[]): CompletedPartInput[] =>
  parts.map(({ partNumber, etag, checksums }) => ({ partNumber, etag, checksums }));

describe('TV1 — multipart ETag', () => {
  it('5 MiB of "a" + "hello" → 7cbb08aa3c3309d6882c18fcecc4bee7-2', async () => {
    const engine = await awsEngine();
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'tv1' });
    const p1 = await engine.uploadPart({ ...upload, partNumber: 1, body: repeated(0x61, 5 * MiB), expect: { contentMd5: 'ebKBBg0ze5srhMzzkK3PdA==' } });
    const p2 = await engine.uploadPart({ ...upload, partNumber: 2, body: body('hello'), expect: { contentMd5: 'XUFAKrxLKna5cZ2REBfFkg==' } });
    expect(p1.etag).toBe('"79b281060d337b9b2b84ccf390adcf74"');
    expect(p2.etag).toBe('"5d41402abc4b2a76b9719d911017c592"');
    const done = await engine.completeMultipartUpload({ ...upload, parts: listed([p1, p2]) });
    expect(done.etag).toBe('"7cbb08aa3c3309d6882c18fcecc4bee7-2"');
    expect(done.size).toBe(5242885);
    const head = await engine.headObject({ bucket: 'bucket', key: 'tv1' });
    expect(head.object.etag).toBe('"7cbb08aa3c3309d6882c18fcecc4bee7-2"');
    // ?partNumber=k returns the whole-object ETag and the part's range.
    const part2 = await engine.headObject({ bucket: 'bucket', key: 'tv1', partNumber: 2 });
    expect(part2.object.etag).toBe('"7cbb08aa3c3309d6882c18fcecc4bee7-2"');
    expect(part2.range).toEqual({ start: 5 * MiB, end: 5 * MiB + 4 });
  });

  it('edge values: one 0-byte part, one "hello" part', async () => {
    const engine = await awsEngine();
    for (const [text, etag] of [['', '"59adb24ef3cdbe0297f05b395827453f-1"'], ['hello', '"62109206880d38a4010a98e11243924a-1"']] as const) {
      const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: `edge-${text}` });
      const p1 = await engine.uploadPart({ ...upload, partNumber: 1, body: body(text) });
      expect((await engine.completeMultipartUpload({ ...upload, parts: listed([p1]) })).etag).toBe(etag);
    }
  });
});

describe('TV2 — composite and full-object checksums of the TV1 parts through Complete', () => {
  const cases: [ChecksumAlgorithm, ChecksumType, string, string, string][] = [
    ['CRC32', 'COMPOSITE', 'r/zBbw==', 'NhCmhg==', 'QaduHg==-2'],
    ['CRC32C', 'COMPOSITE', 'WpuOeg==', 'mnG7TA==', 'QYpdNA==-2'],
    ['SHA1', 'COMPOSITE', 'YbjWYArJTZEodPVpqTQRIPaAyfg=', 'qvTGHdzF6KLavt4PO0gs2a6pQ00=', 'Sc9786yoTVGaHVddVcFc/41FQ9k=-2'],
    ['SHA256', 'COMPOSITE', 'oplo+tLngqqfIECjXwWtuX7Yl56x9XLIyOp4Y34nXzw=', 'LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=', 'SgR6J2QpUvtxUG056/fVnydfChjAOF9iE6spWAp//X8=-2'],
    ['CRC32', 'FULL_OBJECT', 'r/zBbw==', 'NhCmhg==', 'dsLl6w=='],
    ['CRC32C', 'FULL_OBJECT', 'WpuOeg==', 'mnG7TA==', 'vzdZqA=='],
    ['CRC64NVME', 'FULL_OBJECT', 'PbvLEkWUSgg=', 'M3eFcAZSQlc=', 'xrqTozlh+bk='],
  ];
  it.each(cases)('%s %s', async (algorithm, type, c1, c2, expected) => {
    const engine = await awsEngine();
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'tv2', checksumAlgorithm: algorithm, checksumType: type });
    expect(upload.checksumType).toBe(type);
    const p1 = await engine.uploadPart({ ...upload, partNumber: 1, body: repeated(0x61, 5 * MiB), expect: { checksumAlgorithm: algorithm, checksum: c1 } });
    const p2 = await engine.uploadPart({ ...upload, partNumber: 2, body: body('hello'), expect: { checksumAlgorithm: algorithm, checksum: c2 } });
    expect(p1.checksums).toEqual({ [algorithm]: c1 });
    const done = await engine.completeMultipartUpload({
      ...upload,
      parts: listed([p1, p2]),
      checksum: { algorithm, value: expected },
    });
    expect(done.checksum).toEqual({ algorithm, type, value: expected });
    expect(done.etag).toBe('"7cbb08aa3c3309d6882c18fcecc4bee7-2"');
    const head = await engine.headObject({ bucket: 'bucket', key: 'tv2' });
    expect(head.object.checksum).toEqual({ algorithm, type, value: expected });
    const part1 = await engine.headObject({ bucket: 'bucket', key: 'tv2', partNumber: 1 });
    expect(part1.partChecksum).toEqual({ algorithm, type, value: c1 });
    const attributes = await engine.getObjectAttributes({ bucket: 'bucket', key: 'tv2' });
    expect(attributes.object.checksum?.value).toBe(expected.replace(/-2$/, ''));
    expect(attributes.parts?.parts).toEqual([
      { partNumber: 1, size: 5 * MiB, checksums: { [algorithm]: c1 } },
      { partNumber: 2, size: 5, checksums: { [algorithm]: c2 } },
    ]);
  });
});

describe('TV4 — s3-tests vectors: three 5 MiB parts of A, B, C', () => {
  const cases: [ChecksumAlgorithm, ChecksumType, string[], string][] = [
    ['SHA256', 'COMPOSITE', ['275VF5loJr1YYawit0XSHREhkFXYkkPKGuoK0x9VKxI=', 'mrHwOfjTL5Zwfj74F05HOQGLdUb7E5szdCbxgUSq6NM=', 'Vw7oB/nKQ5xWb3hNgbyfkvDiivl+U+/Dft48nfJfDow='], 'uWBwpe1dxI4Vw8Gf0X9ynOdw/SS6VBzfWm9giiv1sf4=-3'],
    ['SHA1', 'COMPOSITE', ['iIaTCGbm+vdVjNqIMF2S0T7ibMk=', 'LS/TJ32bAVKEwRu+sE3X7awh/lk=', '6DDwovUaHwrKNXDMzOGbuvj9kxI='], 'sizjvY4eud3MrcHdZM3cQ/ol39o=-3'],
    ['CRC32', 'FULL_OBJECT', ['JRTCyQ==', 'QoZTGg==', 'YAgjqw=='], 'WgDhBQ=='],
    ['CRC32C', 'FULL_OBJECT', ['MDaLrw==', 'TH4EZg==', 'Z7mBIQ=='], 'xU+Krw=='],
    ['CRC64NVME', 'FULL_OBJECT', ['L/E4WYn8v98=', 'xW1l19VobYM=', 'cK5MnNaWrW4='], 'i+6LR0y3eFo='],
  ];
  it.each(cases)('%s %s', async (algorithm, type, partValues, expected) => {
    const engine = await awsEngine();
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'tv4', checksumAlgorithm: algorithm, checksumType: type });
    const parts: PartInfo[] = [];
    for (const [index, letter] of ['A', 'B', 'C'].entries()) {
      parts.push(await engine.uploadPart({
        ...upload,
        partNumber: index + 1,
        body: repeated(letter.charCodeAt(0), 5 * MiB),
        expect: { checksumAlgorithm: algorithm, checksum: partValues[index]! },
      }));
    }
    const done = await engine.completeMultipartUpload({ ...upload, parts: listed(parts) });
    expect(done.etag).toBe('"b2add96cc9702bbf4efb0ccdfc6b7747-3"');
    expect(done.checksum).toEqual({ algorithm, type, value: expected });
    // Re-uploading a part with identical bytes and completing again gives the same values (s3t reupload).
    const retry = await engine.completeMultipartUpload({ ...upload, parts: listed(parts) });
    expect(retry).toEqual(done);
  });

  it('single 1024-byte "A" part: SHA256 composite-of-one and CRC64NVME', async () => {
    const engine = await awsEngine();
    const sha = await engine.createMultipartUpload({ bucket: 'bucket', key: 'one', checksumAlgorithm: 'SHA256' });
    const p = await engine.uploadPart({ ...sha, partNumber: 1, body: repeated(0x41, 1024), expect: { checksumAlgorithm: 'SHA256', checksum: 'arcu6553sHVAiX4MjW0j7I7vD4w6R+Gz9Ok0Q9lTa+0=' } });
    expect((await engine.completeMultipartUpload({ ...sha, parts: listed([p]), checksum: { algorithm: 'SHA256', value: 'Ok6Cs5b96ux6+MWQkJO7UBT5sKPBeXBLwvj/hK89smg=-1' } })).checksum?.value)
      .toBe('Ok6Cs5b96ux6+MWQkJO7UBT5sKPBeXBLwvj/hK89smg=-1');
    const crc = await engine.createMultipartUpload({ bucket: 'bucket', key: 'one-crc', checksumAlgorithm: 'CRC64NVME' });
    expect(crc.checksumType).toBe('FULL_OBJECT');
    const q = await engine.uploadPart({ ...crc, partNumber: 1, body: repeated(0x41, 1024), expect: { checksumAlgorithm: 'CRC64NVME', checksum: 'Qeh8oXvGiSo=' } });
    expect((await engine.completeMultipartUpload({ ...crc, parts: listed([q]) })).checksum?.value).toBe('Qeh8oXvGiSo=');
  });
});

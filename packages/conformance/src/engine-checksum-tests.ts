import { crc32 } from 'node:zlib';
import type { ChecksumAlgorithm, ChecksumType, Engine } from '@mpu/core';
import { expect } from 'vitest';
import { type EngineSuiteContext, bodyOf, bytes, expectS3Error, readBody } from './engine-suite-context.js';

/** Base64 of the big-endian CRC32, as on the wire (computed by zlib, independently of the engine). */
function crc32Of(data: Uint8Array): string {
  const raw = Buffer.alloc(4);
  raw.writeUInt32BE(crc32(data) >>> 0);
  return raw.toString('base64');
}

const MiB = 1024 * 1024;

/** TV1's parts and their TV2 checksums (S3-MULTIPART.md §11). */
const PART1 = Buffer.alloc(5 * MiB, 0x61);
const PART2 = Buffer.from('hello');
const TV2 = {
  CRC32: { parts: ['r/zBbw==', 'NhCmhg=='], composite: 'QaduHg==-2', full: 'dsLl6w==' },
  CRC32C: { parts: ['WpuOeg==', 'mnG7TA=='], composite: 'QYpdNA==-2', full: 'vzdZqA==' },
  CRC64NVME: { parts: ['PbvLEkWUSgg=', 'M3eFcAZSQlc='], composite: undefined, full: 'xrqTozlh+bk=' },
  SHA256: {
    parts: ['oplo+tLngqqfIECjXwWtuX7Yl56x9XLIyOp4Y34nXzw=', 'LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ='],
    composite: 'SgR6J2QpUvtxUG056/fVnydfChjAOF9iE6spWAp//X8=-2',
    full: undefined,
  },
} as const;

async function tv1Upload(
  engine: Engine,
  bucket: string,
  key: string,
  algorithm: keyof typeof TV2 | undefined,
  checksumType?: ChecksumType,
) {
  const upload = await engine.createMultipartUpload({
    bucket, key, ...(algorithm ? { checksumAlgorithm: algorithm } : {}), ...(checksumType ? { checksumType } : {}),
  });
  const infos = [];
  for (const [i, part] of [PART1, PART2].entries()) {
    const expectation = algorithm ? { expect: { checksumAlgorithm: algorithm as ChecksumAlgorithm, checksum: TV2[algorithm].parts[i]! } } : {};
    infos.push(await engine.uploadPart({ bucket, key, uploadId: upload.uploadId, partNumber: i + 1, body: bodyOf(part), ...expectation }));
  }
  return { upload, infos };
}

export function checksumTests({ test, withEngine }: EngineSuiteContext): void {
  test('engine/checksum-composite-crc32', 'CRC32 upload: part checksums verified and Complete gives composite QaduHg==-2', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const { upload, infos } = await tv1Upload(engine, bucket, 'k', 'CRC32');
      expect(upload).toMatchObject({ checksumAlgorithm: 'CRC32', checksumType: 'COMPOSITE' });
      expect(infos.map((p) => p.checksums.CRC32)).toEqual(TV2.CRC32.parts);
      const listed = await engine.listParts({ bucket, key: 'k', uploadId: upload.uploadId });
      expect(listed.parts.map((p) => p.checksums.CRC32)).toEqual(TV2.CRC32.parts);
      const result = await engine.completeMultipartUpload({
        bucket, key: 'k', uploadId: upload.uploadId,
        parts: infos.map((p) => ({ partNumber: p.partNumber, etag: p.etag, checksums: { CRC32: p.checksums.CRC32! } })),
        checksum: { algorithm: 'CRC32', value: TV2.CRC32.composite },
      });
      expect(result.checksum).toEqual({ algorithm: 'CRC32', type: 'COMPOSITE', value: 'QaduHg==-2' });
      expect(result.etag).toBe('"7cbb08aa3c3309d6882c18fcecc4bee7-2"');
      expect((await engine.headObject({ bucket, key: 'k' })).object.checksum).toEqual(result.checksum);
      // A partNumber read carries that part's own checksum, which matches the returned bytes.
      const second = await engine.getObject({ bucket, key: 'k', partNumber: 2 });
      expect(second.partChecksum).toMatchObject({ algorithm: 'CRC32', value: 'NhCmhg==' });
      expect((await readBody(second.body)).toString()).toBe('hello');
    }), 60_000);

  test('engine/checksum-composite-sha256', 'SHA256 upload completes with the TV2 composite value', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const { upload, infos } = await tv1Upload(engine, bucket, 'k', 'SHA256');
      const result = await engine.completeMultipartUpload({
        bucket, key: 'k', uploadId: upload.uploadId,
        parts: infos.map((p) => ({ partNumber: p.partNumber, etag: p.etag, checksums: { SHA256: p.checksums.SHA256! } })),
      });
      expect(result.checksum).toEqual({ algorithm: 'SHA256', type: 'COMPOSITE', value: TV2.SHA256.composite });
    }), 60_000);

  test('engine/checksum-full-object-crc64nvme', 'CRC64NVME upload (FULL_OBJECT implied) completes with xrqTozlh+bk=', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const { upload, infos } = await tv1Upload(engine, bucket, 'k', 'CRC64NVME');
      expect(upload).toMatchObject({ checksumAlgorithm: 'CRC64NVME', checksumType: 'FULL_OBJECT' });
      expect(infos.map((p) => p.checksums.CRC64NVME)).toEqual(TV2.CRC64NVME.parts);
      const result = await engine.completeMultipartUpload({
        bucket, key: 'k', uploadId: upload.uploadId,
        parts: infos.map((p) => ({ partNumber: p.partNumber, etag: p.etag, checksums: { CRC64NVME: p.checksums.CRC64NVME! } })),
        checksum: { algorithm: 'CRC64NVME', value: TV2.CRC64NVME.full },
        checksumType: 'FULL_OBJECT',
      });
      expect(result.checksum).toEqual({ algorithm: 'CRC64NVME', type: 'FULL_OBJECT', value: 'xrqTozlh+bk=' });
      expect((await engine.getObject({ bucket, key: 'k' })).object.checksum).toEqual(result.checksum);
    }), 60_000);

  test('engine/checksum-full-object-crc32', 'CRC32 FULL_OBJECT upload completes with the combined dsLl6w==', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const { upload, infos } = await tv1Upload(engine, bucket, 'k', 'CRC32', 'FULL_OBJECT');
      const result = await engine.completeMultipartUpload({
        bucket, key: 'k', uploadId: upload.uploadId,
        parts: infos.map((p) => ({ partNumber: p.partNumber, etag: p.etag, checksums: { CRC32: p.checksums.CRC32! } })),
      });
      expect(result.checksum).toEqual({ algorithm: 'CRC32', type: 'FULL_OBJECT', value: TV2.CRC32.full });
    }), 60_000);

  test('engine/checksum-default-crc64nvme', 'an upload without an algorithm gets the default CRC64NVME FULL_OBJECT checksum', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const { upload, infos } = await tv1Upload(engine, bucket, 'k', undefined);
      const result = await engine.completeMultipartUpload({
        bucket, key: 'k', uploadId: upload.uploadId, parts: infos.map((p) => ({ partNumber: p.partNumber, etag: p.etag })),
      });
      expect(result.checksum).toEqual({ algorithm: 'CRC64NVME', type: 'FULL_OBJECT', value: TV2.CRC64NVME.full });
    }), 60_000);

  test('engine/checksum-create-validation', 'CreateMultipartUpload rejects impossible checksum type/algorithm combinations', () =>
    withEngine('small', async ({ engine, bucket }) => {
      await expectS3Error(engine.createMultipartUpload({ bucket, key: 'k', checksumType: 'COMPOSITE' }), 'InvalidRequest');
      await expectS3Error(engine.createMultipartUpload({ bucket, key: 'k', checksumAlgorithm: 'SHA256', checksumType: 'FULL_OBJECT' }), 'InvalidRequest');
      await expectS3Error(engine.createMultipartUpload({ bucket, key: 'k', checksumAlgorithm: 'SHA1', checksumType: 'FULL_OBJECT' }), 'InvalidRequest');
      await expectS3Error(engine.createMultipartUpload({ bucket, key: 'k', checksumAlgorithm: 'CRC64NVME', checksumType: 'COMPOSITE' }), 'InvalidRequest');
      expect(await engine.createMultipartUpload({ bucket, key: 'k1', checksumAlgorithm: 'CRC32C' })).toMatchObject({ checksumAlgorithm: 'CRC32C', checksumType: 'COMPOSITE' });
      expect(await engine.createMultipartUpload({ bucket, key: 'k2', checksumAlgorithm: 'CRC32C', checksumType: 'FULL_OBJECT' })).toMatchObject({ checksumType: 'FULL_OBJECT' });
      expect((await engine.listMultipartUploads({ bucket })).uploads.map((u) => [u.checksumAlgorithm, u.checksumType])).toEqual([
        ['CRC32C', 'COMPOSITE'], ['CRC32C', 'FULL_OBJECT'],
      ]);
    }));

  test('engine/checksum-upload-part-copy', 'UploadPartCopy into a CRC32 upload computes the copied range’s checksum', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const source = bytes(5000, 3);
      await engine.putObject({ bucket, key: 'src', body: bodyOf(source) });
      const { uploadId } = await engine.createMultipartUpload({ bucket, key: 'dst', checksumAlgorithm: 'CRC32' });
      const copied = await engine.uploadPartCopy({ bucket, key: 'dst', uploadId, partNumber: 1, source: { bucket, key: 'src', range: { start: 1000, end: 2999 } } });
      expect(copied.checksums.CRC32).toBe(crc32Of(source.subarray(1000, 3000)));
      const tail = await engine.uploadPart({ bucket, key: 'dst', uploadId, partNumber: 2, body: bodyOf('hello'), expect: { checksumAlgorithm: 'CRC32', checksum: 'NhCmhg==' } });
      const result = await engine.completeMultipartUpload({
        bucket, key: 'dst', uploadId,
        parts: [copied, tail].map((p) => ({ partNumber: p.partNumber, etag: p.etag, checksums: { CRC32: p.checksums.CRC32! } })),
      });
      const raw = Buffer.concat([copied, tail].map((p) => Buffer.from(p.checksums.CRC32!, 'base64')));
      expect(result.checksum).toEqual({ algorithm: 'CRC32', type: 'COMPOSITE', value: `${crc32Of(raw)}-2` });
    }));

  test('engine/checksum-complete-errors', 'Complete: wrong whole-object checksum or type is BadDigest, wrong part checksum InvalidPart, missing one InvalidRequest', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const { upload, infos } = await tv1Upload(engine, bucket, 'k', 'CRC32');
      const ref = { bucket, key: 'k', uploadId: upload.uploadId };
      const parts = infos.map((p) => ({ partNumber: p.partNumber, etag: p.etag, checksums: { CRC32: p.checksums.CRC32! } }));
      await expectS3Error(engine.completeMultipartUpload({ ...ref, parts, checksum: { algorithm: 'CRC32', value: 'AAAAAA==-2' } }), 'BadDigest');
      await expectS3Error(engine.completeMultipartUpload({ ...ref, parts, checksumType: 'FULL_OBJECT' }), 'BadDigest');
      await expectS3Error(
        engine.completeMultipartUpload({ ...ref, parts: [parts[0]!, { ...parts[1]!, checksums: { CRC32: 'AAAAAA==' } }] }),
        'InvalidPart', { PartNumber: 2 },
      );
      await expectS3Error(
        engine.completeMultipartUpload({ ...ref, parts: [parts[0]!, { partNumber: 2, etag: parts[1]!.etag }] }),
        'InvalidRequest',
      );
      // With an additional checksum, part numbers must start at 1 and be consecutive.
      await expectS3Error(engine.completeMultipartUpload({ ...ref, parts: [parts[1]!] }), 'InvalidPartOrder');
      // The whole-object value is accepted without its -N suffix too.
      const result = await engine.completeMultipartUpload({ ...ref, parts, checksum: { algorithm: 'CRC32', value: 'QaduHg==' } });
      expect(result.checksum?.value).toBe('QaduHg==-2');
    }), 60_000);

  test('engine/checksum-upload-part-errors', 'UploadPart: a missing checksum on a checksum upload is InvalidRequest, a wrong one BadDigest', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const { uploadId } = await engine.createMultipartUpload({ bucket, key: 'k', checksumAlgorithm: 'SHA256' });
      const ref = { bucket, key: 'k', uploadId, partNumber: 1 };
      await expectS3Error(engine.uploadPart({ ...ref, body: bodyOf('hello') }), 'InvalidRequest');
      await expectS3Error(
        engine.uploadPart({ ...ref, body: bodyOf('hello'), expect: { checksumAlgorithm: 'SHA256', checksum: TV2.SHA256.parts[0] } }),
        'BadDigest',
      );
      // A trailer (function-valued checksum) is read after the body.
      const info = await engine.uploadPart({ ...ref, body: bodyOf('hel', 'lo'), expect: { checksumAlgorithm: 'SHA256', checksum: () => TV2.SHA256.parts[1] } });
      expect(info.checksums.SHA256).toBe(TV2.SHA256.parts[1]);
      expect((await engine.listParts({ bucket, key: 'k', uploadId })).parts).toHaveLength(1);
      // An upload created without an algorithm still verifies what the client sends.
      const plain = await engine.createMultipartUpload({ bucket, key: 'p' });
      await expectS3Error(
        engine.uploadPart({ bucket, key: 'p', uploadId: plain.uploadId, partNumber: 1, body: bodyOf('hello'), expect: { checksumAlgorithm: 'CRC32', checksum: 'r/zBbw==' } }),
        'BadDigest',
      );
      const ok = await engine.uploadPart({
        bucket, key: 'p', uploadId: plain.uploadId, partNumber: 1, body: bodyOf('hello'), expect: { checksumAlgorithm: 'CRC32', checksum: 'NhCmhg==' },
      });
      expect(ok.checksums.CRC32).toBe('NhCmhg==');
    }));
}

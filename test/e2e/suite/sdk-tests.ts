import { expect, it } from 'vitest';
import { type RoundTrip, runBoto3Multipart, runSdkScenario } from '../harness/client-scripts.js';

export interface SdkTestOptions {
  /** Size of the @aws-sdk/lib-storage Upload in MiB (issue 6 asks for at least 256 on fs). */
  readonly libStorageMiB: number;
}

interface Sha { sha256: string; bytes: number; expected: string }

/** Every client reports the sha256 of what it uploaded and of what it read back: they must match. */
function expectRoundTrip(result: RoundTrip, bytes?: number): void {
  expect(result.download.sha256).toBe(result.uploadSha256);
  if (bytes !== undefined) expect(result.download.bytes).toBe(bytes);
}

function expectSha(read: Sha): void {
  expect(read.sha256).toBe(read.expected);
}

/** @aws-sdk/client-s3 3.1173 at default settings, its lib-storage and presigner, and boto3. */
export function defineSdkTests(endpoint: () => string, bucketPrefix: string, options: SdkTestOptions): void {
  it('SDK v3: stream-body PutObject goes aws-chunked with a CRC32 trailer and round-trips', async () => {
    const r = await runSdkScenario<RoundTrip & { size: number; sent: Record<string, string | null>; putChecksumCRC32: string; getChecksumCRC32: string }>(
      endpoint(), 'stream-put', `${bucketPrefix}-sdk-stream`);
    expect(r.sent).toEqual({
      'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-trailer': 'x-amz-checksum-crc32', 'x-amz-decoded-content-length': String(r.size),
    });
    expectRoundTrip(r, r.size);
    expect(r.putChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==$/);
    // The SDK validated this full-object CRC32 against the body it read.
    expect(r.getChecksumCRC32).toBe(r.putChecksumCRC32);
  });

  for (const algorithm of ['CRC32', 'CRC64NVME'] as const) {
    it(`SDK v3: low-level multipart with ChecksumAlgorithm ${algorithm}; ranged and partNumber GETs`, async () => {
      const r = await runSdkScenario<RoundTrip & {
        range: Sha & { contentRange: string }; part1: Sha & { partsCount: number }; part2: Sha & { partsCount: number; contentRange: string };
        partChecksums: string[]; listedChecksums: string[]; part2Sent: Record<string, string | null>;
        completeEtag: string; completeChecksum: string; completeChecksumType: string; headChecksum: string; headChecksumType: string; headLength: number;
      }>(endpoint(), 'multipart-checksum', `${bucketPrefix}-sdk-${algorithm.toLowerCase()}`, algorithm);
      const size = 5 * 1024 * 1024 + 1024 * 1024 + 123;
      expectRoundTrip(r, size);
      expectSha(r.range);
      expect(r.range.contentRange).toBe(`bytes ${5 * 1024 * 1024 - 100}-${5 * 1024 * 1024 + 99}/${size}`);
      expectSha(r.part1);
      expectSha(r.part2);
      expect(r.part2).toMatchObject({ partsCount: 2, contentRange: `bytes ${5 * 1024 * 1024}-${size - 1}/${size}` });
      expect(r.part2Sent).toEqual({ 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'x-amz-trailer': `x-amz-checksum-${algorithm.toLowerCase()}` });
      expect(r.listedChecksums).toEqual(r.partChecksums);
      expect(r.completeEtag).toMatch(/^"[0-9a-f]{32}-2"$/);
      expect(r.headLength).toBe(size);
      if (algorithm === 'CRC32') {
        expect(r).toMatchObject({ completeChecksumType: 'COMPOSITE', headChecksumType: 'COMPOSITE' });
        expect(r.completeChecksum).toMatch(/^[A-Za-z0-9+/]{6}==-2$/);
      } else {
        expect(r).toMatchObject({ completeChecksumType: 'FULL_OBJECT', headChecksumType: 'FULL_OBJECT' });
        expect(r.completeChecksum).toMatch(/^[A-Za-z0-9+/]{11}=$/);
      }
      expect(r.headChecksum).toBe(r.completeChecksum);
    });
  }

  it(`SDK v3: lib-storage Upload of ${options.libStorageMiB} MiB (8 MiB parts, queueSize 4) round-trips`, async () => {
    const r = await runSdkScenario<RoundTrip & { size: number; etag: string; uploadMs: number; downloadMs: number }>(
      endpoint(), 'lib-storage', `${bucketPrefix}-sdk-big`, String(options.libStorageMiB), 120_000);
    expectRoundTrip(r, r.size);
    expect(r.etag).toMatch(new RegExp(`^"[0-9a-f]{32}-${Math.ceil(r.size / (8 * 1024 * 1024))}"$`));
    console.log(`lib-storage ${options.libStorageMiB} MiB: upload ${r.uploadMs} ms, download ${r.downloadMs} ms`);
  }, 150_000);

  it('SDK v3: presigned PUT (with the presigner\'s empty-body CRC32 in the query) and presigned GET', async () => {
    const r = await runSdkScenario<RoundTrip & { putStatus: number; putText: string; getStatus: number; putUrlChecksum: string; putUrlAlgorithm: string; putEtag: string }>(
      endpoint(), 'presigned', `${bucketPrefix}-sdk-presign`);
    expect(r).toMatchObject({ putUrlChecksum: 'AAAAAA==', putUrlAlgorithm: 'CRC32', getStatus: 200 });
    expect({ status: r.putStatus, text: r.putText }).toEqual({ status: 200, text: '' });
    expect(r.putEtag).toMatch(/^"[0-9a-f]{32}"$/);
    expectRoundTrip(r, 1024 * 1024 + 7);
  });

  it('boto3: multipart flow (create, 2 parts, list, complete, get)', async () => {
    const r = await runBoto3Multipart<RoundTrip & {
      partEtags: string[]; partEtagsExpected: string[]; listed: { PartNumber: number; Size: number; ETag: string }[];
      completeEtag: string; getEtag: string; contentLength: number; abortAfterComplete: string | null;
    }>(endpoint(), `${bucketPrefix}-boto3`);
    expectRoundTrip(r, 5 * 1024 * 1024 + 300_001);
    expect(r.partEtags).toEqual(r.partEtagsExpected);
    expect(r.listed).toEqual([
      { PartNumber: 1, Size: 5 * 1024 * 1024, ETag: r.partEtags[0] }, { PartNumber: 2, Size: 300_001, ETag: r.partEtags[1] },
    ]);
    expect(r.completeEtag).toMatch(/^"[0-9a-f]{32}-2"$/);
    expect(r.getEtag).toBe(r.completeEtag);
    expect(r.abortAfterComplete).toBe('NoSuchUpload');
  });
}

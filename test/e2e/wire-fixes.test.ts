import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, HeadObjectCommand, ListBucketsCommand,
  PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBoto3Script } from './harness/client-scripts.js';
import { E2E_CREDENTIALS, type MpuServerProcess, startMpuServer } from './harness/mpu-server.js';

/**
 * Regressions found by trying mpu as a new user would, each on the wire against the real
 * `mpu serve` (fs) with the client that found it.
 */
let server: MpuServerProcess;
let s3: S3Client;

beforeAll(async () => {
  server = await startMpuServer({ args: ['--backend', 'fs'] });
  s3 = new S3Client({ endpoint: server.url, region: 'us-east-1', forcePathStyle: true, credentials: E2E_CREDENTIALS });
}, 90_000);

afterAll(async () => {
  s3?.destroy();
  await server?.stop();
});

interface Boto3WireFixes {
  readonly metadata: Record<string, string>;
  readonly rawMetadata: Record<string, string>;
  readonly v1: { Prefix: string; CommonPrefixes: string[] };
  readonly v2: { Prefix: string; CommonPrefixes: string[] };
  readonly v1keys: { Prefix: string; Keys: string[] };
  readonly maxKeysZero: { IsTruncated: boolean; KeyCount: number; Contents: number };
}

describe('botocore', () => {
  it('non-ASCII metadata, control characters under encoding-type=url, max-keys=0', async () => {
    const result = await runBoto3Script<Boto3WireFixes>('boto3_wire_fixes.py', server.url, 'wire-boto3');
    // Was SignatureDoesNotMatch: botocore signs the UTF-8 bytes it sends. Answered as AWS does.
    expect(result.metadata).toEqual({ city: 'København', word: '日本' });
    expect(result.rawMetadata).toEqual({ city: '=?UTF-8?B?S8O4YmVuaGF2bg==?=', word: '=?UTF-8?B?5pel5pys?=' });
    // Was `line%0A` in V1: S3 does not encode V1's Prefix, and botocore does not decode it.
    expect(result.v1).toEqual({ Prefix: 'line\n', CommonPrefixes: ['line\nbreak/'] });
    expect(result.v2).toEqual({ Prefix: 'line\n', CommonPrefixes: ['line\nbreak/'] });
    expect(result.v1keys).toEqual({ Prefix: 'line\n', Keys: ['line\nbreak/one', 'line\nbreak/two'] });
    // Was IsTruncated: true.
    expect(result.maxKeysZero).toEqual({ IsTruncated: false, KeyCount: 0, Contents: 0 });
  });
});

describe('JS SDK v3', () => {
  it('non-ASCII metadata: stored as text, answered as an RFC 2047 encoded-word; encoded-words are decoded on the way in', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'wire-sdk-meta' }));
    await s3.send(new PutObjectCommand({ Bucket: 'wire-sdk-meta', Key: 'k', Body: 'x', Metadata: { name: 'café', plain: 'ascii stays' } }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'wire-sdk-meta', Key: 'k' }));
    expect(head.Metadata).toEqual({ name: `=?UTF-8?B?${Buffer.from('café').toString('base64')}?=`, plain: 'ascii stays' });
    await s3.send(new PutObjectCommand({ Bucket: 'wire-sdk-meta', Key: 'k2', Body: 'x', Metadata: { name: head.Metadata?.['name'] ?? '' } }));
    const again = await s3.send(new HeadObjectCommand({ Bucket: 'wire-sdk-meta', Key: 'k2' }));
    expect(again.Metadata?.['name']).toBe(head.Metadata?.['name']);
  });

  it('ListBuckets pages with MaxBuckets, ContinuationToken and Prefix', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await s3.send(new CreateBucketCommand({ Bucket: name }));
    const first = await s3.send(new ListBucketsCommand({ Prefix: 'page-', MaxBuckets: 2 }));
    expect({ names: first.Buckets?.map((b) => b.Name), prefix: first.Prefix, token: typeof first.ContinuationToken })
      .toEqual({ names: ['page-a', 'page-b'], prefix: 'page-', token: 'string' });
    const second = await s3.send(new ListBucketsCommand({ Prefix: 'page-', MaxBuckets: 2, ContinuationToken: first.ContinuationToken }));
    expect({ names: second.Buckets?.map((b) => b.Name), token: second.ContinuationToken }).toEqual({ names: ['page-c'], token: undefined });
    await expect(s3.send(new ListBucketsCommand({ MaxBuckets: 10_001 }))).rejects.toMatchObject({ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
  });

  it('x-amz-mp-object-size is checked against the assembled size (400 InvalidRequest), and the upload survives', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'wire-mp-size' }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'wire-mp-size', Key: 'k' }));
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket: 'wire-mp-size', Key: 'k', UploadId, PartNumber: 1, Body: 'hello' }));
    const complete = (size: number) => new CompleteMultipartUploadCommand({
      Bucket: 'wire-mp-size', Key: 'k', UploadId, MpuObjectSize: size, MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] },
    });
    await expect(s3.send(complete(6))).rejects.toMatchObject({ name: 'InvalidRequest', $metadata: { httpStatusCode: 400 } });
    await expect(s3.send(complete(5))).resolves.toMatchObject({ Key: 'k' });
  });
});

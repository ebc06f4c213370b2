import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws } from './harness/aws-cli.js';
import { E2E_CREDENTIALS, type MpuServerProcess, startMpuServer } from './harness/mpu-server.js';

/** `mpu serve` over HTTPS (MPU_TLS_CERT / MPU_TLS_KEY), driven by the aws CLI and the SDK at its defaults. */
let dir: string;
let server: MpuServerProcess;
let ca: Buffer;
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mpu-tls-'));
  // A self-signed certificate for the loopback address, its own CA.
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ]);
  ca = await readFile(join(dir, 'cert.pem'));
  server = await startMpuServer({ args: ['--backend', 'fs'], env: { MPU_TLS_CERT: join(dir, 'cert.pem'), MPU_TLS_KEY: join(dir, 'key.pem') } });
}, 90_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('mpu serve with TLS', () => {
  it('announces an https endpoint', () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('the aws CLI (--ca-bundle) uploads in parts and downloads over HTTPS', async () => {
    const file = join(dir, 'big.bin');
    const bytes = randomBytes(12 * 1024 * 1024);
    await writeFile(file, bytes);
    const bundle = ['--ca-bundle', join(dir, 'cert.pem')];
    expect(await aws(server.url, ['s3', 'mb', 's3://tls-cli', ...bundle])).toMatchObject({ code: 0 });
    expect(await aws(server.url, ['s3', 'cp', file, 's3://tls-cli/big.bin', ...bundle])).toMatchObject({ code: 0 });
    expect(await aws(server.url, ['s3', 'cp', 's3://tls-cli/big.bin', join(dir, 'back.bin'), ...bundle])).toMatchObject({ code: 0 });
    expect(sha256(await readFile(join(dir, 'back.bin')))).toBe(sha256(bytes));
    // Without the CA the CLI refuses the certificate: the channel really is TLS.
    const untrusted = await aws(server.url, ['s3', 'ls', 's3://tls-cli']);
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.stderr).toMatch(/SSL|certificate/i);
  });

  it('the SDK at its defaults over HTTPS sends unsigned payloads with a trailing checksum, and the bytes round-trip', async () => {
    const s3 = new S3Client({
      endpoint: server.url, region: 'us-east-1', forcePathStyle: true, credentials: E2E_CREDENTIALS,
      requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca }) }),
    });
    const sent: string[] = [];
    s3.middlewareStack.add((next) => async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
      sent.push(headers['x-amz-content-sha256'] ?? '');
      return next(args);
    }, { step: 'finalizeRequest', name: 'recordPayloadMode' });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'tls-sdk' }));
      const body = randomBytes(3 * 1024 * 1024);
      // A stream body: the SDK cannot hash it up front, so over HTTPS it sends it unsigned with
      // a trailing checksum (aws-chunked) — the path SDKs take for file and stream uploads.
      await s3.send(new PutObjectCommand({ Bucket: 'tls-sdk', Key: 'k', Body: Readable.from([body]), ContentLength: body.length }));
      expect(sent.at(-1)).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
      const got = await s3.send(new GetObjectCommand({ Bucket: 'tls-sdk', Key: 'k' }));
      expect(sha256(Buffer.from(await got.Body!.transformToByteArray()))).toBe(sha256(body));
    } finally {
      s3.destroy();
    }
  });
});

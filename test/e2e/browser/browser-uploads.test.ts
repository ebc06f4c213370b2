import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, PutBucketCorsCommand, PutObjectCommand,
  S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_CREDENTIALS, type MpuServerProcess, startMpuServer } from '../harness/mpu-server.js';

/**
 * A real browser against `mpu serve`: a page on one loopback origin uploads to mpu on another,
 * so every request is cross-origin and the browser itself enforces CORS (preflights, exposed
 * ETags). Debian's chromium, driven by playwright-core; no browser is ever downloaded.
 */

const CHROMIUM = '/usr/bin/chromium';
const MiB = 1024 * 1024;
const available = existsSync(CHROMIUM);
// Only a developer machine without chromium may skip; CI must run it (.ci/run installs it).
const skip = !available && process.env['CI'] === undefined;
if (skip) console.warn(`browser uploads test skipped: ${CHROMIUM} is missing (apt-get install chromium; .ci/run does)`);

const PAGE_HTML = join(import.meta.dirname, 'uploader.html');
const BUCKET = 'browser-uploads';

interface PageServer {
  readonly server: Server;
  readonly origin: string;
  /** Every path requested (the form's success_action_redirect lands here). */
  readonly visited: string[];
}

async function servePage(): Promise<PageServer> {
  const html = await readFile(PAGE_HTML);
  const visited: string[] = [];
  const server = createServer((req, res) => {
    visited.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': html.length });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, visited };
}

async function sha256Of(client: S3Client, key: string): Promise<{ sha256: string; size: number }> {
  const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const bytes = await object.Body!.transformToByteArray();
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}

describe.skipIf(skip)('browser uploads (headless chromium)', () => {
  let mpu: MpuServerProcess;
  let page: PageServer;
  let strangerPage: PageServer;
  let userDataDir: string;
  let context: BrowserContext;
  let client: S3Client;

  beforeAll(async () => {
    [mpu, page, strangerPage] = await Promise.all([startMpuServer({ env: { MPU_BACKEND: 'memory' } }), servePage(), servePage()]);
    client = new S3Client({ endpoint: mpu.url, region: 'us-east-1', forcePathStyle: true, credentials: E2E_CREDENTIALS });
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    // The configuration an Uppy/S3 guide asks for: the page's origin may PUT parts, POST
    // forms and Complete, and may read ETag.
    await client.send(new PutBucketCorsCommand({
      Bucket: BUCKET,
      CORSConfiguration: {
        CORSRules: [{ AllowedOrigins: [page.origin], AllowedMethods: ['GET', 'PUT', 'POST'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 600 }],
      },
    }));
    userDataDir = await mkdtemp(join(tmpdir(), 'mpu-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await Promise.all([
      mpu?.stop(),
      new Promise((resolve) => page?.server.close(resolve)),
      new Promise((resolve) => strangerPage?.server.close(resolve)),
      userDataDir === undefined ? undefined : rm(userDataDir, { recursive: true, force: true }),
    ]);
  }, 60_000);

  async function openPage(origin: string): Promise<Page> {
    const tab = await context.newPage();
    await tab.goto(`${origin}/uploader.html`);
    return tab;
  }

  it('uploads 20 MiB in 5 MiB parts to presigned URLs, reads every ETag, completes, and the bytes match', async () => {
    const key = 'videos/clip.bin';
    const size = 20 * MiB;
    const partSize = 5 * MiB;
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    const partUrls = await Promise.all([1, 2, 3, 4].map((PartNumber) =>
      getSignedUrl(client, new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber }), { expiresIn: 600 })));
    const completeUrl = await getSignedUrl(client, new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId }), { expiresIn: 600 });
    const tab = await openPage(page.origin);
    const result = await tab.evaluate((input) => (globalThis as unknown as {
      multipartUpload: (i: typeof input) => Promise<{ etags: (string | null)[]; completeStatus: number; completeBody: string; sha256: string }>;
    }).multipartUpload(input), { partUrls, completeUrl, size, partSize, seed: 20 });
    await tab.close();

    expect(result.etags).toHaveLength(4);
    for (const etag of result.etags) expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(result.completeStatus).toBe(200);
    expect(result.completeBody).toContain(`<Key>${key}</Key>`);
    expect(result.completeBody).toMatch(/<ETag>"[0-9a-f]{32}-4"<\/ETag>/);
    expect(await sha256Of(client, key)).toEqual({ sha256: result.sha256, size });
    // The browser asked first: every PUT was preceded by a preflight the server allowed.
    const preflights = mpu.logs.filter((line) => line['operation'] === 'Preflight' && line['status'] === 200);
    expect(preflights.length).toBeGreaterThan(0);
  }, 240_000);

  it('uploads a file with a presigned POST policy form and the object is stored as the form says', async () => {
    const size = 3 * MiB + 17;
    const post = await createPresignedPost(client, {
      Bucket: BUCKET,
      Key: 'forms/${filename}',
      Conditions: [['content-length-range', 1, 10 * MiB]],
      Fields: { 'Content-Type': 'image/png', success_action_status: '201', 'x-amz-meta-uploader': 'browser' },
      Expires: 600,
    });
    const tab = await openPage(page.origin);
    const result = await tab.evaluate((input) => (globalThis as unknown as {
      formUpload: (i: typeof input) => Promise<{ status: number; etag: string | null; body: string; sha256: string }>;
    }).formUpload(input), { url: post.url, fields: post.fields, size, seed: 7, filename: 'photo.png' });
    await tab.close();

    expect(result.status).toBe(201);
    expect(result.body).toContain('<Key>forms/photo.png</Key>');
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'forms/photo.png' }));
    expect(object.ContentType).toBe('image/png');
    expect(object.Metadata).toEqual({ uploader: 'browser' });
    expect(result.body).toContain(`<ETag>${object.ETag}</ETag>`);
    expect(await sha256Of(client, 'forms/photo.png')).toEqual({ sha256: result.sha256, size });
  }, 120_000);

  it('lets the page read why a form was refused (the error carries the CORS headers) and stores nothing', async () => {
    const post = await createPresignedPost(client, {
      Bucket: BUCKET,
      Key: 'forms/refused.bin',
      Conditions: [['content-length-range', 1, MiB]],
      Expires: 600,
    });
    const tab = await openPage(page.origin);
    const refused = await tab.evaluate((input) => (globalThis as unknown as {
      formUpload: (i: typeof input) => Promise<{ status: number; body: string }>;
    }).formUpload(input), { url: post.url, fields: post.fields, size: 3 * MiB, seed: 9, filename: 'refused.bin' });
    await tab.close();
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('<Code>EntityTooLarge</Code>');
    expect(refused.body).toContain(`<MaxSizeAllowed>${MiB}</MaxSizeAllowed>`);
    await expect(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'forms/refused.bin' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
  }, 120_000);

  it('submits a real <form> (fields, then the file input) and follows success_action_redirect back to the page', async () => {
    const content = Buffer.from('a real form upload\n'.repeat(1000));
    const post = await createPresignedPost(client, {
      Bucket: BUCKET,
      Key: 'forms/${filename}',
      Fields: { success_action_redirect: `${page.origin}/done` },
      Expires: 600,
    });
    const tab = await openPage(page.origin);
    await tab.evaluate((input) => (globalThis as unknown as { buildForm: (i: typeof input) => void }).buildForm(input), { url: post.url, fields: post.fields });
    await tab.setInputFiles('input[name=file]', { name: 'notes.txt', mimeType: 'text/plain', buffer: content });
    await Promise.all([tab.waitForURL(`${page.origin}/done?**`), tab.click('#send')]);
    const landed = new URL(tab.url());
    await tab.close();

    expect(landed.searchParams.get('bucket')).toBe(BUCKET);
    expect(landed.searchParams.get('key')).toBe('forms/notes.txt');
    expect(page.visited.some((path) => path.startsWith('/done?'))).toBe(true);
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'forms/notes.txt' }));
    expect(landed.searchParams.get('etag')).toBe(object.ETag);
    expect(await sha256Of(client, 'forms/notes.txt')).toEqual({ sha256: createHash('sha256').update(content).digest('hex'), size: content.length });
  }, 120_000);

  it('lets the browser block a page whose origin no rule allows', async () => {
    const putUrl = await getSignedUrl(client, new PutObjectCommand({ Bucket: BUCKET, Key: 'stranger' }), { expiresIn: 600 });
    const tab = await openPage(strangerPage.origin);
    const outcome = await tab.evaluate((target) => (globalThis as unknown as { refusedPut: (u: string) => Promise<string> }).refusedPut(target), putUrl);
    await tab.close();
    expect(outcome).toBe('blocked: TypeError');
    const refused = mpu.logs.filter((line) => line['operation'] === 'Preflight' && line['status'] === 403);
    expect(refused.length).toBeGreaterThan(0);
    expect(mpu.logs.some((line) => line['operation'] === 'PutObject' && line['key'] === 'stranger')).toBe(false);
  }, 120_000);
});

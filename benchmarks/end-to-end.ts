/**
 * End-to-end suite: `@aws-sdk/lib-storage` Upload of a large object against the mpu S3 server
 * (engine on FsStore) and against s3rver, each in its own process started by this run, with
 * upload MB/s, Complete latency, download MB/s and the server's RSS (idle and peak).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { bodyOf, drain } from './lib/bytes.js';
import type { SuiteContext } from './lib/context.js';
import { MiB, sizeLabel, throughputs } from './lib/figures.js';
import { readRss, sampleRss } from './lib/rss.js';
import { BENCH_CREDENTIALS, S3RVER_CREDENTIALS } from './lib/server-credentials.js';
import { ownChild, stopChild } from './lib/services.js';

export type ServerKind = 'mpu' | 's3rver';
const SERVER_CHILD = fileURLToPath(new URL('./lib/server-child.ts', import.meta.url));
const BUCKET = 'bench';

interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly pid: number;
}

async function startServer(kind: ServerKind, dir: string): Promise<ServerProcess> {
  const child = ownChild(spawn(process.execPath, ['--conditions=mpu-source', '--import', 'tsx', SERVER_CHILD, kind, dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start in 60 s: ${stderr}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}: ${stderr}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  return { url, child, pid: child.pid ?? -1 };
}

interface Timings {
  completeMs: number[];
}

function clientFor(kind: ServerKind, url: string, timings: Timings): S3Client {
  const client = new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: kind === 'mpu' ? BENCH_CREDENTIALS : S3RVER_CREDENTIALS,
    // s3rver 3.7 predates flexible checksums and rejects aws-chunked trailers; both servers get
    // the same client settings so the comparison is like for like.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const start = performance.now();
      const result = await next(args);
      if (context.commandName === 'CompleteMultipartUploadCommand') timings.completeMs.push(performance.now() - start);
      return result;
    },
    { step: 'initialize', name: 'benchCompleteTiming' },
  );
  return client;
}

async function idleRss(pid: number): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    readings.push(readRss(pid).rss);
  }
  return Math.max(...readings);
}

async function runServer(ctx: SuiteContext, kind: ServerKind): Promise<void> {
  const e2e = ctx.profile.endToEnd!;
  const dir = join(ctx.workDir, `e2e-${kind}`);
  await mkdir(dir, { recursive: true });
  const server = await startServer(kind, dir);
  const timings: Timings = { completeMs: [] };
  const client = clientFor(kind, server.url, timings);
  try {
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const upload: number[] = [];
    const download: number[] = [];
    const idle: number[] = [];
    const peak: number[] = [];
    for (let rep = 0; rep < e2e.reps; rep++) {
      const key = `e2e-${rep}`;
      idle.push(await idleRss(server.pid));
      const sampler = sampleRss(server.pid);
      const start = performance.now();
      await new Upload({
        client,
        params: { Bucket: BUCKET, Key: key, Body: Readable.from(bodyOf(e2e.objectBytes)) },
        partSize: e2e.partBytes,
        queueSize: e2e.queueSize,
      }).done();
      upload.push(performance.now() - start);
      peak.push(sampler.stop().peak);
      const readStart = performance.now();
      const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      const bytes = await drain(got.Body as AsyncIterable<Uint8Array>);
      download.push(performance.now() - readStart);
      if (bytes !== e2e.objectBytes) throw new Error(`${kind}: downloaded ${bytes} of ${e2e.objectBytes} bytes`);
      await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
      ctx.progress.line(`end to end ${kind} ${sizeLabel(e2e.objectBytes)} #${rep + 1}/${e2e.reps}: upload ` +
        `${throughputs(e2e.objectBytes, [upload[rep]!])[0]!.toFixed(0)} MB/s, Complete ${timings.completeMs[rep]?.toFixed(1)} ms, ` +
        `download ${throughputs(e2e.objectBytes, [download[rep]!])[0]!.toFixed(0)} MB/s, RSS idle ${(idle[rep]! / MiB).toFixed(0)} MiB → peak ${(peak[rep]! / MiB).toFixed(0)} MiB`);
    }
    const params = { server: kind, backend: kind === 'mpu' ? 'fs' : 's3rver', objectBytes: e2e.objectBytes, partBytes: e2e.partBytes, queueSize: e2e.queueSize };
    const id = `e2e.${kind}`;
    ctx.book.add({ id: `${id}.uploadMBps`, suite: 'end-to-end', label: `lib-storage Upload (${kind})`, unit: 'MB/s', params }, throughputs(e2e.objectBytes, upload));
    ctx.book.add({ id: `${id}.completeMs`, suite: 'end-to-end', label: `CompleteMultipartUpload round trip (${kind})`, unit: 'ms', params }, timings.completeMs);
    ctx.book.add({ id: `${id}.downloadMBps`, suite: 'end-to-end', label: `GetObject download (${kind})`, unit: 'MB/s', params }, throughputs(e2e.objectBytes, download));
    ctx.book.add({ id: `memory.${kind}.idleRssMiB`, suite: 'memory', label: `server RSS idle before the upload (${kind})`, unit: 'MiB', params }, idle.map((b) => b / MiB));
    ctx.book.add({ id: `memory.${kind}.peakRssMiB`, suite: 'memory', label: `server peak RSS during the upload (${kind})`, unit: 'MiB', params }, peak.map((b) => b / MiB));
    ctx.book.add({ id: `memory.${kind}.rssAboveIdleMiB`, suite: 'memory', label: `server peak RSS above idle during the upload (${kind})`, unit: 'MiB', params },
      peak.map((p, i) => (p - idle[i]!) / MiB));
  } finally {
    client.destroy();
    await stopChild(server.child);
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runEndToEndSuite(ctx: SuiteContext): Promise<void> {
  if (!ctx.profile.endToEnd) return;
  for (const kind of ['mpu', 's3rver'] as const) {
    try {
      await runServer(ctx, kind);
    } catch (error) {
      ctx.fail(`end to end against ${kind}`, error);
    }
  }
}

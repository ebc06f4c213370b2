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

/** One server under test: its process, its client, and what has been measured so far. */
interface Subject {
  readonly kind: ServerKind;
  readonly dir: string;
  readonly server: ServerProcess;
  readonly client: S3Client;
  readonly timings: Timings;
  readonly upload: number[];
  readonly download: number[];
  /** RSS of the fresh server before its first upload: later rounds start from what earlier ones left. */
  readonly idle: number;
  readonly peak: number[];
}

async function openSubject(ctx: SuiteContext, kind: ServerKind): Promise<Subject> {
  const dir = join(ctx.workDir, `e2e-${kind}`);
  await mkdir(dir, { recursive: true });
  const server = await startServer(kind, dir);
  const timings: Timings = { completeMs: [] };
  const client = clientFor(kind, server.url, timings);
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  return { kind, dir, server, client, timings, upload: [], download: [], idle: await idleRss(server.pid), peak: [] };
}

async function closeSubject(subject: Subject): Promise<void> {
  subject.client.destroy();
  await stopChild(subject.server.child);
  await rm(subject.dir, { recursive: true, force: true });
}

/** One upload + download of the object against one server, with its RSS watched. */
async function measureRound(ctx: SuiteContext, s: Subject, rep: number): Promise<void> {
  const e2e = ctx.profile.endToEnd!;
  const key = `e2e-${rep}`;
  const sampler = sampleRss(s.server.pid);
  const start = performance.now();
  await new Upload({
    client: s.client,
    params: { Bucket: BUCKET, Key: key, Body: Readable.from(bodyOf(e2e.objectBytes)) },
    partSize: e2e.partBytes,
    queueSize: e2e.queueSize,
  }).done();
  s.upload.push(performance.now() - start);
  s.peak.push(sampler.stop().peak);
  const readStart = performance.now();
  const got = await s.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const bytes = await drain(got.Body as AsyncIterable<Uint8Array>);
  s.download.push(performance.now() - readStart);
  if (bytes !== e2e.objectBytes) throw new Error(`${s.kind}: downloaded ${bytes} of ${e2e.objectBytes} bytes`);
  await s.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
  const i = s.upload.length - 1;
  ctx.progress.line(`end to end ${s.kind} ${sizeLabel(e2e.objectBytes)} #${rep + 1}/${e2e.reps}: upload ` +
    `${throughputs(e2e.objectBytes, [s.upload[i]!])[0]!.toFixed(0)} MB/s, Complete ${s.timings.completeMs[i]?.toFixed(1)} ms, ` +
    `download ${throughputs(e2e.objectBytes, [s.download[i]!])[0]!.toFixed(0)} MB/s, RSS idle ${(s.idle / MiB).toFixed(0)} MiB → peak ${(s.peak[i]! / MiB).toFixed(0)} MiB`);
}

function recordSubject(ctx: SuiteContext, s: Subject): void {
  if (s.upload.length === 0) return;
  const e2e = ctx.profile.endToEnd!;
  const kind = s.kind;
  const params = { server: kind, backend: kind === 'mpu' ? 'fs' : 's3rver', objectBytes: e2e.objectBytes, partBytes: e2e.partBytes, queueSize: e2e.queueSize };
  const id = `e2e.${kind}`;
  ctx.book.add({ id: `${id}.uploadMBps`, suite: 'end-to-end', label: `lib-storage Upload (${kind})`, unit: 'MB/s', params }, throughputs(e2e.objectBytes, s.upload));
  ctx.book.add({ id: `${id}.completeMs`, suite: 'end-to-end', label: `CompleteMultipartUpload round trip (${kind})`, unit: 'ms', params }, s.timings.completeMs);
  ctx.book.add({ id: `${id}.downloadMBps`, suite: 'end-to-end', label: `GetObject download (${kind})`, unit: 'MB/s', params }, throughputs(e2e.objectBytes, s.download));
  ctx.book.add({ id: `memory.${kind}.idleRssMiB`, suite: 'memory', label: `server RSS idle, fresh, before the first upload (${kind})`, unit: 'MiB', params }, [s.idle / MiB]);
  ctx.book.add({ id: `memory.${kind}.peakRssMiB`, suite: 'memory', label: `server peak RSS during the upload (${kind})`, unit: 'MiB', params }, s.peak.map((b) => b / MiB));
  ctx.book.add({ id: `memory.${kind}.rssAboveIdleMiB`, suite: 'memory', label: `server peak RSS above idle during the upload (${kind})`, unit: 'MiB', params },
    s.peak.map((p) => (p - s.idle) / MiB));
}

/**
 * Both servers run side by side (an idle one costs nothing) and their rounds alternate, mpu then
 * s3rver, so a change in the machine's load during the suite falls on both alike.
 */
export async function runEndToEndSuite(ctx: SuiteContext): Promise<void> {
  const e2e = ctx.profile.endToEnd;
  if (!e2e) return;
  const subjects: Subject[] = [];
  try {
    for (const kind of ['mpu', 's3rver'] as const) {
      try {
        subjects.push(await openSubject(ctx, kind));
      } catch (error) {
        ctx.fail(`starting the ${kind} server`, error);
      }
    }
    const failed = new Set<ServerKind>();
    for (let rep = 0; rep < e2e.reps; rep++) {
      for (const s of subjects) {
        if (failed.has(s.kind)) continue;
        try {
          await measureRound(ctx, s, rep);
        } catch (error) {
          failed.add(s.kind);
          ctx.fail(`end to end against ${s.kind}`, error);
        }
      }
    }
    for (const s of subjects) recordSubject(ctx, s);
  } finally {
    for (const s of subjects) await closeSubject(s);
  }
}

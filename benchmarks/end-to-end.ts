/**
 * End-to-end suite: `@aws-sdk/lib-storage` Upload of a large object against the mpu S3 server
 * (engine on FsStore), s3rver and OpenStack Swift's s3api (where installed), each in its own
 * process(es) started by this run, with upload MB/s, Complete latency, download MB/s, server
 * CPU-seconds per GiB uploaded (the whole process tree), the server's RSS (idle and peak), and
 * the Complete of 100 × 5 MiB parts.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  GetObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { bodyOf, bytesOf, drain } from './lib/bytes.js';
import { mapLimit } from './lib/concurrency.js';
import type { SuiteContext } from './lib/context.js';
import { GiB, MiB, sizeLabel, throughputs } from './lib/figures.js';
import { treeCpuSeconds } from './lib/proc-tree.js';
import { readRss, sampleRss } from './lib/rss.js';
import { BENCH_CREDENTIALS, S3RVER_CREDENTIALS } from './lib/server-credentials.js';
import { ownChild, stopChild } from './lib/services.js';
import { SWIFT_CREDENTIALS, startSwift, swiftAvailability } from './lib/swift.js';

export type ServerKind = 'mpu' | 's3rver' | 'swift';
/** The Complete-latency case: 100 parts of 5 MiB (the S3 minimum part size). */
export const COMPLETE_CASE = { parts: 100, partBytes: 5 * MiB } as const;
const SERVER_CHILD = fileURLToPath(new URL('./lib/server-child.ts', import.meta.url));
const BUCKET = 'bench';

interface ServerProcess {
  readonly url: string;
  /** Roots of the server's process trees (CPU is summed over them and their children). */
  readonly pids: readonly number[];
  /** The process whose RSS is watched (single-process servers only). */
  readonly rssPid: number | undefined;
  stop(): Promise<void>;
}

async function startServer(kind: ServerKind, dir: string): Promise<ServerProcess> {
  if (kind === 'swift') {
    const swift = await startSwift(dir);
    return { url: swift.url, pids: swift.pids, rssPid: undefined, stop: () => swift.stop() };
  }
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
  return { url, pids: [child.pid ?? -1], rssPid: child.pid ?? -1, stop: () => stopChild(child) };
}

interface Timings {
  completeMs: number[];
}

function clientFor(kind: ServerKind, url: string, timings: Timings): S3Client {
  const client = new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    // A copy: the SDK tags the credential object it is given (`$source`), and the key pair is shared with other suites.
    credentials: { ...(kind === 'mpu' ? BENCH_CREDENTIALS : kind === 'swift' ? SWIFT_CREDENTIALS : S3RVER_CREDENTIALS) },
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
  /** Server CPU-seconds (whole process tree) per GiB uploaded, one per round. */
  readonly cpuPerGiB: number[];
  /** Complete of COMPLETE_CASE, timed around the SDK call. */
  readonly complete100: number[];
  /** RSS of the fresh server before its first upload: later rounds start from what earlier ones left (single-process servers). */
  readonly idle: number | undefined;
  readonly peak: number[];
}

/**
 * A small multipart upload (two 5 MiB parts) read back and compared byte for byte: a peer that
 * cannot do the multipart flow with this SDK client must fail here, not be timed.
 */
async function checkMultipartFlow(client: S3Client, kind: ServerKind): Promise<void> {
  const size = 2 * COMPLETE_CASE.partBytes;
  await new Upload({ client, params: { Bucket: BUCKET, Key: 'flow-check', Body: Readable.from(bodyOf(size)) }, partSize: COMPLETE_CASE.partBytes, queueSize: 2 }).done();
  const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'flow-check' }));
  const hash = createHash('md5');
  for await (const chunk of got.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
  if (hash.digest('hex') !== createHash('md5').update(bytesOf(size)).digest('hex')) throw new Error(`${kind}: the multipart check object read back different bytes`);
  await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'flow-check' }));
}

async function openSubject(ctx: SuiteContext, kind: ServerKind): Promise<Subject> {
  const dir = join(ctx.workDir, `e2e-${kind}`);
  await mkdir(dir, { recursive: true });
  const server = await startServer(kind, dir);
  const timings: Timings = { completeMs: [] };
  const client = clientFor(kind, server.url, timings);
  try {
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await checkMultipartFlow(client, kind);
    timings.completeMs.length = 0;
  } catch (error) {
    client.destroy();
    await server.stop();
    throw error;
  }
  const idle = server.rssPid === undefined ? undefined : await idleRss(server.rssPid);
  return { kind, dir, server, client, timings, upload: [], download: [], cpuPerGiB: [], complete100: [], idle, peak: [] };
}

async function closeSubject(subject: Subject): Promise<void> {
  subject.client.destroy();
  await subject.server.stop();
  await rm(subject.dir, { recursive: true, force: true });
}

/** Stages COMPLETE_CASE through the SDK (4 parts in flight) and times the Complete alone. */
async function measureComplete100(s: Subject, rep: number): Promise<number> {
  const key = `complete-${rep}`;
  const { UploadId } = await s.client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
  const body = bytesOf(COMPLETE_CASE.partBytes);
  try {
    const numbers = Array.from({ length: COMPLETE_CASE.parts }, (_, i) => i + 1);
    const parts = await mapLimit(numbers, 4, async (PartNumber) => {
      const { ETag } = await s.client.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber, Body: body }));
      return { PartNumber, ETag };
    });
    const start = performance.now();
    await s.client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
    const ms = performance.now() - start;
    s.timings.completeMs.pop(); // the middleware timed this Complete too; the 1 GiB uploads' figure keeps only theirs
    await s.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    return ms;
  } catch (error) {
    await s.client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId })).catch(() => undefined);
    throw error;
  }
}

/** One upload + download of the object against one server, with its RSS watched. */
async function measureRound(ctx: SuiteContext, s: Subject, rep: number): Promise<void> {
  const e2e = ctx.profile.endToEnd!;
  const key = `e2e-${rep}`;
  const sampler = s.server.rssPid === undefined ? undefined : sampleRss(s.server.rssPid);
  const cpuBefore = treeCpuSeconds(s.server.pids);
  const start = performance.now();
  await new Upload({
    client: s.client,
    params: { Bucket: BUCKET, Key: key, Body: Readable.from(bodyOf(e2e.objectBytes)) },
    partSize: e2e.partBytes,
    queueSize: e2e.queueSize,
  }).done();
  s.upload.push(performance.now() - start);
  s.cpuPerGiB.push((treeCpuSeconds(s.server.pids) - cpuBefore) / (e2e.objectBytes / GiB));
  if (sampler) s.peak.push(sampler.stop().peak);
  const readStart = performance.now();
  const got = await s.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const bytes = await drain(got.Body as AsyncIterable<Uint8Array>);
  s.download.push(performance.now() - readStart);
  if (bytes !== e2e.objectBytes) throw new Error(`${s.kind}: downloaded ${bytes} of ${e2e.objectBytes} bytes`);
  await s.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
  s.complete100.push(await measureComplete100(s, rep));
  const i = s.upload.length - 1;
  const rss = s.idle === undefined ? '' : `, RSS idle ${(s.idle / MiB).toFixed(0)} MiB → peak ${(s.peak[i]! / MiB).toFixed(0)} MiB`;
  ctx.progress.line(`end to end ${s.kind} ${sizeLabel(e2e.objectBytes)} #${rep + 1}/${e2e.reps}: upload ` +
    `${throughputs(e2e.objectBytes, [s.upload[i]!])[0]!.toFixed(0)} MB/s (server ${s.cpuPerGiB[i]!.toFixed(1)} CPU-s/GiB), Complete ${s.timings.completeMs[i]?.toFixed(1)} ms, ` +
    `download ${throughputs(e2e.objectBytes, [s.download[i]!])[0]!.toFixed(0)} MB/s, Complete of ${COMPLETE_CASE.parts} × ${sizeLabel(COMPLETE_CASE.partBytes)} ${s.complete100[i]!.toFixed(0)} ms${rss}`);
}

function recordSubject(ctx: SuiteContext, s: Subject): void {
  if (s.upload.length === 0) return;
  const e2e = ctx.profile.endToEnd!;
  const kind = s.kind;
  const params = { server: kind, backend: kind === 'mpu' ? 'fs' : kind, objectBytes: e2e.objectBytes, partBytes: e2e.partBytes, queueSize: e2e.queueSize };
  const id = `e2e.${kind}`;
  ctx.book.add({ id: `${id}.uploadMBps`, suite: 'end-to-end', label: `lib-storage Upload (${kind})`, unit: 'MB/s', params }, throughputs(e2e.objectBytes, s.upload));
  ctx.book.add({ id: `${id}.completeMs`, suite: 'end-to-end', label: `CompleteMultipartUpload round trip (${kind})`, unit: 'ms', params }, s.timings.completeMs);
  ctx.book.add({ id: `${id}.downloadMBps`, suite: 'end-to-end', label: `GetObject download (${kind})`, unit: 'MB/s', params }, throughputs(e2e.objectBytes, s.download));
  ctx.book.add({ id: `${id}.serverCpuSecondsPerGiB`, suite: 'end-to-end', label: `server CPU-seconds per GiB uploaded, whole process tree (${kind})`, unit: 's/GiB', params }, s.cpuPerGiB);
  ctx.book.add({ id: `${id}.complete100Ms`, suite: 'end-to-end', label: `CompleteMultipartUpload of ${COMPLETE_CASE.parts} × ${sizeLabel(COMPLETE_CASE.partBytes)} parts, round trip (${kind})`, unit: 'ms',
    params: { server: kind, parts: COMPLETE_CASE.parts, partBytes: COMPLETE_CASE.partBytes } }, s.complete100);
  if (s.idle === undefined) return; // several processes: RSS is the workers suite's business
  const idle = s.idle;
  ctx.book.add({ id: `memory.${kind}.idleRssMiB`, suite: 'memory', label: `server RSS idle, fresh, before the first upload (${kind})`, unit: 'MiB', params }, [idle / MiB]);
  ctx.book.add({ id: `memory.${kind}.peakRssMiB`, suite: 'memory', label: `server peak RSS during the upload (${kind})`, unit: 'MiB', params }, s.peak.map((b) => b / MiB));
  ctx.book.add({ id: `memory.${kind}.rssAboveIdleMiB`, suite: 'memory', label: `server peak RSS above idle during the upload (${kind})`, unit: 'MiB', params },
    s.peak.map((p) => (p - idle) / MiB));
}

/**
 * The servers run side by side (an idle one costs nothing) and their rounds alternate, mpu,
 * s3rver, swift, so a change in the machine's load during the suite falls on all alike. Swift is
 * skipped, with the reason in the report, where its packages are missing.
 */
export async function runEndToEndSuite(ctx: SuiteContext): Promise<void> {
  const e2e = ctx.profile.endToEnd;
  if (!e2e) return;
  const subjects: Subject[] = [];
  try {
    const swiftMissing = swiftAvailability();
    if (swiftMissing) ctx.book.note(`End to end: the OpenStack Swift peer was skipped: ${swiftMissing}.`);
    for (const kind of swiftMissing ? (['mpu', 's3rver'] as const) : (['mpu', 's3rver', 'swift'] as const)) {
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

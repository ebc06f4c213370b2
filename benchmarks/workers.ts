/**
 * Workers suite: `mpu serve` (the CLI, on fs) with `MPU_WORKERS` = 1 and 2, driven by the lean
 * load generator (lib/lean-client.ts) so the figures show the server's capacity: MB/s of
 * UploadPart, PutObject and GetObject, server CPU-seconds per GiB (utime + stime of the whole
 * process tree: with workers the primary does little), and peak RSS above idle per worker.
 * A build whose server does not start N workers is reported as such, not measured as N.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SuiteContext } from './lib/context.js';
import { GiB, MiB, sizeLabel, throughputs } from './lib/figures.js';
import { bytesOf } from './lib/bytes.js';
import { mapLimit } from './lib/concurrency.js';
import { LeanS3Client } from './lib/lean-client.js';
import { freePort } from './lib/ports.js';
import { nodeDescendants, treeCpuSeconds, treeRss } from './lib/proc-tree.js';
import { BENCH_CREDENTIALS } from './lib/server-credentials.js';
import { ownChild, stopChild } from './lib/services.js';

const CLI_BIN = fileURLToPath(new URL('../packages/cli/src/bin.ts', import.meta.url));
const BUCKET = 'bench';
const OPS = ['uploadPart', 'putObject', 'getObject'] as const;
type Op = (typeof OPS)[number];
const OP_LABEL: Record<Op, string> = { uploadPart: 'UploadPart', putObject: 'PutObject', getObject: 'GetObject' };

export const WORKERS_UNSUPPORTED = 'workers not supported by this build';

interface WorkerServer {
  readonly workers: number;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly client: LeanS3Client;
  readonly dir: string;
  readonly idleRss: number;
  readonly mbps: Record<Op, number[]>;
  readonly cpu: Record<Op, number[]>;
  readonly rssAbovePerWorker: number[];
}

async function waitUntil(what: string, child: ChildProcess, stderr: () => string, check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}: ${stderr()}`);
    if (await check().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts the CLI server with `MPU_WORKERS=workers`; undefined (after stopping it) where the build
 * did not start that many worker processes.
 */
async function startServer(ctx: SuiteContext, workers: number): Promise<WorkerServer | undefined> {
  const dir = join(ctx.workDir, `workers-${workers}`);
  await mkdir(join(dir, 'data'), { recursive: true });
  const port = await freePort();
  const config = join(dir, 'mpu.config.json');
  await writeFile(config, JSON.stringify({
    host: '127.0.0.1', port, backend: { type: 'fs', root: join(dir, 'data') },
    // Copied field by field: the AWS SDK tags credential objects it was given (`$source`), and the CLI's config is strict.
    credentials: [{ accessKeyId: BENCH_CREDENTIALS.accessKeyId, secretAccessKey: BENCH_CREDENTIALS.secretAccessKey }], logLevel: 'warn', lifecycleSweepSeconds: 0,
  }));
  const child = ownChild(spawn(process.execPath, ['--conditions=mpu-source', '--import', 'tsx', CLI_BIN, 'serve', '--config', config], {
    stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MPU_WORKERS: String(workers) },
  }));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const client = new LeanS3Client(`http://127.0.0.1:${port}`, BENCH_CREDENTIALS, 'us-east-1', ctx.profile.workers!.inFlight);
  const pid = child.pid ?? -1;
  try {
    const listening = await waitUntil(`mpu serve (${workers} workers)`, child, () => stderr, async () => (await client.send('GET', '/')).status > 0, 60_000);
    if (!listening) throw new Error(`mpu serve (${workers} workers) did not answer in 60 s: ${stderr}`);
    // One worker may run in the primary itself; more must be processes of their own.
    if (workers > 1 && !(await waitUntil('mpu serve', child, () => stderr, async () => nodeDescendants(pid).length >= workers, 15_000))) {
      ctx.progress.line(`workers: the server started ${nodeDescendants(pid).length} worker process(es), not ${workers}: ${WORKERS_UNSUPPORTED}`);
      client.close();
      await stopChild(child);
      return undefined;
    }
    await client.createBucket(BUCKET);
  } catch (error) {
    client.close();
    await stopChild(child);
    throw error;
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  const none = (): Record<Op, number[]> => ({ uploadPart: [], putObject: [], getObject: [] });
  return { workers, child, pid, client, dir, idleRss: treeRss([pid]), mbps: none(), cpu: none(), rssAbovePerWorker: [] };
}

/** One round: every op kind over `bytesPerOp`, `inFlight` requests at a time, timed and CPU-counted. */
async function measureRound(ctx: SuiteContext, s: WorkerServer, rep: number): Promise<void> {
  const w = ctx.profile.workers!;
  const body = bytesOf(w.bodyBytes);
  const count = Math.max(1, Math.round(w.bytesPerOp / w.bodyBytes));
  const numbers = Array.from({ length: count }, (_, i) => i + 1);
  let peakRss = treeRss([s.pid]);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, treeRss([s.pid]))), 100);
  const timed = async (op: Op, fn: () => Promise<void>): Promise<void> => {
    const cpuBefore = treeCpuSeconds([s.pid]);
    const start = performance.now();
    await fn();
    const ms = performance.now() - start;
    s.mbps[op].push(throughputs(count * w.bodyBytes, [ms])[0]!);
    s.cpu[op].push((treeCpuSeconds([s.pid]) - cpuBefore) / ((count * w.bodyBytes) / GiB));
  };
  try {
    const key = `parts-${rep}`;
    const uploadId = await s.client.createMultipartUpload(BUCKET, key);
    await timed('uploadPart', async () => {
      await mapLimit(numbers, w.inFlight, async (n) => { await s.client.uploadPart(BUCKET, key, uploadId, n, body); });
    });
    await s.client.abortMultipartUpload(BUCKET, key, uploadId);
    await timed('putObject', async () => {
      await mapLimit(numbers, w.inFlight, (n) => s.client.putObject(BUCKET, `object-${n}`, body));
    });
    await timed('getObject', async () => {
      await mapLimit(numbers, w.inFlight, async (n) => {
        const bytes = await s.client.getObject(BUCKET, `object-${n}`);
        if (bytes !== w.bodyBytes) throw new Error(`GetObject object-${n}: ${bytes} of ${w.bodyBytes} bytes`);
      });
    });
    await mapLimit(numbers, w.inFlight, (n) => s.client.ok('DELETE', `/${BUCKET}/object-${n}`));
  } finally {
    clearInterval(sampler);
  }
  s.rssAbovePerWorker.push((peakRss - s.idleRss) / MiB / s.workers);
  ctx.progress.line(`workers ${s.workers} #${rep + 1}/${w.reps}: ` +
    OPS.map((op) => `${OP_LABEL[op]} ${s.mbps[op].at(-1)!.toFixed(0)} MB/s (${s.cpu[op].at(-1)!.toFixed(1)} CPU-s/GiB)`).join(', ') +
    `, peak RSS ${(s.rssAbovePerWorker.at(-1)!).toFixed(0)} MiB above idle per worker`);
}

function record(ctx: SuiteContext, s: WorkerServer): void {
  const w = ctx.profile.workers!;
  if (s.mbps.uploadPart.length === 0) return;
  const params = { backend: 'fs', workers: s.workers, bodyBytes: w.bodyBytes, bytesPerOp: w.bytesPerOp, inFlight: w.inFlight };
  for (const op of OPS) {
    ctx.book.add({ id: `workers.${s.workers}.${op}.MBps`, suite: 'workers', label: `${OP_LABEL[op]}, ${s.workers} worker(s), ${sizeLabel(w.bodyBytes)} bodies, ${w.inFlight} in flight`, unit: 'MB/s', params }, s.mbps[op]);
    ctx.book.add({ id: `workers.${s.workers}.${op}.cpuSecondsPerGiB`, suite: 'workers', label: `${OP_LABEL[op]} server CPU-seconds per GiB, ${s.workers} worker(s)`, unit: 's/GiB', params }, s.cpu[op]);
  }
  ctx.book.add({ id: `workers.${s.workers}.idleRssMiB`, suite: 'workers', label: `server RSS idle, whole process tree, ${s.workers} worker(s)`, unit: 'MiB', params }, [s.idleRss / MiB]);
  ctx.book.add({ id: `workers.${s.workers}.rssAboveIdlePerWorkerMiB`, suite: 'workers', label: `server peak RSS above idle per worker, ${s.workers} worker(s)`, unit: 'MiB', params }, s.rssAbovePerWorker);
}

export async function runWorkersSuite(ctx: SuiteContext): Promise<void> {
  const w = ctx.profile.workers;
  if (!w) return;
  const servers: WorkerServer[] = [];
  try {
    for (const n of w.counts) {
      const server = await startServer(ctx, n);
      if (server) servers.push(server);
      else ctx.book.note(`Workers: \`mpu serve\` with MPU_WORKERS=${n} did not start ${n} worker processes: ${WORKERS_UNSUPPORTED}; not measured.`);
    }
    // Rounds alternate between the servers so load changes on the machine fall on each alike.
    for (let rep = 0; rep < w.reps; rep++) for (const s of servers) await measureRound(ctx, s, rep);
    for (const s of servers) record(ctx, s);
  } finally {
    for (const s of servers) {
      s.client.close();
      await stopChild(s.child);
      await rm(s.dir, { recursive: true, force: true });
    }
  }
}

/**
 * The same-run baselines every figure is judged against: `cat` (assembly by copying, and
 * reading part files) and `openssl speed md5` (the single-core MD5 floor of ingest).
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs `cat paths… > output` and resolves with its wall time in ms. */
export async function catInto(paths: readonly string[], output: string): Promise<number> {
  const out = await open(output, 'w');
  try {
    return await timedCat(paths, out.fd);
  } finally {
    await out.close();
  }
}

/** Runs `cat paths… > /dev/null` and resolves with its wall time in ms. */
export async function catToNull(paths: readonly string[]): Promise<number> {
  const out = await open('/dev/null', 'w');
  try {
    return await timedCat(paths, out.fd);
  } finally {
    await out.close();
  }
}

function timedCat(paths: readonly string[], stdout: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn('cat', ['--', ...paths], { stdio: ['ignore', stdout, 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = performance.now() - start;
      if (code === 0) resolve(ms);
      else reject(new Error(`cat exited with ${code}: ${stderr.trim()}`));
    });
  });
}

/**
 * Single-core MD5 throughput in MB/s (10^6 bytes/s) from `openssl speed -bytes 1048576 md5`,
 * whose table is in thousands of bytes per second ("md5  779683.74k").
 */
export async function opensslMd5MBps(seconds: number): Promise<number> {
  const { stdout } = await run('openssl', ['speed', '-seconds', String(seconds), '-bytes', '1048576', 'md5'], { maxBuffer: 1 << 20 });
  return parseOpensslSpeed(stdout);
}

export function parseOpensslSpeed(stdout: string): number {
  const line = stdout.split('\n').find((l) => /^md5\s+[\d.]+k\s*$/.test(l.trim()));
  const value = line?.trim().split(/\s+/)[1];
  if (!value) throw new Error(`no md5 row in openssl speed output:\n${stdout}`);
  return (Number.parseFloat(value) * 1000) / 1e6;
}

/** Flushes dirty pages so one case's writeback does not run during the next case's timing. */
export async function syncDisks(): Promise<void> {
  await run('sync', []);
}

/**
 * The disk's synced write rate: `dd if=/dev/zero of=<file> bs=1M count=<MiB> conv=fsync`, in
 * MB/s. Any ingest that fsyncs each part before acknowledging it is bounded by this.
 */
export async function ddFsyncMBps(path: string, mib: number): Promise<number> {
  const start = performance.now();
  await run('dd', ['if=/dev/zero', `of=${path}`, 'bs=1M', `count=${mib}`, 'conv=fsync'], { maxBuffer: 1 << 20 });
  const ms = performance.now() - start;
  return (mib * 1024 * 1024) / 1e6 / (ms / 1000);
}

/**
 * Node's own sequential read of the part files (1 MiB reads into one reused buffer), in ms: the
 * best a Node process can do, which splits a read-back gap to `cat` into Node's I/O path and
 * mpu's own work.
 */
export async function nodeReadAll(paths: readonly string[]): Promise<number> {
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  const start = performance.now();
  for (const path of paths) {
    const file = await open(path, 'r');
    try {
      while ((await file.read(buffer, 0, buffer.length, null)).bytesRead > 0) {
        // discard, as cat > /dev/null does
      }
    } finally {
      await file.close();
    }
  }
  return performance.now() - start;
}

/**
 * Node's own MD5 over `bytes` of 64 KiB chunks (what a socket delivers), in MB/s: the ceiling
 * for any single-stream ingest in this process, beside openssl's.
 */
export function nodeMd5MBps(chunks: Iterable<Uint8Array>, bytes: number): number {
  const hash = createHash('md5');
  const start = performance.now();
  for (const chunk of chunks) hash.update(chunk);
  hash.digest();
  return bytes / 1e6 / ((performance.now() - start) / 1000);
}

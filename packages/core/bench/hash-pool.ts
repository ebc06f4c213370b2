/**
 * Ingest through the engine with hashing inline vs on worker threads: one stream and several
 * in flight, MD5 alone and MD5 + CRC64NVME, into a store that drops the bytes (so only the
 * engine's own work — hashing, copying, messaging — is timed), beside `openssl speed md5`.
 * Also the per-request cost of small bodies, which sets `minPooledBytes`.
 *
 *   node --conditions=mpu-source --import tsx packages/core/bench/hash-pool.ts [MiB per stream]
 *
 * "cores" is process CPU time (all threads) over wall time: above 1 means hashing left the
 * event loop's core.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { type ChecksumAlgorithm, type DataHandle, type HashingOptions, MemoryStore, MultipartEngine, type PartRef } from '@mpu/core';

const MiB = 1024 * 1024;
const SOCKET_CHUNK = 64 * 1024;

/** Records live in memory; part bytes are counted and dropped. */
class DiscardingStore extends MemoryStore {
  override async writePart(_upload: string, _partId: string, body: AsyncIterable<Uint8Array>): Promise<{ size: number }> {
    let size = 0;
    for await (const chunk of body) size += chunk.byteLength;
    return { size };
  }
  override async assemble(_upload: string, parts: readonly PartRef[]): Promise<DataHandle> {
    return `discarded:${parts.length}`;
  }
}

/** `size` bytes in socket-sized chunks, each a fresh view like the ones node:http delivers. */
async function* body(size: number): AsyncIterable<Uint8Array> {
  const source = Buffer.alloc(4 * MiB);
  for (let i = 0; i < source.length; i++) source[i] = (i * 131) & 0xff;
  for (let sent = 0; sent < size; sent += SOCKET_CHUNK) {
    const at = sent % source.length;
    yield source.subarray(at, at + Math.min(SOCKET_CHUNK, size - sent));
    // Let other streams and worker replies in, as socket reads do.
    if ((sent / SOCKET_CHUNK) % 8 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

interface Result { readonly mbps: number; readonly cores: number; readonly msPerRequest: number }

async function run(hashing: HashingOptions, streams: number, bytesPerStream: number, requests: number, checksum: ChecksumAlgorithm | undefined): Promise<Result> {
  const engine = new MultipartEngine({ store: new DiscardingStore(), hashing });
  await engine.createBucket('bench');
  const upload = await engine.createMultipartUpload({ bucket: 'bench', key: 'k', ...(checksum ? { checksumAlgorithm: checksum, checksumType: 'FULL_OBJECT' as const } : {}) });
  const once = (partNumber: number) => engine.uploadPart({ ...upload, partNumber, body: body(bytesPerStream), expect: { contentLength: bytesPerStream } });
  await Promise.all(Array.from({ length: streams }, (_, i) => once(i + 1))); // warm-up: workers started, JIT warm
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let r = 0; r < requests; r++) await Promise.all(Array.from({ length: streams }, (_, i) => once(i + 1)));
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await engine.close();
  return {
    mbps: (streams * requests * bytesPerStream) / 1e6 / (ms / 1000),
    cores: (used.user + used.system) / 1000 / ms,
    msPerRequest: ms / requests,
  };
}

function opensslMd5(): string {
  try {
    const out = execFileSync('openssl', ['speed', '-seconds', '2', '-bytes', '1048576', 'md5'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const row = out.split('\n').find((l) => /^md5\s/.test(l.trim()));
    return row ? `${((Number.parseFloat(row.trim().split(/\s+/)[1] ?? '0') * 1000) / 1e6).toFixed(0)} MB/s` : 'n/a';
  } catch {
    return 'n/a (no openssl)';
  }
}

const perStream = Number(process.argv[2] ?? 256) * MiB;
const threads = availableParallelism();
console.log(`availableParallelism ${threads}; openssl speed md5 (1 core): ${opensslMd5()}`);
console.log('streams  checksum    hashing            MB/s   cores');
for (const checksum of [undefined, 'CRC64NVME'] as const) {
  for (const streams of [1, 4]) {
    for (const [label, hashing] of [['inline', { threads: 0 }], [`pool(${threads})`, { threads }]] as const) {
      const r = await run(hashing, streams, perStream / streams, 2, checksum);
      console.log(`${String(streams).padStart(7)}  ${(checksum ?? 'MD5').padEnd(10)}  ${label.padEnd(15)} ${r.mbps.toFixed(0).padStart(7)}  ${r.cores.toFixed(2).padStart(6)}`);
    }
  }
}

console.log('\nbatch size (1 stream, MD5 + CRC64NVME, pooled):');
for (const batchBytes of [64 * 1024, 256 * 1024, 512 * 1024, MiB]) {
  const r = await run({ threads, batchBytes }, 1, perStream, 2, 'CRC64NVME');
  console.log(`  ${String(batchBytes / 1024).padStart(5)} KiB  ${r.mbps.toFixed(0).padStart(6)} MB/s`);
}

console.log('\nsmall bodies, ms per request (1 stream, MD5 + CRC64NVME): where pooling starts to pay');
for (const size of [64 * 1024, 256 * 1024, MiB, 4 * MiB]) {
  const requests = Math.max(4, Math.round((64 * MiB) / size));
  const inline = await run({ threads: 0 }, 1, size, requests, 'CRC64NVME');
  const pooled = await run({ threads, minPooledBytes: 0 }, 1, size, requests, 'CRC64NVME');
  console.log(`  ${String(size / 1024).padStart(5)} KiB  inline ${inline.msPerRequest.toFixed(2).padStart(7)} ms   pooled ${pooled.msPerRequest.toFixed(2).padStart(7)} ms`);
}

/**
 * Single-core throughput of everything UploadPart computes per byte, against `openssl speed md5`
 * (the ingest target is ≥ 0.7 × openssl MD5). Also measures the library alternatives to the
 * hand-written CRC-32C / CRC-64/NVME so the choice in packages/core/src/checksums stays justified.
 *
 *   node --conditions=mpu-source --import tsx benchmarks/checksums/crc-throughput.ts [MiB] [chunk KiB]
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { crc32 } from 'node:zlib';
import { Crc64Nvme, PayloadHasher, crc32c, fullObjectChecksum } from '@mpu/core';
import type { ChecksumAlgorithm } from '@mpu/core';
// The plain-JS fallbacks (used without WebAssembly) are internal; reach into the source for them.
import { jsCrc32cKernel } from '../../packages/core/src/checksums/crc32c.js';
import { jsCrc64NvmeKernel } from '../../packages/core/src/checksums/crc64nvme.js';

const TOTAL_MIB = Number(process.argv[2] ?? 64);
const CHUNK = Number(process.argv[3] ?? 64) * 1024; // 64 KiB: a typical socket read
const data = randomFillSync(Buffer.allocUnsafe(TOTAL_MIB * 1024 * 1024));
const chunks: Buffer[] = [];
for (let off = 0; off < data.length; off += CHUNK) chunks.push(data.subarray(off, off + CHUNK));

// The library candidates the hand-written CRCs were measured against. @mpu/core does not use
// them; they are looked up from its directory and skipped once they are no longer installed.
const coreRequire = createRequire(new URL('../../packages/core/package.json', import.meta.url));
function optional<T>(name: string): T | undefined {
  try {
    return coreRequire(name) as T;
  } catch {
    console.log(`(${name} not installed; skipping it)`);
    return undefined;
  }
}
const awsCrc32c = optional<{ Crc32c: new () => { update(d: Uint8Array): unknown; digest(): number } }>('@aws-crypto/crc32c');
const awsCrc64 = optional<{ Crc64Nvme: new () => { update(d: Uint8Array): void; digest(): Promise<Uint8Array> } }>('@aws-sdk/crc64-nvme');

interface Streamer { update(chunk: Uint8Array): void; finish(): unknown }

function bench(name: string, make: () => Streamer, bytes = data.length): number {
  const input = bytes === data.length ? chunks : chunks.slice(0, Math.ceil(bytes / CHUNK));
  const inputBytes = input.reduce((n, c) => n + c.length, 0);
  const run = (): number => {
    const s = make();
    const start = process.hrtime.bigint();
    for (const c of input) s.update(c);
    s.finish();
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  run(); // warm-up: JIT and table construction
  const best = Math.min(run(), run(), run());
  const mbps = inputBytes / 1e6 / best;
  console.log(`${name.padEnd(40)} ${mbps.toFixed(0).padStart(6)} MB/s`);
  return mbps;
}

const hash = (alg: string) => (): Streamer => {
  const h = createHash(alg);
  return { update: (c) => h.update(c), finish: () => h.digest() };
};
const hasher = (algorithms: ChecksumAlgorithm[], sha256 = false) => (): Streamer => {
  const h = new PayloadHasher({ algorithms, sha256 });
  return { update: (c) => h.update(c), finish: () => h.digest() };
};

console.log(`node ${process.version}, ${TOTAL_MIB} MiB random data in ${CHUNK / 1024} KiB chunks, best of 3\n`);
const md5 = bench('md5 (node:crypto)', hash('md5'));
bench('sha1 (node:crypto)', hash('sha1'));
bench('sha256 (node:crypto)', hash('sha256'));
bench('crc32 (zlib.crc32, native)', () => {
  let v = 0;
  return { update: (c) => { v = crc32(c, v); }, finish: () => v };
});
const ours32c = bench('crc32c (mpu wasm slicing-by-16)', () => {
  let v = 0;
  return { update: (c) => { v = crc32c(c, v); }, finish: () => v };
});
bench('crc32c (mpu JS slicing-by-8 fallback)', () => {
  const register = { lo: 0xffffffff, hi: 0 };
  return { update: (c) => jsCrc32cKernel.update(register, c), finish: () => register.lo };
});
// The byte-at-a-time library is slow; 8 MiB is plenty to rank it.
const lib32c = awsCrc32c && bench('crc32c (@aws-crypto/crc32c)', () => {
  const c = new awsCrc32c.Crc32c();
  return { update: (d) => c.update(d), finish: () => c.digest() };
}, Math.min(data.length, 8 * 1024 * 1024));
const ours64 = bench('crc64nvme (mpu wasm slicing-by-16)', () => {
  const c = new Crc64Nvme();
  return { update: (d) => c.update(d), finish: () => c.digest() };
});
bench('crc64nvme (mpu JS slicing-by-8 fallback)', () => {
  const register = { lo: 0xffffffff, hi: 0xffffffff };
  return { update: (c) => jsCrc64NvmeKernel.update(register, c), finish: () => register.lo };
});
const lib64 = awsCrc64 && bench('crc64nvme (@aws-sdk/crc64-nvme)', () => {
  const c = new awsCrc64.Crc64Nvme();
  // digest() is async; the update loop is what is timed.
  return { update: (d) => c.update(d), finish: () => void c.digest() };
});
console.log('');
const ingestDefault = bench('PayloadHasher md5+crc64nvme', hasher(['CRC64NVME']));
bench('PayloadHasher md5+crc64nvme+crc32', hasher(['CRC64NVME', 'CRC32']));
bench('PayloadHasher md5+crc64nvme+crc32c', hasher(['CRC64NVME', 'CRC32C']));
bench('PayloadHasher md5+crc64nvme+sha256', hasher(['CRC64NVME'], true));

// Complete's cost for FULL_OBJECT: folding 10,000 part CRCs. Odd sizes are the slow case
// (work grows with the number of set bits in each size); SDK part sizes are usually round.
for (const [label, size] of [['8 MiB', 8 * 1024 * 1024], ['odd', 5 * 1024 * 1024 * 1024 - 7919]] as const) {
  for (const algorithm of ['CRC32C', 'CRC64NVME'] as const) {
    const parts = Array.from({ length: 10_000 }, (_, i) => ({ checksum: Buffer.alloc(algorithm === 'CRC64NVME' ? 8 : 4, i), size }));
    fullObjectChecksum(algorithm, parts);
    const start = performance.now();
    fullObjectChecksum(algorithm, parts);
    console.log(`fullObjectChecksum ${algorithm} 10,000 × ${label} parts: ${(performance.now() - start).toFixed(0)} ms`);
  }
}

if (lib32c) console.log(`\nmpu/library crc32c: ${(ours32c / lib32c).toFixed(1)}x`);
if (lib64) console.log(`mpu/library crc64nvme: ${(ours64 / lib64).toFixed(2)}x`);

let opensslMd5: number | undefined;
try {
  const out = execFileSync('openssl', ['speed', '-bytes', '1048576', 'md5'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  // Last line: "md5   <k bytes per second>k"; openssl's "k" is 1000 bytes.
  const match = /^md5\s+([\d.]+)k\s*$/m.exec(out);
  if (match) opensslMd5 = (Number(match[1]) * 1000) / 1e6;
  console.log(`${'openssl speed md5 (1 MiB blocks)'.padEnd(40)} ${opensslMd5?.toFixed(0).padStart(6) ?? '?'} MB/s`);
} catch {
  console.log('openssl not found; no baseline');
}
if (opensslMd5) {
  console.log(`node md5 / openssl md5:                   ${(md5 / opensslMd5).toFixed(2)}`);
  console.log(`PayloadHasher md5+crc64nvme / openssl md5: ${(ingestDefault / opensslMd5).toFixed(2)} (target ≥ 0.70)`);
}

/**
 * LevelStore read-back (hot) against `cat` of a file of the same size, in the same run.
 *
 *   node --conditions=mpu-source --import tsx packages/level/bench/read-back.ts [MiB] [parts] [settle ms]
 *
 * The object is written once, read once to warm the caches, then timed; `cat` reads a file of
 * the same bytes to /dev/null after one warm-up read.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LevelStore } from '@mpu/level';

const MiB = 1024 * 1024;
const size = Number(process.argv[2] ?? 256) * MiB;
const partCount = Number(process.argv[3] ?? 1);
/** Best of RUNS: the machine may be shared, and the best run is the one least disturbed. */
const RUNS = 7;
const settleMs = Number(process.argv[4] ?? 0);
const dir = await mkdtemp(join(tmpdir(), 'mpu-level-read-'));
const bytes = Buffer.alloc(size);
for (let i = 0; i < size; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);

try {
  const store = await LevelStore.open({ location: join(dir, 'db') });
  const partSize = Math.ceil(size / partCount);
  const parts = [];
  for (let p = 0; p < partCount; p++) {
    const slice = bytes.subarray(p * partSize, Math.min((p + 1) * partSize, size));
    const partId = `p${p}`;
    await store.writePart('up', partId, (async function* () {
      for (let at = 0; at < slice.length; at += 64 * 1024) yield slice.subarray(at, at + 64 * 1024);
    })());
    parts.push({ partId, size: slice.length });
  }
  const handle = await store.assemble('up', parts);

  let cpuMs = Number.POSITIVE_INFINITY;
  const readAll = async () => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    let total = 0;
    for await (const chunk of store.read(handle)) total += chunk.byteLength;
    if (total !== size) throw new Error(`read ${total} of ${size} bytes`);
    const used = process.cpuUsage(cpu);
    cpuMs = Math.min(cpuMs, (used.user + used.system) / 1000);
    return performance.now() - started;
  };
  // Optionally let LevelDB's background compaction of the fresh writes finish first: the first
  // read right after a large write competes with it for the disk and the CPU.
  if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
  const firstMs = await readAll();
  let levelMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) levelMs = Math.min(levelMs, await readAll());
  await store.close();

  const file = join(dir, 'same-bytes');
  await writeFile(file, bytes);
  const cat = () => {
    const started = performance.now();
    const result = spawnSync('cat', [file], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (result.status !== 0) throw new Error('cat failed');
    return performance.now() - started;
  };
  cat();
  let catMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) catMs = Math.min(catMs, cat());
  // cat's own CPU time (user + sys), from bash's `times` after one cat.
  const catCpuMs = Math.min(...Array.from({ length: RUNS }, () => {
    const out = spawnSync('bash', ['-c', 'cat "$0" > /dev/null; times', file], { encoding: 'utf8' }).stdout.trim().split('\n')[1] ?? '';
    const [user = '0m0s', sys = '0m0s'] = out.split(/\s+/);
    const ms = (t: string) => { const m = /(\d+)m([\d.]+)s/.exec(t); return m ? (Number(m[1]) * 60 + Number(m[2])) * 1000 : 0; };
    return ms(user) + ms(sys);
  }));
  const mbps = (ms: number) => (size / 1e6 / (ms / 1000)).toFixed(0);
  console.log(`${size / MiB} MiB in ${partCount} part(s): LevelStore.read first ${mbps(firstMs)} MB/s, hot ${mbps(levelMs)} MB/s; cat (hot) ${mbps(catMs)} MB/s; hot ratio ${(catMs / levelMs).toFixed(2)}; CPU ms read ${cpuMs.toFixed(0)} vs cat ${catCpuMs.toFixed(0)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}

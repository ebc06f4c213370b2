/**
 * A server in its own process, so the benchmark can read its RSS from /proc:
 *
 *   node --conditions=mpu-source --import tsx benchmarks/lib/server-child.ts <mpu|s3rver> <dir>
 *
 * Prints one JSON line `{"url": …}` on stdout when listening; exits on SIGTERM.
 */
import { createRequire } from 'node:module';
import { MultipartEngine } from '@mpu/core';
import { FsStore } from '@mpu/fs';
import { startS3Server } from '@mpu/s3';
import { BENCH_CREDENTIALS } from './server-credentials.js';

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: { address: string; port: number; silent: boolean; directory: string }) => S3rverInstance;

async function start(kind: string, dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  if (kind === 'mpu') {
    const store = await FsStore.open({ root: dir });
    const engine = new MultipartEngine({ store });
    const server = await startS3Server({ engine, credentials: [BENCH_CREDENTIALS] });
    return { url: server.url, close: async () => { await server.close(); await engine.close(); } };
  }
  if (kind === 's3rver') {
    // s3rver is CommonJS without type declarations.
    const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir });
    const { port } = await server.run();
    return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
  }
  throw new Error(`unknown server kind ${kind}`);
}

const [kind, dir] = process.argv.slice(2);
if (!kind || !dir) throw new Error('usage: server-child.ts <mpu|s3rver> <dir>');
const server = await start(kind, dir);
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.once('SIGTERM', () => {
  void server.close().finally(() => process.exit(0));
});

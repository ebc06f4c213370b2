import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGcsTestServer, type GcsTestServer } from '@mpu/gcs-test-server';

// Azurite's fixed development account (documented and public, not a secret).
const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const AZURITE_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'azure', 'node_modules', '.bin', 'azurite-blob');

// Child processes this run started: killed if the run exits early, so no emulator outlives it.
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

/** Registers a child to be killed if this process exits first. */
export function ownChild(child: ChildProcess): ChildProcess {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  return child;
}

export interface Azurite {
  readonly connectionString: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Azurite (blob service) on a free loopback port, in memory, telemetry off: it would otherwise
 * try to reach the internet. `cwd` keeps anything it writes out of the checkout.
 */
export async function startAzurite(cwd: string): Promise<Azurite> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = ownChild(spawn(AZURITE_BIN, [
      '--blobHost', '127.0.0.1', '--blobPort', String(port),
      '--inMemoryPersistence', '--disableTelemetry', '--skipApiVersionCheck', '--loose', '--silent',
    ], { stdio: ['ignore', 'ignore', 'pipe'], cwd }));
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await waitForPort(port, child, 30_000);
      return {
        connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
          `BlobEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`,
        pid: child.pid ?? -1,
        stop: () => stopChild(child),
      };
    } catch (error) {
      await stopChild(child);
      lastError = new Error(`azurite-blob did not start on port ${port}: ${stderr.trim()}`, { cause: error });
    }
  }
  throw lastError;
}

export const GCS_BUCKET = 'mpu-bench';

export function startGcs(): Promise<GcsTestServer> {
  return startGcsTestServer({ host: '127.0.0.1', port: 0, buckets: [GCS_BUCKET] });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited with code ${child.exitCode}`);
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing accepted connections on port ${port} within ${timeoutMs} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the child has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AZURITE_BLOB_BIN, requireFile } from './paths.js';

// Azurite's fixed development account (documented and public, not a secret).
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface RunningAzurite {
  readonly connectionString: string;
  stop(): Promise<void>;
}

/**
 * An in-memory Azurite blob service on a free loopback port, telemetry off (it would try to
 * reach the internet). Same flags as packages/azure/test/global-setup.ts.
 */
export async function startAzurite(): Promise<RunningAzurite> {
  const bin = requireFile(AZURITE_BLOB_BIN, 'azurite-blob');
  const workDir = await mkdtemp(join(tmpdir(), 'mpu-e2e-azurite-'));
  let lastError: unknown;
  // Picking a free port and then binding it races with other processes: retry on a new port.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(bin, [
      '--blobHost', '127.0.0.1', '--blobPort', String(port),
      '--inMemoryPersistence', '--disableTelemetry', '--skipApiVersionCheck', '--loose', '--silent',
    ], { stdio: ['ignore', 'pipe', 'pipe'], cwd: workDir });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitForPort(port, child, 30_000);
      return {
        connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};BlobEndpoint=http://127.0.0.1:${port}/${DEV_ACCOUNT};`,
        async stop() {
          await stop(child);
          await rm(workDir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      await stop(child);
      lastError = new Error(`azurite-blob did not start on port ${port}: ${output.trim()}`, { cause: error });
    }
  }
  await rm(workDir, { recursive: true, force: true });
  throw lastError;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`azurite-blob exited with code ${child.exitCode}`);
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`azurite-blob did not accept connections within ${timeoutMs} ms`);
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

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Azurite's fixed development account (documented, public, not a secret).
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const AZURITE_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '.bin', 'azurite-blob');

export interface RunningAzurite {
  readonly connectionString: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface StartAzuriteOptions {
  /** Called with the child process as soon as it is spawned (e.g. to kill it on interrupt). */
  readonly onSpawn?: (child: ChildProcess) => void;
}

/**
 * An in-memory Azurite blob service on a free loopback port. Telemetry is off because it would
 * try to reach the internet. Azurite 3.35 refuses `--location` with `--inMemoryPersistence`, so
 * it runs in a temporary working directory, which keeps anything it writes out of the checkout.
 * Picking a free port and then binding it races with other processes, so a failed start is
 * retried on a new port.
 */
export async function startAzurite(options: StartAzuriteOptions = {}): Promise<RunningAzurite> {
  const workDir = await mkdtemp(join(tmpdir(), 'mpu-azurite-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(AZURITE_BIN, [
      '--blobHost', '127.0.0.1', '--blobPort', String(port),
      '--inMemoryPersistence', '--disableTelemetry', '--skipApiVersionCheck', '--loose', '--silent',
    ], { stdio: ['ignore', 'pipe', 'pipe'], cwd: workDir });
    options.onSpawn?.(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitForPort(port, child, 30_000);
      return {
        connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
          `BlobEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`,
        port,
        pid: child.pid ?? -1,
        async stop() {
          await stopChild(child);
          await rm(workDir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      await stopChild(child);
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

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

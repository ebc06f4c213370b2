import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the account the azure tests run against (Azurite or real). */
    azureConnectionString: string;
    /** True when the tests run against Azurite, false for a real account. */
    azureIsEmulator: boolean;
  }
}

// Azurite's fixed development account (documented, public, not a secret).
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const AZURITE_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '.bin', 'azurite-blob');

/**
 * Vitest global setup for the `azure` project. With `MPU_AZURE_CONNECTION_STRING` set, the
 * tests run against that account; otherwise an in-memory Azurite (blob service only) starts on
 * a free loopback port, with telemetry off because it would try to reach the internet.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env['MPU_AZURE_CONNECTION_STRING'];
  if (external) {
    project.provide('azureConnectionString', external);
    project.provide('azureIsEmulator', false);
    return async () => {};
  }

  const workDir = await mkdtemp(join(tmpdir(), 'mpu-azurite-'));
  const { child, port } = await startAzurite(workDir);
  project.provide(
    'azureConnectionString',
    `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};` +
      `BlobEndpoint=http://127.0.0.1:${port}/${DEV_ACCOUNT};`,
  );
  project.provide('azureIsEmulator', true);

  return async () => {
    await stop(child);
    await rm(workDir, { recursive: true, force: true });
  };
}

async function startAzurite(workDir: string): Promise<{ child: ChildProcess; port: number }> {
  // Picking a free port then binding it is racy (another process may take it in between), so
  // a failed start is retried on a new port.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      AZURITE_BIN,
      [
        '--blobHost', '127.0.0.1', '--blobPort', String(port),
        '--inMemoryPersistence', '--disableTelemetry', '--skipApiVersionCheck', '--loose', '--silent',
      ],
      // Azurite 3.35 refuses `--location` together with `--inMemoryPersistence`; running it in
      // a temp working directory keeps anything it might write out of the checkout instead.
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: workDir },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitForPort(port, child, 30_000);
      return { child, port };
    } catch (error) {
      await stop(child);
      lastError = new Error(`azurite-blob did not start on port ${port}: ${output.trim()}`, { cause: error });
    }
  }
  throw lastError;
}

function freePort(): Promise<number> {
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

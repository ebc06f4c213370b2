import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CLI_BIN, TSX_LOADER, requireFile } from './paths.js';

/** Credentials every e2e server is started with (passed as MPU_ACCESS_KEY / MPU_SECRET_KEY). */
export const E2E_CREDENTIALS = { accessKeyId: 'AKIDMPUE2E', secretAccessKey: 'mpu-e2e-secret-key' } as const;

/** One pino line of the server's log. */
export type LogLine = Record<string, unknown> & { msg?: string };

export interface MpuServerProcess {
  readonly url: string;
  readonly pid: number;
  /** Temp directory holding the config file (and the data directory for fs / level). */
  readonly workDir: string;
  readonly dataDir: string;
  readonly logs: readonly LogLine[];
  /** Everything the process wrote to stderr (pino writes to stdout; crashes land here). */
  readonly stderr: () => string;
  /** SIGTERM, wait for the exit (SIGKILL after `graceMs`), remove the work directory. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartMpuServerOptions {
  /** `mpu.config.json` content; `port` and `host` are forced to a free loopback port. */
  readonly config?: Record<string, unknown>;
  /** Extra CLI arguments after `serve` (e.g. `--backend fs --data-dir D`). */
  readonly args?: readonly string[];
  readonly env?: Record<string, string>;
  /** Start without MPU_ACCESS_KEY / MPU_SECRET_KEY, as a first-time user does (dev credentials). */
  readonly devCredentials?: boolean;
  readonly readyTimeoutMs?: number;
}

/** The environment of a child process without any MPU_* the developer may have exported. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('MPU_')) env[name] = value;
  return { ...env, ...extra };
}

/** Arguments that run the mpu CLI from its TypeScript sources with plain node. */
export function cliArgs(...args: string[]): string[] {
  return ['--conditions=mpu-source', '--import', requireFile(TSX_LOADER, 'tsx'), CLI_BIN, ...args];
}

/**
 * Starts `mpu serve` as a real process on 127.0.0.1 (port 0: the kernel picks a free one, so
 * parallel suites never collide) and waits for the `mpu S3 endpoint ready` line.
 */
export async function startMpuServer(options: StartMpuServerOptions = {}): Promise<MpuServerProcess> {
  const workDir = await mkdtemp(join(tmpdir(), 'mpu-e2e-'));
  const dataDir = join(workDir, 'data');
  const configPath = join(workDir, 'mpu.config.json');
  await writeFile(configPath, JSON.stringify({ lifecycleSweepSeconds: 0, ...options.config, host: '127.0.0.1', port: 0 }));
  const child = spawn(process.execPath, cliArgs('serve', '--config', configPath, ...(options.args ?? [])), {
    cwd: workDir,
    env: cleanEnv({
      // One process unless a suite asks for workers: the suites here test S3 behaviour, and
      // per-process state (protection limits) would otherwise be split across workers.
      MPU_WORKERS: '1',
      ...(options.devCredentials ? {} : { MPU_ACCESS_KEY: E2E_CREDENTIALS.accessKeyId, MPU_SECRET_KEY: E2E_CREDENTIALS.secretAccessKey }),
      ...options.env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      let entry: LogLine;
      try {
        entry = JSON.parse(line) as LogLine;
      } catch {
        entry = { msg: line };
      }
      logs.push(entry);
      if (entry.msg === 'mpu S3 endpoint ready' && typeof entry['url'] === 'string') resolve(entry['url']);
    });
    void exited.then(({ code, signal }) => reject(new Error(`mpu serve exited (code ${code}, signal ${signal}) before it was ready:\n${stderr}${logs.map((l) => JSON.stringify(l)).join('\n')}`)));
  });
  let url: string;
  try {
    url = await withTimeout(ready, options.readyTimeoutMs ?? 60_000, () => `mpu serve did not log "mpu S3 endpoint ready" in time:\n${stderr}`);
  } catch (error) {
    await kill(child, exited, 2_000);
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    pid: child.pid ?? 0,
    workDir,
    dataDir,
    logs,
    stderr: () => stderr,
    async stop(graceMs = 30_000) {
      const result = await kill(child, exited, graceMs);
      await rm(workDir, { recursive: true, force: true });
      return result;
    },
  };
}

async function kill<T>(child: ChildProcess, exited: Promise<T>, graceMs: number): Promise<T> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

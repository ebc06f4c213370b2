import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = join(HERE, '..', 'src', 'bin.ts');
const TSX_LOADER = join(HERE, '..', '..', '..', 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');

/** `node` arguments that run the mpu CLI from its TypeScript sources. */
function nodeArgs(args: readonly string[]): string[] {
  return ['--conditions=mpu-source', '--import', TSX_LOADER, BIN, ...args];
}

/** The environment without the developer's MPU_* settings, plus `extra`. */
function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('MPU_')) env[name] = value;
  return { ...env, ...extra };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `mpu <args>` to completion. */
export function runCli(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, nodeArgs(args), { cwd: options.cwd, env: cliEnv(options.env ?? {}), timeout: 60_000, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }));
  });
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Parsed pino lines so far. */
  readonly logs: Record<string, unknown>[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running (test cleanup). */
  kill(): void;
}

/** Starts `mpu serve <args>` and resolves once it logs the ready line. */
export async function startServe(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<ServeProcess> {
  const child = spawn(process.execPath, nodeArgs(['serve', '--port', '0', ...args]), { cwd: options.cwd, env: cliEnv(options.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mpu serve not ready in 60 s:\n${stderr}`)), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry['msg'] === 'mpu S3 endpoint ready') {
          clearTimeout(timer);
          resolve(String(entry['url']));
        }
      } catch {
        logs.push({ msg: line });
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`mpu serve exited with ${code} before it was ready:\n${stderr}`));
    });
  });
  return { child, url, logs, exited, kill: () => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')) };
}

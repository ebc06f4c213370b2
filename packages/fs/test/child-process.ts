import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/** The workspace root: children resolve `tsx` and `@mpu/*` (mpu-source) from here. */
export const WORKSPACE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

export interface RunningChild {
  readonly child: ChildProcess;
  /** Every stdout line so far, parsed as JSON. */
  readonly lines: unknown[];
  /** Resolves with the next JSON line on stdout. */
  nextLine(): Promise<unknown>;
  /** Writes one JSON line to the child's stdin (fixtures that take commands read it). */
  send(message: unknown): void;
  /** Resolves with exit code and signal once the child is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Spawn `node --conditions=mpu-source --import tsx fixtures/<name> ...args`. */
export function spawnFixture(name: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningChild {
  const child = spawn(process.execPath, ['--conditions=mpu-source', '--import', 'tsx', fixturePath(name), ...args], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: unknown[] = [];
  const waiters: ((line: unknown) => void)[] = [];
  let delivered = 0;
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = { text };
    }
    lines.push(value);
    const waiter = waiters.shift();
    if (waiter) {
      delivered++;
      waiter(value);
    }
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return {
    child,
    lines,
    exited,
    send: (message) => child.stdin!.write(JSON.stringify(message) + '\n'),
    nextLine: () =>
      new Promise((resolve, reject) => {
        if (delivered < lines.length) {
          resolve(lines[delivered++]);
          return;
        }
        waiters.push(resolve);
        void exited.then(({ code, signal }) => reject(new Error(`child exited (code ${code}, signal ${signal}) before a line:\n${stderr}`)));
      }),
  };
}

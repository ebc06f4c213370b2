import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs a TypeScript fixture in a fresh node, resolving workspace packages to their sources. */
export function spawnFixture(fixture: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): ChildProcess {
  const script = fileURLToPath(new URL(`../fixtures/${fixture}`, import.meta.url));
  return spawn(process.execPath, ['--conditions=mpu-source', '--import', 'tsx', script, ...args], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** Collects a child's stdout lines; `nextLine()` waits for the next one. */
export class ChildLines {
  readonly lines: string[] = [];
  readonly exited: Promise<ChildExit>;
  #read = 0;
  #partial = '';
  #stderr = '';
  #wake: (() => void) | undefined;

  constructor(child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      const parts = (this.#partial + text).split('\n');
      this.#partial = parts.pop()!;
      this.lines.push(...parts);
      this.#wake?.();
    });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (this.#stderr += text));
    this.exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr: this.#stderr })));
  }

  async nextLine(): Promise<string> {
    let exited = false;
    void this.exited.then(() => {
      exited = true;
      this.#wake?.();
    });
    while (this.#read >= this.lines.length) {
      if (exited) throw new Error(`child exited before printing a line; stderr: ${this.#stderr}`);
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    return this.lines[this.#read++]!;
  }
}

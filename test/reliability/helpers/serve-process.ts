import { type ChildProcess, spawn } from 'node:child_process';
import { type Agent, request } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Credentials, sha256Hex, signHeaders } from './sigv4.js';

/** `mpu serve` as a real process (from the TypeScript sources), killable with SIGKILL. */

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = join(REPO, 'node_modules/tsx/dist/esm/index.mjs');
const BIN = join(REPO, 'packages/cli/src/bin.ts');

/**
 * AWS limits but 1 KiB parts. Every field is spelled out: the CLI passes a limits object to the
 * engine as is, without merging it over a profile (see the report).
 */
const SMALL_PART_LIMITS = {
  maxPartNumber: 10_000, maxPartSize: 5 * 1024 ** 3, minPartSize: 1024, maxObjectSize: 5 * 1024 ** 4,
  maxPutObjectSize: 5 * 1024 ** 3, maxKeyBytes: 1024, maxMetadataBytes: 2048, maxListPage: 1000,
};

export const SERVE_CREDENTIALS: Credentials = { accessKey: 'AKIDCRASH', secret: 'crash-test-secret' };

export interface ServeProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  stderr(): string;
}

/** `workers`: `mpu serve --workers N` (default 1: one process, no cluster). */
export async function startServe(backend: 'fs' | 'level', dataDir: string, workDir: string, workers = 1): Promise<ServeProcess> {
  const config = join(workDir, 'mpu.config.json');
  await writeFile(config, JSON.stringify({ host: '127.0.0.1', port: 0, lifecycleSweepSeconds: 0, logLevel: 'info', limits: SMALL_PART_LIMITS }));
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('MPU_')) env[name] = value;
  const child = spawn(process.execPath, ['--conditions=mpu-source', '--import', TSX, BIN, 'serve', '--config', config, '--backend', backend, '--data-dir', dataDir, '--workers', String(workers)], {
    cwd: workDir,
    env: { ...env, MPU_ACCESS_KEY: SERVE_CREDENTIALS.accessKey, MPU_SECRET_KEY: SERVE_CREDENTIALS.secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mpu serve not ready in 30 s: ${stderr}`)), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'mpu S3 endpoint ready' && entry.url) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        // not a log line
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`mpu serve exited before ready: ${stderr}`));
    });
  });
  return { url, port: Number(new URL(url).port), child, exited, stderr: () => stderr };
}

export async function sigkill(server: ServeProcess): Promise<void> {
  server.child.kill('SIGKILL');
  await server.exited;
}

export interface S3Reply {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

export interface S3Call {
  readonly method: string;
  readonly path: string;
  readonly query?: readonly (readonly [string, string])[];
  /** Bytes, or pieces written with a pause between them (keeps the request in flight). */
  readonly body?: Buffer | { readonly pieces: readonly Buffer[]; readonly pauseMs: number };
  readonly headers?: Record<string, string>;
  /** A keep-alive agent pins requests to one connection (one worker of a cluster); default a new connection. */
  readonly agent?: Agent;
}

/** A signed request; rejects when the connection dies before a complete response. */
export function call(port: number, input: S3Call): Promise<S3Reply> {
  const pieces = input.body === undefined ? [] : Buffer.isBuffer(input.body) ? [input.body] : input.body.pieces;
  const pauseMs = input.body !== undefined && !Buffer.isBuffer(input.body) ? input.body.pauseMs : 0;
  const length = pieces.reduce((sum, piece) => sum + piece.byteLength, 0);
  const host = `127.0.0.1:${port}`;
  const payloadHash = pieces.length === 1 ? sha256Hex(pieces[0]!) : pieces.length === 0 ? sha256Hex('') : 'UNSIGNED-PAYLOAD';
  const { headers } = signHeaders({
    method: input.method, path: input.path, query: input.query ?? [], host, payloadHash, credentials: SERVE_CREDENTIALS,
    ...(input.headers === undefined ? {} : { headers: input.headers }),
  });
  const query = (input.query ?? []).map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, method: input.method, path: query ? `${input.path}?${query}` : input.path,
      headers: { ...headers, 'content-length': String(length) }, agent: input.agent ?? false,
    }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('response aborted')));
    });
    req.on('error', reject);
    void (async () => {
      for (const [index, piece] of pieces.entries()) {
        if (req.destroyed) return;
        req.write(piece);
        if (pauseMs > 0 && index < pieces.length - 1) await new Promise((r) => setTimeout(r, pauseMs));
      }
      req.end();
    })();
  });
}

import { execFile, spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { TENANTS } from '../examples/tenants.js';

const SERVER = fileURLToPath(new URL('./fixtures/mounting-server.ts', import.meta.url));
const CLIENT = fileURLToPath(new URL('./fixtures/mounting-client.mjs', import.meta.url));
// Both sides run outside vitest, in plain Node (see the header of fixtures/mounting-server.ts).
const PLAIN_ENV = { ...process.env, NODE_OPTIONS: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };

export interface SeenRequest { readonly method: string; readonly path: string; readonly expect: string | null }

export interface ServerReport {
  readonly seen: readonly SeenRequest[];
  readonly buckets: readonly string[];
  readonly objects: Readonly<Record<string, readonly string[]>>;
  readonly logged: readonly { msg?: string; err?: string }[];
}

export interface ExampleServer {
  readonly origin: string;
  /** Stops the server and returns what its app saw and what the engine holds. */
  stop(): Promise<ServerReport>;
}

/** Starts fixtures/mounting-server.ts with one example at `basePath` in a child process. */
export function startExample(name: string, basePath: string): Promise<ExampleServer> {
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(process.execPath, ['--conditions=mpu-source', '--import', 'tsx', SERVER, name, basePath], {
    env: PLAIN_ENV, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const line = await lines.next();
    if (line.done === true) throw new Error(`example server ${name} exited: ${stderr}`);
    return line.value;
  };
  return nextLine().then((first) => {
    const { port } = JSON.parse(first) as { port: number };
    return {
      origin: `http://127.0.0.1:${port}`,
      stop: async () => {
        child.stdin.write('report\n');
        return JSON.parse(await nextLine()) as ServerReport;
      },
    };
  });
}

export interface ClientResult {
  readonly headLength: number;
  readonly listedKeys: readonly string[];
  readonly sha256Equal: boolean;
  readonly length: number;
  readonly location: string;
  readonly foreignPut: string;
  readonly foreignPart: string;
  readonly foreignCopy: string;
  readonly listBuckets: string;
  readonly sent: readonly SeenRequest[];
}

/** Runs fixtures/mounting-client.mjs (the real AWS SDK) as one tenant against `endpoint`. */
export function runTenantClient(endpoint: string, accessKeyId: string, bucket: string, foreignBucket: string): Promise<ClientResult> {
  const secret = TENANTS[accessKeyId]?.secretAccessKey ?? '';
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLIENT, endpoint, accessKeyId, secret, bucket, foreignBucket], {
      env: PLAIN_ENV, timeout: 50_000, maxBuffer: 16 * 1024 * 1024,
    }, (error, stdout, stderr) => {
      if (error !== null && stdout === '') return reject(new Error(`${error.message}\n${stderr}`));
      const parsed = JSON.parse(stdout) as { ok: boolean; result?: ClientResult; message?: string; stack?: string; sent?: unknown };
      if (!parsed.ok || parsed.result === undefined) return reject(new Error(`mounting client failed: ${parsed.message}\n${parsed.stack}\n${JSON.stringify(parsed.sent)}`));
      resolve(parsed.result);
    });
  });
}

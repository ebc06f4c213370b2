import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { DEBIAN_PYTHON, FIXTURES_DIR, TSX_LOADER, requireFile } from './paths.js';
import { E2E_CREDENTIALS, cleanEnv } from './mpu-server.js';

/** What every client script reports about the bytes it sent and read back. */
export interface RoundTrip {
  readonly uploadSha256: string;
  readonly download: { readonly sha256: string; readonly bytes: number };
}

export function runJsonScript<T>(file: string, args: readonly string[], timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(file, args, {
      cwd: FIXTURES_DIR, env: cleanEnv({ PYTHONDONTWRITEBYTECODE: '1' }), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8',
    }, (error, stdout, stderr) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      let parsed: unknown;
      try {
        parsed = JSON.parse(last);
      } catch {
        reject(new Error(`${args.slice(0, 3).join(' ')} printed no JSON (${error?.message ?? 'exit 0'}):\n${stdout}\n${stderr}`));
        return;
      }
      const failure = (parsed as { error?: unknown }).error;
      if (error || failure !== undefined) reject(new Error(`client script failed: ${JSON.stringify(failure ?? error?.message, null, 2)}\n${stderr}`));
      else resolve(parsed as T);
    });
  });
}

/**
 * Runs one scenario of fixtures/sdk-scenarios.ts (@aws-sdk/client-s3 at default settings) in a
 * plain node process and returns the facts it printed.
 */
export function runSdkScenario<T extends RoundTrip>(endpoint: string, scenario: string, bucket: string, arg?: string, timeoutMs = 60_000): Promise<T> {
  const args = ['--import', requireFile(TSX_LOADER, 'tsx'), join(FIXTURES_DIR, 'sdk-scenarios.ts'), scenario, endpoint,
    E2E_CREDENTIALS.accessKeyId, E2E_CREDENTIALS.secretAccessKey, bucket, ...(arg === undefined ? [] : [arg])];
  return runJsonScript<T>(process.execPath, args, timeoutMs);
}

/** Runs fixtures/boto3_multipart.py with Debian's python3 (the one that has python3-boto3). */
export function runBoto3Multipart<T extends RoundTrip>(endpoint: string, bucket: string): Promise<T> {
  return runBoto3Script<T>('boto3_multipart.py', endpoint, bucket);
}

/** Runs a fixtures/*.py boto3 script (`<endpoint> <access key> <secret> <bucket>`) with Debian's python3. */
export function runBoto3Script<T>(script: string, endpoint: string, bucket: string): Promise<T> {
  const python = requireFile(DEBIAN_PYTHON, "Debian's python3 (apt-get install python3-boto3)");
  return runJsonScript<T>(python, [join(FIXTURES_DIR, script), endpoint, E2E_CREDENTIALS.accessKeyId, E2E_CREDENTIALS.secretAccessKey, bucket], 60_000)
    .catch((error: unknown) => {
      if (!String(error).includes("No module named 'boto3'")) throw error;
      throw new Error(`boto3 is not installed for ${python}: apt-get install python3-boto3 (.ci/run does)`, { cause: error });
    });
}

/** Runs fixtures/boto3_cors.py (get / put / delete bucket CORS) with Debian's python3. */
export function runBoto3Cors<T>(endpoint: string, bucket: string): Promise<T> {
  const python = requireFile(DEBIAN_PYTHON, "Debian's python3 (apt-get install python3-boto3)");
  return runJsonScript<T>(python, [join(FIXTURES_DIR, 'boto3_cors.py'), endpoint, E2E_CREDENTIALS.accessKeyId, E2E_CREDENTIALS.secretAccessKey, bucket], 60_000);
}

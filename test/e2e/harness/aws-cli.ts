import { execFile } from 'node:child_process';
import { DEBIAN_AWS, requireFile } from './paths.js';
import { E2E_CREDENTIALS, cleanEnv } from './mpu-server.js';

export interface AwsResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a real user session: static keys, us-east-1, and no config file,
 * credentials file, instance metadata lookup or pager to pick up from this machine.
 */
export function awsEnv(credentials: { accessKeyId: string; secretAccessKey: string } = E2E_CREDENTIALS): NodeJS.ProcessEnv {
  return cleanEnv({
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  });
}

/** Runs Debian's `/usr/bin/aws` against `endpoint`; never throws on a non-zero exit. */
export function aws(endpoint: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<AwsResult> {
  const bin = requireFile(DEBIAN_AWS, "Debian's aws CLI (apt-get install awscli)");
  return new Promise((resolve, reject) => {
    execFile(bin, [...args, '--endpoint-url', endpoint], {
      env: awsEnv(), cwd: options.cwd, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8',
    }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(new Error(`aws ${args.join(' ')} failed to run: ${error.message}\n${stderr}`));
      else resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

/** Runs aws and parses its JSON output; a failure carries the CLI's stderr. */
export async function awsJson<T = Record<string, unknown>>(endpoint: string, args: readonly string[], cwd?: string): Promise<T> {
  const result = await aws(endpoint, [...args, '--output', 'json'], cwd === undefined ? {} : { cwd });
  if (result.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  return (result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)) as T;
}

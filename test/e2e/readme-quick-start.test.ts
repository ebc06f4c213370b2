import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MpuServerProcess, cleanEnv, startMpuServer } from './harness/mpu-server.js';
import { DEBIAN_AWS, REPO_ROOT, requireFile } from './harness/paths.js';

const README_ENDPOINT_LINE = 'ENDPOINT=http://127.0.0.1:9000';

/** The shell session of the root README's "Quick start" (its second `sh` block), verbatim. */
async function quickStartSession(): Promise<string> {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## Quick start$/m)[1]?.split(/^## /m)[0] ?? '';
  const blocks = [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
  expect(blocks[0]?.trim()).toBe('pnpm start');
  return blocks[1] ?? '';
}

let server: MpuServerProcess;
let dir: string;

beforeAll(async () => {
  // As `pnpm start` runs it: fs backend, no credentials configured.
  server = await startMpuServer({ args: ['--backend', 'fs', '--data-dir', 'data'], devCredentials: true });
  dir = await mkdtemp(join(tmpdir(), 'mpu-e2e-readme-'));
  await symlink(requireFile(DEBIAN_AWS, "Debian's aws CLI (apt-get install awscli)"), join(dir, 'aws'));
}, 90_000);

afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('README quick start', () => {
  it('prints the development credentials the session uses', () => {
    expect(server.logs.find((l) => l['level'] === 40)).toMatchObject({ accessKeyId: 'mpu-dev-access-key', secretAccessKey: 'mpu-dev-secret-key' });
  });

  it('the aws CLI session runs verbatim (only the port differs) and round-trips its bytes', async () => {
    const session = await quickStartSession();
    expect(session).toContain(`${README_ENDPOINT_LINE}\n`);
    const script = session.replace(README_ENDPOINT_LINE, `ENDPOINT=${server.url}`);
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('bash', ['-e', '-o', 'pipefail', '-c', script], {
        cwd: dir, timeout: 80_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8',
        // `aws` is Debian's (first on PATH); nothing from this machine's aws configuration.
        env: cleanEnv({ PATH: `${dir}:${process.env['PATH'] ?? ''}`, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' }),
      }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
    });
    expect(result.stderr.split('\n').filter((l) => /error|denied|not found/i.test(l))).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('round trip OK');
    expect(result.stdout).toContain('cp OK');
    expect(result.stdout).toMatch(/"ETag": "\\"[0-9a-f]{32}-2\\""/);
  }, 90_000);
});

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ACCESS_KEY, SECRET_KEY } from './signed-client.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/sdk-scenarios.mjs', import.meta.url));
/** Versioning scenarios (a file of their own, so parallel work on the main script merges cleanly). */
export const VERSIONING_SCRIPT = fileURLToPath(new URL('./fixtures/sdk-versioning.mjs', import.meta.url));

/** Runs one scenario of fixtures/sdk-scenarios.mjs (the real AWS SDK) in a child process. */
export function runSdkScenario(endpoint: string, scenario: string, script: string = SCRIPT): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, endpoint, scenario, ACCESS_KEY, SECRET_KEY], {
      // No inherited --conditions: the SDK must load the way it does for users.
      env: { ...process.env, NODE_OPTIONS: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
      timeout: 50_000,
      maxBuffer: 16 * 1024 * 1024,
    }, (error, stdout, stderr) => {
      if (error !== null && stdout === '') return reject(new Error(`${error.message}\n${stderr}`));
      const parsed = JSON.parse(stdout) as { ok: boolean; result?: Record<string, unknown>; name?: string; message?: string; stack?: string };
      if (!parsed.ok) return reject(new Error(`SDK scenario ${scenario} failed: ${parsed.name}: ${parsed.message}\n${parsed.stack}`));
      resolve(parsed.result ?? {});
    });
  });
}

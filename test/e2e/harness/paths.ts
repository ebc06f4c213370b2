import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root (test/e2e/harness → ../../..). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const FIXTURES_DIR = join(REPO_ROOT, 'test', 'e2e', 'fixtures');

/** The CLI entry point, run from source (no build step in `pnpm test`). */
export const CLI_BIN = join(REPO_ROOT, 'packages', 'cli', 'src', 'bin.ts');

/** tsx's ESM loader, so plain `node` can run TypeScript sources. */
export const TSX_LOADER = join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');

/**
 * The real clients come from Debian packages (`.ci/run` installs them). `aws` on PATH may be a
 * pyenv shim and `python3` a pyenv interpreter without boto3, so the absolute paths are used.
 */
export const DEBIAN_AWS = '/usr/bin/aws';
export const DEBIAN_PYTHON = '/usr/bin/python3';

export function requireFile(path: string, what: string): string {
  if (!existsSync(path)) throw new Error(`${what} not found at ${path}; run .ci/run (it installs the e2e prerequisites)`);
  return path;
}

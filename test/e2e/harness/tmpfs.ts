import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Mounting needs root (CI runs as root); elsewhere the tests that need a full volume say so. */
export const canMountTmpfs = process.getuid?.() === 0;

export interface Tmpfs {
  readonly path: string;
  unmount(): Promise<void>;
}

/** A small tmpfs, so that a volume really fills up (ENOSPC) within a test. */
export async function mountTmpfs(sizeBytes: number): Promise<Tmpfs> {
  const path = await mkdtemp(join(tmpdir(), 'mpu-tmpfs-'));
  await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', path]);
  return {
    path,
    async unmount() {
      await run('umount', ['--lazy', path]);
      await rm(path, { recursive: true, force: true });
    },
  };
}

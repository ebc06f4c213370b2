import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Temp directories for one test file, all removed by `removeAll`. */
export class TempDirs {
  readonly #dirs: string[] = [];

  async make(label = 'fs'): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `mpu-${label}-`));
    this.#dirs.push(dir);
    return dir;
  }

  async removeAll(): Promise<void> {
    await Promise.all(this.#dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

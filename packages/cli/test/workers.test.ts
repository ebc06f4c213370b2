import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, overridesFromEnv } from '../src/config.js';
import { planWorkers } from '../src/workers.js';
import { runCli } from './cli-process.js';

describe('how many workers mpu serve runs', () => {
  it('defaults to one per core on shareable backends', () => {
    expect(planWorkers('fs', undefined, 6)).toEqual({ workers: 6 });
    expect(planWorkers('azure', undefined, 3)).toEqual({ workers: 3 });
    expect(planWorkers('fs', 4, 6)).toEqual({ workers: 4 });
    expect(planWorkers('fs', 1, 6)).toEqual({ workers: 1 });
  });

  it('level and memory: the default quietly becomes 1 (with a note); an explicit N > 1 is a one-line error', () => {
    expect(planWorkers('level', undefined, 8)).toEqual({ workers: 1, note: 'one worker: the level backend cannot be shared by several processes' });
    expect(planWorkers('memory', undefined, 8).workers).toBe(1);
    expect(planWorkers('level', 1, 8)).toEqual({ workers: 1 });
    expect(() => planWorkers('level', 2, 8)).toThrow(ConfigError);
    expect(() => planWorkers('memory', 3, 8)).toThrow('the memory backend cannot be shared by several processes; use --workers 1 (asked for 3)');
  });

  it('comes from the config file, MPU_WORKERS over it, and refuses nonsense', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'mpu-cli-workers-'));
    await writeFile(path.join(cwd, 'mpu.config.json'), JSON.stringify({ workers: 3 }));
    expect((await loadConfig({ cwd })).workers).toBe(3);
    expect((await loadConfig({ cwd, overrides: overridesFromEnv({ MPU_WORKERS: '5' }) })).workers).toBe(5);
    expect(() => overridesFromEnv({ MPU_WORKERS: '0' })).toThrow(/MPU_WORKERS/);
    expect(() => overridesFromEnv({ MPU_WORKERS: 'two' })).toThrow(/MPU_WORKERS/);
    await writeFile(path.join(cwd, 'mpu.config.json'), JSON.stringify({ workers: 0 }));
    await expect(loadConfig({ cwd })).rejects.toThrow(/workers/);
  });

  it('mpu serve --workers 2 on level exits with the one-line error', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'mpu-cli-workers-'));
    const result = await runCli(['serve', '--backend', 'level', '--data-dir', 'lvl', '--port', '0', '--workers', '2'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('mpu: the level backend cannot be shared by several processes; use --workers 1 (asked for 2)');
  });
});

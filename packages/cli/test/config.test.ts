import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, engineLimits, loadConfig, overridesFromEnv, parseConfig } from '../src/config.js';
import { parseDuration } from '../src/duration.js';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'mpu-cli-config-'));
}

describe('config', () => {
  it('defaults to the fs backend under ./data on 127.0.0.1:9000', async () => {
    const cwd = await tempDir();
    const config = await loadConfig({ cwd });
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(9000);
    expect(config.backend).toEqual({ type: 'fs', root: path.join(cwd, 'data') });
    expect(config.credentials).toBeUndefined();
  });

  it('reads mpu.config.json and lets environment overrides win', async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, 'mpu.config.json'), JSON.stringify({ port: 9100, backend: { type: 'level', location: 'lvl' } }));
    const overrides = overridesFromEnv({ MPU_PORT: '9200', MPU_DATA_DIR: 'other', MPU_ACCESS_KEY: 'ak', MPU_SECRET_KEY: 'sk' });
    const config = await loadConfig({ cwd, overrides });
    expect(config.port).toBe(9200);
    expect(config.backend).toEqual({ type: 'level', location: path.join(cwd, 'other') });
    expect(config.credentials).toEqual([{ accessKeyId: 'ak', secretAccessKey: 'sk' }]);
  });

  it('names the offending field and the file in validation errors', async () => {
    const cwd = await tempDir();
    const file = path.join(cwd, 'bad.json');
    await writeFile(file, JSON.stringify({ port: 'x', backend: { type: 'azure', container: 'c' }, extra: 1 }));
    const error = await loadConfig({ cwd, configPath: 'bad.json' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(file);
    expect(message).toContain('port');
    expect(message).toContain('azure needs connectionString');
    expect(message).toContain('extra');
  });

  it('rejects a missing explicit config file, bad JSON, unknown backends and half credentials', async () => {
    const cwd = await tempDir();
    await expect(loadConfig({ cwd, configPath: 'nope.json' })).rejects.toThrow(/config file not found/);
    await writeFile(path.join(cwd, 'mpu.config.json'), '{ nope');
    await expect(loadConfig({ cwd })).rejects.toThrow(/not valid JSON/);
    await expect(loadConfig({ cwd: await tempDir(), overrides: { backend: 'ftp' } })).rejects.toThrow(/unknown backend "ftp"/);
    await expect(loadConfig({ cwd: await tempDir(), overrides: { accessKey: 'a' } })).rejects.toThrow(/together/);
    expect(() => overridesFromEnv({ MPU_PORT: '70000' })).toThrow(/MPU_PORT/);
  });

  it('credentials may name the owner they act as (canonicalId or id, displayName); nothing else', () => {
    const config = parseConfig({ credentials: [
      { accessKeyId: 'a', secretAccessKey: 's', canonicalId: 'alice-id', displayName: 'Alice' },
      { accessKeyId: 'b', secretAccessKey: 's', id: 'bob-id' },
    ] });
    expect(config.credentials).toEqual([
      { accessKeyId: 'a', secretAccessKey: 's', canonicalId: 'alice-id', displayName: 'Alice' },
      { accessKeyId: 'b', secretAccessKey: 's', id: 'bob-id' },
    ]);
    expect(() => parseConfig({ credentials: [{ accessKeyId: 'a', secretAccessKey: 's', canonicalId: '' }] })).toThrow(/canonicalId/);
    expect(() => parseConfig({ credentials: [{ accessKeyId: 'a', secretAccessKey: 's', owner: 'x' }] })).toThrow(/owner/);
  });

  it('switching MPU_BACKEND to a cloud backend without its settings is a clear error', () => {
    expect(() => parseConfig({ backend: { type: 'gcs' } })).toThrow(/backend\.bucket/);
  });
});

describe('limits', () => {
  it('takes a profile name, or custom values over the aws profile', () => {
    expect(engineLimits(parseConfig({}).limits)).toBe('aws');
    expect(engineLimits(parseConfig({ limits: 'scaleway' }).limits)).toBe('scaleway');
    const custom = engineLimits(parseConfig({ limits: { maxPartNumber: 1000, minPartSize: 1 } }).limits);
    expect(custom).toMatchObject({ maxPartNumber: 1000, minPartSize: 1, maxPartSize: 5 * 1024 ** 3 });
  });

  it('rejects unknown limit names and nonsense values', () => {
    expect(() => parseConfig({ limits: { maxParts: 5 } })).toThrow(/maxParts/);
    expect(() => parseConfig({ limits: { minPartSize: -1 } })).toThrow(/limits\.minPartSize/);
    expect(() => engineLimits(parseConfig({ limits: { minPartSize: 10, maxPartSize: 5 } }).limits)).toThrow();
  });
});

describe('parseDuration', () => {
  it('parses units and rejects nonsense', () => {
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(() => parseDuration('7 days')).toThrow(/invalid duration/);
    expect(() => parseDuration('-1d')).toThrow(/invalid duration/);
  });
});

describe('protection limits', () => {
  it('are optional, checked, and passed through', () => {
    expect(parseConfig({}).protection).toBeUndefined();
    expect(parseConfig({ protection: { maxConcurrentRequests: 64, maxOpenUploadsPerBucket: 1000 } }).protection)
      .toEqual({ maxConcurrentRequests: 64, maxOpenUploadsPerBucket: 1000 });
    expect(() => parseConfig({ protection: { maxConcurrentRequests: 0 } })).toThrow(/protection\.maxConcurrentRequests/);
    expect(() => parseConfig({ protection: { maxRequests: 5 } })).toThrow(/maxRequests/);
  });
});

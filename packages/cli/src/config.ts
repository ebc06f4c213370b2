import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type LimitProfileName, type Limits, defineLimits } from '@mpu/core';
import { z } from 'zod';

/** Development credentials used when none are configured; `mpu serve` warns loudly. */
export const DEV_CREDENTIALS = { accessKeyId: 'mpu-dev-access-key', secretAccessKey: 'mpu-dev-secret-key' } as const;

const fsBackend = z.strictObject({
  type: z.literal('fs'),
  /** Data directory; relative paths resolve against the working directory. */
  root: z.string().min(1).default('./data'),
  fsync: z.boolean().optional(),
  /** Free bytes to keep on the volume; below it new parts and objects get 507 InsufficientStorage. */
  reserveBytes: z.number().int().nonnegative().optional(),
});
const levelBackend = z.strictObject({
  type: z.literal('level'),
  location: z.string().min(1).default('./data'),
});
const memoryBackend = z.strictObject({ type: z.literal('memory') });
const azureBackend = z.strictObject({
  type: z.literal('azure'),
  container: z.string().min(3),
  connectionString: z.string().min(1).optional(),
  accountName: z.string().min(1).optional(),
  accountKey: z.string().min(1).optional(),
  endpoint: z.string().url().optional(),
  prefix: z.string().optional(),
  createContainer: z.boolean().optional(),
}).refine((b) => b.connectionString !== undefined || (b.accountName !== undefined && b.accountKey !== undefined), {
  message: 'azure needs connectionString, or accountName and accountKey',
});
const gcsBackend = z.strictObject({
  type: z.literal('gcs'),
  bucket: z.string().min(3),
  prefix: z.string().optional(),
  projectId: z.string().optional(),
  keyFilename: z.string().optional(),
  apiEndpoint: z.string().url().optional(),
});

export const backendSchema = z.discriminatedUnion('type', [fsBackend, levelBackend, memoryBackend, azureBackend, gcsBackend]);
export type BackendConfig = z.infer<typeof backendSchema>;
export type BackendType = BackendConfig['type'];
export const BACKEND_TYPES = ['fs', 'level', 'memory', 'azure', 'gcs'] as const satisfies readonly BackendType[];

const limitValue = z.number().int().nonnegative().optional();
const customLimits = z.strictObject({
  maxPartNumber: limitValue, maxPartSize: limitValue, minPartSize: limitValue, maxObjectSize: limitValue,
  maxPutObjectSize: limitValue, maxKeyBytes: limitValue, maxMetadataBytes: limitValue, maxListPage: limitValue,
});

/** `canonicalId` (or `id`) and `displayName` name the owner the key acts as; default: the key id. */
const credential = z.strictObject({
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  canonicalId: z.string().min(1).optional(),
  id: z.string().min(1).optional(),
  displayName: z.string().min(1).optional(),
});

export const configSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(9000),
  backend: backendSchema.default({ type: 'fs', root: './data' }),
  credentials: z.array(credential).min(1).optional(),
  /** Accept only these regions in the SigV4 scope; any region when absent. */
  region: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  allowAnonymous: z.boolean().default(false),
  /** Domain for virtual-host addressing (`bucket.<baseDomain>`). */
  baseDomain: z.string().optional(),
  /** A profile name, or custom values over the `aws` profile (checked by `defineLimits`). */
  limits: z.union([z.enum(['aws', 'scaleway']), customLimits]).default('aws'),
  /** Admission limits answered with 503 SlowDown (@mpu/s3 withProtectionLimits); none when absent. */
  protection: z.strictObject({
    maxConcurrentRequests: z.number().int().positive().optional(),
    maxInFlightBytes: z.number().int().positive().optional(),
    maxOpenUploadsPerBucket: z.number().int().positive().optional(),
  }).optional(),
  /**
   * Processes serving requests (`node:cluster`, sharing the port); default one per core, and 1
   * for backends that one process owns (level, memory). 1 runs without a cluster.
   */
  workers: z.number().int().min(1).max(1024).optional(),
  /** How often the lifecycle sweeper aborts expired incomplete uploads; 0 disables it. */
  lifecycleSweepSeconds: z.number().int().min(0).default(3600),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Serve HTTPS: PEM files, relative to the working directory. */
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
});
export type MpuConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Turns a zod failure into lines a person can act on: `backend.container: Too small …`. */
function describeIssues(source: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => `  - ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
  return `invalid configuration in ${source}:\n${lines.join('\n')}`;
}

export function parseConfig(value: unknown, source = 'configuration'): MpuConfig {
  const result = configSchema.safeParse(value);
  if (!result.success) throw new ConfigError(describeIssues(source, result.error));
  return result.data;
}

export interface ConfigOverrides {
  readonly host?: string;
  readonly port?: number;
  readonly backend?: string;
  readonly dataDir?: string;
  readonly accessKey?: string;
  readonly secretKey?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly workers?: number;
}

/** Reads MPU_* variables; flags given on the command line win over them. */
export function overridesFromEnv(env: NodeJS.ProcessEnv): ConfigOverrides {
  const port = env['MPU_PORT'];
  return {
    host: env['MPU_HOST'] || undefined,
    port: port ? parsePort(port, 'MPU_PORT') : undefined,
    backend: env['MPU_BACKEND'] || undefined,
    dataDir: env['MPU_DATA_DIR'] || undefined,
    accessKey: env['MPU_ACCESS_KEY'] || undefined,
    secretKey: env['MPU_SECRET_KEY'] || undefined,
    tlsCert: env['MPU_TLS_CERT'] || undefined,
    tlsKey: env['MPU_TLS_KEY'] || undefined,
    workers: env['MPU_WORKERS'] ? parseWorkers(env['MPU_WORKERS'], 'MPU_WORKERS') : undefined,
  };
}

export function parsePort(value: string, what: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new ConfigError(`${what} must be a port number (0-65535), got ${JSON.stringify(value)}`);
  return port;
}

export function parseWorkers(value: string, what: string): number {
  const workers = Number(value);
  if (!/^\d+$/.test(value) || workers < 1 || workers > 1024) throw new ConfigError(`${what} must be a number of processes (1-1024), got ${JSON.stringify(value)}`);
  return workers;
}

/**
 * Loads `mpu.config.json` (or `configPath`), then applies overrides. A missing default config
 * file is fine (defaults apply); a missing explicitly named one is an error.
 */
export async function loadConfig(options: { configPath?: string; cwd?: string; overrides?: ConfigOverrides } = {}): Promise<MpuConfig> {
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.configPath !== undefined;
  const file = path.resolve(cwd, options.configPath ?? 'mpu.config.json');
  let raw: unknown = {};
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) raw = {};
    else if (code === 'ENOENT') throw new ConfigError(`config file not found: ${file}`);
    else if (error instanceof SyntaxError) throw new ConfigError(`config file ${file} is not valid JSON: ${error.message}`);
    else throw error;
  }
  return applyOverrides(parseConfig(raw, file), options.overrides ?? {}, cwd);
}

export function applyOverrides(config: MpuConfig, overrides: ConfigOverrides, cwd: string): MpuConfig {
  let backend: BackendConfig = config.backend;
  if (overrides.backend !== undefined && overrides.backend !== backend.type) {
    if (!(BACKEND_TYPES as readonly string[]).includes(overrides.backend)) {
      throw new ConfigError(`unknown backend ${JSON.stringify(overrides.backend)}; expected one of ${BACKEND_TYPES.join(', ')}`);
    }
    // Switching to a cloud backend needs its settings, which only the config file can carry.
    backend = parseConfig({ backend: { type: overrides.backend } }, `backend ${overrides.backend}`).backend;
  }
  if (overrides.dataDir !== undefined) {
    if (backend.type === 'fs') backend = { ...backend, root: overrides.dataDir };
    else if (backend.type === 'level') backend = { ...backend, location: overrides.dataDir };
  }
  if (backend.type === 'fs') backend = { ...backend, root: path.resolve(cwd, backend.root) };
  if (backend.type === 'level') backend = { ...backend, location: path.resolve(cwd, backend.location) };

  let credentials = config.credentials;
  if (overrides.accessKey !== undefined || overrides.secretKey !== undefined) {
    if (overrides.accessKey === undefined || overrides.secretKey === undefined) {
      throw new ConfigError('MPU_ACCESS_KEY and MPU_SECRET_KEY must be set together');
    }
    credentials = [{ accessKeyId: overrides.accessKey, secretAccessKey: overrides.secretKey }];
  }
  let tls = config.tls;
  if (overrides.tlsCert !== undefined || overrides.tlsKey !== undefined) {
    if (overrides.tlsCert === undefined || overrides.tlsKey === undefined) throw new ConfigError('MPU_TLS_CERT and MPU_TLS_KEY must be set together');
    tls = { cert: overrides.tlsCert, key: overrides.tlsKey };
  }
  return {
    ...config,
    host: overrides.host ?? config.host,
    port: overrides.port ?? config.port,
    ...(overrides.workers === undefined ? {} : { workers: overrides.workers }),
    backend,
    credentials,
    ...(tls === undefined ? {} : { tls: { cert: path.resolve(cwd, tls.cert), key: path.resolve(cwd, tls.key) } }),
  };
}

/** The engine's limits for a configuration: a profile name, or custom values over `aws`. */
export function engineLimits(limits: MpuConfig['limits']): Limits | LimitProfileName {
  if (typeof limits === 'string') return limits;
  const values = Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
  return defineLimits(values);
}

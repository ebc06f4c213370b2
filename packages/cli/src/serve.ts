import { readFile } from 'node:fs/promises';
import { MultipartEngine } from '@mpu/core';
import { startS3Server } from '@mpu/s3';
import pino, { type Logger } from 'pino';
import { ConfigError, DEV_CREDENTIALS, type MpuConfig, engineLimits } from './config.js';
import { createStore } from './create-store.js';

export interface RunningServer {
  readonly url: string;
  readonly engine: MultipartEngine;
  /** Stop accepting, let in-flight requests finish, close the engine and its store. */
  close(): Promise<void>;
}

/** Set when this process is one worker of `mpu serve --workers N` (N > 1). */
export interface WorkerRole {
  /** Slot 0..N-1; slot 0 runs the lifecycle sweeper, so sweeps do not run N times over. */
  readonly index: number;
}

/** Response header naming the worker process that answered (only when there are several). */
export const WORKER_HEADER = 'x-mpu-worker';

/** How long a graceful shutdown waits for in-flight requests before cutting them off. */
const SHUTDOWN_GRACE_MS = 30_000;

/** config → store → engine → S3 handler → HTTP server, plus the lifecycle sweeper. */
export async function startServer(config: MpuConfig, logger: Logger = pino({ level: config.logLevel }), worker?: WorkerRole): Promise<RunningServer> {
  const credentials = config.credentials ?? [DEV_CREDENTIALS];
  if (config.credentials === undefined) {
    logger.warn(
      { accessKeyId: DEV_CREDENTIALS.accessKeyId, secretAccessKey: DEV_CREDENTIALS.secretAccessKey },
      'no credentials configured: using the development credentials (set MPU_ACCESS_KEY and MPU_SECRET_KEY)',
    );
  }
  const limits = engineLimits(config.limits); // before the store takes its directory lock
  const store = await createStore(config.backend);
  const engine = new MultipartEngine({ store, limits, logger: logger.child({ component: 'engine' }) });
  // startS3Server: Node's whole-request timeout off (a 5 GiB part may take longer than its
  // 300 s default; stalled bodies hit the handler's idle timeout) and 100-continue answered
  // only after authentication, so a refused request never uploads its body.
  const s3 = await startS3Server({
    engine,
    credentials,
    host: config.host,
    port: config.port,
    ...(config.region === undefined ? {} : { region: config.region }),
    allowAnonymous: config.allowAnonymous,
    ...(config.baseDomain === undefined ? {} : { baseDomain: config.baseDomain }),
    ...(config.protection === undefined ? {} : { protection: config.protection }),
    ...(config.tls === undefined ? {} : { tls: await readTls(config.tls) }),
    logger,
  }).catch(async (error: unknown) => {
    await engine.close();
    throw error;
  });
  const { server } = s3;
  const url = `${config.tls ? 'https' : 'http'}://${config.host}:${s3.port}`;
  if (worker) {
    // Prepended, so the header is set before the S3 handler writes anything.
    const tag = (_request: unknown, response: { setHeader(name: string, value: string): unknown }): void => void response.setHeader(WORKER_HEADER, String(process.pid));
    server.prependListener('request', tag);
    server.prependListener('checkContinue', tag);
  }

  // Lifecycle aborts, stuck-Complete recovery and tombstone cleanup: the engine's maintenance,
  // in worker 0 only, so that N workers do not sweep N times over.
  const sweeps = config.lifecycleSweepSeconds > 0 && (worker?.index ?? 0) === 0;
  const maintenance = sweeps ? engine.startMaintenance({ intervalMs: config.lifecycleSweepSeconds * 1000 }) : undefined;

  // With workers, the primary says "ready" once all of them listen (worker-pool.ts).
  if (worker) logger.info({ url, worker: worker.index, pid: process.pid }, 'mpu worker ready');
  else logger.info({ url, backend: config.backend.type, accessKeyId: credentials[0]?.accessKeyId }, 'mpu S3 endpoint ready');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await maintenance?.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await closed;
      clearTimeout(force);
      await engine.close();
    })();
    return closing;
  };
  return { url, engine, close };
}

async function readTls(tls: NonNullable<MpuConfig['tls']>): Promise<{ cert: Buffer; key: Buffer }> {
  const read = (file: string, what: string) => readFile(file).catch((error: unknown) => {
    throw new ConfigError(`cannot read the TLS ${what} ${file}: ${(error as Error).message}`);
  });
  return { cert: await read(tls.cert, 'certificate'), key: await read(tls.key, 'key') };
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MultipartEngine } from '@mpu/core';
import { createS3Handler } from '@mpu/s3';
import pino, { type Logger } from 'pino';
import { DEV_CREDENTIALS, type MpuConfig, engineLimits } from './config.js';
import { createStore } from './create-store.js';

export interface RunningServer {
  readonly url: string;
  readonly engine: MultipartEngine;
  /** Stop accepting, let in-flight requests finish, close the engine and its store. */
  close(): Promise<void>;
}

/** How long a graceful shutdown waits for in-flight requests before cutting them off. */
const SHUTDOWN_GRACE_MS = 30_000;

/** config → store → engine → S3 handler → HTTP server, plus the lifecycle sweeper. */
export async function startServer(config: MpuConfig, logger: Logger = pino({ level: config.logLevel })): Promise<RunningServer> {
  const credentials = config.credentials ?? [DEV_CREDENTIALS];
  if (config.credentials === undefined) {
    logger.warn(
      { accessKeyId: DEV_CREDENTIALS.accessKeyId, secretAccessKey: DEV_CREDENTIALS.secretAccessKey },
      'no credentials configured: using the development credentials (set MPU_ACCESS_KEY and MPU_SECRET_KEY)',
    );
  }
  const limits = engineLimits(config.limits); // before the store takes its directory lock
  const store = await createStore(config.backend);
  const engine = new MultipartEngine({ store, limits });
  const handler = createS3Handler({
    engine,
    credentials,
    ...(config.region === undefined ? {} : { region: config.region }),
    allowAnonymous: config.allowAnonymous,
    ...(config.baseDomain === undefined ? {} : { baseDomain: config.baseDomain }),
    logger,
  });
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;

  const sweeper = config.lifecycleSweepSeconds > 0 ? setInterval(() => {
    engine.applyLifecycle().then(
      (aborted) => { if (aborted > 0) logger.info({ aborted }, 'lifecycle sweeper aborted incomplete uploads'); },
      (error: unknown) => logger.error({ err: error }, 'lifecycle sweep failed'),
    );
  }, config.lifecycleSweepSeconds * 1000) : undefined;
  sweeper?.unref();

  logger.info({ url, backend: config.backend.type, accessKeyId: credentials[0]?.accessKeyId }, 'mpu S3 endpoint ready');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (sweeper) clearInterval(sweeper);
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

#!/usr/bin/env node
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { MultipartEngine } from '@mpu/core';
import type { Logger } from 'pino';
import { createLogger } from './logger.js';
import { type ConfigOverrides, DEV_CREDENTIALS, type MpuConfig, engineLimits, loadConfig, overridesFromEnv, parsePort, parseWorkers } from './config.js';
import { createStore } from './create-store.js';
import { parseDuration } from './duration.js';
import { remoteAdmin, serverAnswers } from './remote-uploads.js';
import { startServer } from './serve.js';
import { type UploadsAdmin, abortUploadById, allUploads, engineAdmin, formatUpload } from './uploads-command.js';
import { WORKER_INDEX_ENV, type WorkerReady, startWorkerPool } from './worker-pool.js';
import { planWorkers } from './workers.js';

const USAGE = `usage:
  mpu serve [--config mpu.config.json] [--host 127.0.0.1] [--port 9000] [--backend fs|level|memory|azure|gcs] [--data-dir ./data] [--workers N]
  mpu uploads list [--bucket B] [--endpoint URL]
  mpu uploads abort <uploadId> [--bucket B] [--endpoint URL]
  mpu uploads abort --older-than 7d [--bucket B] [--endpoint URL]
  (uploads: through the server at --endpoint, or the configured host:port when one answers; else on the store)

environment: MPU_CONFIG MPU_HOST MPU_PORT MPU_BACKEND MPU_DATA_DIR MPU_ACCESS_KEY MPU_SECRET_KEY MPU_WORKERS
(flags win over the environment, which wins over the config file)`;

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      config: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, backend: { type: 'string' },
      'data-dir': { type: 'string' }, workers: { type: 'string' }, bucket: { type: 'string' }, endpoint: { type: 'string' }, 'older-than': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub, arg] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const env = overridesFromEnv(process.env);
  const overrides: ConfigOverrides = {
    ...env,
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(values.port === undefined ? {} : { port: parsePort(values.port, '--port') }),
    ...(values.backend === undefined ? {} : { backend: values.backend }),
    ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
    ...(values.workers === undefined ? {} : { workers: parseWorkers(values.workers, '--workers') }),
  };
  const configPath = values.config ?? process.env['MPU_CONFIG'];
  const config = await loadConfig({ ...(configPath === undefined ? {} : { configPath }), overrides });

  if (command === 'serve') {
    const logger = createLogger(config.logLevel);
    const plan = planWorkers(config.backend.type, config.workers);
    if (cluster.isWorker) {
      const index = Number(process.env[WORKER_INDEX_ENV] ?? 0);
      const server = await startServer(config, logger, { index });
      process.send?.({ type: 'mpu-worker-ready', url: server.url } satisfies WorkerReady);
      onShutdownSignal(logger, () => server.close());
      return -1;
    }
    if (plan.note !== undefined) logger.info({ workers: plan.workers }, plan.note);
    if (plan.workers > 1) {
      const pool = await startWorkerPool(plan.workers, logger);
      logger.info({ url: pool.url, backend: config.backend.type, workers: plan.workers }, 'mpu S3 endpoint ready');
      onShutdownSignal(logger, () => pool.close());
      return -1;
    }
    const server = await startServer(config, logger);
    onShutdownSignal(logger, () => server.close());
    return -1; // keep running
  }

  if (command === 'uploads') {
    const admin = await uploadsAdmin(config, values.endpoint);
    try {
      if (sub === 'list') {
        const now = new Date();
        for await (const upload of allUploads(admin, values.bucket)) console.log(formatUpload(upload, now));
        return 0;
      }
      if (sub === 'abort' && values['older-than'] !== undefined) {
        const cutoff = new Date(Date.now() - parseDuration(values['older-than']));
        let aborted = 0;
        for await (const upload of allUploads(admin, values.bucket)) {
          if (upload.initiated < cutoff) {
            await admin.abort(upload);
            console.log(`aborted ${formatUpload(upload, new Date())}`);
            aborted++;
          }
        }
        console.log(`${aborted} upload(s) aborted`);
        return 0;
      }
      if (sub === 'abort' && arg !== undefined) {
        const upload = await abortUploadById(admin, arg, values.bucket);
        if (!upload) {
          console.error(`no in-progress upload with id ${arg}`);
          return 1;
        }
        console.log(`aborted ${formatUpload(upload, new Date())}`);
        return 0;
      }
    } finally {
      await admin.close();
    }
  }
  console.error(USAGE);
  return 2;
}

/** SIGTERM / SIGINT: stop accepting, let in-flight requests finish, then exit. */
function onShutdownSignal(logger: Logger, close: () => Promise<void>): void {
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    close().then(() => process.exit(0), (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main(process.argv.slice(2)).then(
  (code) => { if (code >= 0) process.exitCode = code; },
  (error: unknown) => {
    // Operators need the reason (a config error, a locked data directory), not a stack trace.
    if (error instanceof Error && !process.env['MPU_DEBUG']) console.error(`mpu: ${error.message}`);
    else console.error(error);
    process.exitCode = 1;
  },
);

/**
 * Straight on the store when it can be opened; through the running server that holds it
 * otherwise (or always, with `--endpoint`): signed S3 requests with the configured credentials
 * to `--endpoint` or the configured host and port.
 */
async function uploadsAdmin(config: MpuConfig, endpoint: string | undefined): Promise<UploadsAdmin> {
  const credentials = config.credentials?.[0] ?? DEV_CREDENTIALS;
  const region = typeof config.region === 'string' ? config.region : config.region?.[0];
  const url = endpoint ?? `${config.tls ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  const remote = (): UploadsAdmin => remoteAdmin({
    endpoint: url, accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, ...(region === undefined ? {} : { region }),
  });
  // The memory backend lives only inside the server process.
  if (endpoint !== undefined || config.backend.type === 'memory') return remote();
  try {
    return engineAdmin(new MultipartEngine({ store: await createStore(config.backend), limits: engineLimits(config.limits) }));
  } catch (error) {
    // Held by a running server (the directory or LevelDB lock): ask that server instead.
    const server = remote();
    if (config.port !== 0 && await serverAnswers(server)) return server;
    await server.close();
    throw error;
  }
}

#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { MultipartEngine } from '@mpu/core';
import { createLogger } from './logger.js';
import { type ConfigOverrides, engineLimits, loadConfig, overridesFromEnv, parsePort } from './config.js';
import { createStore } from './create-store.js';
import { parseDuration } from './duration.js';
import { startServer } from './serve.js';
import { abortUploadById, allUploads, formatUpload } from './uploads-command.js';

const USAGE = `usage:
  mpu serve [--config mpu.config.json] [--host 127.0.0.1] [--port 9000] [--backend fs|level|memory|azure|gcs] [--data-dir ./data]
  mpu uploads list [--bucket B]
  mpu uploads abort <uploadId> [--bucket B]
  mpu uploads abort --older-than 7d [--bucket B]

environment: MPU_CONFIG MPU_HOST MPU_PORT MPU_BACKEND MPU_DATA_DIR MPU_ACCESS_KEY MPU_SECRET_KEY
(flags win over the environment, which wins over the config file)`;

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      config: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, backend: { type: 'string' },
      'data-dir': { type: 'string' }, bucket: { type: 'string' }, 'older-than': { type: 'string' }, help: { type: 'boolean', short: 'h' },
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
  };
  const configPath = values.config ?? process.env['MPU_CONFIG'];
  const config = await loadConfig({ ...(configPath === undefined ? {} : { configPath }), overrides });

  if (command === 'serve') {
    const logger = createLogger(config.logLevel);
    const server = await startServer(config, logger);
    const shutdown = (signal: string): void => {
      logger.info({ signal }, 'shutting down: finishing in-flight requests');
      server.close().then(() => process.exit(0), (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    return -1; // keep running
  }

  if (command === 'uploads') {
    const engine = new MultipartEngine({ store: await createStore(config.backend), limits: engineLimits(config.limits) });
    try {
      if (sub === 'list') {
        const now = new Date();
        for await (const upload of allUploads(engine, values.bucket)) console.log(formatUpload(upload, now));
        return 0;
      }
      if (sub === 'abort' && values['older-than'] !== undefined) {
        const cutoff = new Date(Date.now() - parseDuration(values['older-than']));
        let aborted = 0;
        for await (const upload of allUploads(engine, values.bucket)) {
          if (upload.initiated < cutoff) {
            await engine.abortMultipartUpload(upload);
            console.log(`aborted ${formatUpload(upload, new Date())}`);
            aborted++;
          }
        }
        console.log(`${aborted} upload(s) aborted`);
        return 0;
      }
      if (sub === 'abort' && arg !== undefined) {
        const upload = await abortUploadById(engine, arg, values.bucket);
        if (!upload) {
          console.error(`no in-progress upload with id ${arg}`);
          return 1;
        }
        console.log(`aborted ${formatUpload(upload, new Date())}`);
        return 0;
      }
    } finally {
      await engine.close();
    }
  }
  console.error(USAGE);
  return 2;
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

import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import express from 'express';
import type { Engine } from '@mpu/core';
import { attachContinueHandling, createS3Handler } from '@mpu/s3';
import { tenantAuthorization, tenantSecret } from './tenants.js';

/** Express 5: the S3 API mounted at `basePath` ('' = root) after the app's own middleware. */
export function createExpressServer(engine: Engine, basePath: string, audit: (req: IncomingMessage) => void): Server {
  const app = express();
  app.use((req, _res, next) => {
    audit(req); // the app's own logging or auth sees every request
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.send('ok');
  });
  const s3 = createS3Handler({ engine, credentials: tenantSecret, authorize: tenantAuthorization, basePath });
  // Mount before any body parser (express.json(), express.raw()): the handler streams the body.
  if (basePath === '') app.use(s3);
  else app.use(basePath, s3);
  const server = createServer({ requestTimeout: 0 }, app);
  // `Expect: 100-continue` requests (the SDK's UploadPart) go through the app, middleware first.
  attachContinueHandling(server, app);
  return server;
}

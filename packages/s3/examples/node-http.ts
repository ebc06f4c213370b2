import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { Engine } from '@mpu/core';
import { attachContinueHandling, createS3Handler } from '@mpu/s3';
import { tenantAuthorization, tenantSecret } from './tenants.js';

/** node:http: the S3 API at `basePath` ('' = root) beside the server's own routes. */
export function createNodeHttpServer(engine: Engine, basePath: string, audit: (req: IncomingMessage) => void): Server {
  const s3 = createS3Handler({ engine, credentials: tenantSecret, authorize: tenantAuthorization, basePath });
  // No whole-request timeout: a 5 GiB part takes long; the handler has a body idle timeout.
  const server = createServer({ requestTimeout: 0 }, (req, res) => {
    audit(req); // the server's own logging sees every request
    if (req.url === '/healthz') {
      res.end('ok');
      return;
    }
    s3(req, res);
  });
  // `Expect: 100-continue` requests (the SDK's UploadPart) run through the listener above too;
  // the S3 handler answers 100 Continue only after authentication and authorization.
  attachContinueHandling(server);
  return server;
}

import type { IncomingMessage, Server } from 'node:http';
import Fastify from 'fastify';
import type { Engine } from '@mpu/core';
import { attachContinueHandling, createS3Handler } from '@mpu/s3';
import { tenantAuthorization, tenantSecret } from './tenants.js';

/** Fastify 5: the S3 API under the prefix `basePath` ('' = root), on the raw req/res. */
export async function createFastifyServer(engine: Engine, basePath: string, audit: (req: IncomingMessage) => void): Promise<Server> {
  const app = Fastify();
  app.addHook('onRequest', async (request) => {
    audit(request.raw); // the app's own logging or auth sees every request
  });
  app.get('/healthz', async () => 'ok');
  const s3 = createS3Handler({ engine, credentials: tenantSecret, authorize: tenantAuthorization, basePath });
  await app.register(async (scope) => {
    // The handler reads the raw body itself: no parser may consume it (in this scope only).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.all('/*', (request, reply) => {
      reply.hijack();
      s3(request.raw, reply.raw);
    });
  }, { prefix: basePath });
  await app.ready();
  // `Expect: 100-continue` requests (the SDK's UploadPart) go through Fastify's routing too.
  attachContinueHandling(app.server);
  return app.server;
}

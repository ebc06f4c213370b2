export { createS3Handler } from './create-s3-handler.js';
export type { S3RequestHandler } from './create-s3-handler.js';
export { startS3Server } from './start-s3-server.js';
export type { RunningS3Server, StartS3ServerOptions } from './start-s3-server.js';
export { attachContinueHandling } from './continue.js';
export type { S3HandlerOptions, S3Logger, RequestLogInfo } from './options.js';
export { DEFAULT_MAX_XML_BODY_BYTES } from './options.js';
export type { CredentialsOption, StaticCredential, SecretLookup } from './credentials.js';

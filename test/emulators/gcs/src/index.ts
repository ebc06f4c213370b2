export { startGcsTestServer } from './server.js';
export type { GcsTestServer, GcsTestServerOptions } from './server.js';
export type { FaultSpec } from './faults.js';
export type { FaultInjector } from './faults.js';
export type { ServerStats } from './stats.js';
export { crc32cOf, crc32cCombine, crc32cBase64 } from './crc32c.js';
export { MAX_COMPOSE_SOURCES } from './routes/compose.js';
export { MAX_LIST_RESULTS } from './routes/list.js';
export { MAX_OBJECT_NAME_BYTES } from './object-names.js';

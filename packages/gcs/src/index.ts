export { GcsStore, createGcsStore } from './gcs-store.js';
export type { GcsStoreOptions } from './config.js';
export { InvalidGcsStoreOptionsError, DEFAULT_SINGLE_REQUEST_MAX_BYTES, DEFAULT_UPLOAD_CHUNK_BYTES } from './config.js';
export { gcsCapabilities, GCS_LIMIT_SOURCES, MAX_ASSEMBLE_PARTS } from './capabilities.js';
export { MAX_RECORD_KEY_BYTES, RecordNames } from './record-names.js';
export { MAX_COMPOSE_SOURCES, partListHash } from './compose-tree.js';
export { GcsAssembleError, GcsDataNotFoundError, GcsStoreClosedError } from './gcs-errors.js';
export { RecordKeyNotStorableError, escapeKey, unescapeKey } from './object-names.js';
export { PartTooLargeError } from '@mpu/core';

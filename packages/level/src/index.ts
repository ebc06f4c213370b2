export { LevelStore } from './level-store.js';
export type { LevelStoreOptions } from './level-store.js';
export { LEVEL_STORE_CAPABILITIES, DEFAULT_CHUNK_SIZE } from './capabilities.js';
export { StoreLockedError, StoreOpenError, MissingChunkError } from './errors.js';
export { PartTooLargeError } from '@mpu/core';
export { CorruptEntryError } from './manifest.js';

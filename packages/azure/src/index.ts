export { AzureStore, createAzureStore } from './azure-store.js';
export type { AzureCredentials, AzureStoreOptions } from './config.js';
export { DEFAULT_BLOCK_SIZE, MAX_BLOCK_SIZE, InvalidAzureStoreOptionsError } from './config.js';
export { azureCapabilities, AZURE_LIMIT_SOURCES } from './capabilities.js';
export { MAX_BLOCKS_PER_BLOB, TooManyBlocksError, AlreadyAssembledError } from './data-blobs.js';
export { RecordKeyNotStorableError } from './records.js';
export { MAX_BLOB_NAME_CHARS, MAX_RECORD_KEY_BYTES } from './record-names.js';

export { describeBlobStore } from './describe-blob-store.js';
export type { BlobStoreHarness, BlobStoreSuiteOptions } from './describe-blob-store.js';
export { byteAt, generatedBytes, largeBody, largeByteAt, digestOf, collect, chunked } from './generated-bytes.js';
export { describeEngine, SMALL_MIN_PART_SIZE } from './describe-engine.js';
export type { EngineHarness, EngineLimitsProfile, EngineSuiteOptions } from './describe-engine.js';

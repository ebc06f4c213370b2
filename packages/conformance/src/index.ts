export { describeBlobStore } from './describe-blob-store.js';
export type { BlobStoreHarness, BlobStoreSuiteOptions } from './describe-blob-store.js';
export { byteAt, generatedBytes, largeBody, largeByteAt, digestOf, collect, chunked } from './generated-bytes.js';

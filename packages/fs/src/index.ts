export { FsStore, FS_STORE_CAPABILITIES } from './fs-store.js';
export type { FsStoreOptions } from './fs-store.js';
export type { RecoveryReport } from './recovery.js';
export { DataDirectoryLayoutError, DataDirectoryLockedError, RootPathTooLongError, CorruptFileError } from './errors.js';
export { RecordKeyTooLongError } from './record-table.js';
export { PartTooLargeError } from '@mpu/core';
export { TruncatedPartError } from './part-file-reader.js';

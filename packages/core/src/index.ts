export type {
  BlobStore, StoreCapabilities, RecordCondition, StoredRecord, ListRecordsOptions, DataHandle,
  PartRef, ByteRange, WritePartOptions,
} from './blob-store.js';
export { PartTooLargeError, RecordConditionFailedError, StoreFullError, TransientStoreError } from './blob-store.js';
export { ERROR_TABLE, statusOf, defaultMessageOf } from './errors/error-table.js';
export type { S3ErrorCode } from './errors/error-table.js';
export { S3Error, toWireError } from './errors/s3-error.js';
export type { S3ErrorDetails, WireError } from './errors/s3-error.js';
export type { Engine } from './engine/engine-api.js';
export type * from './engine/types.js';
export { MemoryStore, MEMORY_STORE_CAPABILITIES, MissingPartError, UnknownHandleError, RangeOutOfBoundsError, StoreClosedError, compareUtf8 } from './memory-store.js';
export { CountingStore } from './counting-store.js';
export type { BlobStoreMethod, StoreCounts } from './counting-store.js';
export * from './checksums/index.js';
export { MultipartEngine, DEFAULT_OWNER, effectiveLimits } from './engine/multipart-engine.js';
export type { EngineOptions } from './engine/multipart-engine.js';
export { DEFAULT_MAINTENANCE_INTERVAL_MS } from './engine/maintenance.js';
export type { MaintenanceHandle, MaintenanceOptions, MaintenanceReport } from './engine/maintenance.js';
export { silentLogger, stderrLogger } from './logger.js';
export type { Logger } from './logger.js';
export type { EffectiveLimits } from './engine/engine-context.js';
export { LIMIT_PROFILES, defineLimits, resolveLimits, InvalidLimitsError } from './limits.js';
export type { Limits, LimitProfileName } from './limits.js';
export { createUploadId, isUploadId, uploadIdTime, UPLOAD_ID_LENGTH } from './upload-id.js';
export { resolveRange } from './engine/ranges.js';
export { matchCorsRule, wildcardMatches } from './engine/bucket-cors.js';
export type { CorsRequest } from './engine/bucket-cors.js';
export { compareKeys } from './engine/key-order.js';
export * from './errors/s3-errors.js';
export { withRetry } from './engine/with-retry.js';
export type { RetryOptions } from './engine/with-retry.js';
export { FaultyStore, FAULTABLE_METHODS, InjectedFaultError, seededRandom, type Fault, type FaultRates, type FaultableMethod, type FaultyStoreOptions, type InjectedFault } from './faulty-store.js';
export { KeyedMutex } from './keyed-mutex.js';
export {
  ACL_PERMISSIONS, CANNED_ACLS, DEFAULT_OBJECT_OWNERSHIP, GROUP_URIS, OBJECT_OWNERSHIP_VALUES, cannedGrants, grantsOf,
  isCannedAcl, isGranted, resolveAcl,
} from './engine/acl.js';
export type {
  AccessControlPolicy, AccessPrincipal, AclPermission, AclRequest, CannedAcl, Grant, Grantee, ObjectOwnership,
} from './engine/acl.js';
export { allowsAccess } from './engine/access-control.js';
export type { BucketAccess, ObjectAccess } from './engine/access-control.js';
export { MAX_BUCKET_TAGS, MAX_OBJECT_TAGS, formatTaggingQuery, parseTaggingQuery, validateTags } from './engine/tagging.js';
export type { Tag } from './engine/tagging.js';

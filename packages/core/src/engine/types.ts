/**
 * The public API of `MultipartEngine`: what the S3 front end, the conformance suite and
 * embedders call. All values are decoded (keys are plain strings, ETags are quoted strings
 * as S3 sends them, checksums are base64 as on the wire).
 */
import type { ByteRange } from '../blob-store.js';
import type { AclRequest, ObjectOwnership } from './acl.js';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';
export type ChecksumType = 'COMPOSITE' | 'FULL_OBJECT';

/** base64 checksum values by algorithm, as they travel on the wire. */
export type ChecksumValues = Partial<Record<ChecksumAlgorithm, string>>;

/** An object-level checksum: composite values carry the `-N` suffix. */
export interface ObjectChecksum {
  readonly algorithm: ChecksumAlgorithm;
  readonly type: ChecksumType;
  readonly value: string;
}

export interface Owner {
  readonly id: string;
  readonly displayName: string;
}

/** Content headers stored with an object (set at PutObject / CreateMultipartUpload). */
export interface ContentHeaders {
  readonly contentType?: string;
  readonly cacheControl?: string;
  readonly contentDisposition?: string;
  readonly contentEncoding?: string;
  readonly contentLanguage?: string;
  readonly expires?: string;
}

export interface ObjectAttributesInput extends ContentHeaders {
  /** User metadata without the `x-amz-meta-` prefix; names lower-case. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly storageClass?: string;
  readonly tagging?: string;
}

// ── buckets ────────────────────────────────────────────────────────────────────────────────

export interface BucketInfo {
  readonly name: string;
  readonly created: Date;
  /** Absent for buckets created before owners were recorded. */
  readonly owner?: Owner;
}

export interface CreateBucketOptions {
  /** Default: the engine's `owner`. */
  readonly owner?: Owner;
  readonly acl?: AclRequest;
  /** x-amz-object-ownership; a bucket without one behaves as ObjectWriter. */
  readonly ownership?: ObjectOwnership;
}

/** ListBuckets, paginated as AWS does since 2024 (`max-buckets`, `continuation-token`, `prefix`). */
export interface ListBucketsInput {
  readonly prefix?: string;
  /** 1..10000; all buckets when absent. */
  readonly maxBuckets?: number;
  readonly continuationToken?: string;
}

export interface ListBucketsResult {
  readonly buckets: readonly BucketInfo[];
  /** Present when more buckets follow: pass it back as `continuationToken`. */
  readonly continuationToken?: string;
}

/** AbortIncompleteMultipartUpload lifecycle rule (the only lifecycle action mpu acts on). */
export interface LifecycleRule {
  readonly id: string;
  readonly status: 'Enabled' | 'Disabled';
  readonly prefix: string;
  /** Days after initiation; undefined when the rule has no AbortIncompleteMultipartUpload. */
  readonly abortIncompleteDaysAfterInitiation?: number;
  /** Other actions are stored and echoed verbatim (XML fragment), not acted on. */
  readonly raw?: unknown;
}

/**
 * One CORSRule of a bucket's CORS configuration (PutBucketCors). Origins and headers may hold
 * one `*` wildcard; methods are GET, PUT, POST, DELETE or HEAD.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CORSRule.html
 */
export interface CorsRule {
  readonly id?: string;
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds?: number;
}

// ── payload verification ───────────────────────────────────────────────────────────────────

/**
 * What the client claimed about a body, verified in the same streaming pass that computes the
 * MD5 (and any checksum). A function-valued `checksum` is a trailer: it is called after the
 * body has been fully consumed.
 */
export interface PayloadExpectations {
  /** Content-MD5 header as sent (base64). Malformed → InvalidDigest; mismatch → BadDigest. */
  readonly contentMd5?: string;
  /** Hex SHA-256 from x-amz-content-sha256 (signed payload). Mismatch → XAmzContentSHA256Mismatch. */
  readonly sha256Hex?: string;
  /** Exact body length announced (Content-Length / x-amz-decoded-content-length). */
  readonly contentLength?: number;
  /** Algorithm of the client's checksum (header `x-amz-checksum-*` or announced trailer). */
  readonly checksumAlgorithm?: ChecksumAlgorithm;
  /** The client's checksum value, or a function returning it once the body has ended. */
  readonly checksum?: string | (() => string | undefined);
}

// ── multipart ──────────────────────────────────────────────────────────────────────────────

export interface CreateMultipartUploadInput extends ObjectAttributesInput {
  readonly bucket: string;
  readonly key: string;
  readonly checksumAlgorithm?: ChecksumAlgorithm;
  readonly checksumType?: ChecksumType;
  readonly owner?: Owner;
  /** Grants the completed object gets. */
  readonly acl?: AclRequest;
}

export interface UploadInfo {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly initiated: Date;
  readonly checksumAlgorithm?: ChecksumAlgorithm;
  readonly checksumType?: ChecksumType;
  readonly storageClass: string;
  readonly owner: Owner;
  /** From a matching AbortIncompleteMultipartUpload lifecycle rule. */
  readonly abortDate?: Date;
  readonly abortRuleId?: string;
}

export interface UploadRef {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
}

export interface UploadPartInput extends UploadRef {
  readonly partNumber: number;
  readonly body: AsyncIterable<Uint8Array>;
  readonly expect?: PayloadExpectations;
  readonly signal?: AbortSignal;
}

export interface PartInfo {
  readonly partNumber: number;
  /** Quoted hex MD5. */
  readonly etag: string;
  readonly size: number;
  readonly lastModified: Date;
  /** Verified/computed checksums of this part (base64). */
  readonly checksums: ChecksumValues;
}

export interface CopySource {
  readonly bucket: string;
  readonly key: string;
  /** `x-amz-copy-source` `?versionId=`; the current version when absent. */
  readonly versionId?: string;
  /** Inclusive byte range of the source; whole object when absent. */
  readonly range?: ByteRange;
}

/** x-amz-copy-source-if-* (and GetObject If-*) conditions. */
export interface ReadConditions {
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
  readonly ifModifiedSince?: Date;
  readonly ifUnmodifiedSince?: Date;
}

export interface UploadPartCopyInput extends UploadRef {
  readonly partNumber: number;
  readonly source: CopySource;
  readonly sourceConditions?: ReadConditions;
}

export interface ListPartsInput extends UploadRef {
  readonly maxParts?: number;
  readonly partNumberMarker?: number;
}

export interface ListPartsResult {
  readonly upload: UploadInfo;
  readonly parts: readonly PartInfo[];
  readonly partNumberMarker: number;
  readonly nextPartNumberMarker: number;
  readonly maxParts: number;
  readonly isTruncated: boolean;
}

export interface ListMultipartUploadsInput {
  readonly bucket: string;
  readonly prefix?: string;
  readonly delimiter?: string;
  readonly keyMarker?: string;
  readonly uploadIdMarker?: string;
  readonly maxUploads?: number;
}

export interface ListMultipartUploadsResult {
  readonly uploads: readonly UploadInfo[];
  readonly commonPrefixes: readonly string[];
  readonly isTruncated: boolean;
  readonly nextKeyMarker?: string;
  readonly nextUploadIdMarker?: string;
  readonly maxUploads: number;
}

export interface CompletedPartInput {
  readonly partNumber: number;
  readonly etag: string;
  readonly checksums?: ChecksumValues;
}

/** Conditional-write headers for Complete and PutObject (S3-MULTIPART.md §10). */
export interface WriteConditions {
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
}

export interface CompleteMultipartUploadInput extends UploadRef {
  readonly parts: readonly CompletedPartInput[];
  /** Whole-object checksum header (x-amz-checksum-<alg>) and x-amz-checksum-type. */
  readonly checksum?: { readonly algorithm: ChecksumAlgorithm; readonly value: string };
  readonly checksumType?: ChecksumType;
  /** x-amz-mp-object-size. */
  readonly objectSize?: number;
  readonly conditions?: WriteConditions;
}

export interface CompleteMultipartUploadResult {
  readonly bucket: string;
  readonly key: string;
  readonly etag: string;
  readonly size: number;
  readonly checksum?: ObjectChecksum;
  /** Set in a versioning-enabled or suspended bucket (`null` when suspended). */
  readonly versionId?: string;
}

// ── objects ────────────────────────────────────────────────────────────────────────────────

export interface ObjectInfo extends ContentHeaders {
  readonly bucket: string;
  readonly key: string;
  readonly etag: string;
  readonly size: number;
  readonly lastModified: Date;
  readonly metadata: Readonly<Record<string, string>>;
  readonly storageClass: string;
  readonly checksum?: ObjectChecksum;
  /** Number of parts for multipart objects; undefined for single-PUT objects. */
  readonly partsCount?: number;
  /** The object's version id (`null` for the null version); set in buckets that have had versioning. */
  readonly versionId?: string;
  /** Absent for objects written before owners were recorded. */
  readonly owner?: Owner;
  /** Number of tags (x-amz-tagging-count); absent when the object has none. */
  readonly tagCount?: number;
}

export interface PutObjectInput extends ObjectAttributesInput {
  readonly bucket: string;
  readonly key: string;
  readonly body: AsyncIterable<Uint8Array>;
  readonly expect?: PayloadExpectations;
  readonly conditions?: WriteConditions;
  readonly signal?: AbortSignal;
  /** The writer; default the engine's `owner`. */
  readonly owner?: Owner;
  readonly acl?: AclRequest;
}

export interface PutObjectResult {
  readonly etag: string;
  readonly size: number;
  readonly checksum?: ObjectChecksum;
  readonly versionId?: string;
}

export interface GetObjectInput {
  readonly bucket: string;
  readonly key: string;
  /** Already-resolved inclusive range; open-ended/suffix forms are resolved by `range` helpers. */
  readonly range?: RangeRequest;
  /** 1-based positional part number (S3-MULTIPART.md §7). */
  readonly partNumber?: number;
  readonly conditions?: ReadConditions;
  /** A specific version (`null` names the null version); the current one when absent. */
  readonly versionId?: string;
}

/** An HTTP byte range as requested: `bytes=a-b`, `bytes=a-`, or `bytes=-n`. */
export type RangeRequest =
  | { readonly start: number; readonly end?: number }
  | { readonly suffixLength: number };

export interface GetObjectResult {
  readonly object: ObjectInfo;
  /** Inclusive range returned when partial (Range or partNumber); undefined for the whole object. */
  readonly range?: ByteRange;
  /** Checksum of the returned part (partNumber reads). */
  readonly partChecksum?: ObjectChecksum;
  readonly body: AsyncIterable<Uint8Array>;
}

export type HeadObjectResult = Omit<GetObjectResult, 'body'>;

export interface CopyObjectInput {
  readonly bucket: string;
  readonly key: string;
  readonly source: { readonly bucket: string; readonly key: string; readonly versionId?: string };
  readonly sourceConditions?: ReadConditions;
  /** COPY (default) keeps the source's metadata; REPLACE takes `attributes`. */
  readonly metadataDirective?: 'COPY' | 'REPLACE';
  readonly attributes?: ObjectAttributesInput;
  /** COPY (default) keeps the source's tags; REPLACE takes `tagging` (none when absent). */
  readonly taggingDirective?: 'COPY' | 'REPLACE';
  readonly tagging?: string;
  readonly owner?: Owner;
  readonly acl?: AclRequest;
}

export interface CopyObjectResult {
  readonly etag: string;
  readonly lastModified: Date;
  readonly checksum?: ObjectChecksum;
  readonly versionId?: string;
  /** The version of the source that was copied (when the source bucket has had versioning). */
  readonly sourceVersionId?: string;
}

export interface DeleteObjectsResult {
  readonly deleted: readonly string[];
  /** Per deleted entry, in the order of `deleted`: what the delete did to versions. */
  readonly deletedVersions?: readonly DeleteObjectResult[];
  readonly errors: readonly { readonly key: string; readonly code: string; readonly message: string; readonly versionId?: string }[];
}

export interface ListObjectsInput {
  readonly bucket: string;
  readonly prefix?: string;
  readonly delimiter?: string;
  readonly maxKeys?: number;
  /** Opaque token from a previous page (V2). */
  readonly continuationToken?: string;
  /** V2 start-after, or V1 marker: keys strictly greater. */
  readonly startAfter?: string;
}

export interface ListObjectsResult {
  readonly objects: readonly ObjectInfo[];
  readonly commonPrefixes: readonly string[];
  readonly isTruncated: boolean;
  /** Opaque token for the next page (V2). */
  readonly nextContinuationToken?: string;
  /** Last key or common prefix returned (V1 NextMarker). */
  readonly nextMarker?: string;
  readonly maxKeys: number;
}

export interface GetObjectAttributesInput {
  readonly bucket: string;
  readonly key: string;
  readonly maxParts?: number;
  readonly partNumberMarker?: number;
  /** A specific version; the current one when absent. */
  readonly versionId?: string;
}

export interface ObjectPartAttributes {
  readonly partNumber: number;
  readonly size: number;
  readonly checksums: ChecksumValues;
}

export interface GetObjectAttributesResult {
  readonly object: ObjectInfo;
  /** Present for multipart objects. */
  readonly parts?: {
    readonly totalPartsCount: number;
    readonly partNumberMarker: number;
    readonly nextPartNumberMarker: number;
    readonly maxParts: number;
    readonly isTruncated: boolean;
    readonly parts: readonly ObjectPartAttributes[];
  };
}

// ── versioning ─────────────────────────────────────────────────────────────────────────────

/** PutBucketVersioning states; a bucket that was never versioned reports no status. */
export type VersioningStatus = 'Enabled' | 'Suspended';

export interface DeleteObjectInput {
  readonly bucket: string;
  readonly key: string;
  /** Delete this version permanently; without it, an Enabled/Suspended bucket gets a delete marker. */
  readonly versionId?: string;
}

export interface DeleteObjectResult {
  /** The version removed, or the delete marker created (`null` in a suspended bucket). */
  readonly versionId?: string;
  /** True when a delete marker was created, or the version removed was one. */
  readonly deleteMarker?: boolean;
}

/** An object key (and optional version) in a DeleteObjects request. */
export interface ObjectIdentifier {
  readonly key: string;
  readonly versionId?: string;
}

export interface ListObjectVersionsInput {
  readonly bucket: string;
  readonly prefix?: string;
  readonly delimiter?: string;
  readonly maxKeys?: number;
  readonly keyMarker?: string;
  readonly versionIdMarker?: string;
}

export interface ObjectVersionInfo extends ObjectInfo {
  readonly versionId: string;
  readonly isLatest: boolean;
}

export interface DeleteMarkerInfo {
  readonly key: string;
  readonly versionId: string;
  readonly isLatest: boolean;
  readonly lastModified: Date;
}

export interface ListObjectVersionsResult {
  /** Versions and delete markers in listing order (key, newest first). */
  readonly entries: readonly ({ readonly kind: 'version'; readonly version: ObjectVersionInfo } | { readonly kind: 'deleteMarker'; readonly marker: DeleteMarkerInfo })[];
  readonly commonPrefixes: readonly string[];
  readonly isTruncated: boolean;
  readonly nextKeyMarker?: string;
  readonly nextVersionIdMarker?: string;
  readonly maxKeys: number;
}

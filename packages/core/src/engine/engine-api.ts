import type {
  BucketInfo, CompleteMultipartUploadInput, CompleteMultipartUploadResult, CopyObjectInput,
  CopyObjectResult, CreateMultipartUploadInput, DeleteObjectsResult, GetObjectAttributesInput,
  CorsRule, GetObjectAttributesResult, GetObjectInput, GetObjectResult, HeadObjectResult, LifecycleRule,
  ListBucketsInput, ListBucketsResult, ListMultipartUploadsInput, ListMultipartUploadsResult, ListObjectsInput, ListObjectsResult,
  ListPartsInput, ListPartsResult, PartInfo, PutObjectInput, PutObjectResult, UploadInfo,
  UploadPartCopyInput, UploadPartInput, UploadRef,
  DeleteObjectResult, ListObjectVersionsInput, ListObjectVersionsResult, ObjectIdentifier, VersioningStatus,
} from './types.js';
import type { AccessControlPolicy, AclRequest, ObjectOwnership } from './acl.js';
import type { BucketAccess, ObjectAccess } from './access-control.js';
import type { Tag } from './tagging.js';
import type { CreateBucketOptions } from './types.js';

/**
 * The S3 multipart contract as function calls. `MultipartEngine` implements it; the S3 front
 * end and decorators (fault injection, logging) depend only on this interface.
 * Every method rejects with an `S3Error` subclass for S3-level failures.
 */
export interface Engine {
  // buckets
  createBucket(name: string, options?: CreateBucketOptions): Promise<BucketInfo>;
  deleteBucket(name: string): Promise<void>;
  headBucket(name: string): Promise<BucketInfo>;
  listBuckets(input?: ListBucketsInput): Promise<ListBucketsResult>;
  putBucketLifecycle(bucket: string, rules: readonly LifecycleRule[]): Promise<void>;
  /** NoSuchLifecycleConfiguration when none is set. */
  getBucketLifecycle(bucket: string): Promise<readonly LifecycleRule[]>;
  deleteBucketLifecycle(bucket: string): Promise<void>;
  putBucketCors(bucket: string, rules: readonly CorsRule[]): Promise<void>;
  /** NoSuchCORSConfiguration when none is set. */
  getBucketCors(bucket: string): Promise<readonly CorsRule[]>;
  deleteBucketCors(bucket: string): Promise<void>;
  /** Enabled or Suspended (a versioned bucket never returns to unversioned). */
  putBucketVersioning(bucket: string, status: VersioningStatus): Promise<void>;
  /** Undefined when versioning was never configured. */
  getBucketVersioning(bucket: string): Promise<VersioningStatus | undefined>;
  /** NoSuchTagSet when none is set. */
  getBucketTagging(bucket: string): Promise<readonly Tag[]>;
  putBucketTagging(bucket: string, tags: readonly Tag[]): Promise<void>;
  deleteBucketTagging(bucket: string): Promise<void>;
  /** OwnershipControlsNotFoundError when none is set (the bucket then behaves as ObjectWriter). */
  getBucketOwnershipControls(bucket: string): Promise<ObjectOwnership>;
  putBucketOwnershipControls(bucket: string, ownership: ObjectOwnership): Promise<void>;
  deleteBucketOwnershipControls(bucket: string): Promise<void>;

  // access control (acl.ts, access-control.ts)
  getBucketAcl(bucket: string): Promise<AccessControlPolicy>;
  putBucketAcl(bucket: string, acl: AclRequest): Promise<void>;
  getObjectAcl(bucket: string, key: string): Promise<AccessControlPolicy>;
  putObjectAcl(bucket: string, key: string, acl: AclRequest): Promise<void>;
  /** Owner, grants and ownership of a bucket, for access checks (`allowsAccess`). */
  getBucketAccess(bucket: string): Promise<BucketAccess>;
  /** Owner and grants of an object; undefined when it does not exist. */
  getObjectAccess(bucket: string, key: string): Promise<ObjectAccess | undefined>;

  // multipart
  createMultipartUpload(input: CreateMultipartUploadInput): Promise<UploadInfo>;
  uploadPart(input: UploadPartInput): Promise<PartInfo>;
  uploadPartCopy(input: UploadPartCopyInput): Promise<PartInfo>;
  listParts(input: ListPartsInput): Promise<ListPartsResult>;
  listMultipartUploads(input: ListMultipartUploadsInput): Promise<ListMultipartUploadsResult>;
  completeMultipartUpload(input: CompleteMultipartUploadInput): Promise<CompleteMultipartUploadResult>;
  abortMultipartUpload(input: UploadRef): Promise<void>;
  /** Abort every in-progress upload initiated before `olderThan`; returns how many. */
  expireIncompleteUploads(olderThan: Date): Promise<number>;
  /** Abort uploads that bucket lifecycle rules make eligible at `now`; returns how many. */
  applyLifecycle(now?: Date): Promise<number>;

  // objects
  putObject(input: PutObjectInput): Promise<PutObjectResult>;
  getObject(input: GetObjectInput): Promise<GetObjectResult>;
  headObject(input: GetObjectInput): Promise<HeadObjectResult>;
  copyObject(input: CopyObjectInput): Promise<CopyObjectResult>;
  /**
   * Deleting an absent key succeeds (S3 semantics). In a versioned bucket, without `versionId`
   * a delete marker is written; with it, that version is removed permanently.
   */
  deleteObject(bucket: string, key: string, options?: { readonly versionId?: string }): Promise<DeleteObjectResult>;
  deleteObjects(bucket: string, keys: readonly (string | ObjectIdentifier)[]): Promise<DeleteObjectsResult>;
  listObjectVersions(input: ListObjectVersionsInput): Promise<ListObjectVersionsResult>;
  listObjects(input: ListObjectsInput): Promise<ListObjectsResult>;
  getObjectAttributes(input: GetObjectAttributesInput): Promise<GetObjectAttributesResult>;
  getObjectTagging(bucket: string, key: string): Promise<readonly Tag[]>;
  putObjectTagging(bucket: string, key: string, tags: readonly Tag[]): Promise<void>;
  deleteObjectTagging(bucket: string, key: string): Promise<void>;

  close(): Promise<void>;
}

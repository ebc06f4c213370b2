/**
 * Record layout: every piece of engine state is one small JSON record (UTF-8 bytes) in the
 * BlobStore's record space, written by compare-and-swap. Dates are ISO-8601 strings.
 *
 *   bucket/<bucket>                     BucketRecord   name, creation time, lifecycle and CORS rules,
 *                                                      versioning, owner, ACL, ownership controls, tags
 *   upload/<bucket>/<uploadId>          UploadRecord   one per upload: bucket, key, attributes,
 *                                                      checksum algorithm/type, owner, state
 *   part/<uploadId>/<nnnnn>             PartRecord     ONE PER PART (5-digit number): partId of
 *                                                      the current bytes, size, MD5, checksums
 *   object/<bucket>/<key>               ObjectRecord   the object index: data handle, size,
 *                                                      ETag, parts (sizes, MD5s, checksums),
 *                                                      object checksum, headers, metadata
 *                                                      — the CURRENT version of the key
 *   version/<bucket>/<key>\0<sortKey>   VersionRecord  non-current versions and delete markers,
 *                                                      (key, newest first); see object-versions.ts
 *
 * Upload state machine (every transition is `writeRecord(..., { ifVersion })`, so of two
 * racing processes exactly one moves the upload):
 *
 *   initiated ──Complete validated──▶ completing ──object published──▶ completed
 *       └──────Abort / expiry──────▶ aborted
 *
 * - `completing` freezes everything Complete needs (the listed parts with their partIds,
 *   sizes and digests, the computed ETag/checksum, the write conditions, the object version it
 *   expects to replace and, once assembled, the data handle). A retried or concurrent Complete
 *   finishes the job from this record alone, without reading part records again.
 * - `completed` is the completion tombstone: it keeps the result so that a retried Complete
 *   answers with the same ETag and checksum (S3-MULTIPART.md §10). Sweeps delete final upload
 *   records (`completed`, `aborted`) once they are older than the tombstone retention (24 h).
 * - Part records are never shared: re-uploading part 3 writes new bytes under a new partId
 *   and then overwrites `part/<id>/00003`; the last body to finish wins.
 */
import type { DataHandle } from '../blob-store.js';
import type { Grant, ObjectOwnership } from './acl.js';
import type { Tag } from './tagging.js';
import type {
  ChecksumAlgorithm, ChecksumType, ChecksumValues, ContentHeaders, CorsRule, LifecycleRule, ObjectChecksum,
  Owner, VersioningStatus, WriteConditions,
} from './types.js';

export interface BucketRecord {
  readonly name: string;
  readonly created: string;
  readonly lifecycle?: readonly LifecycleRule[];
  readonly cors?: readonly CorsRule[];
  /** S3 versioning state; absent = never enabled (see versioning.ts). */
  readonly versioning?: VersioningStatus;
  /** Who created it; absent on buckets created before owners were recorded (see acl.ts). */
  readonly owner?: Owner;
  /** Resolved grants; absent means `private`. */
  readonly acl?: readonly Grant[];
  /** Set by PutBucketOwnershipControls (or CreateBucket's x-amz-object-ownership). */
  readonly ownership?: ObjectOwnership;
  readonly tags?: readonly Tag[];
}

/** What CreateMultipartUpload / PutObject store and the final object carries. */
export interface StoredAttributes extends ContentHeaders {
  readonly metadata: Readonly<Record<string, string>>;
  readonly storageClass: string;
  readonly tagging?: string;
}

/** A part as frozen into an upload or an object: enough to assemble, list and checksum. */
export interface FrozenPart {
  readonly partNumber: number;
  readonly partId: string;
  readonly size: number;
  /** Hex MD5. */
  readonly md5: string;
  readonly checksums: ChecksumValues;
}

export interface CompletionPlan {
  readonly parts: readonly FrozenPart[];
  readonly etag: string;
  readonly size: number;
  readonly checksum?: ObjectChecksum;
  readonly conditions?: WriteConditions;
  /** Version of `object/<bucket>/<key>` validated against; null when the key was absent. */
  readonly replacesVersion: string | null;
  readonly lastModified: string;
  /** Set once `assemble` returned. */
  readonly handle?: DataHandle;
  /** Bucket versioning state when the plan froze, and the version id the object gets. */
  readonly versioning?: VersioningStatus;
  readonly versionId?: string;
  readonly versionOrder?: string;
}

export type UploadState = 'initiated' | 'completing' | 'completed' | 'aborted';

export interface UploadRecord {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly initiated: string;
  readonly state: UploadState;
  readonly attributes: StoredAttributes;
  readonly checksumAlgorithm?: ChecksumAlgorithm;
  readonly checksumType?: ChecksumType;
  readonly owner: Owner;
  /** Grants the completed object gets (x-amz-acl / x-amz-grant-* at CreateMultipartUpload). */
  readonly acl?: readonly Grant[];
  /** Owner of the completed object when not the initiator (bucket ownership controls). */
  readonly objectOwner?: Owner;
  /** Present from `completing` on. */
  readonly completion?: CompletionPlan;
  /** When the upload reached a final state (for tombstone retention). */
  readonly finished?: string;
}

export interface PartRecord {
  readonly partNumber: number;
  readonly partId: string;
  readonly size: number;
  /** Hex MD5. */
  readonly md5: string;
  /** Every checksum computed for the part (base64), including ones the client did not send. */
  readonly checksums: ChecksumValues;
  /** Checksums to echo to the client (the upload's algorithm and any the client sent). */
  readonly reported: readonly ChecksumAlgorithm[];
  readonly lastModified: string;
}

export interface ObjectPart {
  readonly partNumber: number;
  readonly size: number;
  /** Hex MD5. */
  readonly md5: string;
  readonly checksums: ChecksumValues;
}

export interface ObjectRecord {
  readonly bucket: string;
  readonly key: string;
  readonly handle: DataHandle;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: string;
  readonly attributes: StoredAttributes;
  readonly checksum?: ObjectChecksum;
  /** Multipart objects only: the listed parts in order. */
  readonly parts?: readonly ObjectPart[];
  /** The upload that produced it (multipart objects). */
  readonly uploadId?: string;
  /** S3 version id; absent or `null` for the null version (unversioned or suspended writes). */
  readonly versionId?: string;
  /** Null versions written while suspended: where they sort among versions (object-versions.ts). */
  readonly versionOrder?: string;
  /** Absent on objects written before owners were recorded (see acl.ts). */
  readonly owner?: Owner;
  /** Resolved grants; absent means `private`. */
  readonly acl?: readonly Grant[];
}

export const recordKeys = {
  bucketPrefix: 'bucket/',
  bucket: (bucket: string) => `bucket/${bucket}`,
  uploadPrefix: (bucket: string) => `upload/${bucket}/`,
  upload: (bucket: string, uploadId: string) => `upload/${bucket}/${uploadId}`,
  partPrefix: (uploadId: string) => `part/${uploadId}/`,
  part: (uploadId: string, partNumber: number) => `part/${uploadId}/${String(partNumber).padStart(5, '0')}`,
  objectPrefix: (bucket: string) => `object/${bucket}/`,
  object: (bucket: string, key: string) => `object/${bucket}/${key}`,
};

/** Bytes a record key adds around an object key: `object/` + the longest bucket name + `/`. */
export const OBJECT_RECORD_KEY_OVERHEAD = 'object/'.length + 63 + 1;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeRecord(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decodeRecord<T>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes)) as T;
}

import { S3Error } from '@mpu/core';

/** The operations @mpu/s3 serves; anything else is answered with 501 NotImplemented. */
export type OperationName =
  | 'ListBuckets' | 'CreateBucket' | 'HeadBucket' | 'DeleteBucket' | 'GetBucketLocation'
  | 'ListObjects' | 'ListObjectsV2' | 'ListMultipartUploads'
  | 'PutBucketLifecycleConfiguration' | 'GetBucketLifecycleConfiguration' | 'DeleteBucketLifecycle'
  | 'PutBucketCors' | 'GetBucketCors' | 'DeleteBucketCors' | 'PostObject'
  | 'DeleteObjects'
  | 'PutObject' | 'CopyObject' | 'GetObject' | 'HeadObject' | 'DeleteObject' | 'GetObjectAttributes'
  | 'CreateMultipartUpload' | 'UploadPart' | 'UploadPartCopy' | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload' | 'ListParts'
  | 'PutBucketVersioning' | 'GetBucketVersioning' | 'ListObjectVersions'
  | 'GetBucketAcl' | 'PutBucketAcl' | 'GetObjectAcl' | 'PutObjectAcl'
  | 'GetBucketTagging' | 'PutBucketTagging' | 'DeleteBucketTagging'
  | 'GetObjectTagging' | 'PutObjectTagging' | 'DeleteObjectTagging'
  | 'GetBucketOwnershipControls' | 'PutBucketOwnershipControls' | 'DeleteBucketOwnershipControls';

/** What the router needs to know about a request. */
export interface RouteInput {
  readonly method: string;
  readonly bucket?: string;
  readonly key?: string;
  /** Query parameter names present (values do not route). */
  readonly query: ReadonlySet<string>;
  /** Whether `x-amz-copy-source` is present. */
  readonly copySource: boolean;
  /** The Content-Type header (a `multipart/form-data` POST to a bucket is a browser upload). */
  readonly contentType?: string;
}

/**
 * Sub-resources S3 has and mpu does not serve. A request naming one gets 501, never a
 * silently different operation (e.g. `PUT ?acl` must not overwrite the object).
 */
const UNSUPPORTED_SUBRESOURCES = [
  'accelerate', 'analytics', 'encryption', 'intelligent-tiering', 'inventory',
  'legal-hold', 'logging', 'metadataTable', 'metrics', 'notification', 'object-lock',
  'policy', 'policyStatus', 'publicAccessBlock', 'replication',
  'requestPayment', 'restore', 'retention', 'select', 'session', 'torrent',
  'website', 'renameObject',
] as const;

function notImplemented(what: string): S3Error {
  return new S3Error('NotImplemented', `${what} is not implemented by mpu`, {});
}

function methodNotAllowed(method: string, resourceType: string): S3Error {
  return new S3Error('MethodNotAllowed', undefined, { Method: method, ResourceType: resourceType });
}

/** Chooses the operation, or throws the S3 error the request deserves. */
export function routeRequest(input: RouteInput): OperationName {
  const { method, bucket, key, query } = input;
  for (const sub of UNSUPPORTED_SUBRESOURCES) {
    if (query.has(sub)) throw notImplemented(`The ?${sub} sub-resource`);
  }
  if (bucket === undefined) {
    if (method === 'GET') return 'ListBuckets';
    throw methodNotAllowed(method, 'SERVICE');
  }
  if (key === undefined) return routeBucket(method, query, input.contentType);
  return routeObject(input);
}

function routeBucket(method: string, query: ReadonlySet<string>, contentType: string | undefined): OperationName {
  switch (method) {
    case 'GET':
      if (query.has('acl')) return 'GetBucketAcl';
      if (query.has('tagging')) return 'GetBucketTagging';
      if (query.has('ownershipControls')) return 'GetBucketOwnershipControls';
      if (query.has('lifecycle')) return 'GetBucketLifecycleConfiguration';
      if (query.has('cors')) return 'GetBucketCors';
      if (query.has('versioning')) return 'GetBucketVersioning';
      if (query.has('versions')) return 'ListObjectVersions';
      if (query.has('uploads')) return 'ListMultipartUploads';
      if (query.has('location')) return 'GetBucketLocation';
      if (query.has('list-type')) return 'ListObjectsV2';
      return 'ListObjects';
    case 'HEAD':
      return 'HeadBucket';
    case 'PUT':
      if (query.has('acl')) return 'PutBucketAcl';
      if (query.has('tagging')) return 'PutBucketTagging';
      if (query.has('ownershipControls')) return 'PutBucketOwnershipControls';
      if (query.has('lifecycle')) return 'PutBucketLifecycleConfiguration';
      if (query.has('cors')) return 'PutBucketCors';
      if (query.has('versioning')) return 'PutBucketVersioning';
      return 'CreateBucket';
    case 'DELETE':
      if (query.has('versioning')) throw methodNotAllowed(method, 'BUCKET');
      // Never fall through to DeleteBucket for a sub-resource S3 has no DELETE for.
      if (query.has('acl')) throw methodNotAllowed(method, 'BUCKET');
      if (query.has('tagging')) return 'DeleteBucketTagging';
      if (query.has('ownershipControls')) return 'DeleteBucketOwnershipControls';
      if (query.has('lifecycle')) return 'DeleteBucketLifecycle';
      if (query.has('cors')) return 'DeleteBucketCors';
      return 'DeleteBucket';
    case 'POST':
      if (query.has('delete')) return 'DeleteObjects';
      // Browser uploads (POST policy): https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
      if (contentType !== undefined && /^multipart\/form-data\s*(;|$)/i.test(contentType.trim())) return 'PostObject';
      throw methodNotAllowed(method, 'BUCKET');
    default:
      throw methodNotAllowed(method, 'BUCKET');
  }
}

function routeObject({ method, query, copySource }: RouteInput): OperationName {
  // `versionId` selects a version for GET (object, attributes), HEAD and DELETE of the object only.
  if (query.has('versionId') && (!['GET', 'HEAD', 'DELETE'].includes(method) || query.has('uploadId'))) {
    throw notImplemented('The ?versionId parameter on this operation');
  }
  if (query.has('ownershipControls')) throw notImplemented('The ?ownershipControls sub-resource on an object');
  switch (method) {
    case 'PUT':
      if (query.has('acl')) return 'PutObjectAcl';
      if (query.has('tagging')) return 'PutObjectTagging';
      if (query.has('partNumber') && query.has('uploadId')) return copySource ? 'UploadPartCopy' : 'UploadPart';
      if (query.has('partNumber')) {
        throw new S3Error('InvalidArgument', 'This operation does not accept partNumber without uploadId', {
          ArgumentName: 'partNumber',
        });
      }
      if (query.has('uploadId')) {
        throw new S3Error('InvalidArgument', 'This operation does not accept uploadId without partNumber', {
          ArgumentName: 'uploadId',
        });
      }
      return copySource ? 'CopyObject' : 'PutObject';
    case 'GET':
      if (query.has('acl')) return 'GetObjectAcl';
      if (query.has('tagging')) return 'GetObjectTagging';
      if (query.has('uploadId')) return 'ListParts';
      if (query.has('attributes')) return 'GetObjectAttributes';
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'DELETE':
      if (query.has('acl')) throw methodNotAllowed(method, 'OBJECT');
      if (query.has('tagging')) return 'DeleteObjectTagging';
      if (query.has('uploadId')) return 'AbortMultipartUpload';
      return 'DeleteObject';
    case 'POST':
      if (query.has('uploads')) return 'CreateMultipartUpload';
      if (query.has('uploadId')) return 'CompleteMultipartUpload';
      throw methodNotAllowed(method, 'OBJECT');
    default:
      throw methodNotAllowed(method, 'OBJECT');
  }
}

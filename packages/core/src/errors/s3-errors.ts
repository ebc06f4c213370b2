import { S3Error } from './s3-error.js';

/**
 * Domain errors with their facts. Each maps to one row of the error table through `S3Error`;
 * the facts become the code-specific elements of the XML error body (S3-MULTIPART.md §5.2).
 */

export class NoSuchUploadError extends S3Error {
  constructor(readonly uploadId: string) {
    super('NoSuchUpload', undefined, { UploadId: uploadId });
  }
}

export class NoSuchBucketError extends S3Error {
  constructor(readonly bucket: string) {
    super('NoSuchBucket', undefined, { BucketName: bucket });
  }
}

export class NoSuchKeyError extends S3Error {
  constructor(readonly key: string) {
    super('NoSuchKey', undefined, { Key: key });
  }
}

/**
 * GET/HEAD of a key whose current version is a delete marker: 404 NoSuchKey with
 * `x-amz-delete-marker: true` and the marker's version id
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeleteMarker.html).
 */
export class DeleteMarkerIsCurrentError extends NoSuchKeyError {
  constructor(key: string, readonly versionId: string, readonly lastModified: Date) {
    super(key);
  }

  /** Headers the error response carries (the S3 front end sets them). */
  get responseHeaders(): Readonly<Record<string, string>> {
    return { 'x-amz-delete-marker': 'true', 'x-amz-version-id': this.versionId };
  }
}

/** GET/HEAD naming a delete marker by versionId: 405 MethodNotAllowed (AWS GetObject docs). */
export class DeleteMarkerVersionError extends S3Error {
  constructor(readonly versionId: string, readonly lastModified: Date) {
    super('MethodNotAllowed', undefined, { Method: 'GET', ResourceType: 'DeleteMarker' });
  }

  get responseHeaders(): Readonly<Record<string, string>> {
    return { 'x-amz-delete-marker': 'true', 'x-amz-version-id': this.versionId, 'Last-Modified': this.lastModified.toUTCString() };
  }
}

export class NoSuchVersionError extends S3Error {
  constructor(readonly key: string, readonly versionId: string) {
    super('NoSuchVersion', undefined, { Key: key, VersionId: versionId });
  }
}

export class InvalidVersionIdError extends S3Error {
  constructor(versionId: string) {
    super('InvalidArgument', 'Invalid version id specified', { ArgumentName: 'versionId', ArgumentValue: versionId });
  }
}

export class NoSuchLifecycleConfigurationError extends S3Error {
  constructor(readonly bucket: string) {
    super('NoSuchLifecycleConfiguration', undefined, { BucketName: bucket });
  }
}

export class NoSuchCORSConfigurationError extends S3Error {
  constructor(readonly bucket: string) {
    super('NoSuchCORSConfiguration', undefined, { BucketName: bucket });
  }
}

export class InvalidBucketNameError extends S3Error {
  constructor(readonly bucket: string) {
    super('InvalidBucketName', undefined, { BucketName: bucket });
  }
}

export class BucketAlreadyOwnedByYouError extends S3Error {
  constructor(readonly bucket: string) {
    super('BucketAlreadyOwnedByYou', undefined, { BucketName: bucket });
  }
}

export class BucketNotEmptyError extends S3Error {
  constructor(readonly bucket: string, readonly reason: 'objects' | 'uploads') {
    super(
      'BucketNotEmpty',
      reason === 'objects'
        ? 'The bucket you tried to delete is not empty'
        : 'The bucket you tried to delete has in-progress multipart uploads',
      { BucketName: bucket },
    );
  }
}

export class InvalidArgumentError extends S3Error {
  constructor(message: string, readonly argumentName: string, readonly argumentValue: string | number | undefined) {
    super('InvalidArgument', message, { ArgumentName: argumentName, ArgumentValue: argumentValue === undefined ? undefined : String(argumentValue) });
  }
}

export class InvalidPartNumberError extends InvalidArgumentError {
  constructor(partNumber: number, maxPartNumber: number) {
    super(`Part number must be an integer between 1 and ${maxPartNumber}, inclusive`, 'partNumber', partNumber);
  }
}

export class InvalidRequestError extends S3Error {
  constructor(message: string) {
    super('InvalidRequest', message);
  }
}

export class KeyTooLongError extends S3Error {
  constructor(readonly key: string, readonly keyBytes: number, readonly maxKeyBytes: number) {
    super('KeyTooLongError', undefined, { Size: keyBytes, MaxSizeAllowed: maxKeyBytes });
  }
}

export class MetadataTooLargeError extends S3Error {
  constructor(readonly size: number, readonly maxSize: number) {
    super('MetadataTooLarge', undefined, { Size: size, MaxSizeAllowed: maxSize });
  }
}

export class InvalidStorageClassError extends S3Error {
  constructor(readonly storageClass: string) {
    super('InvalidStorageClass', undefined, { StorageClassRequested: storageClass });
  }
}

export class EntityTooLargeError extends S3Error {
  constructor(readonly proposedSize: number, readonly maxSizeAllowed: number) {
    super('EntityTooLarge', undefined, { ProposedSize: proposedSize, MaxSizeAllowed: maxSizeAllowed });
  }
}

export class EntityTooSmallError extends S3Error {
  constructor(readonly facts: { proposedSize: number; minSizeAllowed: number; partNumber: number; etag: string }) {
    super('EntityTooSmall', undefined, {
      ProposedSize: facts.proposedSize,
      MinSizeAllowed: facts.minSizeAllowed,
      PartNumber: facts.partNumber,
      ETag: facts.etag,
    });
  }
}

export class InvalidPartError extends S3Error {
  constructor(readonly facts: { uploadId: string; partNumber: number; etag: string }) {
    super('InvalidPart', undefined, { UploadId: facts.uploadId, PartNumber: facts.partNumber, ETag: facts.etag });
  }
}

export class InvalidPartOrderError extends S3Error {
  constructor(readonly facts: { uploadId: string; partNumber: number; etag: string }, message?: string) {
    super('InvalidPartOrder', message, { UploadId: facts.uploadId, PartNumber: facts.partNumber, ETag: facts.etag });
  }
}

export class MalformedXMLError extends S3Error {
  constructor() {
    super('MalformedXML');
  }
}

/** Content-MD5 mismatch (ExpectedDigest/CalculatedDigest) or a checksum mismatch (message names the algorithm). */
export class BadDigestError extends S3Error {
  constructor(message?: string, details: { expected?: string; calculated?: string } = {}) {
    super('BadDigest', message, { ExpectedDigest: details.expected, CalculatedDigest: details.calculated });
  }

  static contentMd5(expectedBase64: string, calculatedBase64: string): BadDigestError {
    return new BadDigestError('The Content-MD5 you specified did not match what we received.', {
      expected: expectedBase64,
      calculated: calculatedBase64,
    });
  }

  static checksum(algorithm: string): BadDigestError {
    return new BadDigestError(`The ${algorithm} you specified did not match the calculated checksum.`);
  }
}

export class InvalidDigestError extends S3Error {
  constructor(readonly contentMd5: string) {
    super('InvalidDigest', undefined, { 'Content-MD5': contentMd5 });
  }
}

export class XAmzContentSHA256MismatchError extends S3Error {
  constructor(readonly clientComputed: string, readonly s3Computed: string) {
    super('XAmzContentSHA256Mismatch', undefined, {
      ClientComputedContentSHA256: clientComputed,
      S3ComputedContentSHA256: s3Computed,
    });
  }
}

export class IncompleteBodyError extends S3Error {
  constructor(readonly expected: number, readonly received: number) {
    super('IncompleteBody', undefined, { ExpectedSize: expected, ReceivedSize: received });
  }
}

export class PreconditionFailedError extends S3Error {
  constructor(readonly condition: string) {
    super('PreconditionFailed', undefined, { Condition: condition });
  }
}

/**
 * A read condition (If-None-Match / If-Modified-Since) says the client's copy is current.
 * Not a failure: the S3 front end answers 304 Not Modified with no body (and the ETag).
 */
export class NotModifiedError extends S3Error {
  constructor(readonly etag: string, readonly lastModified: Date) {
    super('NotModified', undefined, { ETag: etag });
  }
}

export class ConditionalRequestConflictError extends S3Error {
  constructor(readonly key: string) {
    super('ConditionalRequestConflict', undefined, { Key: key });
  }
}

export class InvalidRangeError extends S3Error {
  constructor(readonly rangeRequested: string, readonly actualObjectSize: number) {
    super('InvalidRange', undefined, { RangeRequested: rangeRequested, ActualObjectSize: actualObjectSize });
  }
}

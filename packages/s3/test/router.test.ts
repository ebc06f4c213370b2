import { describe, expect, it } from 'vitest';
import { S3Error } from '@mpu/core';
import { parseAddress, parseQuery } from '../src/addressing.js';
import { routeRequest } from '../src/router.js';

function route(method: string, bucket: string | undefined, key: string | undefined, query: string, copySource = false): string {
  try {
    return routeRequest({ method, bucket, key, query: new Set(parseQuery(query).map((p) => p.name)), copySource });
  } catch (error) {
    if (error instanceof S3Error) return `${error.status} ${error.code}`;
    throw error;
  }
}

describe('router table (§0)', () => {
  it.each([
    ['GET', undefined, undefined, '', false, 'ListBuckets'],
    ['PUT', 'b', undefined, '', false, 'CreateBucket'],
    ['HEAD', 'b', undefined, '', false, 'HeadBucket'],
    ['DELETE', 'b', undefined, '', false, 'DeleteBucket'],
    ['GET', 'b', undefined, 'list-type=2&prefix=a', false, 'ListObjectsV2'],
    ['GET', 'b', undefined, 'prefix=a', false, 'ListObjects'],
    ['GET', 'b', undefined, 'uploads', false, 'ListMultipartUploads'],
    ['GET', 'b', undefined, 'uploads=&x-id=ListMultipartUploads', false, 'ListMultipartUploads'],
    ['PUT', 'b', undefined, 'lifecycle', false, 'PutBucketLifecycleConfiguration'],
    ['GET', 'b', undefined, 'lifecycle', false, 'GetBucketLifecycleConfiguration'],
    ['DELETE', 'b', undefined, 'lifecycle', false, 'DeleteBucketLifecycle'],
    ['POST', 'b', undefined, 'delete', false, 'DeleteObjects'],
    ['POST', 'b', 'k', 'uploads', false, 'CreateMultipartUpload'],
    ['POST', 'b', 'k', 'uploads=&x-id=CreateMultipartUpload', false, 'CreateMultipartUpload'],
    ['PUT', 'b', 'k', 'partNumber=1&uploadId=u&x-id=UploadPart', false, 'UploadPart'],
    ['PUT', 'b', 'k', 'partNumber=1&uploadId=u', true, 'UploadPartCopy'],
    ['POST', 'b', 'k', 'uploadId=u', false, 'CompleteMultipartUpload'],
    ['DELETE', 'b', 'k', 'uploadId=u', false, 'AbortMultipartUpload'],
    ['GET', 'b', 'k', 'uploadId=u', false, 'ListParts'],
    ['GET', 'b', 'k', 'partNumber=2', false, 'GetObject'],
    ['HEAD', 'b', 'k', 'partNumber=2', false, 'HeadObject'],
    ['PUT', 'b', 'k', '', false, 'PutObject'],
    ['PUT', 'b', 'k', '', true, 'CopyObject'],
    ['DELETE', 'b', 'k', '', false, 'DeleteObject'],
    ['GET', 'b', 'k', 'attributes', false, 'GetObjectAttributes'],
    ['PUT', 'b', 'k', 'partNumber=1', false, '400 InvalidArgument'],
    ['POST', 'b', 'k', '', false, '405 MethodNotAllowed'],
    ['GET', 'b', undefined, 'versioning', false, 'GetBucketVersioning'],
    ['PUT', 'b', undefined, 'versioning', false, 'PutBucketVersioning'],
    ['GET', 'b', undefined, 'versions', false, 'ListObjectVersions'],
    ['GET', 'b', 'k', 'versionId', false, 'GetObject'],
    ['DELETE', 'b', 'k', 'versionId', false, 'DeleteObject'],
    ['PUT', 'b', 'k', 'versionId', false, '501 NotImplemented'],
    ['PUT', 'b', undefined, 'policy', false, '501 NotImplemented'],
    ['GET', 'b', undefined, 'website', false, '501 NotImplemented'],
    ['GET', 'b', undefined, 'cors', false, 'GetBucketCors'],
    ['PUT', 'b', undefined, 'cors', false, 'PutBucketCors'],
    ['DELETE', 'b', undefined, 'cors', false, 'DeleteBucketCors'],
    ['PUT', 'b', 'k', 'acl', false, 'PutObjectAcl'],
    ['GET', 'b', 'k', 'acl', false, 'GetObjectAcl'],
    ['DELETE', 'b', 'k', 'acl', false, '405 MethodNotAllowed'],
    ['PUT', 'b', undefined, 'acl', false, 'PutBucketAcl'],
    ['GET', 'b', undefined, 'acl', false, 'GetBucketAcl'],
    ['DELETE', 'b', undefined, 'acl', false, '405 MethodNotAllowed'],
    ['GET', 'b', 'k', 'tagging', false, 'GetObjectTagging'],
    ['DELETE', 'b', 'k', 'tagging', false, 'DeleteObjectTagging'],
    ['PUT', 'b', undefined, 'tagging', false, 'PutBucketTagging'],
    ['GET', 'b', undefined, 'tagging', false, 'GetBucketTagging'],
    ['DELETE', 'b', undefined, 'tagging', false, 'DeleteBucketTagging'],
    ['PUT', 'b', undefined, 'ownershipControls', false, 'PutBucketOwnershipControls'],
    ['GET', 'b', undefined, 'ownershipControls', false, 'GetBucketOwnershipControls'],
    ['DELETE', 'b', undefined, 'ownershipControls', false, 'DeleteBucketOwnershipControls'],
    ['GET', 'b', 'k', 'ownershipControls', false, '501 NotImplemented'],
    ['PUT', 'b', undefined, 'policy', false, '501 NotImplemented'],
    ['PUT', 'b', 'k', 'tagging', false, 'PutObjectTagging'],
  ] as const)('%s %s/%s ?%s (copy=%s) → %s', (method, bucket, key, query, copy, expected) => {
    expect(route(method, bucket, key, query, copy)).toBe(expected);
  });
});

describe('browser POST uploads', () => {
  const post = (contentType: string | undefined, query = ''): string => {
    try {
      return routeRequest({ method: 'POST', bucket: 'b', query: new Set(parseQuery(query).map((p) => p.name)), copySource: false, contentType });
    } catch (error) {
      if (error instanceof S3Error) return `${error.status} ${error.code}`;
      throw error;
    }
  };

  it('routes a multipart/form-data POST on a bucket to PostObject, nothing else', () => {
    expect(post('multipart/form-data; boundary=----x')).toBe('PostObject');
    expect(post('Multipart/Form-Data;boundary=x')).toBe('PostObject');
    expect(post('multipart/form-data; boundary=x', 'delete')).toBe('DeleteObjects');
    expect(post('application/x-www-form-urlencoded')).toBe('405 MethodNotAllowed');
    expect(post('multipart/form-datax')).toBe('405 MethodNotAllowed');
    expect(post(undefined)).toBe('405 MethodNotAllowed');
  });
});

describe('addressing', () => {
  it('path style: bucket, then the rest of the path decoded once', () => {
    expect(parseAddress('/b/a%2Fb//c/./../d%2520', 'h', undefined)).toMatchObject({ bucket: 'b', key: 'a/b//c/./../d%20', virtualHosted: false });
    for (const path of ['/b', '/b/']) {
      const address = parseAddress(path, 'h', undefined);
      expect([address.bucket, address.key]).toEqual(['b', undefined]);
    }
    expect(parseAddress('/', 'h', undefined).bucket).toBeUndefined();
    expect(parseAddress('/b/a+b', 'h', undefined).key).toBe('a+b');
  });

  it('virtual-host style under the base domain', () => {
    expect(parseAddress('/k/x', 'my.bucket.localhost:9000', 'localhost')).toMatchObject({ bucket: 'my.bucket', key: 'k/x', virtualHosted: true });
    expect(parseAddress('/b/k', 'localhost:9000', 'localhost')).toMatchObject({ bucket: 'b', key: 'k', virtualHosted: false });
    const root = parseAddress('/', 'b.localhost', 'localhost');
    expect([root.bucket, root.key, root.virtualHosted]).toEqual(['b', undefined, true]);
  });

  it('invalid percent escapes and invalid UTF-8 → InvalidArgument', () => {
    expect(() => parseAddress('/b/%zz', 'h', undefined)).toThrow(S3Error);
    expect(() => parseAddress('/b/%C3%28', 'h', undefined)).toThrow(S3Error);
    expect(() => parseAddress('/b/%FF', 'h', undefined)).toThrow(S3Error);
  });

  it('query parameters keep + and decode once', () => {
    expect(parseQuery('uploads&prefix=a+b%2Bc&x=')).toEqual([
      { name: 'uploads', value: '' }, { name: 'prefix', value: 'a+b+c' }, { name: 'x', value: '' },
    ]);
  });
});

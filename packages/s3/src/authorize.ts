import type { IncomingMessage } from 'node:http';
import { S3Error } from '@mpu/core';
import type { Address, QueryParam } from './addressing.js';
import { copySourceOf } from './operations/shared.js';
import type { AuthResult } from './sigv4.js';
import type { OperationName } from './router.js';

/** What an `authorize` hook is asked: who calls which operation on which resource. */
export interface AuthorizationRequest {
  /** The authenticated access key; undefined for an anonymous request. */
  readonly accessKeyId?: string;
  /** The S3 API name, as the request log writes it (`UploadPart`, `ListObjectsV2`, …). */
  readonly operation: OperationName;
  readonly bucket?: string;
  /** Decoded object key. */
  readonly key?: string;
  readonly uploadId?: string;
  /** CopyObject / UploadPartCopy read this object too (decoded `x-amz-copy-source`). */
  readonly copySource?: { readonly bucket: string; readonly key: string };
}

/**
 * The embedder's own authorization. Anything but `true` (or a promise of it) refuses the
 * request with 403 AccessDenied; a thrown `S3Error` is answered as is.
 */
export type AuthorizeHook = (request: AuthorizationRequest, req: IncomingMessage) => boolean | Promise<boolean>;

/**
 * Runs the hook after authentication and before the operation starts: nothing has been read
 * from the body, and `100 Continue` has not been sent (continue.ts sends it on the first
 * body read), so a refused upload is never transferred.
 */
export async function authorizeRequest(authorize: AuthorizeHook | undefined, request: AuthorizationRequest, req: IncomingMessage): Promise<void> {
  if (authorize === undefined) return;
  if ((await authorize(request, req)) !== true) throw new S3Error('AccessDenied', 'Access Denied');
}

/** The hook's question for one routed, authenticated request. */
export function authorizationRequestOf(auth: AuthResult, operation: OperationName, address: Address, query: readonly QueryParam[], req: IncomingMessage): AuthorizationRequest {
  const copies = operation === 'CopyObject' || operation === 'UploadPartCopy';
  return {
    accessKeyId: auth.accessKeyId,
    operation,
    bucket: address.bucket,
    key: address.key,
    uploadId: query.find((p) => p.name === 'uploadId')?.value,
    // Parsed as the operation parses it, so the hook judges the object that will be read.
    copySource: copies ? copySourceOf({ req }) : undefined,
  };
}

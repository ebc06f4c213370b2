import type { TokenCredential } from '@azure/core-auth';
import {
  BlobServiceClient, type ContainerClient, StorageSharedKeyCredential, type StoragePipelineOptions,
} from '@azure/storage-blob';
import { isWellFormed } from './key-encoding.js';

/** How to reach the account: exactly one of the three forms. */
export type AzureCredentials =
  | { readonly connectionString: string }
  | { readonly accountName: string; readonly accountKey: string; readonly endpoint?: string }
  | { readonly accountUrl: string; readonly credential: TokenCredential };

export type AzureStoreOptions = AzureCredentials & {
  /** Container holding records and data (3–63 lowercase letters, digits, hyphens). */
  readonly container: string;
  /** Prefix for every blob this store writes, e.g. `mpu/`. Lets stores share a container. */
  readonly prefix?: string;
  /** Create the container on `open` when it does not exist. Default false. */
  readonly createContainer?: boolean;
  /**
   * Size of one staged block in bytes (default 8 MiB, at most 4000 MiB). A part streams in
   * through a buffer of this size, so it bounds memory per part upload; and because a blob
   * holds at most 50,000 blocks, it also bounds the assembled object (50,000 × blockSize).
   */
  readonly blockSize?: number;
  /**
   * Blocks of one part staged at once (default 2): the next block fills from the client while
   * the previous one is in flight. Memory per part upload is about (stageConcurrency + 1) ×
   * blockSize at most.
   */
  readonly stageConcurrency?: number;
  /** Send a transactional MD5 with every staged block (default true; one MD5 pass per byte). */
  readonly transactionalMd5?: boolean;
  /** Blobs per List Blobs page when listing records (default 1000, at most 5000). */
  readonly listPageSize?: number;
  /** Passed to the Azure SDK pipeline; `retryOptions` configures its retry policy. */
  readonly pipelineOptions?: StoragePipelineOptions;
};

export const MIB = 1024 * 1024;
export const DEFAULT_BLOCK_SIZE = 8 * MIB;
/** Put Block limit for service version 2019-12-12 and later. */
export const MAX_BLOCK_SIZE = 4000 * MIB;

/** Thrown for options that cannot work, before any request is sent. */
export class InvalidAzureStoreOptionsError extends Error {
  override readonly name = 'InvalidAzureStoreOptionsError';
  constructor(
    readonly option: string,
    reason: string,
  ) {
    super(`AzureStore option ${option}: ${reason}`);
  }
}

export interface ResolvedConfig {
  readonly containerClient: ContainerClient;
  readonly prefix: string;
  readonly createContainer: boolean;
  readonly blockSize: number;
  readonly stageConcurrency: number;
  readonly transactionalMd5: boolean;
  readonly listPageSize: number;
}

// Container name rules: https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata#container-names
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$/;

export function resolveConfig(options: AzureStoreOptions): ResolvedConfig {
  if (!CONTAINER_NAME.test(options.container)) {
    throw new InvalidAzureStoreOptionsError('container', `${JSON.stringify(options.container)} is not a valid container name`);
  }
  const prefix = options.prefix ?? '';
  if (prefix.startsWith('/') || [...prefix].some(isUnsafePrefixChar) || !isWellFormed(prefix)) {
    throw new InvalidAzureStoreOptionsError('prefix', 'must not start with "/" nor contain control characters, "\\" or lone surrogates');
  }
  const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
  if (!Number.isSafeInteger(blockSize) || blockSize < 1 || blockSize > MAX_BLOCK_SIZE) {
    throw new InvalidAzureStoreOptionsError('blockSize', `must be an integer from 1 to ${MAX_BLOCK_SIZE}`);
  }
  const stageConcurrency = options.stageConcurrency ?? 2;
  if (!Number.isSafeInteger(stageConcurrency) || stageConcurrency < 1 || stageConcurrency > 64) {
    throw new InvalidAzureStoreOptionsError('stageConcurrency', 'must be an integer from 1 to 64');
  }
  const listPageSize = options.listPageSize ?? 1000;
  if (!Number.isSafeInteger(listPageSize) || listPageSize < 1 || listPageSize > 5000) {
    throw new InvalidAzureStoreOptionsError('listPageSize', 'must be an integer from 1 to 5000');
  }
  return {
    containerClient: serviceClient(options).getContainerClient(options.container),
    prefix,
    createContainer: options.createContainer ?? false,
    blockSize,
    stageConcurrency,
    listPageSize,
    transactionalMd5: options.transactionalMd5 ?? true,
  };
}

/** Control characters do not survive URLs and some tools turn `\\` into `/`. */
function isUnsafePrefixChar(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f || char === '\\';
}

function serviceClient(options: AzureStoreOptions): BlobServiceClient {
  const pipeline = options.pipelineOptions;
  if ('connectionString' in options) return BlobServiceClient.fromConnectionString(options.connectionString, pipeline);
  if ('accountKey' in options) {
    const endpoint = options.endpoint ?? `https://${options.accountName}.blob.core.windows.net`;
    return new BlobServiceClient(endpoint, new StorageSharedKeyCredential(options.accountName, options.accountKey), pipeline);
  }
  return new BlobServiceClient(options.accountUrl, options.credential, pipeline);
}

import { StoreFullError } from '../blob-store.js';
import { type S3ErrorCode, defaultMessageOf, statusOf } from './error-table.js';

/** Extra elements of an S3 error body, in the order they are emitted (after Code, Message). */
export type S3ErrorDetails = Readonly<Record<string, string | number | undefined>>;

/**
 * A domain error that has an S3 wire form. Subclasses carry their facts as `details`
 * (e.g. `UploadId`, `PartNumber`, `ETag`), which become elements of the XML body.
 */
export class S3Error extends Error {
  override readonly name: string;
  readonly code: S3ErrorCode;
  readonly details: S3ErrorDetails;

  constructor(code: S3ErrorCode, message?: string, details: S3ErrorDetails = {}, options?: ErrorOptions) {
    super(message ?? defaultMessageOf(code), options);
    this.name = code;
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return statusOf(this.code);
  }
}

/** The wire form of any thrown value: unknown errors become InternalError 500. */
export interface WireError {
  readonly status: number;
  readonly code: S3ErrorCode;
  readonly message: string;
  readonly details: S3ErrorDetails;
  /** True when the error was not an S3Error (a bug or backend fault worth logging). */
  readonly unexpected: boolean;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof S3Error) {
    return { status: error.status, code: error.code, message: error.message, details: error.details, unexpected: false };
  }
  if (error instanceof StoreFullError) {
    return { status: statusOf('InsufficientStorage'), code: 'InsufficientStorage', message: defaultMessageOf('InsufficientStorage'), details: {}, unexpected: false };
  }
  return {
    status: statusOf('InternalError'),
    code: 'InternalError',
    message: defaultMessageOf('InternalError'),
    details: {},
    unexpected: true,
  };
}

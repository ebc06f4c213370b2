import { TransientStoreError } from '@mpu/core';

/**
 * Classifying what the Azure SDK throws. The SDK's own retry policy has already retried
 * transient failures by the time an error reaches us (see `config.ts`); what still looks
 * transient is wrapped in `TransientStoreError` so an outer `withRetry` may try again later,
 * and everything else (4xx: missing blob, failed condition, bad request) passes through.
 */

/** Network error codes Node and the SDK report for a broken or timed-out connection. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND',
  'REQUEST_SEND_ERROR', 'TIMEOUT', 'OperationTimedOut', 'ServerBusy', 'InternalError',
]);

interface AzureErrorShape {
  readonly statusCode?: number;
  readonly code?: string;
  readonly name?: string;
}

function shape(error: unknown): AzureErrorShape {
  return typeof error === 'object' && error !== null ? (error as AzureErrorShape) : {};
}

export function statusOf(error: unknown): number | undefined {
  return shape(error).statusCode;
}

export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

/** 409 (If-None-Match: * on an existing blob) or 412 (If-Match on a changed or absent blob). */
export function isConditionFailure(error: unknown): boolean {
  const status = statusOf(error);
  return status === 409 || status === 412;
}

export function isTransient(error: unknown): boolean {
  const { statusCode, code, name } = shape(error);
  if (name === 'AbortError') return false; // the caller asked to stop: never retry that
  if (statusCode !== undefined) return statusCode >= 500 || statusCode === 408 || statusCode === 429;
  return code !== undefined && TRANSIENT_CODES.has(code);
}

/** Rethrow helper: wraps transient failures, returns anything else unchanged. */
export function toStoreError(error: unknown, what: string): unknown {
  if (error instanceof TransientStoreError || !isTransient(error)) return error;
  const { statusCode, code } = shape(error);
  return new TransientStoreError(`azure ${what} failed transiently (${statusCode ?? code ?? 'network'})`, { cause: error });
}

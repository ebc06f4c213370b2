import { badRequest, type GcsHttpError } from './gcs-error.js';

/**
 * Object naming rules from https://cloud.google.com/storage/docs/objects#naming :
 * 1–1024 bytes of valid UTF-8, no CR or LF, not "." or "..", and not under
 * ".well-known/acme-challenge/".
 */
export const MAX_OBJECT_NAME_BYTES = 1024;

export function objectNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'Object name must not be empty.';
  if (Buffer.byteLength(name, 'utf8') > MAX_OBJECT_NAME_BYTES) return `Object name exceeds ${MAX_OBJECT_NAME_BYTES} bytes.`;
  if (/[\r\n]/.test(name)) return 'Object name must not contain carriage return or line feed characters.';
  if (name === '.' || name === '..') return 'Object name must not be "." or "..".';
  if (name.startsWith('.well-known/acme-challenge/')) return 'Object name must not start with ".well-known/acme-challenge/".';
  // A lone surrogate cannot be encoded as UTF-8; GCS only accepts valid UTF-8.
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(name)) return 'Object name must be valid UTF-8.';
  return undefined;
}

export function assertObjectName(name: string): void {
  const problem = objectNameProblem(name);
  if (problem) throw invalidName(problem);
}

function invalidName(message: string): GcsHttpError {
  return badRequest(`The specified object name is not valid. ${message}`);
}

/**
 * Bucket naming rules from https://cloud.google.com/storage/docs/buckets#naming (the subset
 * that matters here): 3–63 characters of lowercase letters, digits, '-', '_' and '.', starting
 * and ending with a letter or digit.
 */
export function assertBucketName(name: string): void {
  if (!/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/.test(name)) throw badRequest(`Invalid bucket name: '${name}'`);
}

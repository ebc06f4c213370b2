import { InvalidArgumentError } from '../errors/s3-errors.js';

/**
 * Continuation tokens of ListObjectsV2 and ListBuckets: the last name returned, base64url, so a
 * client cannot mistake them for a key. A token that does not round-trip is refused.
 */
export function encodeContinuationToken(name: string): string {
  return Buffer.from(name, 'utf8').toString('base64url');
}

export function decodeContinuationToken(token: string): string {
  const name = Buffer.from(token, 'base64url').toString('utf8');
  if (token === '' || encodeContinuationToken(name) !== token) {
    throw new InvalidArgumentError('The continuation token provided is incorrect', 'continuation-token', token);
  }
  return name;
}

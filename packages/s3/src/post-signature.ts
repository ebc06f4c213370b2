import { S3Error } from '@mpu/core';
import type { SecretLookup } from './credentials.js';
import { ALGORITHM_IDENTIFIER, deriveSigningKey, hmacHex, parseAmzDate, signatureMismatch, signaturesEqual } from './sigv4.js';

/**
 * SigV4 for browser POST uploads: the string to sign is the base64 policy itself, signed with
 * the key derived from the credential scope in `x-amz-credential`.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-authentication-HTTPPOST.html
 */

/** AWS words a missing form field this way (the two spaces are AWS's). */
export function missingField(name: string): S3Error {
  return new S3Error('InvalidArgument', `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, {
    ArgumentName: name,
    ArgumentValue: '',
  });
}

export interface PostSignatureOptions {
  readonly lookupSecret: SecretLookup;
  readonly regions?: readonly string[];
}

/** Verifies the form's signature over `policy`; returns the signer's access key id. */
export async function verifyPostSignature(fields: ReadonlyMap<string, string>, policy: string, options: PostSignatureOptions): Promise<string> {
  const field = (name: string): string => {
    const value = fields.get(name);
    if (value === undefined) throw missingField(name);
    return value;
  };
  const algorithm = field('x-amz-algorithm');
  const credential = field('x-amz-credential');
  const longDate = field('x-amz-date');
  const signature = field('x-amz-signature');
  if (algorithm !== ALGORITHM_IDENTIFIER) {
    throw new S3Error('InvalidArgument', 'Signature Version 4 POST requires x-amz-algorithm AWS4-HMAC-SHA256', { ArgumentName: 'x-amz-algorithm', ArgumentValue: algorithm });
  }
  const parts = credential.split('/');
  const [accessKeyId, date, region, service, terminator] = parts;
  if (parts.length !== 5 || !accessKeyId || !date || !region || service !== 's3' || terminator !== 'aws4_request') {
    throw new S3Error('InvalidArgument', 'Invalid credential: expecting "<YOUR-AKID>/YYYYMMDD/REGION/s3/aws4_request".', { ArgumentName: 'x-amz-credential', ArgumentValue: credential });
  }
  if (parseAmzDate(longDate) === undefined || longDate.slice(0, 8) !== date) {
    throw new S3Error('InvalidArgument', 'x-amz-date must be yyyyMMdd\'T\'HHmmss\'Z\' on the credential\'s date', { ArgumentName: 'x-amz-date', ArgumentValue: longDate });
  }
  if (options.regions !== undefined && !options.regions.includes(region)) {
    throw new S3Error('AuthorizationQueryParametersError', `Error parsing the X-Amz-Credential parameter; the region '${region}' is wrong; expecting '${options.regions[0] ?? ''}'`, { Region: options.regions[0] });
  }
  const secret = await options.lookupSecret(accessKeyId);
  if (secret === undefined) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: accessKeyId });
  const expected = hmacHex(deriveSigningKey(secret, date, region), policy);
  if (!signaturesEqual(expected, signature)) throw signatureMismatch(accessKeyId, signature, policy);
  return accessKeyId;
}

import { S3Error } from '../errors/s3-error.js';

/**
 * Object and bucket tags: parsing of `x-amz-tagging` (a URL-encoded query string) and the S3
 * limits (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions):
 * at most 10 tags per object and 50 per bucket, keys of 1–128 and values of 0–256 UTF-16
 * units, unique keys, no `aws:` prefix, letters, digits, spaces and `_ . : / = + - @` only.
 * Objects keep their tags as the normalized query string in `StoredAttributes.tagging`.
 */

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export const MAX_OBJECT_TAGS = 10;
export const MAX_BUCKET_TAGS = 50;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;
const ALLOWED = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function invalidTag(message: string, details: Record<string, string> = {}): S3Error {
  return new S3Error('InvalidTag', message, details);
}

/** Throws InvalidTag unless `tags` is a legal tag set of an object or a bucket. */
export function validateTags(tags: readonly Tag[], kind: 'object' | 'bucket'): void {
  if (kind === 'object' && tags.length > MAX_OBJECT_TAGS) throw invalidTag(`Object tags cannot be greater than ${MAX_OBJECT_TAGS}`);
  if (kind === 'bucket' && tags.length > MAX_BUCKET_TAGS) throw invalidTag(`Bucket tag count cannot be greater than ${MAX_BUCKET_TAGS}`);
  const seen = new Set<string>();
  for (const { key, value } of tags) {
    if (key.length === 0 || !ALLOWED.test(key)) throw invalidTag('The TagKey you have provided is invalid', { TagKey: key });
    if (key.length > MAX_KEY_LENGTH) throw invalidTag(`The TagKey you have provided is too long, max ${MAX_KEY_LENGTH}`, { TagKey: key });
    if (!ALLOWED.test(value)) throw invalidTag('The TagValue you have provided is invalid', { TagKey: key, TagValue: value });
    if (value.length > MAX_VALUE_LENGTH) throw invalidTag(`The TagValue you have provided is too long, max ${MAX_VALUE_LENGTH}`, { TagKey: key });
    if (key.toLowerCase().startsWith('aws:')) throw invalidTag('Your TagKey cannot be prefixed with aws:', { TagKey: key });
    if (seen.has(key)) throw invalidTag('Cannot provide multiple Tags with the same key', { TagKey: key });
    seen.add(key);
  }
}

/** `k1=v1&k2=v2` (form encoding, as SDKs send `x-amz-tagging`) → tags, in order. */
export function parseTaggingQuery(text: string): Tag[] {
  if (text === '') return [];
  const tags: Tag[] = [];
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    try {
      tags.push({ key: decodeURIComponent(rawKey.replace(/\+/g, ' ')), value: decodeURIComponent(rawValue.replace(/\+/g, ' ')) });
    } catch {
      throw new S3Error('InvalidArgument', 'The header \'x-amz-tagging\' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.', {
        ArgumentName: 'x-amz-tagging',
        ArgumentValue: text,
      });
    }
  }
  return tags;
}

export function formatTaggingQuery(tags: readonly Tag[]): string {
  return tags.map((t) => `${encodeURIComponent(t.key)}=${encodeURIComponent(t.value)}`).join('&');
}

/** An `x-amz-tagging` value parsed, validated and normalized; undefined when it names no tag. */
export function normalizeObjectTagging(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const tags = parseTaggingQuery(text);
  validateTags(tags, 'object');
  return tags.length === 0 ? undefined : formatTaggingQuery(tags);
}

/** Tags stored on an object (its normalized tagging string). */
export function storedTags(tagging: string | undefined): Tag[] {
  return tagging === undefined ? [] : parseTaggingQuery(tagging);
}

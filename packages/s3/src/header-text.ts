/**
 * Header values and non-ASCII text. Node hands header bytes over as Latin-1, one character per
 * byte; clients mostly send UTF-8 (botocore, the JS SDK) and S3 answers non-ASCII metadata as
 * an RFC 2047 encoded-word (`=?UTF-8?B?…?=`), so that what goes on the wire stays ASCII
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html).
 */

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The header's bytes read as UTF-8 when they are valid UTF-8; otherwise the Latin-1 reading. */
export function utf8FromHeaderBytes(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(value)) return value;
  try {
    return strictUtf8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}

const ENCODED_WORD = /^=\?utf-8\?([bq])\?([^?]*)\?=$/i;

/** A metadata value as received: RFC 2047 UTF-8 encoded-words decoded, raw bytes read as UTF-8. */
export function metadataFromHeader(value: string): string {
  const words = value.trim().split(/\s+/);
  if (words.length > 0 && words.every((word) => ENCODED_WORD.test(word))) {
    return words.map((word) => {
      const [, kind, text] = ENCODED_WORD.exec(word) ?? [];
      if (kind?.toLowerCase() === 'b') return Buffer.from(text ?? '', 'base64').toString('utf8');
      return Buffer.from((text ?? '').replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
    }).join('');
  }
  return utf8FromHeaderBytes(value);
}

/** A metadata value for a response header: printable ASCII as is, anything else as one encoded-word. */
export function metadataToHeader(value: string): string {
  return /^[\t\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

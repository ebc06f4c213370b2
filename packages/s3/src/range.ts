import { S3Error } from '@mpu/core';
import type { ByteRange, RangeRequest } from '@mpu/core';

/**
 * `Range: bytes=…` for GetObject. Like S3, a header that is not a single well-formed byte
 * range is ignored (the whole object is returned); satisfiability is the engine's call.
 */
export function parseRangeHeader(value: string | undefined): RangeRequest | undefined {
  if (value === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (m === null) return undefined;
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return undefined;
  if (first === '') return { suffixLength: Number(last) };
  if (last === '') return { start: Number(first) };
  if (Number(last) < Number(first)) return undefined;
  return { start: Number(first), end: Number(last) };
}

/**
 * `x-amz-copy-source-range: bytes=first-last` — strict: anything else is InvalidArgument
 * (s3-tests send `0-2`, `bytes=0`, `bytes=hello-world`, multi-range…).
 */
export function parseCopySourceRange(value: string | undefined): ByteRange | undefined {
  if (value === undefined) return undefined;
  const m = /^bytes=(\d+)-(\d+)$/.exec(value);
  if (m === null || Number(m[2]) < Number(m[1])) {
    throw new S3Error('InvalidArgument', 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', {
      ArgumentName: 'x-amz-copy-source-range',
      ArgumentValue: value,
    });
  }
  return { start: Number(m[1]), end: Number(m[2]) };
}

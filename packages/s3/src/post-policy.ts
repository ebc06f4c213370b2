import { S3Error } from '@mpu/core';

/**
 * The POST policy of a browser upload: a base64 JSON document with `expiration` and
 * `conditions`, checked against the form fields before the file is stored.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
 */

export type PolicyCondition =
  | { readonly kind: 'eq'; readonly field: string; readonly value: string; readonly text: string }
  | { readonly kind: 'starts-with'; readonly field: string; readonly prefix: string; readonly text: string }
  | { readonly kind: 'content-length-range'; readonly min: number; readonly max: number; readonly text: string };

export interface PostPolicy {
  readonly expiration: Date;
  readonly conditions: readonly PolicyCondition[];
}

/** The size bounds the file must respect while it streams. */
export interface LengthRange {
  readonly min: number;
  readonly max: number;
}

/**
 * Fields exempt from "every field must have a condition": the signature, the policy itself,
 * the file and `x-ignore-*`.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html#sigv4-PolicyConditions
 */
const EXEMPT_FIELDS = new Set(['x-amz-signature', 'policy', 'file']);

function invalidPolicy(reason: string): S3Error {
  return new S3Error('InvalidPolicyDocument', `Invalid Policy: ${reason}`);
}

function denied(reason: string): S3Error {
  return new S3Error('AccessDenied', `Invalid according to Policy: ${reason}`);
}

/** `$key` → `key`; condition field names compare case-insensitively, as form fields do. */
function fieldName(reference: unknown): string {
  if (typeof reference !== 'string' || !reference.startsWith('$')) throw invalidPolicy('Invalid Condition: field reference must start with $.');
  return reference.slice(1).toLowerCase();
}

function conditionOf(entry: unknown): PolicyCondition {
  if (Array.isArray(entry)) {
    const [operator, first, second] = entry as unknown[];
    const text = `[${entry.map((value) => JSON.stringify(value)).join(', ')}]`;
    if (entry.length !== 3) throw invalidPolicy(`Invalid Condition: wrong number of arguments in ${text}.`);
    if (typeof operator === 'string' && operator.toLowerCase() === 'content-length-range') {
      const min = Number(first);
      const max = Number(second);
      if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || max < min) {
        throw invalidPolicy('Invalid content-length-range: values must be non-negative integers with min <= max.');
      }
      return { kind: 'content-length-range', min, max, text };
    }
    if (typeof second !== 'string') throw invalidPolicy(`Invalid Condition: ${text}.`);
    if (operator === 'eq') return { kind: 'eq', field: fieldName(first), value: second, text };
    if (operator === 'starts-with') return { kind: 'starts-with', field: fieldName(first), prefix: second, text };
    throw invalidPolicy(`Invalid Condition: unknown operator ${JSON.stringify(operator)}.`);
  }
  if (entry !== null && typeof entry === 'object') {
    const pairs = Object.entries(entry as Record<string, unknown>);
    const [name, value] = pairs[0] ?? [];
    if (pairs.length !== 1 || name === undefined || typeof value !== 'string') throw invalidPolicy('Invalid Condition: an exact match must name one field.');
    return { kind: 'eq', field: name.toLowerCase(), value, text: `["eq", "$${name}", ${JSON.stringify(value)}]` };
  }
  throw invalidPolicy('Invalid Condition: a condition is an object or an array.');
}

export function parsePostPolicy(base64: string): PostPolicy {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) throw invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = document as { expiration?: unknown; conditions?: unknown };
  if (expiration === undefined) throw invalidPolicy('Policy missing expiration.');
  const expires = typeof expiration === 'string' ? new Date(expiration) : new Date(Number.NaN);
  if (Number.isNaN(expires.getTime())) throw invalidPolicy('Invalid \'expiration\' value: must be an ISO8601 GMT date.');
  if (conditions === undefined) throw invalidPolicy('Policy missing conditions.');
  if (!Array.isArray(conditions)) throw invalidPolicy('Invalid \'conditions\' value: must be a list.');
  return { expiration: expires, conditions: conditions.map(conditionOf) };
}

/**
 * Checks every condition against the fields (lower-case names; `bucket` is the URL's) and
 * that every field is covered by a condition. Returns the content-length-range to enforce
 * while the file streams.
 */
export function checkPolicy(policy: PostPolicy, fields: ReadonlyMap<string, string>, now: Date): LengthRange | undefined {
  if (now.getTime() > policy.expiration.getTime()) throw denied('Policy expired.');
  let range: LengthRange | undefined;
  const covered = new Set<string>();
  for (const condition of policy.conditions) {
    if (condition.kind === 'content-length-range') {
      range = { min: condition.min, max: condition.max };
      continue;
    }
    covered.add(condition.field);
    const value = fields.get(condition.field) ?? '';
    const holds = condition.kind === 'eq' ? value === condition.value : value.startsWith(condition.prefix);
    if (!holds) throw denied(`Policy Condition failed: ${condition.text}`);
  }
  const extra = [...fields.keys()].filter((name) => name !== 'bucket' && !covered.has(name) && !EXEMPT_FIELDS.has(name) && !name.startsWith('x-ignore-'));
  if (extra.length > 0) throw denied(`Extra input fields: ${extra.join(', ')}`);
  return range;
}

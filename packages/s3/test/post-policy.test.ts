import { describe, expect, it } from 'vitest';
import { S3Error } from '@mpu/core';
import { checkPolicy, parsePostPolicy } from '../src/post-policy.js';

const NOW = new Date('2026-12-06T12:00:00Z');

function encoded(document: unknown): string {
  return Buffer.from(JSON.stringify(document)).toString('base64');
}

function policy(conditions: unknown[], expiration = '2026-12-06T13:00:00.000Z') {
  return parsePostPolicy(encoded({ expiration, conditions }));
}

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof S3Error) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'no error';
}

describe('POST policy', () => {
  it('checks exact matches, eq and starts-with with case-insensitive field names, and returns the length range', () => {
    const parsed = policy([
      { bucket: 'b' }, ['eq', '$Content-Type', 'image/png'], ['starts-with', '$key', 'user/'], ['content-length-range', '1', 1048576], { 'X-Amz-Meta-Tag': 'a' },
    ]);
    const fields = new Map([['bucket', 'b'], ['content-type', 'image/png'], ['key', 'user/x.png'], ['x-amz-meta-tag', 'a'], ['x-ignore-note', 'n'], ['policy', 'p'], ['x-amz-signature', 's']]);
    expect(checkPolicy(parsed, fields, NOW)).toEqual({ min: 1, max: 1048576 });
  });

  it('names the condition that failed the way AWS prints it', () => {
    const parsed = policy([{ bucket: 'b' }, ['starts-with', '$key', 'user/']]);
    expect(failure(() => checkPolicy(parsed, new Map([['bucket', 'other']]), NOW)))
      .toBe('AccessDenied: Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "b"]');
    expect(failure(() => checkPolicy(parsed, new Map([['bucket', 'b'], ['key', 'admin/x']]), NOW)))
      .toBe('AccessDenied: Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/"]');
  });

  it('refuses expired policies and fields without a condition', () => {
    expect(failure(() => checkPolicy(policy([], '2026-12-06T11:59:59Z'), new Map(), NOW))).toBe('AccessDenied: Invalid according to Policy: Policy expired.');
    expect(failure(() => checkPolicy(policy([{ key: 'k' }]), new Map([['key', 'k'], ['acl', 'private'], ['success_action_status', '201']]), NOW)))
      .toBe('AccessDenied: Invalid according to Policy: Extra input fields: acl, success_action_status');
  });

  it.each([
    ['not base64 JSON', 'bm90IGpzb24=', 'Invalid Policy: Invalid JSON.'],
    ['no expiration', encoded({ conditions: [] }), 'Invalid Policy: Policy missing expiration.'],
    ['a bad expiration', encoded({ expiration: 'soon', conditions: [] }), 'Invalid Policy: Invalid \'expiration\' value: must be an ISO8601 GMT date.'],
    ['no conditions', encoded({ expiration: '2026-12-07T00:00:00Z' }), 'Invalid Policy: Policy missing conditions.'],
    ['an unknown operator', encoded({ expiration: '2026-12-07T00:00:00Z', conditions: [['ends-with', '$key', 'x']] }), 'Invalid Policy: Invalid Condition: unknown operator "ends-with".'],
    ['a field without $', encoded({ expiration: '2026-12-07T00:00:00Z', conditions: [['eq', 'key', 'x']] }), 'Invalid Policy: Invalid Condition: field reference must start with $.'],
    ['an inverted length range', encoded({ expiration: '2026-12-07T00:00:00Z', conditions: [['content-length-range', 10, 1]] }), 'Invalid Policy: Invalid content-length-range: values must be non-negative integers with min <= max.'],
  ])('refuses a policy with %s as InvalidPolicyDocument', (_what, base64, message) => {
    expect(failure(() => parsePostPolicy(base64))).toBe(`InvalidPolicyDocument: ${message}`);
  });
});

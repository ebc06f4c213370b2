import { describe, expect, it } from 'vitest';
import { S3Error, toWireError } from '@mpu/core';

describe('wiring', () => {
  it('maps S3 errors and unknown errors', () => {
    expect(toWireError(new S3Error('NoSuchUpload')).status).toBe(404);
    expect(toWireError(new Error('x')).code).toBe('InternalError');
  });
});

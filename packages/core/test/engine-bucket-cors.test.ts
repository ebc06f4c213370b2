import { describe, expect, it } from 'vitest';
import { type CorsRule, matchCorsRule, wildcardMatches } from '@mpu/core';
import { expectS3Error, makeEngine } from './engine-helpers.js';

const UPLOADER: CorsRule = {
  id: 'uploader',
  allowedOrigins: ['https://*.example.com'],
  allowedMethods: ['PUT', 'POST'],
  allowedHeaders: ['content-*', 'X-Amz-Meta-*'],
  exposeHeaders: ['ETag'],
  maxAgeSeconds: 600,
};
const READERS: CorsRule = { allowedOrigins: ['*'], allowedMethods: ['GET', 'HEAD'], allowedHeaders: [], exposeHeaders: [] };

describe('bucket CORS configuration', () => {
  it('is stored on the bucket, read back, replaced and deleted', async () => {
    const { engine } = makeEngine();
    await engine.createBucket('bucket');
    await expectS3Error(engine.getBucketCors('bucket'), 'NoSuchCORSConfiguration', { BucketName: 'bucket' });
    await engine.putBucketCors('bucket', [UPLOADER, READERS]);
    expect(await engine.getBucketCors('bucket')).toEqual([UPLOADER, READERS]);
    await engine.putBucketCors('bucket', [READERS]);
    expect(await engine.getBucketCors('bucket')).toEqual([READERS]);
    await engine.deleteBucketCors('bucket');
    await expectS3Error(engine.getBucketCors('bucket'), 'NoSuchCORSConfiguration', { BucketName: 'bucket' });
  });

  it('keeps the lifecycle rules when CORS changes (one bucket record, two fields)', async () => {
    const { engine } = makeEngine();
    await engine.createBucket('bucket');
    await engine.putBucketLifecycle('bucket', [{ id: 'r', status: 'Enabled', prefix: '', abortIncompleteDaysAfterInitiation: 1 }]);
    await engine.putBucketCors('bucket', [READERS]);
    await engine.deleteBucketCors('bucket');
    expect((await engine.getBucketLifecycle('bucket')).map((rule) => rule.id)).toEqual(['r']);
  });

  it('answers NoSuchBucket for a missing bucket', async () => {
    const { engine } = makeEngine();
    await expectS3Error(engine.putBucketCors('absent', [READERS]), 'NoSuchBucket', { BucketName: 'absent' });
    await expectS3Error(engine.getBucketCors('absent'), 'NoSuchBucket', { BucketName: 'absent' });
  });
});

describe('CORS rule matching', () => {
  it.each([
    ['*', 'http://x', true],
    ['https://*.example.com', 'https://app.example.com', true],
    ['https://*.example.com', 'http://app.example.com', false],
    ['https://*.example.com', 'https://example.com', false],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080', true],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8081', false],
    ['ab*ba', 'aba', false],
  ])('wildcard %j against %j → %s', (pattern, value, expected) => {
    expect(wildcardMatches(pattern, value)).toBe(expected);
  });

  it('takes the first rule matching origin, method and every requested header', () => {
    const rules = [UPLOADER, READERS];
    expect(matchCorsRule(rules, { origin: 'https://a.example.com', method: 'PUT', requestHeaders: ['Content-Type', 'x-amz-meta-a'] })).toBe(UPLOADER);
    expect(matchCorsRule(rules, { origin: 'https://a.example.com', method: 'GET' })).toBe(READERS);
    expect(matchCorsRule(rules, { origin: 'https://a.example.com', method: 'PUT', requestHeaders: ['authorization'] })).toBeUndefined();
    expect(matchCorsRule(rules, { origin: 'https://a.example.com', method: 'DELETE' })).toBeUndefined();
    expect(matchCorsRule(rules, { origin: 'https://a.example.com', method: 'put' })).toBeUndefined();
  });
});

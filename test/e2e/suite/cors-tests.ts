import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { aws, awsJson } from '../harness/aws-cli.js';
import { runBoto3Cors } from '../harness/client-scripts.js';

interface CorsRuleJson {
  ID?: string;
  AllowedHeaders?: string[];
  AllowedMethods: string[];
  AllowedOrigins: string[];
  ExposeHeaders?: string[];
  MaxAgeSeconds?: number;
}

const CLI_RULES: CorsRuleJson[] = [
  { ID: 'uploader', AllowedHeaders: ['*'], AllowedMethods: ['PUT', 'POST', 'GET'], AllowedOrigins: ['http://127.0.0.1:*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 3000 },
];

/** An unsigned OPTIONS preflight, as a browser sends it. */
function preflight(endpoint: string, path: string, origin: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname, port: url.port, method: 'OPTIONS', path,
      headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Bucket CORS with the aws CLI (put-bucket-cors from a JSON file, get-bucket-cors) and boto3
 * (get, put, delete), and the preflight the stored rules answer — on every backend, since the
 * rules live in the bucket record each backend stores.
 */
export function defineCorsTests(endpoint: () => string, bucketPrefix: string): void {
  let dir: string;
  const bucket = `${bucketPrefix}-cors`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mpu-e2e-cors-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('aws s3api put-bucket-cors / get-bucket-cors, a preflight answered from the rules, then boto3 get / put / delete', async () => {
    expect((await aws(endpoint(), ['s3', 'mb', `s3://${bucket}`])).code).toBe(0);
    const missing = await aws(endpoint(), ['s3api', 'get-bucket-cors', '--bucket', bucket]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('NoSuchCORSConfiguration');
    await writeFile(join(dir, 'cors.json'), JSON.stringify({ CORSRules: CLI_RULES }, null, 2));
    const put = await aws(endpoint(), ['s3api', 'put-bucket-cors', '--bucket', bucket, '--cors-configuration', 'file://cors.json'], { cwd: dir });
    expect(put).toMatchObject({ code: 0, stdout: '' });
    expect(await awsJson<{ CORSRules: CorsRuleJson[] }>(endpoint(), ['s3api', 'get-bucket-cors', '--bucket', bucket])).toEqual({ CORSRules: CLI_RULES });

    const allowed = await preflight(endpoint(), `/${bucket}/photo.jpg`, 'http://127.0.0.1:8080');
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8080');
    expect(allowed.headers['access-control-expose-headers']).toBe('ETag');
    expect((await preflight(endpoint(), `/${bucket}/photo.jpg`, 'https://evil.example')).status).toBe(403);

    const boto3 = await runBoto3Cors<{ before: CorsRuleJson[]; replaced: CorsRuleJson[]; after: string }>(endpoint(), bucket);
    expect(boto3.before).toEqual(CLI_RULES);
    expect(boto3.replaced).toEqual([
      { ID: 'boto3', AllowedHeaders: ['*'], AllowedMethods: ['PUT', 'POST'], AllowedOrigins: ['https://*.example.com'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 60 },
    ]);
    expect(boto3.after).toBe('NoSuchCORSConfiguration');
    expect((await preflight(endpoint(), `/${bucket}/photo.jpg`, 'http://127.0.0.1:8080')).status).toBe(403);
  });
}

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';

function capture(isTTY: boolean): { stream: PassThrough & { isTTY?: boolean }; text: () => string } {
  const stream: PassThrough & { isTTY?: boolean } = new PassThrough();
  stream.isTTY = isTTY;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('mpu serve logs', () => {
  it('are JSON lines when the output is not a terminal', async () => {
    const out = capture(false);
    createLogger('info', out.stream).info({ url: 'http://127.0.0.1:9000' }, 'mpu S3 endpoint ready');
    await new Promise((resolve) => setImmediate(resolve));
    expect(JSON.parse(out.text())).toMatchObject({ level: 30, msg: 'mpu S3 endpoint ready', url: 'http://127.0.0.1:9000' });
  });

  it('are human-readable lines on a terminal', async () => {
    const out = capture(true);
    createLogger('info', out.stream).info({ url: 'http://127.0.0.1:9000' }, 'mpu S3 endpoint ready');
    await new Promise((resolve) => setImmediate(resolve));
    // eslint-disable-next-line no-control-regex
    const text = out.text().replace(/\u001b\[\d+m/g, ''); // colours off for the comparison
    expect(text).not.toMatch(/^\{/);
    expect(text).toContain('INFO');
    expect(text).toContain('mpu S3 endpoint ready');
    expect(text).toMatch(/url: "?http:\/\/127\.0\.0\.1:9000"?/);
  });
});

/**
 * A lean S3 load generator, so the workers benchmark shows the SERVER's capacity and not the
 * SDK's: raw `node:http` with a keep-alive agent, header SigV4 with
 * `x-amz-content-sha256: UNSIGNED-PAYLOAD` (one HMAC and one SHA-256 of the canonical request
 * per request; the signing key is derived once per day), bodies sent from one reused buffer,
 * responses drained without copying. SigV4: https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 */
import { createHash, createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';

export interface LeanCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface LeanResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as text when asked for (small XML answers), else only its length. */
  readonly text: string;
  readonly bytes: number;
}

// RFC 3986 unreserved characters stay; everything else is percent-encoded (SigV4's UriEncode).
const uriEncode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export class LeanS3Client {
  readonly #url: URL;
  readonly #agent: Agent;
  #keyDate = '';
  #signingKey: Buffer = Buffer.alloc(0);

  constructor(endpoint: string, readonly credentials: LeanCredentials, readonly region = 'us-east-1', maxSockets = 16) {
    this.#url = new URL(endpoint);
    this.#agent = new Agent({ keepAlive: true, maxSockets });
  }

  close(): void {
    this.#agent.destroy();
  }

  #key(date: string): Buffer {
    if (date !== this.#keyDate) {
      const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();
      this.#signingKey = hmac(hmac(hmac(hmac(`AWS4${this.credentials.secretAccessKey}`, date), this.region), 's3'), 'aws4_request');
      this.#keyDate = date;
    }
    return this.#signingKey;
  }

  /** Headers of a SigV4-signed request with an unsigned payload. */
  signedHeaders(method: string, path: string, query: Readonly<Record<string, string>>, contentLength: number): Record<string, string> {
    const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const date = amzDate.slice(0, 8);
    const host = this.#url.host;
    const canonicalQuery = Object.keys(query).sort().map((k) => `${uriEncode(k)}=${uriEncode(query[k]!)}`).join('&');
    const canonicalPath = path.split('/').map(uriEncode).join('/');
    const signed = 'host;x-amz-content-sha256;x-amz-date';
    const canonical = [method, canonicalPath, canonicalQuery, `host:${host}\nx-amz-content-sha256:UNSIGNED-PAYLOAD\nx-amz-date:${amzDate}\n`, signed, 'UNSIGNED-PAYLOAD'].join('\n');
    const scope = `${date}/${this.region}/s3/aws4_request`;
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
    const signature = createHmac('sha256', this.#key(date)).update(toSign).digest('hex');
    return {
      host,
      'x-amz-date': amzDate,
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      authorization: `AWS4-HMAC-SHA256 Credential=${this.credentials.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`,
      'content-length': String(contentLength),
    };
  }

  /** One request; `body` is sent as is (a reused buffer), the answer drained (kept as text if `keepText`). */
  send(method: string, path: string, query: Readonly<Record<string, string>> = {}, body?: Uint8Array, keepText = false): Promise<LeanResponse> {
    const qs = Object.entries(query).map(([k, v]) => (v === '' ? uriEncode(k) : `${uriEncode(k)}=${uriEncode(v)}`)).join('&');
    const headers = this.signedHeaders(method, path, query, body?.byteLength ?? 0);
    return new Promise((resolve, reject) => {
      const req = request({
        host: this.#url.hostname, port: this.#url.port, method, agent: this.#agent,
        path: `${path.split('/').map(uriEncode).join('/')}${qs ? `?${qs}` : ''}`, headers,
      }, (res) => {
        let bytes = 0;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.byteLength;
          if (keepText) chunks.push(chunk);
        });
        res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: keepText ? Buffer.concat(chunks).toString('utf8') : '', bytes }));
        res.once('error', reject);
      });
      req.once('error', reject);
      req.end(body);
    });
  }

  /** Like `send`, but a status ≥ 300 is an error carrying the server's answer. */
  async ok(method: string, path: string, query: Readonly<Record<string, string>> = {}, body?: Uint8Array): Promise<LeanResponse> {
    const res = await this.send(method, path, query, body, true);
    if (res.status >= 300) throw new Error(`${method} ${path}?${Object.keys(query).join('&')}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
    return res;
  }

  async createBucket(bucket: string): Promise<void> {
    await this.ok('PUT', `/${bucket}`);
  }

  async createMultipartUpload(bucket: string, key: string): Promise<string> {
    const res = await this.ok('POST', `/${bucket}/${key}`, { uploads: '' });
    const id = /<UploadId>([^<]+)<\/UploadId>/.exec(res.text)?.[1];
    if (!id) throw new Error(`CreateMultipartUpload answered without an UploadId: ${res.text.slice(0, 300)}`);
    return id;
  }

  async uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<string> {
    const res = await this.ok('PUT', `/${bucket}/${key}`, { partNumber: String(partNumber), uploadId }, body);
    return String(res.headers['etag'] ?? '');
  }

  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.ok('DELETE', `/${bucket}/${key}`, { uploadId });
  }

  async putObject(bucket: string, key: string, body: Uint8Array): Promise<void> {
    await this.ok('PUT', `/${bucket}/${key}`, {}, body);
  }

  /** GET of a whole object; returns the bytes received. */
  async getObject(bucket: string, key: string): Promise<number> {
    const res = await this.send('GET', `/${bucket}/${key}`);
    if (res.status !== 200) throw new Error(`GET /${bucket}/${key}: HTTP ${res.status}`);
    return res.bytes;
  }
}

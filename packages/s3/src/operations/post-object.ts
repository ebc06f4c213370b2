import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { S3Error, normalizeEtag } from '@mpu/core';
import type { ChecksumAlgorithm, PayloadExpectations } from '@mpu/core';
import { setChecksumHeaders } from '../object-headers.js';
import { checkPolicy, parsePostPolicy } from '../post-policy.js';
import type { LengthRange } from '../post-policy.js';
import { missingField, verifyPostSignature } from '../post-signature.js';
import { bucketOf, requestOrigin } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { quoteEtag, sendEmpty, sendXml } from '../response.js';
import { s3UriEncode } from '../sigv4.js';
import { resultDocument } from '../xml.js';

/**
 * PostObject: a browser upload from an HTML form (multipart/form-data). Fields before `file`
 * are collected (fields after it are ignored, as S3 does); the signature and every policy
 * condition are checked before a byte is stored; the file then streams into the engine with
 * the policy's content-length-range enforced as it flows.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/HTTPPOSTForms.html
 */

/** S3 caps the form fields that precede the file at 20 KB. */
const MAX_PRE_DATA_BYTES = 20 * 1024;
/**
 * A refused form's remaining body is read and discarded up to this size before answering, so
 * a browser still sending can read the error instead of a connection reset; larger remainders
 * get the answer at once and the connection is closed.
 */
const DISCARD_LIMIT = 16 * 1024 * 1024;
const CHECKSUM_FIELDS: Readonly<Record<string, ChecksumAlgorithm>> = {
  'x-amz-checksum-crc32': 'CRC32',
  'x-amz-checksum-crc32c': 'CRC32C',
  'x-amz-checksum-crc64nvme': 'CRC64NVME',
  'x-amz-checksum-sha1': 'SHA1',
  'x-amz-checksum-sha256': 'SHA256',
};

interface ReceivedForm {
  /** Lower-case field name → value, fields before the file only. */
  readonly fields: Map<string, string>;
  readonly file: Readable;
  readonly filename: string;
  /** Settles once the whole request body has been parsed. */
  readonly finished: Promise<void>;
}

/** Reads the form up to the `file` part; the file stream is left paused for the caller. */
function receiveForm(ctx: RequestContext): Promise<ReceivedForm> {
  let parser: busboy.Busboy;
  try {
    // busboy: a streaming multipart/form-data parser (the one multer and fastify use), so the
    // file is never held in memory.
    parser = busboy({ headers: ctx.req.headers, defParamCharset: 'utf8', limits: { fieldSize: MAX_PRE_DATA_BYTES } });
  } catch (error) {
    return Promise.reject(new S3Error('MalformedPOSTRequest', undefined, {}, { cause: error }));
  }
  const fields = new Map<string, string>();
  let preDataBytes = 0;
  let fileSeen = false;
  return new Promise<ReceivedForm>((resolve, reject) => {
    let finish!: () => void;
    let fail!: (error: unknown) => void;
    const finished = new Promise<void>((res, rej) => { finish = res; fail = rej; });
    finished.catch(() => undefined);
    parser.on('field', (name, value, info) => {
      if (fileSeen) return;
      preDataBytes += name.length + value.length;
      if (preDataBytes > MAX_PRE_DATA_BYTES || info.valueTruncated) {
        reject(new S3Error('MaxPostPreDataLengthExceededError', undefined, {}));
        return;
      }
      const lower = name.toLowerCase();
      if (!fields.has(lower)) fields.set(lower, value);
    });
    parser.on('file', (name, stream, info) => {
      if (fileSeen || name.toLowerCase() !== 'file') {
        stream.resume();
        return;
      }
      fileSeen = true;
      resolve({ fields, file: stream, filename: info.filename ?? '', finished });
    });
    parser.on('error', (error: unknown) => {
      const wire = new S3Error('MalformedPOSTRequest', undefined, {}, { cause: error });
      reject(wire);
      fail(wire);
    });
    parser.on('close', () => {
      if (!fileSeen) reject(new S3Error('IncorrectNumberOfFilesInPostRequest', undefined, {}));
      finish();
    });
    ctx.req.on('data', (chunk: Buffer) => { ctx.bytesIn += chunk.length; });
    ctx.req.pipe(parser);
  });
}

/** Reads and drops what is left of the request body when it is small enough (DISCARD_LIMIT). */
async function discardRest(ctx: RequestContext): Promise<void> {
  const req = ctx.req;
  req.unpipe();
  if (req.complete || req.destroyed) return;
  const declared = Number(req.headers['content-length']);
  if (!Number.isFinite(declared) || declared - ctx.bytesIn > DISCARD_LIMIT) return;
  await new Promise<void>((resolve) => {
    req.once('end', resolve);
    req.once('close', resolve);
    req.resume();
  });
}

/** The file's bytes with content-length-range enforced while they flow. */
async function* limited(file: Readable, range: LengthRange | undefined): AsyncIterable<Uint8Array> {
  let size = 0;
  for await (const chunk of file as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (range !== undefined && size > range.max) {
      throw new S3Error('EntityTooLarge', undefined, { ProposedSize: size, MaxSizeAllowed: range.max });
    }
    yield chunk;
  }
  if (range !== undefined && size < range.min) {
    throw new S3Error('EntityTooSmall', undefined, { ProposedSize: size, MinSizeAllowed: range.min });
  }
}

function checksumOf(fields: ReadonlyMap<string, string>): PayloadExpectations {
  const present = [...fields.keys()].filter((name) => name.startsWith('x-amz-checksum-') && name !== 'x-amz-checksum-algorithm');
  if (present.length > 1) throw new S3Error('InvalidRequest', 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  const name = present[0];
  if (name === undefined) return {};
  const algorithm = CHECKSUM_FIELDS[name];
  if (algorithm === undefined) throw new S3Error('InvalidRequest', `Unsupported checksum header ${name}`);
  return { checksumAlgorithm: algorithm, checksum: fields.get(name) };
}

function metadataOf(fields: ReadonlyMap<string, string>): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of fields) if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = value;
  return metadata;
}

/** `success_action_redirect` gets bucket, key and etag appended to its query. */
function redirectUrl(target: string, bucket: string, key: string, etag: string): string {
  const query = `bucket=${encodeURIComponent(bucket)}&key=${encodeURIComponent(key)}&etag=${encodeURIComponent(etag)}`;
  return `${target}${target.includes('?') ? '&' : '?'}${query}`;
}

export async function postObject(ctx: RequestContext): Promise<void> {
  const bucket = bucketOf(ctx);
  const form = await receiveForm(ctx).catch(async (error: unknown) => {
    await discardRest(ctx);
    throw error;
  });
  const { fields } = form;
  try {
    const keyField = fields.get('key');
    if (keyField === undefined) throw missingField('key');
    const key = keyField.replaceAll('${filename}', form.filename);
    const policyText = fields.get('policy');
    if (policyText === undefined) {
      // Without a policy the form is anonymous: only a bucket that allows anonymous writes takes it.
      if (fields.has('x-amz-signature')) throw missingField('policy');
      if (!ctx.options.allowAnonymous) throw new S3Error('AccessDenied', 'Access Denied');
    } else {
      await verifyPostSignature(fields, policyText, { lookupSecret: ctx.lookupSecret, regions: ctx.options.regions });
    }
    const range = policyText === undefined
      ? undefined
      : checkPolicy(parsePostPolicy(policyText), new Map([...fields, ['bucket', bucket], ['key', key]]), ctx.options.clock());
    const acl = fields.get('acl');
    if (acl !== undefined && acl !== 'private') {
      throw new S3Error('NotImplemented', `The canned ACL ${acl} is not implemented by mpu`, { Header: 'acl' });
    }
    const result = await ctx.engine.putObject({
      bucket,
      key,
      body: limited(form.file, range),
      expect: checksumOf(fields),
      contentType: fields.get('content-type'),
      cacheControl: fields.get('cache-control'),
      contentDisposition: fields.get('content-disposition'),
      contentEncoding: fields.get('content-encoding'),
      expires: fields.get('expires'),
      metadata: metadataOf(fields),
      storageClass: fields.get('x-amz-storage-class'),
      signal: ctx.signal,
    });
    await form.finished;
    const etag = quoteEtag(normalizeEtag(result.etag));
    const location = `${requestOrigin(ctx)}/${s3UriEncode(bucket, false)}/${s3UriEncode(key, true)}`;
    ctx.res.setHeader('ETag', etag);
    ctx.res.setHeader('Location', location);
    setChecksumHeaders(ctx.res, result.checksum);
    const redirect = fields.get('success_action_redirect') ?? fields.get('redirect');
    if (redirect !== undefined && redirect !== '') {
      ctx.res.setHeader('Location', redirectUrl(redirect, bucket, key, etag));
      sendEmpty(ctx.res, 303);
      return;
    }
    const status = fields.get('success_action_status');
    if (status === '201') {
      sendXml(ctx.res, 201, resultDocument('PostResponse', [['Location', location], ['Bucket', bucket], ['Key', key], ['ETag', etag]]));
    } else {
      sendEmpty(ctx.res, status === '200' ? 200 : 204);
    }
  } catch (error) {
    form.file.resume();
    await discardRest(ctx);
    throw error;
  }
}

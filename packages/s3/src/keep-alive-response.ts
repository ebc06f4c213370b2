import { toWireError } from '@mpu/core';
import { errorXml } from './error-response.js';
import type { RequestContext } from './request-context.js';
import { sendXml } from './response.js';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/**
 * Answers a slow operation (CompleteMultipartUpload) the way AWS does (§1.4): if `work` has
 * not settled after `intervalMs`, commit to `200 OK`, send the XML declaration, then one space
 * every `intervalMs` so client and proxy read timeouts do not fire, and finally the result —
 * or an `<Error>` document inside the 200, which botocore and the JS SDK both recognise (and
 * retry). The declaration goes first because whitespace before it is an XML error for
 * botocore. Fast outcomes are answered normally, with their real status.
 */
export async function respondWithKeepAlive(ctx: RequestContext, work: Promise<string>, intervalMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const early = await Promise.race([
    work.then((xml) => ({ xml })),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), intervalMs);
    }),
  ]).finally(() => clearTimeout(timer));
  if (early !== undefined) {
    sendXml(ctx.res, 200, early.xml);
    return;
  }
  const { res } = ctx;
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/xml');
  res.write(DECLARATION);
  const ticker = setInterval(() => res.write(' '), intervalMs);
  try {
    const xml = await work;
    res.end(xml.startsWith(DECLARATION) ? xml.slice(DECLARATION.length) : xml);
  } catch (error) {
    const wire = toWireError(error);
    if (wire.unexpected && !ctx.signal.aborted) ctx.options.logger.error({ err: error, requestId: ctx.requestId, operation: ctx.operation }, 'internal error');
    const doc = errorXml(wire, ctx.requestId, ctx.hostId);
    res.end(doc.slice(doc.indexOf('<Error>')));
  } finally {
    clearInterval(ticker);
  }
}

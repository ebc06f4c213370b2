import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BucketState } from './bucket-state.js';
import type { ResumableSessions } from './routes/resumable-session.js';
import type { StatsRecorder } from './stats.js';

/** Everything a route handler needs about one request. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** Path segments, each percent-decoded after splitting. */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  /** `http://host:port` as the client addressed us (from the Host header). */
  readonly baseUrl: string;
  readonly state: BucketState;
  readonly stats: StatsRecorder;
  readonly sessions: ResumableSessions;
  /** Set by fault injection: cut the connection after this many response body bytes. */
  readonly resetAfterBytes?: number;
}

/** The request body, counted into `bytesReceived` (for `object`, "bucket/name") as it streams. */
export async function* countedBody(ctx: RequestContext, object: string): AsyncIterable<Buffer> {
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    ctx.stats.received(object, chunk.length);
    yield chunk;
  }
}

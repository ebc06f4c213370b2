/** What passed through the server, so tests can prove e.g. that Complete moved no part bytes. */
export interface ServerStats {
  /** Object bytes received in upload requests (media, multipart, resumable PUTs). */
  readonly bytesReceived: number;
  /** Object bytes sent in media downloads. */
  readonly bytesSent: number;
  /** Requests by operation, e.g. `objects.compose`, `objects.insert`, `objects.media`. */
  readonly requests: Readonly<Record<string, number>>;
  /** Requests that carried an Authorization header (a client pointed here should send none). */
  readonly authorized: number;
  /** Object bytes received, by object name ("bucket/name"). */
  readonly receivedByObject: Readonly<Record<string, number>>;
  /** Media bytes sent, by object name ("bucket/name"). */
  readonly sentByObject: Readonly<Record<string, number>>;
}

export class StatsRecorder {
  bytesReceived = 0;
  bytesSent = 0;
  requests: Record<string, number> = {};
  authorized = 0;
  receivedByObject: Record<string, number> = {};
  sentByObject: Record<string, number> = {};

  count(operation: string): void {
    this.requests[operation] = (this.requests[operation] ?? 0) + 1;
  }

  received(object: string, bytes: number): void {
    this.bytesReceived += bytes;
    this.receivedByObject[object] = (this.receivedByObject[object] ?? 0) + bytes;
  }

  sent(object: string, bytes: number): void {
    this.bytesSent += bytes;
    this.sentByObject[object] = (this.sentByObject[object] ?? 0) + bytes;
  }

  snapshot(): ServerStats {
    return {
      bytesReceived: this.bytesReceived, bytesSent: this.bytesSent, requests: { ...this.requests }, authorized: this.authorized,
      receivedByObject: { ...this.receivedByObject }, sentByObject: { ...this.sentByObject },
    };
  }

  reset(): void {
    this.bytesReceived = 0;
    this.bytesSent = 0;
    this.requests = {};
    this.authorized = 0;
    this.receivedByObject = {};
    this.sentByObject = {};
  }
}

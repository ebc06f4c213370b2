/** What passed through the server, so tests can prove e.g. that Complete moved no part bytes. */
export interface ServerStats {
  /** Object bytes received in upload requests (media, multipart, resumable PUTs). */
  readonly bytesReceived: number;
  /** Object bytes sent in media downloads. */
  readonly bytesSent: number;
  /** Requests by operation, e.g. `objects.compose`, `objects.insert`, `objects.media`. */
  readonly requests: Readonly<Record<string, number>>;
}

export class StatsRecorder {
  bytesReceived = 0;
  bytesSent = 0;
  requests: Record<string, number> = {};

  count(operation: string): void {
    this.requests[operation] = (this.requests[operation] ?? 0) + 1;
  }

  snapshot(): ServerStats {
    return { bytesReceived: this.bytesReceived, bytesSent: this.bytesSent, requests: { ...this.requests } };
  }

  reset(): void {
    this.bytesReceived = 0;
    this.bytesSent = 0;
    this.requests = {};
  }
}

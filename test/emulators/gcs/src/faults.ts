/**
 * Fault injection: the next `count` requests matching `method` and `pathPattern` fail with a
 * 503/429 JSON error, have their connection reset after `resetAfterBytes` bytes (request
 * body bytes for uploads, response body bytes for downloads), or are carried out with the
 * response dropped (`dropResponse`).
 */
interface FaultMatch {
  /** HTTP method, or '*' for any. */
  readonly method: string;
  /**
   * Matched against the percent-decoded path plus query (`/upload/storage/v1/b/B/o?uploadType=
   * media&name=a/b`), so object names can be matched as written.
   */
  readonly pathPattern: RegExp | string;
  readonly count: number;
}

export type FaultSpec =
  | (FaultMatch & { readonly status: 503 | 429 | 500 | 502 | 504 })
  | (FaultMatch & { readonly resetAfterBytes: number })
  /** The request is carried out, then the connection is cut instead of answering (a lost response). */
  | (FaultMatch & { readonly dropResponse: true });

export type FaultAction = { readonly status: number } | { readonly resetAfterBytes: number } | { readonly dropResponse: true };

interface ActiveFault {
  readonly spec: FaultSpec;
  remaining: number;
}

export class FaultInjector {
  readonly #faults: ActiveFault[] = [];
  #fired = 0;

  inject(spec: FaultSpec): void {
    if (!Number.isInteger(spec.count) || spec.count < 1) throw new RangeError('fault count must be a positive integer');
    this.#faults.push({ spec, remaining: spec.count });
  }

  /** Removes all pending faults and zeroes `fired`. */
  clear(): void {
    this.#faults.length = 0;
    this.#fired = 0;
  }

  /** Faults not yet used up. */
  pending(): number {
    return this.#faults.reduce((sum, fault) => sum + fault.remaining, 0);
  }

  /** How many requests a fault has hit since the last `clear()`. */
  get fired(): number {
    return this.#fired;
  }

  /** Consumes and returns the fault for this request, if any. */
  take(method: string, pathAndQuery: string): FaultAction | undefined {
    for (const fault of this.#faults) {
      if (fault.remaining <= 0) continue;
      const { spec } = fault;
      if (spec.method !== '*' && spec.method.toUpperCase() !== method) continue;
      const matches = typeof spec.pathPattern === 'string' ? pathAndQuery.includes(spec.pathPattern) : spec.pathPattern.test(pathAndQuery);
      if (!matches) continue;
      fault.remaining--;
      this.#fired++;
      if ('status' in spec) return { status: spec.status };
      if ('resetAfterBytes' in spec) return { resetAfterBytes: spec.resetAfterBytes };
      return { dropResponse: true };
    }
    return undefined;
  }
}

/**
 * A JSON-API error as GCS returns it: `{"error":{"code","message","errors":[{reason,...}]}}`.
 * `@google-cloud/storage` surfaces `code` as `err.code` and reads `errors[0].reason`.
 */
export class GcsHttpError extends Error {
  override readonly name = 'GcsHttpError';
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly extraHeaders: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  toJSON(): unknown {
    return {
      error: {
        code: this.status,
        message: this.message,
        errors: [{ message: this.message, domain: 'global', reason: this.reason }],
      },
    };
  }
}

export const badRequest = (message: string, reason = 'invalid'): GcsHttpError => new GcsHttpError(400, reason, message);
export const notFound = (message: string): GcsHttpError => new GcsHttpError(404, 'notFound', message);
export const conditionNotMet = (message = 'At least one of the pre-conditions you specified did not hold.'): GcsHttpError =>
  new GcsHttpError(412, 'conditionNotMet', message);
export const notModified = (): GcsHttpError => new GcsHttpError(304, 'notModified', 'Not Modified');
export const conflict = (message: string): GcsHttpError => new GcsHttpError(409, 'conflict', message);

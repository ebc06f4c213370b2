import { badRequest, conditionNotMet, notModified } from './gcs-error.js';

/** The four JSON-API preconditions (https://cloud.google.com/storage/docs/request-preconditions). */
export interface Preconditions {
  readonly ifGenerationMatch?: number;
  readonly ifGenerationNotMatch?: number;
  readonly ifMetagenerationMatch?: number;
  readonly ifMetagenerationNotMatch?: number;
}

const NAMES = ['ifGenerationMatch', 'ifGenerationNotMatch', 'ifMetagenerationMatch', 'ifMetagenerationNotMatch'] as const;

/** Parses int64 query values; anything else is a 400 as GCS answers for a malformed number. */
export function parseInt64(name: string, raw: string): number {
  if (!/^-?\d{1,19}$/.test(raw)) throw badRequest(`Invalid value for ${name}: ${raw}`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw badRequest(`Invalid value for ${name}: ${raw}`);
  return value;
}

export function preconditionsFrom(query: URLSearchParams, prefix = ''): Preconditions {
  const result: Record<string, number> = {};
  for (const name of NAMES) {
    const key = prefix ? `${prefix}${name[0]!.toUpperCase()}${name.slice(1)}` : name;
    const raw = query.get(key);
    if (raw !== null) result[name] = parseInt64(key, raw);
  }
  return result;
}

export interface Versioned {
  readonly generation: number;
  readonly metageneration: number;
}

/**
 * Checks preconditions against the live object (or its absence). Google documents: a failing
 * `*Match` is 412 Precondition Failed; a failing `*NotMatch` (values equal) is 304 Not
 * Modified; `ifGenerationMatch=0` means "no live object"; and for `ifGenerationNotMatch` "if
 * no live object exists, the precondition fails". Callers that need the object to exist
 * (GET, PATCH, DELETE) report 404 before calling this.
 */
export function checkPreconditions(current: Versioned | undefined, conditions: Preconditions): void {
  const { ifGenerationMatch, ifGenerationNotMatch, ifMetagenerationMatch, ifMetagenerationNotMatch } = conditions;
  if (ifGenerationMatch !== undefined) {
    if (ifGenerationMatch === 0 ? current !== undefined : current?.generation !== ifGenerationMatch) throw conditionNotMet();
  }
  if (ifMetagenerationMatch !== undefined && current?.metageneration !== ifMetagenerationMatch) throw conditionNotMet();
  if (ifGenerationNotMatch !== undefined) {
    if (current === undefined) throw conditionNotMet();
    if (current.generation === ifGenerationNotMatch) throw notModified();
  }
  if (ifMetagenerationNotMatch !== undefined) {
    if (current === undefined) throw conditionNotMet();
    if (current.metageneration === ifMetagenerationNotMatch) throw notModified();
  }
}

import type { LifecycleRule } from './types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * When an upload becomes eligible for abort under `rules` (S3-MULTIPART.md §9): the earliest
 * of initiation + DaysAfterInitiation over the enabled rules whose prefix matches the key,
 * rounded up to the next 00:00 UTC, as AWS rounds lifecycle days.
 */
export function abortRuleFor(
  rules: readonly LifecycleRule[] | undefined,
  key: string,
  initiated: Date,
): { abortDate: Date; abortRuleId: string } | undefined {
  let best: { abortDate: Date; abortRuleId: string } | undefined;
  for (const rule of rules ?? []) {
    const days = rule.abortIncompleteDaysAfterInitiation;
    if (rule.status !== 'Enabled' || days === undefined || !key.startsWith(rule.prefix)) continue;
    const due = initiated.getTime() + days * DAY_MS;
    const abortDate = new Date(Math.ceil(due / DAY_MS) * DAY_MS);
    if (!best || abortDate < best.abortDate) best = { abortDate, abortRuleId: rule.id };
  }
  return best;
}

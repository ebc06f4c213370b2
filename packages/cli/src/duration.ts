const UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses operator durations such as `90s`, `12h`, `7d`, `2w` into milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhdw])$/.exec(text.trim());
  if (!match) throw new Error(`invalid duration ${JSON.stringify(text)}: use a number and a unit s, m, h, d or w (e.g. 7d)`);
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}

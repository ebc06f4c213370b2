import { it } from 'vitest';

/**
 * Registers a test that honours declared gaps: a test listed in `knownGaps` still runs and
 * must FAIL (vitest `it.fails`), so a gap that gets fixed turns the suite red until the
 * declaration is removed. Titles carry the stable id that `knownGaps` is keyed by.
 */
export function gapAwareTest(
  knownGaps: Readonly<Record<string, string>>,
  registered: Set<string>,
): (id: string, title: string, body: () => Promise<void>, timeout?: number) => void {
  return (id, title, body, timeout) => {
    if (registered.has(id)) throw new Error(`duplicate conformance test id ${id}`);
    registered.add(id);
    const gap = knownGaps[id];
    if (gap === undefined) it(`${id}: ${title}`, body, timeout);
    else it.fails(`${id}: ${title} (known gap: ${gap})`, body, timeout);
  };
}

/** A test that fails when `knownGaps` names an id no test has (a typo hides nothing). */
export function knownGapsAreReal(knownGaps: Readonly<Record<string, string>>, registered: ReadonlySet<string>): void {
  it('knownGaps name only existing tests', () => {
    const unknown = Object.keys(knownGaps).filter((id) => !registered.has(id));
    if (unknown.length > 0) throw new Error(`knownGaps names unknown test ids: ${unknown.join(', ')}`);
  });
}

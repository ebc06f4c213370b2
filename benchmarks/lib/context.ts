import type { FigureBook } from './figures.js';
import type { Profile } from './profiles.js';
import type { Progress } from './progress.js';

/** What every suite gets: the profile, where to put figures and data, and the progress line. */
export interface SuiteContext {
  readonly profile: Profile;
  readonly book: FigureBook;
  readonly progress: Progress;
  /** A directory in the OS temp dir, deleted after the run. */
  readonly workDir: string;
  /** The memory suite is selected: assembly watches the heap during its first fs tiny-part Complete. */
  readonly watchHeap: boolean;
  /** Records a failed part of the run in the report; the run goes on and exits non-zero. */
  fail(what: string, error: unknown): void;
}

/** Every number the harness reports is a Figure: one measurement repeated n times. */
export interface Figure {
  /** Stable id, e.g. `assembly.fs.1GiB.8MiB.completeMs`; targets and charts look figures up by it. */
  readonly id: string;
  readonly suite: 'assembly' | 'ingest' | 'end-to-end' | 'memory' | 'baseline' | 'workers' | 'listing';
  readonly label: string;
  /** `ms`, `MB/s` (10^6 bytes per second), `MiB`, `bytes`, `ratio`, `s/GiB` (CPU-seconds per GiB), `calls`. */
  readonly unit: string;
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly n: number;
  /** What the figure was measured on: backend, object and part sizes, concurrency … */
  readonly params: Readonly<Record<string, string | number | boolean>>;
}

export type FigureInput = Omit<Figure, 'min' | 'median' | 'max' | 'n'>;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function figure(input: FigureInput, samples: readonly number[]): Figure {
  if (samples.length === 0) throw new Error(`figure ${input.id} has no samples`);
  return { ...input, min: Math.min(...samples), median: median(samples), max: Math.max(...samples), n: samples.length };
}

/** MB/s (10^6 bytes per second) from a byte count and durations in ms, one per sample. */
export function throughputs(bytes: number, durationsMs: readonly number[]): number[] {
  return durationsMs.map((ms) => bytes / 1e6 / (ms / 1000));
}

/** Collects the figures of one run in the order they were measured. */
export class FigureBook {
  readonly figures: Figure[] = [];
  readonly notes: string[] = [];

  add(input: FigureInput, samples: readonly number[]): Figure {
    const made = figure(input, samples);
    if (this.figures.some((f) => f.id === made.id)) throw new Error(`duplicate figure id ${made.id}`);
    this.figures.push(made);
    return made;
  }

  get(id: string): Figure | undefined {
    return this.figures.find((f) => f.id === id);
  }

  note(text: string): void {
    this.notes.push(text);
  }
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** `64MiB`, `1GiB`, `100B` — the size labels used in figure ids and tables. */
export function sizeLabel(bytes: number): string {
  if (bytes >= GiB && bytes % GiB === 0) return `${bytes / GiB}GiB`;
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB}MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024}KiB`;
  return `${bytes}B`;
}

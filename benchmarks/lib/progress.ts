/** One line per case to stderr, so a long run shows where it is. Silent when `quiet`. */
export class Progress {
  readonly #start = performance.now();
  constructor(readonly quiet = false) {}

  line(text: string): void {
    if (this.quiet) return;
    const seconds = ((performance.now() - this.#start) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`[bench ${seconds}s] ${text}\n`);
  }
}

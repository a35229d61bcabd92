/** A counting semaphore: bounds how many prepare jobs (decode/ROI/windowing) run at once. */
export class Semaphore {
  private waiters: (() => void)[] = [];
  private active = 0;

  constructor(private readonly limit: number) {}

  /** Runs `job` when a slot is free; the slot is released when the job settles. */
  async use<R>(job: () => Promise<R>): Promise<R> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.active += 1;
    try {
      return await job();
    } finally {
      const next = this.waiters.shift();
      if (next) next();
      else this.active -= 1;
    }
  }

  /** Jobs running now (for tests and progress). */
  get running(): number {
    return this.active;
  }
}

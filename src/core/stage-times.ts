/**
 * Where a pipeline's time goes: milliseconds summed per named stage over a run, for `bench:convert`'s profile
 * table and anyone tuning a stage. Stages are timed where they run on the main thread; work that overlaps in
 * other processes (ffmpeg's decode and encode) shows only as the wait for it.
 */
export class StageTimes {
  private readonly ms = new Map<string, number>();

  /** Runs fn and adds its time to the stage. */
  time<T>(stage: string, fn: () => T): T {
    const t = performance.now();
    try {
      return fn();
    } finally {
      this.add(stage, performance.now() - t);
    }
  }

  /** Awaits fn and adds its time (the wait included) to the stage. */
  async timeAsync<T>(stage: string, fn: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      this.add(stage, performance.now() - t);
    }
  }

  add(stage: string, ms: number): void {
    this.ms.set(stage, (this.ms.get(stage) ?? 0) + ms);
  }

  /** Milliseconds per unit (a frame) for each stage, in the order the stages were first seen, to 0.1 ms. */
  per(units: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of this.ms) out[k] = Math.round((v / Math.max(1, units)) * 10) / 10;
    return out;
  }
}

/** Times fn under `stage` when there is a StageTimes to add to, else just runs it. */
export const timed = <T>(times: StageTimes | undefined, stage: string, fn: () => T): T =>
  times ? times.time(stage, fn) : fn();

/** Awaits fn under `stage` when there is a StageTimes to add to, else just awaits it. */
export const timedAsync = <T>(times: StageTimes | undefined, stage: string, fn: () => Promise<T>): Promise<T> =>
  times ? times.timeAsync(stage, fn) : fn();

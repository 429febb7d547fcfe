/**
 * One progress event for every stage, so that the CLI's bars, a dashboard and a Node caller read one shape: what is
 * done of what, how fast, how long is left, and the stage's own figures (faces so far, losses, ...).
 */

export type StageName =
  | 'extract'
  | 'train'
  | 'convert'
  | 'translate'
  | 'eval'
  | 'eval-gen'
  | 'generate'
  | 'interpolate'
  | 'project'
  | 'alignments';

export interface Progress {
  stage: StageName;
  done: number;
  total: number;
  /** What `done` counts: frames, iterations, images, steps. */
  unit: string;
  /** Units a second since this run of the stage began (0 until one is done). */
  rate: number;
  /** Seconds left at that rate (Infinity until it is known). */
  eta: number;
  /** The stage's own figures at this point: faces found or swapped, losses, images a second. */
  figures: Record<string, number>;
  /** What is in hand: a frame's name, the set being measured. */
  detail?: string;
}

export type OnProgress = (p: Progress) => void;

/**
 * A stage's progress reporter: call it with done and total (and figures) as work is done; it adds the rate and the
 * time left, counted from the first report (a resumed run's earlier work does not inflate the rate).
 */
export function progressMeter(
  stage: StageName,
  unit: string,
  onProgress: OnProgress | undefined,
): (done: number, total: number, figures?: Record<string, number>, detail?: string) => void {
  let start: { t: number; done: number } | undefined;
  return (done, total, figures = {}, detail) => {
    if (!onProgress) return;
    const now = performance.now();
    start ??= { t: now, done: done - 1 };
    const seconds = (now - start.t) / 1000;
    const rate = seconds > 0 ? (done - start.done) / seconds : 0;
    const eta = rate > 0 ? Math.max(0, total - done) / rate : Number.POSITIVE_INFINITY;
    onProgress({ stage, done, total, unit, rate, eta, figures, ...(detail === undefined ? {} : { detail }) });
  };
}

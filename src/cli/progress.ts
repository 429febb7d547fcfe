/**
 * A one-line progress bar on stderr: count, rate and ETA. Redrawn in place on a terminal, a line every 5 s otherwise.
 */
export interface ProgressBar {
  update(done: number, total: number, extra?: string): void;
  finish(): void;
}

const clock = (s: number) =>
  Number.isFinite(s) ? `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}` : '?';

export function progressBar(label: string, unit: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const start = performance.now();
  let lastLine = 0;
  let drawn = false;
  return {
    update(done, total, extra = '') {
      const elapsed = (performance.now() - start) / 1000;
      const rate = done / Math.max(elapsed, 1e-9);
      const width = 24;
      const filled = total ? Math.round((done / total) * width) : 0;
      const line =
        `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${unit}, ` +
        `${rate.toFixed(1)} ${unit}/s, ETA ${clock((total - done) / rate)}${extra ? `, ${extra}` : ''}`;
      if (stream.isTTY) {
        stream.write(`\r${line}\x1b[K`);
        drawn = true;
      } else if (performance.now() - lastLine > 5000 || done === total) {
        stream.write(`${line}\n`);
        lastLine = performance.now();
      }
    },
    finish() {
      if (drawn) stream.write('\n');
    },
  };
}

/** Prints a warning on its own line (clearing a progress bar being redrawn there first). */
export function warn(message: string, stream: NodeJS.WriteStream = process.stderr): void {
  stream.write(`${stream.isTTY ? '\r\x1b[K' : ''}facegan: warning: ${message}\n`);
}

/**
 * Ctrl-C (SIGINT) and SIGTERM (docker stop, systemd, job schedulers) for long commands: the first says what will
 * happen and asks the work to stop cleanly (train writes a checkpoint, extract saves its alignments file, convert
 * removes a half-written video). A second one only reminds that it is stopping, so that it cannot cut a checkpoint
 * short; a third quits at once.
 */

/**
 * Runs `work` with a signal that SIGINT or SIGTERM aborts (after printing `message`); the handlers are removed
 * afterwards.
 */
export async function stoppableBySigint<T>(message: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  let count = 0;
  const onSignal = (name: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      process.stderr.write(`\nfacegan: ${message}\n`);
      stop.abort();
    } else if (count === 2) {
      process.stderr.write(
        '\nfacegan: still stopping cleanly; send it once more to quit at once (what is being written is lost).\n',
      );
    } else {
      process.exit(name === 'SIGTERM' ? 143 : 130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(stop.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

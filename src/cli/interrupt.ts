/** Ctrl-C for long commands: the first SIGINT says what will happen and asks the work to stop cleanly. */

/**
 * Runs `work` with a signal that a SIGINT aborts (after printing `message`); the handler is removed afterwards,
 * so a second Ctrl-C outside the work ends the process as usual.
 */
export async function stoppableBySigint<T>(message: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const onSigint = () => {
    process.stderr.write(`\nfacegan: ${message}\n`);
    stop.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    return await work(stop.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

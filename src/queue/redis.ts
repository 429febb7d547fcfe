/**
 * The Redis behind the job queue: the --queue URL read and checked (redis://[USER:PASSWORD@]HOST:PORT[/DB], or
 * rediss:// for TLS), and a first connection tried with a short timeout, so that a wrong URL, a Redis that is down
 * or a wrong password gives one clear message instead of endless retries.
 */
import { Redis } from 'ioredis';
import { ErrorCodes, FaceganError } from '../core/errors.js';

export interface QueueConnection {
  /** For BullMQ (which makes its own connections from these) and ioredis. */
  options: { host: string; port: number; db: number; username?: string; password?: string; tls?: object };
  /** The URL without its password, for messages. */
  display: string;
}

const bad = (given: string, why: string) =>
  new FaceganError(
    ErrorCodes.USAGE,
    `Expected a Redis URL such as redis://localhost:6379 (or redis://:PASSWORD@HOST:PORT/DB) for --queue, but ` +
      `received ${JSON.stringify(given)}: ${why}.`,
  );

export function parseQueueUrl(given: string): QueueConnection {
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw bad(given, 'it is not a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw bad(given, `${url.protocol} is not redis: or rediss:`);
  if (!url.hostname) throw bad(given, 'it names no host');
  const port = url.port ? Number(url.port) : 6379;
  const db = url.pathname && url.pathname !== '/' ? Number(url.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw bad(given, `the database ${url.pathname.slice(1)} is not a number`);
  const options: QueueConnection['options'] = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    db,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  return { options, display: `${url.protocol}//${url.hostname}:${port}${db ? `/${db}` : ''}` };
}

/** Connects once with a short timeout and no retries, and says clearly why it cannot. Returns the server version. */
export async function checkRedis(c: QueueConnection, timeoutMs = 5000): Promise<string> {
  const probe = new Redis({
    ...c.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined); // reported below, from the failed call
  try {
    await probe.connect();
    const info = await probe.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } catch (e) {
    const m = (e as Error).message ?? String(e);
    const auth = /NOAUTH|WRONGPASS|invalid password|invalid username/i.test(m);
    throw new FaceganError(
      ErrorCodes.QUEUE,
      auth
        ? `Redis at ${c.display} refused the credentials (${m}): give the user and password in the URL, ` +
            'redis://USER:PASSWORD@HOST:PORT.'
        : `Cannot reach Redis at ${c.display} (${m}): start it (redis-server --port ${c.options.port}) or check ` +
            'the --queue URL. Nothing was queued.',
      { cause: e },
    );
  } finally {
    probe.disconnect();
  }
}

/**
 * A real redis-server for tests of the job queue, started on a free loopback port in a temporary folder (Debian's
 * redis-server, installed by setup.sh) and stopped when the test process ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { testTmp } from './faces.js';

export interface TestRedis {
  url: string;
  port: number;
  /** Stops the server (SIGTERM; SIGKILL for a crash). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts a server on a free port, or on `port` (a restart: it holds nothing, as a server without persistence). */
export async function startRedis(port?: number): Promise<TestRedis> {
  port ??= await freePort();
  const dir = mkdtempSync(join(testTmp(), 'redis-'));
  const server: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const gone = new Promise<void>((r) => server.on('exit', () => r()));
  process.on('exit', () => server.kill('SIGKILL'));
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => undefined);
  for (let i = 0; ; i++) {
    try {
      await client.connect();
      await client.ping();
      break;
    } catch (e) {
      if (i > 50) throw new Error(`redis-server did not start on port ${port}: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.disconnect();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async (signal = 'SIGTERM') => {
      server.kill(signal);
      await gone;
    },
  };
}
